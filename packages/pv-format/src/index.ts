/**
 * @pvdump/pv-format: the IBM Z Secure Execution dump data format (docs/pv-dump-crypto.md), the
 * one definition that the Ultravisor seals with and the decryptor opens with: the layouts of the
 * completion data, CPU dump data and storage-state entries with their size assertions,
 * encode/decode, the dump-key derivation, the AES-GCM seal/open, the reference AES-XTS and the
 * batched node:crypto XTS (many pages per OpenSSL call, both directions).
 */
export { CCK_SIZE, DUMP_KEY_INFO, DUMP_KEY_SIZE, DUMP_SEED_SIZE, deriveDumpKey } from './crypto/dump-key.js';
export { GCM_IV_SIZE, GCM_KEY_SIZE, GCM_TAG_SIZE, gcmOpen, gcmSeal } from './crypto/gcm.js';
export { UNIT_ENCRYPTED, UNIT_PLAIN, UNIT_ZERO, createBatchXts, wasmSimdAvailable, whitenModuleBytes, type BatchRun, type BatchXts } from './crypto/xts-batch.js';
export { XTS_KEY_SIZE, XTS_TWEAK_SIZE, multiplyByAlpha, xtsDecrypt, xtsEncrypt } from './crypto/xts.js';
export {
  COMPLETION_AAD_SIZE,
  COMPLETION_CONFIDENTIAL_SIZE,
  CompletionDataV1,
  PV_COMPL_DATA_VERSION_1,
  PV_MAX_COMPL_DATA_SIZE,
  TWEAK_NONCE_SIZE,
  completionSeed,
  openCompletionData,
  sealCompletionData,
  type CompletionSecrets,
} from './completion.js';
export {
  CPU_DUMP_AAD_SIZE,
  CpuConfidentialAreaV1,
  CpuDumpV1,
  DUMP_FLAG_HAS_OSII,
  PV_MAX_NT_S390_PV_CPU_DATA_SIZE,
  PV_SEC_CPU_DATA_VERSION_1,
  decodeCpuConfidentialArea,
  encodeCpuConfidentialArea,
  openCpuDump,
  sealCpuDump,
  type CpuDumpState,
} from './cpu-dump.js';
export { PV_PAGE_SIZE, PV_SPECIAL_INDICATOR, SpecialFlag, SpecialTweakComponent, TWEAK_COMPONENT_SIZE, isSpecialTweakComponent, pageTweak, specialTweakComponent } from './storage-state.js';
