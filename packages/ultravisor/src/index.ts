/**
 * `@pvdump/ultravisor`: the emulated Ultravisor firmware (spec ultravisor.md): UV calls, secure
 * configurations and CPUs, secure storage, the dump calls, and what the firmware needs of the SE
 * header and the host key: its layout, parsing and opening with the machine's host key pair.
 * The guest owner's tooling is `@pvdump/ultravisor/guest-owner`, the protected-image container
 * format `@pvdump/ultravisor/protected-image`.
 */
export * from './se-header/firmware.js';
export {
  HostKeyError,
  P521_POINT_SIZE,
  P521_SIZE,
  SE_COORD_SIZE,
  decodeHostPrivateKeyPem,
  ecdhSharedX,
  ecdhSharedXNoble,
  encodeHostPrivateKeyPem,
  generateHostKeyPair,
  hostKeyHash,
  hostKeyPairFromPrivate,
  normalizePublicKey,
  paddedCoordinates,
  type HostKeyPair,
} from './host-key/index.js';

// UV calls, secure configurations and CPUs, storage, dump calls.
export { MACHINE_MINIMUM_UV_STORAGE_ORIGIN, Ultravisor, type CreateConfigurationArgs, type CreateCpuArgs, type UltravisorOptions, type UvDataResult } from './ultravisor.js';
export type { GuestPageListener, GuestTranslator, HostOperandReader, HostPageListener, UvResult } from './state.js';
export {
  CpuStateRc,
  CreateConfRc,
  CreateCpuRc,
  DESTROY_NOT_SECURE_RRC,
  DumpRc,
  GUEST_COMMANDS,
  INSTALLED_CALL_BIT,
  ImageRc,
  InitRc,
  PvCpuState,
  SetParamsRc,
  ShareRc,
  StorageRc,
  UvCommand,
  UvCondition,
  UvRc,
  type PvCpuStateValue,
  type UvCommandCode,
  type UvConditionCode,
} from './uvc/codes.js';
export { ControlBlock, QUI, QUI_MIN_LEN, QUI_SIZE, UVCB_HEADER, UVCB_SIZE, newControlBlock } from './uvc/layout.js';
export { QUERY_VALUES, installedCallList, parseQuery, type QueryInfo } from './calls/query.js';
export { PCF_ALLOW_DUMPING } from './calls/dump.js';
export { PCF_NO_DECRYPTION, SE_HEADER_LIMIT, seHeaderRc } from './calls/image.js';
export { CONFIG_HANDLE_BASE, CPU_HANDLE_BASE, variableStorageLength } from './calls/lifecycle.js';
export { EXPORT_COUNTER_LIMIT } from './storage/pages.js';
export { PAGE_SIZE, SparseHostStorage, type HostStorage } from './storage/host-storage.js';
export { ReasonedUserError, SecureCpuError, SecureStorageAccessError, UltravisorUserError, UvCallFailedError, UvcProgramException, requireUvSuccess } from './errors.js';
export { systemRandom, deterministicRandom, type RandomSource } from './random.js';
export { UnpackDigests } from './unpack-digests.js';
export { defaultXtsBackend, nodeXtsAvailable, xtsDecrypt, xtsEncrypt, XTS_KEY_LENGTH, XTS_TWEAK_LENGTH, type XtsBackend } from './crypto/xts.js';
export { type HostExit, type InterceptionCompletion, type SecureCpuExit, type SecureCpuRunner } from './secure-cpu-run.js';
export { type GuestStore } from './secure-status-store.js';
export { instructionInterceptionReport, setsConditionCode, type InstructionInterceptionReport, type InterceptedMnemonic } from './interception.js';
export { MappedHostStorage, type StorageRegion } from './storage/mapped-storage.js';
export { EXTENDED_LENGTH_SCCB_FACILITY, STORAGE_KEY_FACILITIES, STORAGE_KEY_REMOVAL_FACILITY, ULTRAVISOR_CALL_FACILITY, secureGuestFacilities } from './secure-facilities.js';
export { SECURE_DIAGNOSE_CODES, secureDiagnoseIntercepted } from './secure-diagnose.js';
