// Completion data v1 (spec pv-dump-crypto.md §2 [P], ultravisor.md §7.8 [E]): 288 bytes =
// {version 1, len 288, reserved, 64-byte seed, 12-byte IV, reserved} as GCM AAD, then
// {tweak nonce, XTS key1, key2, 96 reserved} encrypted under the dump key, then the tag.
import { GCM_IV_LENGTH, GCM_TAG_LENGTH, DUMP_SEED_LENGTH, gcmSeal } from '../crypto/dump-crypto.js';

export const COMPLETION_VERSION = 1;
export const COMPLETION_V1_LENGTH = 288;
export const COMPLETION_AAD_LENGTH = 96;

export const CompletionOffset = {
  version: 0,
  len: 4,
  reserved0: 8,
  seed: 16,
  iv: 80,
  reserved1: 92,
  tweakNonce: 96,
  key1: 112,
  key2: 144,
  reserved2: 176,
  tag: 272,
} as const;

if (CompletionOffset.iv - CompletionOffset.seed !== DUMP_SEED_LENGTH) throw new Error('completion seed is not 64 bytes');
if (CompletionOffset.tweakNonce !== COMPLETION_AAD_LENGTH) throw new Error('completion AAD is not 96 bytes');
if (CompletionOffset.tag + GCM_TAG_LENGTH !== COMPLETION_V1_LENGTH) throw new Error('completion v1 does not add up to 288');

/** Builds the 288-byte completion data. `exportKey` is key1 ‖ key2 (64 bytes). */
export function sealCompletionData(dumpKey: Uint8Array, seed: Uint8Array, iv: Uint8Array, tweakNonce: Uint8Array, exportKey: Uint8Array): Uint8Array {
  if (seed.length !== DUMP_SEED_LENGTH) throw new RangeError('completion seed must be 64 bytes');
  if (iv.length !== GCM_IV_LENGTH) throw new RangeError('completion IV must be 12 bytes');
  if (tweakNonce.length !== 16 || exportKey.length !== 64) throw new RangeError('completion nonce must be 16 and key 64 bytes');
  const out = new Uint8Array(COMPLETION_V1_LENGTH);
  const v = new DataView(out.buffer);
  v.setUint32(CompletionOffset.version, COMPLETION_VERSION);
  v.setUint32(CompletionOffset.len, COMPLETION_V1_LENGTH);
  out.set(seed, CompletionOffset.seed);
  out.set(iv, CompletionOffset.iv);
  const plain = new Uint8Array(CompletionOffset.tag - CompletionOffset.tweakNonce);
  plain.set(tweakNonce, 0);
  plain.set(exportKey, CompletionOffset.key1 - CompletionOffset.tweakNonce);
  const sealed = gcmSeal(dumpKey, iv, out.subarray(0, COMPLETION_AAD_LENGTH), plain);
  plain.fill(0);
  out.set(sealed, CompletionOffset.tweakNonce);
  return out;
}
