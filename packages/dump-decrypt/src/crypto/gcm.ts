/**
 * AES-256-GCM opening of the UV's authenticated outputs (spec pv-dump-crypto.md §6): a 96-bit IV
 * (J0 = IV ‖ 00000001), a 128-bit tag, the AAD exactly as stored. Returns undefined when the tag
 * does not verify, so the caller can word the error for its structure.
 */
import { gcm } from '@noble/ciphers/aes.js';

export const GCM_IV_BYTES = 12;
export const GCM_TAG_BYTES = 16;

/** Opens `ciphertext ‖ tag`; undefined if authentication fails. */
export function gcmOpen(
  key: Uint8Array,
  iv: Uint8Array,
  aad: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
): Uint8Array | undefined {
  if (iv.length !== GCM_IV_BYTES) throw new RangeError(`GCM IV must be 12 bytes, got ${iv.length}`);
  if (tag.length !== GCM_TAG_BYTES) throw new RangeError(`GCM tag must be 16 bytes, got ${tag.length}`);
  const sealed = new Uint8Array(ciphertext.length + GCM_TAG_BYTES);
  sealed.set(ciphertext, 0);
  sealed.set(tag, ciphertext.length);
  try {
    return gcm(key, iv, aad).decrypt(sealed);
  } catch {
    return undefined;
  } finally {
    sealed.fill(0);
  }
}

/** Seals `plaintext`; returns ciphertext and tag separately (tests and the bench build inputs with it). */
export function gcmSeal(
  key: Uint8Array,
  iv: Uint8Array,
  aad: Uint8Array,
  plaintext: Uint8Array,
): { ciphertext: Uint8Array; tag: Uint8Array } {
  const sealed = gcm(key, iv, aad).encrypt(plaintext);
  return { ciphertext: sealed.subarray(0, plaintext.length), tag: sealed.subarray(plaintext.length) };
}
