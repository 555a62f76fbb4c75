// Real lowcore addresses the CPU itself reads and writes (spec s390x-cpu.md §5): interruption
// codes and parameters, old and new PSWs. The lowcore is the first 8 KiB of real storage.

/** Size of the lowcore (and of the prefix area). */
export const LOWCORE_SIZE = 0x2000;

/** Real lowcore addresses (§5). */
export const LC = {
  EXT_PARAMS: 0x080,
  EXT_CPU_ADDR: 0x084,
  EXT_INT_CODE: 0x086,
  SVC_ILC: 0x088,
  SVC_CODE: 0x08a,
  PGM_ILC: 0x08c,
  PGM_CODE: 0x08e,
  DATA_EXC_CODE: 0x090,
  TRANS_EXC_ID: 0x0a8,
  SUBSYSTEM_ID: 0x0b8,
  IO_INT_PARAM: 0x0bc,
  IO_INT_WORD: 0x0c0,
  BEAR: 0x110,
  RESTART_OLD_PSW: 0x120,
  EXTERNAL_OLD_PSW: 0x130,
  SVC_OLD_PSW: 0x140,
  PROGRAM_OLD_PSW: 0x150,
  MCHECK_OLD_PSW: 0x160,
  IO_OLD_PSW: 0x170,
  RESTART_NEW_PSW: 0x1a0,
  EXTERNAL_NEW_PSW: 0x1b0,
  SVC_NEW_PSW: 0x1c0,
  PROGRAM_NEW_PSW: 0x1d0,
  MCHECK_NEW_PSW: 0x1e0,
  IO_NEW_PSW: 0x1f0,
} as const;
