/**
 * Completion data v1 (`pv_dump_completion_data_v1_t`, docs/pv-dump-crypto.md §2, §6): 288 bytes
 * returned by DUMP_COMPLETE and stored as section `pv_compl`. Bytes 0–95 are the GCM AAD
 * {version, len, reserved, seed, iv, reserved}; bytes 96–271 the confidential area {tweak nonce,
 * XTS key1, key2, reserved} sealed under the dump key; bytes 272–287 the tag.
 */
import { DUMP_SEED_SIZE } from './crypto/dump-key.js';
import { GCM_IV_SIZE, GCM_TAG_SIZE, gcmOpen, gcmSeal } from './crypto/gcm.js';
import { XTS_KEY_SIZE } from './crypto/xts.js';
import { assertLayout } from './assert-layout.js';

export const PV_COMPL_DATA_VERSION_1 = 1;
export const TWEAK_NONCE_SIZE = 16;

/** Byte offsets of completion data v1 (s390-tools field names). */
export const CompletionDataV1 = {
  version: 0,
  len: 4,
  res0x8: 8,
  seed: 16,
  iv: 80,
  res0x92: 92,
  /** Start of the confidential area (the GCM ciphertext). */
  nonce: 96,
  /** key = key1 ‖ key2, the 64-byte XTS key of the exported pages. */
  key1: 112,
  key2: 144,
  res0x176: 176,
  tag: 272,
  size: 288,
} as const;

export const COMPLETION_AAD_SIZE = CompletionDataV1.nonce;
export const COMPLETION_CONFIDENTIAL_SIZE = CompletionDataV1.tag - CompletionDataV1.nonce;
/** `pv_compl` may be up to one page (PV_MAX_COMPL_DATA_SIZE); only the first 288 bytes are used. */
export const PV_MAX_COMPL_DATA_SIZE = 0x1000;

assertLayout('completion data v1', CompletionDataV1.size, 288);
assertLayout('completion AAD', COMPLETION_AAD_SIZE, 96);
assertLayout('completion seed', CompletionDataV1.iv - CompletionDataV1.seed, DUMP_SEED_SIZE);
assertLayout('completion IV', CompletionDataV1.res0x92 - CompletionDataV1.iv, GCM_IV_SIZE);
assertLayout('completion confidential area', COMPLETION_CONFIDENTIAL_SIZE, 176);
assertLayout('completion XTS key', CompletionDataV1.res0x176 - CompletionDataV1.key1, XTS_KEY_SIZE);
assertLayout('completion tag', CompletionDataV1.size - CompletionDataV1.tag, GCM_TAG_SIZE);

/** What the confidential area of completion data carries. */
export interface CompletionSecrets {
  /** 16-byte tweak nonce, ORed into every page's tweak component. */
  nonce: Uint8Array;
  /** 64-byte XTS key of the exported pages (key1 ‖ key2). */
  key: Uint8Array;
}

/** Builds the 288-byte completion data: version 1, len 288, `seed` and `iv` in the clear, the secrets sealed under `dumpKey`. */
export function sealCompletionData(dumpKey: Uint8Array, seed: Uint8Array, iv: Uint8Array, secrets: CompletionSecrets): Uint8Array {
  const L = CompletionDataV1;
  if (seed.length !== DUMP_SEED_SIZE) throw new RangeError(`completion seed must be 64 bytes, got ${seed.length}`);
  if (iv.length !== GCM_IV_SIZE) throw new RangeError(`completion IV must be 12 bytes, got ${iv.length}`);
  if (secrets.nonce.length !== TWEAK_NONCE_SIZE || secrets.key.length !== XTS_KEY_SIZE) throw new RangeError('completion nonce must be 16 and key 64 bytes');
  const out = new Uint8Array(L.size);
  const v = new DataView(out.buffer);
  v.setUint32(L.version, PV_COMPL_DATA_VERSION_1);
  v.setUint32(L.len, L.size);
  out.set(seed, L.seed);
  out.set(iv, L.iv);
  const plain = new Uint8Array(COMPLETION_CONFIDENTIAL_SIZE);
  plain.set(secrets.nonce, L.nonce - L.nonce);
  plain.set(secrets.key, L.key1 - L.nonce);
  const sealed = gcmSeal(dumpKey, iv, out.subarray(0, COMPLETION_AAD_SIZE), plain);
  plain.fill(0);
  out.set(sealed, L.nonce);
  sealed.fill(0);
  return out;
}

/** The seed (HKDF salt) of completion data of at least 288 bytes. */
export function completionSeed(data: Uint8Array): Uint8Array {
  return data.subarray(CompletionDataV1.seed, CompletionDataV1.iv);
}

/**
 * Opens completion data of at least 288 bytes (the caller has checked version and len) with the
 * dump key; undefined when the tag does not verify. The caller wipes the secrets after use.
 */
export function openCompletionData(dumpKey: Uint8Array, data: Uint8Array): CompletionSecrets | undefined {
  const L = CompletionDataV1;
  if (data.length < L.size) throw new RangeError(`completion data v1 needs ${L.size} bytes, got ${data.length}`);
  const plain = gcmOpen(dumpKey, data.subarray(L.iv, L.res0x92), data.subarray(0, COMPLETION_AAD_SIZE), data.subarray(L.nonce, L.tag), data.subarray(L.tag, L.size));
  if (plain === undefined) return undefined;
  const secrets = { nonce: plain.slice(0, TWEAK_NONCE_SIZE), key: plain.slice(L.key1 - L.nonce, L.res0x176 - L.nonce) };
  plain.fill(0);
  return secrets;
}
