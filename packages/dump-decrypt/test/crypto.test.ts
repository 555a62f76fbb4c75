import { createHash, createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveDumpKey } from '../src/crypto/dump-key.ts';
import { gcmOpen, gcmSeal } from '../src/crypto/gcm.ts';
import { multiplyByAlpha, xtsDecrypt, xtsEncrypt } from '../src/crypto/xts.ts';
import { NodeXts, nodeXtsAvailable } from '../src/crypto/xts-node.ts';
import * as nodeCrypto from 'node:crypto';
import { createBatchXts, wasmSimdAvailable, whitenModuleBytes } from '../src/crypto/xts-batch.ts';
import { batchAvailable, createPageCipher, defaultBackend } from '../src/crypto/page-cipher.ts';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

interface Vector {
  name: string;
  key1: string;
  key2: string;
  tweak: string;
  plaintext: string;
  ciphertext: string;
}
const ieee = JSON.parse(readFileSync(new URL('./data/ieee1619-xts-aes256.json', import.meta.url), 'utf8')) as { source: string; vectors: Vector[] };

describe('AES-256-XTS on noble (IEEE 1619)', () => {
  it('has the five XTS-AES-256 vectors of IEEE 1619-2007 Annex B', () => {
    expect(ieee.source).toMatch(/IEEE Std 1619-2007/);
    expect(ieee.vectors).toHaveLength(5);
  });
  for (const v of ieee.vectors) {
    it(`${v.name}: encrypts and decrypts`, () => {
      const key = hex(v.key1 + v.key2);
      expect(toHex(xtsEncrypt(key, hex(v.tweak), hex(v.plaintext)))).toBe(v.ciphertext);
      expect(toHex(xtsDecrypt(key, hex(v.tweak), hex(v.ciphertext)))).toBe(v.plaintext);
    });
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

  it('multiplies by α with the little-endian carry into byte 0', () => {
    const t = new Uint8Array(16);
    t[15] = 0x80;
    t[0] = 0x01;
    multiplyByAlpha(t);
    expect(t[0]).toBe(0x02 ^ 0x87);
    expect(t[15]).toBe(0);
    const u = new Uint8Array(16);
    u[3] = 0x81;
    multiplyByAlpha(u);
    expect(toHex(u)).toBe('00000002010000000000000000000000');
  });

  it('matches the spec §11 known-answer page', () => {
    const key = new Uint8Array(64);
    for (let i = 0; i < 64; i++) key[i] = 0x20 + i;
    const tweak = hex('11223344000000010000000000002000');
    const plain = new Uint8Array(4096);
    for (let k = 0; k < 4096; k++) plain[k] = k & 0xff;
    const ct = xtsEncrypt(key, tweak, plain);
    expect(toHex(ct.subarray(0, 32))).toBe('c6d3d7281a42d5b49760fb7edd81f8131de972fdd9d9d557468d326111e2ce19');
    expect(toHex(ct.subarray(4064))).toBe('305fde3eb851f7a0e4f7efa2c2e433729485cbb58d30c7dc378c8c88c8808efc');
    expect(createHash('sha256').update(ct).digest('hex')).toBe('1df742b3dcf24b9b09de9228484a046ba913d3f2aa1bca854d17510cf0a7e3e3');
    expect(xtsDecrypt(key, tweak, ct)).toEqual(plain);
  });

  it('rejects bad key, tweak and data-unit sizes', () => {
    expect(() => xtsDecrypt(new Uint8Array(32), new Uint8Array(16), new Uint8Array(16))).toThrow(/64 bytes/);
    expect(() => xtsDecrypt(new Uint8Array(64), new Uint8Array(8), new Uint8Array(16))).toThrow(/16 bytes/);
    expect(() => xtsDecrypt(new Uint8Array(64), new Uint8Array(16), new Uint8Array(20))).toThrow(/multiple of 16/);
  });
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
  it('runs of mixed page kinds (up to 600 pages, across read chunks and sub-batches): encrypted pages as per-page XTS, zero pages zeroed, shared pages untouched, in every backend and in place in the batched cipher\'s own buffers', () => {
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
            const d = (buffers[1] as Uint8Array).subarray(0, pages * 4096);
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

describe('dump key (HKDF-SHA512)', () => {
  it('matches the spec §11 known answer', () => {
    const cck = Uint8Array.from({ length: 32 }, (_, i) => i);
    const seed = Uint8Array.from({ length: 64 }, (_, i) => 0x80 + i);
    expect(toHex(deriveDumpKey(cck, seed))).toBe('43c68681bf961cabcb7f316df23983e2879e156ba6d5099c9a25fc97c389dd61');
  });
  it('equals the two-HMAC construction of RFC 5869 done with node:crypto', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 64, maxLength: 64 }), (cck, seed) => {
        const prk = createHmac('sha512', seed).update(cck).digest();
        const okm = createHmac('sha512', prk).update(Buffer.concat([Buffer.from('IBM Z Ultravisor Dump'), Buffer.from([1])])).digest();
        return toHex(deriveDumpKey(cck, seed)) === okm.subarray(0, 32).toString('hex');
      }),
      { numRuns: 50 },
    );
  });
  it('refuses a key that is not 32 bytes with zgetdump\'s wording', () => {
    expect(() => deriveDumpKey(new Uint8Array(33), new Uint8Array(64))).toThrow(/Wrong key size: expected 32 != actual 33/);
  });
});

describe('AES-256-GCM', () => {
  it('opens what it sealed and refuses any flipped bit of AAD, ciphertext or tag', () => {
    const key = Uint8Array.from(randomBytes(32));
    const iv = Uint8Array.from(randomBytes(12));
    const aad = Uint8Array.from(randomBytes(32));
    const plain = Uint8Array.from(randomBytes(176));
    const { ciphertext, tag } = gcmSeal(key, iv, aad, plain);
    expect(gcmOpen(key, iv, aad, ciphertext, tag)).toEqual(plain);
    for (const part of [aad, ciphertext, tag]) {
      part[5] = (part[5] as number) ^ 1;
      expect(gcmOpen(key, iv, aad, ciphertext, tag)).toBeUndefined();
      part[5] = (part[5] as number) ^ 1;
    }
  });
  it('agrees with node:crypto aes-256-gcm', async () => {
    const { createCipheriv } = await import('node:crypto');
    const key = randomBytes(32);
    const iv = randomBytes(12);
    const aad = randomBytes(96);
    const plain = randomBytes(1520);
    const c = createCipheriv('aes-256-gcm', key, iv);
    c.setAAD(aad);
    const ct = Buffer.concat([c.update(plain), c.final()]);
    const tag = c.getAuthTag();
    expect(toHex(gcmOpen(key, iv, aad, ct, tag) ?? new Uint8Array(0))).toBe(plain.toString('hex'));
  });
});
