/**
 * Dump-key derivation (spec pv-dump-crypto.md §5): HKDF-SHA512 (RFC 5869) with IKM = the 32-byte
 * CCK, salt = the completion data's 64-byte seed, info = "IBM Z Ultravisor Dump" (21 bytes, no
 * NUL), L = 32. Any 32-byte CCK yields a key; a wrong one shows up later as a GCM tag failure.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { PvDecryptError } from '../errors.js';

export const CCK_BYTES = 32;
export const SEED_BYTES = 64;
export const DUMP_KEY_BYTES = 32;
export const DUMP_KEY_INFO = new TextEncoder().encode('IBM Z Ultravisor Dump');

/** Derives the dump key; the caller wipes the result after use. */
export function deriveDumpKey(cck: Uint8Array, seed: Uint8Array): Uint8Array {
  if (cck.length !== CCK_BYTES) {
    throw new PvDecryptError('bad-key', `Unable to derive dump key: Wrong key size: expected ${CCK_BYTES} != actual ${cck.length}`);
  }
  if (seed.length !== SEED_BYTES) throw new RangeError(`seed must be ${SEED_BYTES} bytes, got ${seed.length}`);
  return hkdf(sha512, cck, seed, DUMP_KEY_INFO, DUMP_KEY_BYTES);
}
