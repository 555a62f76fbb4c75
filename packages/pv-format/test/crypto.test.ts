// The dump cryptography against published and spec known answers: AES-256-XTS (IEEE 1619-2007
// Annex B, test/data/ieee1619-xts-aes256.json), the spec's known-answer page and dump key
// (docs/pv-dump-crypto.md §11, test/data/spec-known-answers.json), HKDF against RFC 5869's two-HMAC
// construction and AES-GCM against node:crypto. The fast XTS paths are tested against this
// reference where they live (ultravisor, dump-decrypt).
import { createCipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveDumpKey, gcmOpen, gcmSeal, multiplyByAlpha, xtsDecrypt, xtsEncrypt } from '../src/index.ts';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const data = (name: string): unknown => JSON.parse(readFileSync(new URL(`./data/${name}`, import.meta.url), 'utf8'));

interface Vector {
  name: string;
  key1: string;
  key2: string;
  tweak: string;
  plaintext: string;
  ciphertext: string;
}
const ieee = data('ieee1619-xts-aes256.json') as { source: string; vectors: Vector[] };
const spec = data('spec-known-answers.json') as {
  source: string;
  cck: string;
  seed: string;
  dumpKey: string;
  completion: { key: string };
  page: { tweak: string; ciphertextHead: string; ciphertextTail: string; ciphertextSha256: string };
};

describe('AES-256-XTS reference on noble (IEEE 1619)', () => {
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
    expect(spec.source).toMatch(/pv-dump-crypto\.md §11/);
    const key = hex(spec.completion.key);
    const tweak = hex(spec.page.tweak);
    const plain = Uint8Array.from({ length: 4096 }, (_, k) => k & 0xff);
    const ct = xtsEncrypt(key, tweak, plain);
    expect(toHex(ct.subarray(0, 32))).toBe(spec.page.ciphertextHead);
    expect(toHex(ct.subarray(4064))).toBe(spec.page.ciphertextTail);
    expect(createHash('sha256').update(ct).digest('hex')).toBe(spec.page.ciphertextSha256);
    expect(xtsDecrypt(key, tweak, ct)).toEqual(plain);
  });

  it('rejects bad key, tweak and data-unit sizes', () => {
    expect(() => xtsDecrypt(new Uint8Array(32), new Uint8Array(16), new Uint8Array(16))).toThrow(/64 bytes/);
    expect(() => xtsDecrypt(new Uint8Array(64), new Uint8Array(8), new Uint8Array(16))).toThrow(/16 bytes/);
    expect(() => xtsDecrypt(new Uint8Array(64), new Uint8Array(16), new Uint8Array(20))).toThrow(/multiple of 16/);
  });
});

describe('dump key (HKDF-SHA512)', () => {
  it('matches the spec §11 known answer', () => {
    expect(toHex(deriveDumpKey(hex(spec.cck), hex(spec.seed)))).toBe(spec.dumpKey);
  });
  it('equals the two-HMAC construction of RFC 5869 done with node:crypto', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 64, maxLength: 64 }), (cck, seed) => {
        const prk = createHmac('sha512', seed).update(cck).digest();
        const okm = createHmac('sha512', prk)
          .update(Buffer.concat([Buffer.from('IBM Z Ultravisor Dump'), Buffer.from([1])]))
          .digest();
        return toHex(deriveDumpKey(cck, seed)) === okm.subarray(0, 32).toString('hex');
      }),
      { numRuns: 50 },
    );
  });
  it("refuses a key that is not 32 bytes with zgetdump's wording", () => {
    expect(() => deriveDumpKey(new Uint8Array(33), new Uint8Array(64))).toThrow(/Wrong key size: expected 32 != actual 33/);
  });
});

describe('AES-256-GCM', () => {
  it('opens what it sealed and refuses any flipped bit of AAD, ciphertext or tag', () => {
    const key = Uint8Array.from(randomBytes(32));
    const iv = Uint8Array.from(randomBytes(12));
    const aad = Uint8Array.from(randomBytes(32));
    const plain = Uint8Array.from(randomBytes(176));
    const sealed = gcmSeal(key, iv, aad, plain);
    const ciphertext = sealed.subarray(0, plain.length);
    const tag = sealed.subarray(plain.length);
    expect(gcmOpen(key, iv, aad, ciphertext, tag)).toEqual(plain);
    for (const part of [aad, ciphertext, tag]) {
      part[5] = part[5]! ^ 1;
      expect(gcmOpen(key, iv, aad, ciphertext, tag)).toBeUndefined();
      part[5] = part[5] ^ 1;
    }
  });
  it('agrees with node:crypto aes-256-gcm', () => {
    const key = randomBytes(32);
    const iv = randomBytes(12);
    const aad = randomBytes(96);
    const plain = randomBytes(1520);
    const c = createCipheriv('aes-256-gcm', key, iv);
    c.setAAD(aad);
    const ct = Buffer.concat([c.update(plain), c.final()]);
    const tag = c.getAuthTag();
    expect(toHex(gcmOpen(key, iv, aad, ct, tag) ?? new Uint8Array(0))).toBe(plain.toString('hex'));
    expect(toHex(gcmSeal(key, iv, aad, plain))).toBe(toHex(Buffer.concat([ct, tag])));
  });
});
