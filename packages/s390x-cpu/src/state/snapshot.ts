// The complete architected state of one CPU as plain data (spec s390x-cpu.md §1, §7): what the
// Ultravisor, KVM and dumps save and restore. Reset values follow QEMU `target/s390x/cpu.c`.

import type { Psw } from './psw.js';

/** Guarded-storage control block registers (§1): reserved word, GSD, GSSM, GSEPLA. */
export interface GuardedStorageBlock {
  reserved: bigint;
  gsd: bigint;
  gssm: bigint;
  gsepla: bigint;
}

/** Plain-data snapshot of one CPU's architected state. */
export interface CpuSnapshot {
  psw: Psw;
  /** 16 general registers, unsigned 64-bit. */
  gprs: bigint[];
  /** 16 access registers, unsigned 32-bit. */
  acrs: number[];
  /** 16 control registers, unsigned 64-bit. */
  crs: bigint[];
  /** Floating-point control register, unsigned 32-bit. */
  fpc: number;
  /** 32 vector registers of 16 bytes each, big-endian; FPR i is bytes 0–7 of V i. */
  vrs: Uint8Array[];
  /** Prefix register (8 KiB-aligned absolute address below 2 GiB). */
  prefix: number;
  /** CPU timer as an unsigned 64-bit pattern (signed in the architecture). */
  cpuTimer: bigint;
  clockComparator: bigint;
  /** TOD programmable register: only bits 16–31 are used. */
  todProgrammable: number;
  /** Breaking-event address register. */
  bear: bigint;
  gsCb: GuardedStorageBlock;
}

export const GPR_COUNT = 16;
export const ACR_COUNT = 16;
export const CR_COUNT = 16;
export const VR_COUNT = 32;
export const VR_BYTES = 16;

/** CR0 and CR14 after an initial CPU reset (§7). */
export const CR0_RESET_VALUE = 0x00000000000000e0n;
export const CR14_RESET_VALUE = 0x00000000c2000000n;

/** State after power-on / clear reset: everything zero except CR0, CR14 and BEAR = 1 (§7). */
export function initialCpuSnapshot(): CpuSnapshot {
  const crs = new Array<bigint>(CR_COUNT).fill(0n);
  crs[0] = CR0_RESET_VALUE;
  crs[14] = CR14_RESET_VALUE;
  return {
    psw: { mask: 0n, addr: 0n },
    gprs: new Array<bigint>(GPR_COUNT).fill(0n),
    acrs: new Array<number>(ACR_COUNT).fill(0),
    crs,
    fpc: 0,
    vrs: Array.from({ length: VR_COUNT }, () => new Uint8Array(VR_BYTES)),
    prefix: 0,
    cpuTimer: 0n,
    clockComparator: 0n,
    todProgrammable: 0,
    bear: 1n,
    gsCb: { reserved: 0n, gsd: 0n, gssm: 0n, gsepla: 0n },
  };
}

/** A deep copy that shares no arrays with `s`. */
export function cloneCpuSnapshot(s: CpuSnapshot): CpuSnapshot {
  return {
    psw: { mask: s.psw.mask, addr: s.psw.addr },
    gprs: [...s.gprs],
    acrs: [...s.acrs],
    crs: [...s.crs],
    fpc: s.fpc,
    vrs: s.vrs.map((v) => Uint8Array.from(v)),
    prefix: s.prefix,
    cpuTimer: s.cpuTimer,
    clockComparator: s.clockComparator,
    todProgrammable: s.todProgrammable,
    bear: s.bear,
    gsCb: { ...s.gsCb },
  };
}

/**
 * Initial CPU reset applied to a snapshot (§7): PSW, prefix, FPC, timers, TOD-PR and CRs reset,
 * BEAR = 1; GPRs, ACRs, vector and guarded-storage registers kept.
 */
export function initialCpuResetSnapshot(s: CpuSnapshot): CpuSnapshot {
  const fresh = initialCpuSnapshot();
  return { ...fresh, gprs: [...s.gprs], acrs: [...s.acrs], vrs: s.vrs.map((v) => Uint8Array.from(v)), gsCb: { ...s.gsCb } };
}

/** Clear reset: every register to its initial value. */
export function clearResetSnapshot(): CpuSnapshot {
  return initialCpuSnapshot();
}

/** The 64-bit floating-point register `i` (0–15) of a snapshot: bytes 0–7 of V i, big-endian. */
export function snapshotFpr(s: CpuSnapshot, i: number): bigint {
  const v = s.vrs[i];
  if (v === undefined || i < 0 || i > 15) throw new RangeError(`FPR index ${i} out of range 0-15`);
  return new DataView(v.buffer, v.byteOffset, 8).getBigUint64(0);
}

/** Checks the shape of a snapshot (array lengths, value ranges); throws RangeError naming the field. */
export function validateCpuSnapshot(s: CpuSnapshot): void {
  const u64 = (v: bigint, what: string): void => {
    if (v < 0n || v > 0xffffffffffffffffn) throw new RangeError(`${what} is not an unsigned 64-bit value`);
  };
  const u32 = (v: number, what: string): void => {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`${what} is not an unsigned 32-bit value`);
  };
  if (s.gprs.length !== GPR_COUNT) throw new RangeError(`gprs has ${s.gprs.length} entries, expected 16`);
  if (s.acrs.length !== ACR_COUNT) throw new RangeError(`acrs has ${s.acrs.length} entries, expected 16`);
  if (s.crs.length !== CR_COUNT) throw new RangeError(`crs has ${s.crs.length} entries, expected 16`);
  if (s.vrs.length !== VR_COUNT) throw new RangeError(`vrs has ${s.vrs.length} entries, expected 32`);
  s.gprs.forEach((v, i) => u64(v, `gprs[${i}]`));
  s.crs.forEach((v, i) => u64(v, `crs[${i}]`));
  s.acrs.forEach((v, i) => u32(v, `acrs[${i}]`));
  s.vrs.forEach((v, i) => {
    if (v.length !== VR_BYTES) throw new RangeError(`vrs[${i}] has ${v.length} bytes, expected 16`);
  });
  u64(s.psw.mask, 'psw.mask');
  u64(s.psw.addr, 'psw.addr');
  u32(s.fpc, 'fpc');
  u32(s.prefix, 'prefix');
  u32(s.todProgrammable, 'todProgrammable');
  u64(s.cpuTimer, 'cpuTimer');
  u64(s.clockComparator, 'clockComparator');
  u64(s.bear, 'bear');
  u64(s.gsCb.reserved, 'gsCb.reserved');
  u64(s.gsCb.gsd, 'gsCb.gsd');
  u64(s.gsCb.gssm, 'gsCb.gssm');
  u64(s.gsCb.gsepla, 'gsCb.gsepla');
}
