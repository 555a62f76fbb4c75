/**
 * @pvdump/s390x-arch: the architected registers of one z/Architecture CPU and its PSW as plain
 * data (docs/s390x-cpu.md §1–§2), the one register model of every pvdump layer, and big-endian
 * field access on fixed-size structures in storage.
 */
export { PSW_BYTES, type Psw } from './psw.js';
export { ACR_COUNT, CR_COUNT, FPR_COUNT, GPR_COUNT, VR_BYTES, VR_COUNT, copyCpuRegisters, fprOf, fprsOf, gsCbFromWords, gsCbWords, validateCpuRegisters, zeroCpuRegisters, type CpuRegisters, type GuardedStorageBlock } from './registers.js';
export { StructBytes } from './struct-bytes.js';
