// Dump cryptography of the UV side (spec pv-dump-crypto.md §5-§6 [P]): the dump key
// HKDF-SHA512(CCK, seed, "IBM Z Ultravisor Dump", 32) and AES-256-GCM with 12-byte IVs.
import { gcm } from '@noble/ciphers/aes.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha512 } from '@noble/hashes/sha2.js';

export const DUMP_KEY_INFO = new TextEncoder().encode('IBM Z Ultravisor Dump');
export const DUMP_SEED_LENGTH = 64;
export const GCM_IV_LENGTH = 12;
export const GCM_TAG_LENGTH = 16;

/** dump_key = HKDF-SHA512(ikm = CCK, salt = seed, info = "IBM Z Ultravisor Dump", L = 32). */
export function deriveDumpKey(cck: Uint8Array, seed: Uint8Array): Uint8Array {
  if (cck.length !== 32) throw new RangeError(`CCK must be 32 bytes, got ${cck.length}`);
  if (seed.length !== DUMP_SEED_LENGTH) throw new RangeError(`dump seed must be 64 bytes, got ${seed.length}`);
  return hkdf(sha512, cck, seed, DUMP_KEY_INFO, 32);
}

/** AES-256-GCM seal; returns ciphertext ‖ 16-byte tag. */
export function gcmSeal(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
  return gcm(key, iv, aad).encrypt(plaintext);
}

/** AES-256-GCM open of ciphertext ‖ tag; throws if the tag does not verify. */
export function gcmOpen(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array {
  return gcm(key, iv, aad).decrypt(sealed);
}
