/**
 * AES-256-XTS (IEEE 1619) on @noble/ciphers' AES: the reference implementation of the page
 * encryption (docs/pv-dump-crypto.md §7) that faster paths are tested against. A data unit is any
 * multiple of 16 bytes (a PV page is 4096); ciphertext stealing is not needed and not supported.
 * The 64-byte key is key1 (data) ‖ key2 (tweak), as OpenSSL's aes-256-xts.
 *
 * Per data unit: T₀ = AES-Enc(key2, tweak), T_{j+1} = T_j·α in GF(2¹²⁸) (little-endian bit
 * order: shift left across bytes 0→15, carry out of byte 15 folds back as 0x87 into byte 0), and
 * block j is AES(key1, B_j ⊕ T_j) ⊕ T_j. The whitening sequence is built once, then the whole
 * unit goes through noble's ECB in a single call, which is far faster than block-by-block calls.
 */
import { ecb } from '@noble/ciphers/aes.js';

export const XTS_KEY_SIZE = 64;
export const XTS_TWEAK_SIZE = 16;
const BLOCK = 16;

/** Multiplies a 16-byte XTS tweak by α in place (IEEE 1619 §5.2, little-endian convention). */
export function multiplyByAlpha(t: Uint8Array): void {
  let carry = 0;
  for (let k = 0; k < BLOCK; k++) {
    const b = t[k]!;
    t[k] = ((b << 1) | carry) & 0xff;
    carry = b >>> 7;
  }
  if (carry !== 0) t[0] = t[0]! ^ 0x87;
}

function checkArgs(key: Uint8Array, tweak: Uint8Array, data: Uint8Array): void {
  if (key.length !== XTS_KEY_SIZE) throw new RangeError(`XTS key must be ${XTS_KEY_SIZE} bytes, got ${key.length}`);
  if (tweak.length !== XTS_TWEAK_SIZE) throw new RangeError(`XTS tweak must be ${XTS_TWEAK_SIZE} bytes, got ${tweak.length}`);
  if (data.length === 0 || data.length % BLOCK !== 0) {
    throw new RangeError(`XTS data unit must be a non-zero multiple of 16 bytes, got ${data.length}`);
  }
}

/**
 * The whitening sequence T₀…T_{n−1} for one data unit of `length` bytes, built with 32-bit
 * little-endian words (XTS's byte 0 is the least significant), endian-safe through DataView.
 */
function whitening(key2: Uint8Array, tweak: Uint8Array, length: number): Uint8Array {
  const first = ecb(key2, { disablePadding: true }).encrypt(tweak);
  const f = new DataView(first.buffer, first.byteOffset, 16);
  let w0 = f.getUint32(0, true);
  let w1 = f.getUint32(4, true);
  let w2 = f.getUint32(8, true);
  let w3 = f.getUint32(12, true);
  first.fill(0);
  const out = new Uint8Array(length);
  const v = new DataView(out.buffer);
  for (let off = 0; off < length; off += BLOCK) {
    v.setUint32(off, w0, true);
    v.setUint32(off + 4, w1, true);
    v.setUint32(off + 8, w2, true);
    v.setUint32(off + 12, w3, true);
    // T·α: shift the 128-bit little-endian value left by one; the carry out folds back as 0x87.
    const carry = w3 >>> 31;
    w3 = ((w3 << 1) | (w2 >>> 31)) >>> 0;
    w2 = ((w2 << 1) | (w1 >>> 31)) >>> 0;
    w1 = ((w1 << 1) | (w0 >>> 31)) >>> 0;
    w0 = ((w0 << 1) ^ (carry * 0x87)) >>> 0;
  }
  return out;
}

/** dst = a ⊕ b (same lengths); 32-bit words where all three are 4-byte aligned. */
function xorInto(dst: Uint8Array, a: Uint8Array, b: Uint8Array): void {
  const n = dst.length;
  if (((dst.byteOffset | a.byteOffset | b.byteOffset | n) & 3) === 0) {
    const d = new Uint32Array(dst.buffer, dst.byteOffset, n >> 2);
    const x = new Uint32Array(a.buffer, a.byteOffset, n >> 2);
    const y = new Uint32Array(b.buffer, b.byteOffset, n >> 2);
    for (let i = 0; i < d.length; i++) d[i] = x[i]! ^ y[i]!;
    return;
  }
  for (let i = 0; i < n; i++) dst[i] = a[i]! ^ b[i]!;
}

function xts(direction: 'encrypt' | 'decrypt', key: Uint8Array, tweak: Uint8Array, data: Uint8Array): Uint8Array {
  checkArgs(key, tweak, data);
  const key1 = key.subarray(0, 32);
  const key2 = key.subarray(32, 64);
  const w = whitening(key2, tweak, data.length);
  const x = new Uint8Array(data.length);
  xorInto(x, data, w);
  const cipher = ecb(key1, { disablePadding: true });
  const y = direction === 'encrypt' ? cipher.encrypt(x) : cipher.decrypt(x);
  xorInto(y, y, w);
  x.fill(0);
  w.fill(0);
  return y;
}

/** Encrypts one data unit (a multiple of 16 bytes) with a 64-byte XTS key and a 16-byte tweak. */
export function xtsEncrypt(key: Uint8Array, tweak: Uint8Array, plaintext: Uint8Array): Uint8Array {
  return xts('encrypt', key, tweak, plaintext);
}

/** Decrypts one data unit (a multiple of 16 bytes) with a 64-byte XTS key and a 16-byte tweak. */
export function xtsDecrypt(key: Uint8Array, tweak: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  return xts('decrypt', key, tweak, ciphertext);
}
