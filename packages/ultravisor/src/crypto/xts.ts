// AES-256-XTS as the UV uses it for image pages and page export (spec pv-dump-crypto.md §7):
// the reference implementation of @pvdump/pv-format (noble) or OpenSSL's aes-256-xts through
// node:crypto (about 15x faster), tested to agree. Key = key1 (data) ‖ key2 (tweak).
import { createCipheriv, createDecipheriv, getCiphers } from 'node:crypto';
import { XTS_KEY_SIZE, XTS_TWEAK_SIZE, xtsDecrypt as referenceDecrypt, xtsEncrypt as referenceEncrypt } from '@pvdump/pv-format';

/** `noble`: the reference implementation; `node`: OpenSSL through node:crypto. */
export type XtsBackend = 'noble' | 'node';
export const nodeXtsAvailable: boolean = getCiphers().includes('aes-256-xts');
export const defaultXtsBackend: XtsBackend = nodeXtsAvailable ? 'node' : 'noble';

export const XTS_KEY_LENGTH = XTS_KEY_SIZE;
export const XTS_TWEAK_LENGTH = XTS_TWEAK_SIZE;

/** OpenSSL refuses equal key halves (a weak key); our UV never produces one, so neither backend accepts it. */
function checkKeyHalves(key: Uint8Array): void {
  if (key.length !== XTS_KEY_SIZE) throw new RangeError(`AES-256-XTS key must be 64 bytes, got ${key.length}`);
  let equal = true;
  for (let i = 0; i < 32; i++) if (key[i] !== key[32 + i]) equal = false;
  if (equal) throw new RangeError('AES-256-XTS key halves must differ');
}

function xtsNode(key: Uint8Array, tweak: Uint8Array, data: Uint8Array, encrypt: boolean): Uint8Array {
  if (tweak.length !== XTS_TWEAK_SIZE) throw new RangeError(`XTS tweak must be 16 bytes, got ${tweak.length}`);
  if (data.length === 0 || data.length % 16 !== 0) throw new RangeError(`XTS data unit must be a non-zero multiple of 16 bytes, got ${data.length}`);
  const c = encrypt ? createCipheriv('aes-256-xts', key, tweak) : createDecipheriv('aes-256-xts', key, tweak);
  const out = new Uint8Array(data.length);
  const head = c.update(data);
  out.set(head);
  out.set(c.final(), head.length);
  head.fill(0);
  return out;
}

/** Encrypts one data unit (e.g. a 4 KiB page); returns a new array. */
export function xtsEncrypt(key: Uint8Array, tweak: Uint8Array, plaintext: Uint8Array, backend: XtsBackend = defaultXtsBackend): Uint8Array {
  checkKeyHalves(key);
  return backend === 'node' ? xtsNode(key, tweak, plaintext, true) : referenceEncrypt(key, tweak, plaintext);
}

/** Decrypts one data unit; returns a new array. */
export function xtsDecrypt(key: Uint8Array, tweak: Uint8Array, ciphertext: Uint8Array, backend: XtsBackend = defaultXtsBackend): Uint8Array {
  checkKeyHalves(key);
  return backend === 'node' ? xtsNode(key, tweak, ciphertext, false) : referenceDecrypt(key, tweak, ciphertext);
}
