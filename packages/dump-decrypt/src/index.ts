/**
 * @pvdump/dump-decrypt: decrypts IBM Z Secure Execution (PV) guest dumps with the customer
 * communication key, as `zgetdump -k` does (spec pv-dump-crypto.md, elf-core-format.md §11).
 * The dump format and its reference cryptography are @pvdump/pv-format's; this package adds the
 * zgetdump checks, the fast page ciphers and the output.
 */
export { isProtectedGuestDumpWithoutPvData, noKeyError, noPvDataError, PvDecryptError, type PvDecryptErrorCode } from './errors.js';
export { decryptDump, type DecryptOptions, type DecryptReport } from './decrypt.js';
export { openPvDump, PvDump, type OpenPvDumpOptions } from './pv-dump.js';
export { inspectPvDump, type PvInspection, type CpuNoteCheck } from './inspect.js';
export type { PvCpuState } from './pv/cpu-data.js';
export type { PageCensus } from './pv/page-state.js';
export { NodeXts, nodeXtsAvailable } from './crypto/xts-node.js';
export { createPageCipher, defaultBackend, type CryptoBackend, type PageCipher } from './crypto/page-cipher.js';
