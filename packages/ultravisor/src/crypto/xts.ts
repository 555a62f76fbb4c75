// AES-256-XTS (IEEE 1619) on @noble/ciphers' AES, for whole data units that are a multiple of
// 16 bytes (a 4 KiB page is 256 blocks, so ciphertext stealing never occurs; spec
// pv-dump-crypto.md §7). Key = key1 (data) ‖ key2 (tweak); tweak = the 16-byte IV as given.
// node:crypto's OpenSSL aes-256-xts is a fast path (about 15x faster), tested to agree.
import { ecb } from '@noble/ciphers/aes.js';
import { createCipheriv, createDecipheriv, getCiphers } from 'node:crypto';

/** `noble`: the pure-JS implementation below; `node`: OpenSSL through node:crypto. */
export type XtsBackend = 'noble' | 'node';
export const nodeXtsAvailable: boolean = getCiphers().includes('aes-256-xts');
export const defaultXtsBackend: XtsBackend = nodeXtsAvailable ? 'node' : 'noble';

export const XTS_KEY_LENGTH = 64;
export const XTS_TWEAK_LENGTH = 16;
const BLOCK = 16;

function checkArguments(key: Uint8Array, tweak: Uint8Array, data: Uint8Array): void {
  if (key.length !== XTS_KEY_LENGTH) throw new RangeError(`AES-256-XTS key must be 64 bytes, got ${key.length}`);
  if (tweak.length !== XTS_TWEAK_LENGTH) throw new RangeError(`XTS tweak must be 16 bytes, got ${tweak.length}`);
  if (data.length === 0 || data.length % BLOCK !== 0) {
    throw new RangeError(`XTS data unit must be a non-zero multiple of 16 bytes, got ${data.length}`);
  }
  // OpenSSL refuses equal halves (a weak key); our UV never produces one, so neither do we accept it.
  let equal = true;
  for (let i = 0; i < 32; i++) if (key[i] !== key[32 + i]) equal = false;
  if (equal) throw new RangeError('AES-256-XTS key halves must differ');
}

/** T_j for every block j of the data unit, laid out as one buffer (T_0 = AES-Enc(key2, tweak)). */
function tweakStream(key2: Uint8Array, tweak: Uint8Array, length: number): Uint8Array {
  const t = ecb(key2, { disablePadding: true }).encrypt(tweak);
  const out = new Uint8Array(length);
  for (let off = 0; off < length; off += BLOCK) {
    out.set(t, off);
    // Multiply by alpha in GF(2^128), IEEE 1619 little-endian convention (byte 0 least significant).
    let carry = 0;
    for (let i = 0; i < BLOCK; i++) {
      const b = t[i]!;
      t[i] = ((b << 1) | carry) & 0xff;
      carry = b >>> 7;
    }
    if (carry) t[0] = t[0]! ^ 0x87;
  }
  t.fill(0);
  return out;
}

function xorInto(target: Uint8Array, mask: Uint8Array): void {
  for (let i = 0; i < target.length; i++) target[i] = target[i]! ^ mask[i]!;
}

function xtsNode(key: Uint8Array, tweak: Uint8Array, data: Uint8Array, encrypt: boolean): Uint8Array {
  const c = encrypt ? createCipheriv('aes-256-xts', key, tweak) : createDecipheriv('aes-256-xts', key, tweak);
  const out = new Uint8Array(data.length);
  const head = c.update(data);
  out.set(head);
  out.set(c.final(), head.length);
  head.fill(0);
  return out;
}

function xts(key: Uint8Array, tweak: Uint8Array, data: Uint8Array, encrypt: boolean, backend: XtsBackend): Uint8Array {
  checkArguments(key, tweak, data);
  if (backend === 'node') return xtsNode(key, tweak, data, encrypt);
  const key1 = key.subarray(0, 32);
  const key2 = key.subarray(32, 64);
  const t = tweakStream(key2, tweak, data.length);
  const work = data.slice();
  xorInto(work, t);
  const cipher = ecb(key1, { disablePadding: true });
  const out = encrypt ? cipher.encrypt(work) : cipher.decrypt(work);
  xorInto(out, t);
  t.fill(0);
  work.fill(0);
  return out;
}

/** Encrypts one data unit (e.g. a 4 KiB page); returns a new array. */
export function xtsEncrypt(key: Uint8Array, tweak: Uint8Array, plaintext: Uint8Array, backend: XtsBackend = defaultXtsBackend): Uint8Array {
  return xts(key, tweak, plaintext, true, backend);
}

/** Decrypts one data unit; returns a new array. */
export function xtsDecrypt(key: Uint8Array, tweak: Uint8Array, ciphertext: Uint8Array, backend: XtsBackend = defaultXtsBackend): Uint8Array {
  return xts(key, tweak, ciphertext, false, backend);
}
