/**
 * s390x core note types and payload sizes (Linux `include/uapi/linux/elf.h`,
 * `arch/s390/include/uapi/asm/ptrace.h`; QEMU `target/s390x/arch_dump.c`).
 */

export const NT_PRSTATUS = 1;
export const NT_FPREGSET = 2;
export const NT_PRPSINFO = 3;
export const NT_AUXV = 6;
export const NT_VMCOREINFO = 0;
export const NT_S390_HIGH_GPRS = 0x300;
export const NT_S390_TIMER = 0x301;
export const NT_S390_TODCMP = 0x302;
export const NT_S390_TODPREG = 0x303;
export const NT_S390_CTRS = 0x304;
export const NT_S390_PREFIX = 0x305;
export const NT_S390_LAST_BREAK = 0x306;
export const NT_S390_SYSTEM_CALL = 0x307;
export const NT_S390_TDB = 0x308;
export const NT_S390_VXRS_LOW = 0x309;
export const NT_S390_VXRS_HIGH = 0x30a;
export const NT_S390_GS_CB = 0x30b;
export const NT_S390_GS_BC = 0x30c;
export const NT_S390_RI_CB = 0x30d;
export const NT_S390_PV_CPU_DATA = 0x30e;

export const OWNER_CORE = 'CORE';
export const OWNER_LINUX = 'LINUX';
export const OWNER_VMCOREINFO = 'VMCOREINFO';

/** Fixed descriptor sizes; notes not listed here have a variable size. */
export const NOTE_DESC_SIZE: ReadonlyMap<number, number> = new Map([
  [NT_PRSTATUS, 336],
  [NT_FPREGSET, 136],
  [NT_PRPSINFO, 136],
  [NT_S390_HIGH_GPRS, 64],
  [NT_S390_TIMER, 8],
  [NT_S390_TODCMP, 8],
  [NT_S390_TODPREG, 4],
  [NT_S390_CTRS, 128],
  [NT_S390_PREFIX, 4],
  [NT_S390_LAST_BREAK, 8],
  [NT_S390_SYSTEM_CALL, 4],
  [NT_S390_TDB, 256],
  [NT_S390_VXRS_LOW, 128],
  [NT_S390_VXRS_HIGH, 256],
  [NT_S390_GS_CB, 32],
  [NT_S390_GS_BC, 32],
  [NT_S390_RI_CB, 64],
]);

const NAMES: ReadonlyMap<number, string> = new Map([
  [NT_PRSTATUS, 'NT_PRSTATUS'],
  [NT_FPREGSET, 'NT_FPREGSET'],
  [NT_PRPSINFO, 'NT_PRPSINFO'],
  [NT_AUXV, 'NT_AUXV'],
  [NT_S390_HIGH_GPRS, 'NT_S390_HIGH_GPRS'],
  [NT_S390_TIMER, 'NT_S390_TIMER'],
  [NT_S390_TODCMP, 'NT_S390_TODCMP'],
  [NT_S390_TODPREG, 'NT_S390_TODPREG'],
  [NT_S390_CTRS, 'NT_S390_CTRS'],
  [NT_S390_PREFIX, 'NT_S390_PREFIX'],
  [NT_S390_LAST_BREAK, 'NT_S390_LAST_BREAK'],
  [NT_S390_SYSTEM_CALL, 'NT_S390_SYSTEM_CALL'],
  [NT_S390_TDB, 'NT_S390_TDB'],
  [NT_S390_VXRS_LOW, 'NT_S390_VXRS_LOW'],
  [NT_S390_VXRS_HIGH, 'NT_S390_VXRS_HIGH'],
  [NT_S390_GS_CB, 'NT_S390_GS_CB'],
  [NT_S390_GS_BC, 'NT_S390_GS_BC'],
  [NT_S390_RI_CB, 'NT_S390_RI_CB'],
  [NT_S390_PV_CPU_DATA, 'NT_S390_PV_CPU_DATA'],
]);

/** A readable name for a note type, e.g. `NT_S390_CTRS` or `note type 0x123`. */
export function noteTypeName(owner: string, type: number): string {
  if (owner === OWNER_VMCOREINFO && type === NT_VMCOREINFO) return 'VMCOREINFO';
  return NAMES.get(type) ?? `note type 0x${type.toString(16)}`;
}

/** NT_PRSTATUS (Linux `struct elf_prstatus` on s390x, 336 bytes). */
export const Prstatus = {
  size: 336,
  pid: 32,
  pswMask: 112,
  pswAddr: 120,
  gprs: 128,
  acrs: 256,
  origGpr2: 320,
  fpvalid: 328,
} as const;

/** NT_FPREGSET (136 bytes): FPC, padding, FPR0–15. */
export const Fpregset = { size: 136, fpc: 0, fprs: 8 } as const;

/** NT_PRPSINFO (Linux `struct elf_prpsinfo` on s390x, 136 bytes). */
export const Prpsinfo = {
  size: 136,
  state: 0,
  sname: 1,
  zomb: 2,
  nice: 3,
  flag: 8,
  uid: 16,
  gid: 20,
  pid: 24,
  ppid: 28,
  pgrp: 32,
  sid: 36,
  fname: 40,
  fnameSize: 16,
  psargs: 56,
  psargsSize: 80,
} as const;

/** Auxiliary vector entry types used in our NT_AUXV. */
export const AT_NULL = 0;
export const AT_HWCAP = 16;
/** s390 HWCAP bits (Linux `arch/s390/include/asm/elf.h`). */
export const HWCAP_S390_ZARCH = 2;
export const HWCAP_S390_STFLE = 4;
export const HWCAP_S390_HIGH_GPRS = 512;
export const HWCAP_S390_TE = 1024;
export const HWCAP_S390_VXRS = 2048;
export const HWCAP_S390_GS = 16384;
/** The HWCAP we write for gdb: ZARCH | STFLE | HIGH_GPRS | VXRS (the spec's recommendation). */
export const DEFAULT_HWCAP = HWCAP_S390_ZARCH | HWCAP_S390_STFLE | HWCAP_S390_HIGH_GPRS | HWCAP_S390_VXRS;
