// AES-256-XTS on noble: IEEE 1619-2007 vector 10, the spec's known-answer page
// (pv-dump-crypto.md §11), and agreement with OpenSSL (node:crypto aes-256-xts) on random pages.
import { createCipheriv } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { nodeXtsAvailable, xtsDecrypt, xtsEncrypt, type XtsBackend } from '../src/crypto/xts.ts';
import { pageDigest } from '../src/storage/pages.ts';
import { deterministicRandom } from '../src/random.ts';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const VECTOR_10_CIPHERTEXT = `
1c3b3a102f770386e4836c99e370cf9bea00803f5e482357a4ae12d414a3e63b5d31e276f8fe4a8d66b317f9ac683f44
680a86ac35adfc3345befecb4bb188fd5776926c49a3095eb108fd1098baec70aaa66999a72a82f27d848b21d4a741b0
c5cd4d5fff9dac89aeba122961d03a757123e9870f8acf1000020887891429ca2a3e7a7d7df7b10355165c8b9a6d0a7d
e8b062c4500dc4cd120c0f7418dae3d0b5781c34803fa75421c790dfe1de1834f280d7667b327f6c8cd7557e12ac3a0f
93ec05c52e0493ef31a12d3d9260f79a289d6a379bc70c50841473d1a8cc81ec583e9645e07b8d9670655ba5bbcfecc6
dc3966380ad8fecb17b6ba02469a020a84e18e8f84252070c13e9f1f289be54fbc481457778f616015e1327a02b140f1
505eb309326d68378f8374595c849d84f4c333ec4423885143cb47bd71c5edae9be69a2ffeceb1bec9de244fbe15992b
11b77c040f12bd8f6a975a44a0f90c29a9abc3d4d893927284c58754cce294529f8614dcd2aba991925fedc4ae74ffac
6e333b93eb4aff0479da9a410e4450e0dd7ae4c6e2910900575da401fc07059f645e8b7e9bfdef33943054ff84011493
c27b3429eaedb4ed5376441a77ed43851ad77f16f541dfd269d50d6a5f14fb0aab1cbb4c1550be97f7ab4066193c4caa
773dad38014bd2092fa755c824bb5e54c4f36ffda9fcea70b9c6e693e148c151`;

const BACKENDS: readonly XtsBackend[] = ['noble', 'node'];

describe.each(BACKENDS)('AES-256-XTS, %s backend', (backend) => {
  it('matches IEEE 1619-2007 vector 10 (AES-256, data unit 0xff, 512 bytes)', () => {
    const key = hex('2718281828459045235360287471352662497757247093699959574966967627' + '3141592653589793238462643383279502884197169399375105820974944592');
    const tweak = new Uint8Array(16);
    tweak[0] = 0xff; // data unit sequence number 0xff, little-endian
    const plain = Uint8Array.from({ length: 512 }, (_, i) => i & 0xff);
    const cipher = xtsEncrypt(key, tweak, plain, backend);
    expect(toHex(cipher)).toBe(toHex(hex(VECTOR_10_CIPHERTEXT)));
    expect(xtsDecrypt(key, tweak, cipher, backend)).toEqual(plain);
  });

  it("reproduces the spec's known-answer page (key 20..5f, tweak = component | nonce)", () => {
    const key = Uint8Array.from({ length: 64 }, (_, i) => 0x20 + i);
    const tweak = hex('11223344 00000001 00000000 00002000');
    const plain = Uint8Array.from({ length: 4096 }, (_, k) => k & 0xff);
    const cipher = xtsEncrypt(key, tweak, plain, backend);
    expect(toHex(cipher.subarray(0, 32))).toBe('c6d3d7281a42d5b49760fb7edd81f8131de972fdd9d9d557468d326111e2ce19');
    expect(toHex(cipher.subarray(4064))).toBe('305fde3eb851f7a0e4f7efa2c2e433729485cbb58d30c7dc378c8c88c8808efc');
    expect(toHex(sha256(cipher))).toBe('1df742b3dcf24b9b09de9228484a046ba913d3f2aa1bca854d17510cf0a7e3e3');
    expect(toHex(pageDigest(cipher))).toBe(toHex(sha256(cipher)));
  });

  it('refuses bad arguments: key length, equal key halves, tweak length, partial blocks', () => {
    const key = Uint8Array.from({ length: 64 }, (_, i) => i);
    const tweak = new Uint8Array(16);
    expect(() => xtsEncrypt(key.subarray(0, 32), tweak, new Uint8Array(16), backend)).toThrow(/64 bytes/);
    const weak = new Uint8Array(64).fill(7);
    expect(() => xtsEncrypt(weak, tweak, new Uint8Array(16), backend)).toThrow(/halves must differ/);
    expect(() => xtsEncrypt(key, new Uint8Array(8), new Uint8Array(16), backend)).toThrow(/16 bytes/);
    expect(() => xtsEncrypt(key, tweak, new Uint8Array(20), backend)).toThrow(/multiple of 16/);
  });
});

describe('AES-256-XTS backends', () => {
  it('node:crypto has aes-256-xts here', () => {
    expect(nodeXtsAvailable).toBe(true);
  });

  it('the noble implementation agrees with OpenSSL aes-256-xts on random pages and digests', () => {
    const random = deterministicRandom('xts vs openssl');
    for (let i = 0; i < 16; i++) {
      const key = random(64);
      const tweak = random(16);
      const page = random(4096);
      const c = createCipheriv('aes-256-xts', key, tweak);
      const expected = Buffer.concat([c.update(page), c.final()]);
      const ours = xtsEncrypt(key, tweak, page, 'noble');
      expect(toHex(ours)).toBe(expected.toString('hex'));
      expect(xtsDecrypt(key, tweak, ours, 'noble')).toEqual(page);
      expect(xtsEncrypt(key, tweak, page, 'node')).toEqual(ours);
      expect(pageDigest(ours)).toEqual(sha256(ours));
    }
  });
});
