/**
 * Dump-key derivation (docs/pv-dump-crypto.md §5): HKDF-SHA512 (RFC 5869) with IKM = the 32-byte
 * customer communication key (CCK), salt = the completion data's 64-byte seed, info = "IBM Z
 * Ultravisor Dump" (21 bytes, no NUL), L = 32. Any 32-byte CCK yields a key; a wrong one shows up
 * later as a GCM tag failure.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha512 } from '@noble/hashes/sha2.js';

export const CCK_SIZE = 32;
export const DUMP_SEED_SIZE = 64;
export const DUMP_KEY_SIZE = 32;
export const DUMP_KEY_INFO = new TextEncoder().encode('IBM Z Ultravisor Dump');

/** Derives the dump key; the caller wipes it after use. A CCK of another size is refused in zgetdump's words. */
export function deriveDumpKey(cck: Uint8Array, seed: Uint8Array): Uint8Array {
  if (cck.length !== CCK_SIZE) throw new RangeError(`Unable to derive dump key: Wrong key size: expected ${CCK_SIZE} != actual ${cck.length}`);
  if (seed.length !== DUMP_SEED_SIZE) throw new RangeError(`dump seed must be ${DUMP_SEED_SIZE} bytes, got ${seed.length}`);
  return hkdf(sha512, cck, seed, DUMP_KEY_INFO, DUMP_KEY_SIZE);
}
