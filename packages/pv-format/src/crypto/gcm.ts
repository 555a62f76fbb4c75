/**
 * AES-256-GCM as the Ultravisor seals its dump outputs (docs/pv-dump-crypto.md §6): a 96-bit IV
 * (J0 = IV ‖ 00000001), a 128-bit tag, the AAD exactly as stored. The sealed form is
 * ciphertext ‖ tag, which is how the structures lay it out.
 */
import { gcm } from '@noble/ciphers/aes.js';

export const GCM_KEY_SIZE = 32;
export const GCM_IV_SIZE = 12;
export const GCM_TAG_SIZE = 16;

/** Seals `plaintext`; returns ciphertext ‖ 16-byte tag. */
export function gcmSeal(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
  if (iv.length !== GCM_IV_SIZE) throw new RangeError(`GCM IV must be 12 bytes, got ${iv.length}`);
  return gcm(key, iv, aad).encrypt(plaintext);
}

/** Opens `ciphertext` with its `tag`; undefined when the tag does not verify, so the caller words the error for its structure. */
export function gcmOpen(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array): Uint8Array | undefined {
  if (iv.length !== GCM_IV_SIZE) throw new RangeError(`GCM IV must be 12 bytes, got ${iv.length}`);
  if (tag.length !== GCM_TAG_SIZE) throw new RangeError(`GCM tag must be 16 bytes, got ${tag.length}`);
  const sealed = new Uint8Array(ciphertext.length + GCM_TAG_SIZE);
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
