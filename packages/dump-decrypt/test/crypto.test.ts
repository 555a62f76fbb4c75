// The fast page ciphers against the reference AES-256-XTS of @pvdump/pv-format: the IEEE
// 1619-2007 Annex B vectors (pv-format's test/data/ieee1619-xts-aes256.json) through the batched
// path and node:crypto's aes-256-xts, and identical bytes of all three on random pages.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { xtsDecrypt, xtsEncrypt } from '@pvdump/pv-format';
import { NodeXts, nodeXtsAvailable } from '../src/crypto/xts-node.ts';
import * as nodeCrypto from 'node:crypto';
import { createBatchXts, wasmSimdAvailable, whitenModuleBytes } from '@pvdump/pv-format';
import { batchAvailable, createPageCipher, defaultBackend } from '../src/crypto/page-cipher.ts';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** The reference's test vectors, read where they are kept (with their source). */
type Vector = Record<'name' | 'key1' | 'key2' | 'tweak' | 'plaintext' | 'ciphertext', string>;
const ieee = JSON.parse(readFileSync(new URL('../../pv-format/test/data/ieee1619-xts-aes256.json', import.meta.url), 'utf8')) as { source: string; vectors: Vector[] };

describe('the fast paths on the IEEE 1619 vectors', () => {
  it('has the five XTS-AES-256 vectors of IEEE 1619-2007 Annex B', () => {
    expect(ieee.source).toMatch(/IEEE Std 1619-2007/);
    expect(ieee.vectors).toHaveLength(5);
  });
  for (const v of ieee.vectors) {
    it(`${v.name}: batched fast path (ECB + WebAssembly whitening) agrees`, () => {
      const b = createBatchXts(nodeCrypto, whitenModuleBytes(), hex(v.key1 + v.key2));
      const data = hex(v.ciphertext);
      b.decryptUnits(hex(v.tweak), data, 512);
      b.dispose();
      expect(toHex(data)).toBe(v.plaintext);
    });
    it(`${v.name}: node:crypto aes-256-xts agrees`, () => {
      const x = new NodeXts(hex(v.key1 + v.key2));
      expect(toHex(x.decrypt(hex(v.tweak), hex(v.ciphertext)))).toBe(v.plaintext);
      expect(toHex(x.encrypt(hex(v.tweak), hex(v.plaintext)))).toBe(v.ciphertext);
      x.dispose();
    });
  }
});

describe('noble, node:crypto XTS and the batched path agree', () => {
  it('this runtime offers aes-256-xts, aes-256-ecb and WebAssembly SIMD, so the batched path is the default', () => {
    expect(nodeXtsAvailable()).toBe(true);
    expect(wasmSimdAvailable()).toBe(true);
    expect(batchAvailable()).toBe(true);
    expect(defaultBackend()).toBe('node');
  });
  it('the three page ciphers give identical bytes on random runs of pages (1 to 70 pages, across sub-batches)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 64, maxLength: 64 }).filter((k) => toHex(k.subarray(0, 32)) !== toHex(k.subarray(32))),
        fc.integer({ min: 1, max: 70 }),
        (key, pages) => {
          const tweaks = Uint8Array.from(randomBytes(pages * 16));
          const data = Uint8Array.from(randomBytes(pages * 4096));
          const outs = (['node', 'node-xts', 'noble'] as const).map((backend) => {
            const c = createPageCipher(key, backend);
            const d = data.slice();
            c.decryptPages(tweaks, d);
            c.dispose();
            return toHex(d);
          });
          return outs[0] === outs[1] && outs[1] === outs[2] && outs[0] !== toHex(data);
        },
      ),
      { numRuns: 25 },
    );
  });
  it("runs of mixed page kinds (up to 600 pages, across read chunks and sub-batches): encrypted pages as per-page XTS, zero pages zeroed, shared pages untouched, in every backend and in place in the batched cipher's own buffers", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 64, maxLength: 64 }).filter((k) => toHex(k.subarray(0, 32)) !== toHex(k.subarray(32))),
        fc.array(fc.constantFrom(0, 0, 0, 1, 2), { minLength: 1, maxLength: 600, size: 'max' }),
        (key, kindList) => {
          const pages = kindList.length;
          const kinds = Uint8Array.from(kindList);
          const tweaks = Uint8Array.from(randomBytes(pages * 16));
          const data = Uint8Array.from(randomBytes(pages * 4096));
          const xts = new NodeXts(key);
          const expected = data.slice();
          for (let i = 0; i < pages; i++) {
            const page = expected.subarray(i * 4096, (i + 1) * 4096);
            if (kinds[i] === 0) page.set(xts.decrypt(tweaks.subarray(i * 16, i * 16 + 16), page));
            else if (kinds[i] === 1) page.fill(0);
          }
          xts.dispose();
          const inOwnBuffer = (): boolean => {
            // The batched cipher decrypts a run in place in one of its own run buffers.
            const c = createPageCipher(key, 'node');
            const buffers = c.runBuffers?.(2, 600 * 4096) ?? [];
            const d = buffers[1]!.subarray(0, pages * 4096);
            d.set(data);
            c.decryptPageRun(tweaks, kinds, d);
            const ok = buffers.length === 2 && toHex(d) === toHex(expected);
            c.dispose();
            return ok;
          };
          return (
            inOwnBuffer() &&
            (['node', 'node-xts', 'noble'] as const).every((backend) => {
              const c = createPageCipher(key, backend);
              const d = data.slice();
              c.decryptPageRun(tweaks, kinds, d);
              c.dispose();
              return toHex(d) === toHex(expected);
            })
          );
        },
      ),
      { numRuns: 6 },
    );
  });
  it('gives identical bytes on random keys, tweaks and pages', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 64, maxLength: 64 }).filter((k) => toHex(k.subarray(0, 32)) !== toHex(k.subarray(32))),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.integer({ min: 1, max: 256 }),
        (key, tweak, blocks) => {
          const data = Uint8Array.from(randomBytes(blocks * 16));
          const node = new NodeXts(key);
          const a = xtsDecrypt(key, tweak, data);
          const b = node.decrypt(tweak, data);
          const c = xtsEncrypt(key, tweak, data);
          const d = node.encrypt(tweak, data);
          node.dispose();
          return toHex(a) === toHex(b) && toHex(c) === toHex(d);
        },
      ),
      { numRuns: 200 },
    );
  });
});
