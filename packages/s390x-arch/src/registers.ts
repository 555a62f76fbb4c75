// The architected registers of one CPU (docs/s390x-cpu.md §1) as plain data, in the one shape
// every layer shares: the interpreter's snapshot extends it, the Ultravisor's CPU dump
// (docs/pv-dump-crypto.md §3) decodes into it and the ELF core notes (docs/elf-core-format.md) carry it.
// Field names follow the architecture's register names; the FPRs are not separate, FPR n is
// the leftmost doubleword of V n.
import type { Psw } from './psw.js';

export const GPR_COUNT = 16;
export const ACR_COUNT = 16;
export const CR_COUNT = 16;
export const FPR_COUNT = 16;
export const VR_COUNT = 32;
export const VR_BYTES = 16;

/** Guarded-storage control block registers (§1): reserved word, GSD, GSSM, GS-EPL address. */
export interface GuardedStorageBlock {
  reserved: bigint;
  gsd: bigint;
  gssm: bigint;
  gsepla: bigint;
}

/**
 * The registers a CPU's saved state holds: what store status, the Ultravisor's CPU dump and the
 * per-CPU core notes have in common. (The breaking-event address register is architected too but
 * none of those save it; the interpreter's snapshot adds it.)
 */
export interface CpuRegisters {
  psw: Psw;
  /** GPR0–15, unsigned 64-bit. */
  gprs: bigint[];
  /** ACR0–15, unsigned 32-bit. */
  acrs: number[];
  /** CR0–15, unsigned 64-bit. */
  crs: bigint[];
  /** Floating-point control register, unsigned 32-bit. */
  fpc: number;
  /** V0–V31, 16 bytes each, big-endian; FPR n is bytes 0–7 of V n. */
  vrs: Uint8Array[];
  /** Prefix register (8 KiB-aligned absolute address below 2 GiB). */
  prefix: number;
  /** CPU timer as an unsigned 64-bit pattern (signed in the architecture). */
  cpuTimer: bigint;
  /** Clock comparator, the full 64-bit value. */
  clockComparator: bigint;
  /** TOD programmable register: only bits 16–31 are used. */
  todProgrammable: number;
  gsCb: GuardedStorageBlock;
}

/** Every register zero. */
export function zeroCpuRegisters(): CpuRegisters {
  return {
    psw: { mask: 0n, addr: 0n },
    gprs: new Array<bigint>(GPR_COUNT).fill(0n),
    acrs: new Array<number>(ACR_COUNT).fill(0),
    crs: new Array<bigint>(CR_COUNT).fill(0n),
    fpc: 0,
    vrs: Array.from({ length: VR_COUNT }, () => new Uint8Array(VR_BYTES)),
    prefix: 0,
    cpuTimer: 0n,
    clockComparator: 0n,
    todProgrammable: 0,
    gsCb: { reserved: 0n, gsd: 0n, gssm: 0n, gsepla: 0n },
  };
}

/** A deep copy of the registers of `r` (and nothing else of it) that shares no arrays with it. */
export function copyCpuRegisters(r: CpuRegisters): CpuRegisters {
  return {
    psw: { mask: r.psw.mask, addr: r.psw.addr },
    gprs: [...r.gprs],
    acrs: [...r.acrs],
    crs: [...r.crs],
    fpc: r.fpc,
    vrs: r.vrs.map((v) => Uint8Array.from(v)),
    prefix: r.prefix,
    cpuTimer: r.cpuTimer,
    clockComparator: r.clockComparator,
    todProgrammable: r.todProgrammable,
    gsCb: { ...r.gsCb },
  };
}

/** FPR `i` (0–15) of vector registers `vrs`: bytes 0–7 of V i, big-endian. */
export function fprOf(vrs: readonly Uint8Array[], i: number): bigint {
  const v = vrs[i];
  if (v === undefined || i < 0 || i >= FPR_COUNT) throw new RangeError(`FPR index ${i} out of range 0-15`);
  return new DataView(v.buffer, v.byteOffset, 8).getBigUint64(0);
}

/** FPR0–15 of vector registers `vrs`. */
export function fprsOf(vrs: readonly Uint8Array[]): bigint[] {
  return Array.from({ length: FPR_COUNT }, (_, i) => fprOf(vrs, i));
}

/** Guarded-storage block words in storage order: reserved, GSD, GSSM, GS-EPL address. */
export function gsCbWords(g: GuardedStorageBlock): bigint[] {
  return [g.reserved, g.gsd, g.gssm, g.gsepla];
}

/** A guarded-storage block from its four words in storage order (missing words are 0). */
export function gsCbFromWords(w: readonly bigint[]): GuardedStorageBlock {
  return { reserved: w[0] ?? 0n, gsd: w[1] ?? 0n, gssm: w[2] ?? 0n, gsepla: w[3] ?? 0n };
}

function checkU64(v: bigint, what: string): void {
  if (v < 0n || v > 0xffffffffffffffffn) throw new RangeError(`${what} is not an unsigned 64-bit value`);
}

function checkU32(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`${what} is not an unsigned 32-bit value`);
}

/** Checks the shape of `r` (array lengths, value ranges); throws a RangeError naming the field. */
export function validateCpuRegisters(r: CpuRegisters): void {
  if (r.gprs.length !== GPR_COUNT) throw new RangeError(`gprs has ${r.gprs.length} entries, expected 16`);
  if (r.acrs.length !== ACR_COUNT) throw new RangeError(`acrs has ${r.acrs.length} entries, expected 16`);
  if (r.crs.length !== CR_COUNT) throw new RangeError(`crs has ${r.crs.length} entries, expected 16`);
  if (r.vrs.length !== VR_COUNT) throw new RangeError(`vrs has ${r.vrs.length} entries, expected 32`);
  r.gprs.forEach((v, i) => checkU64(v, `gprs[${i}]`));
  r.crs.forEach((v, i) => checkU64(v, `crs[${i}]`));
  r.acrs.forEach((v, i) => checkU32(v, `acrs[${i}]`));
  r.vrs.forEach((v, i) => {
    if (v.length !== VR_BYTES) throw new RangeError(`vrs[${i}] has ${v.length} bytes, expected 16`);
  });
  checkU64(r.psw.mask, 'psw.mask');
  checkU64(r.psw.addr, 'psw.addr');
  checkU32(r.fpc, 'fpc');
  checkU32(r.prefix, 'prefix');
  checkU32(r.todProgrammable, 'todProgrammable');
  checkU64(r.cpuTimer, 'cpuTimer');
  checkU64(r.clockComparator, 'clockComparator');
  checkU64(r.gsCb.reserved, 'gsCb.reserved');
  checkU64(r.gsCb.gsd, 'gsCb.gsd');
  checkU64(r.gsCb.gssm, 'gsCb.gssm');
  checkU64(r.gsCb.gsepla, 'gsCb.gsepla');
}
