// Shared building blocks of the general instructions (PoO chapter 7): 64-bit arithmetic on the
// CPU's 32-bit register halves, condition-code rules, effective addresses of each format, and the
// condition-mask aliases objdump prints (jne, locrnh, cijh, ...).

import type { CpuCore } from '../../core/cpu-core.js';
import { PGM_FIXED_POINT_OVERFLOW } from '../../core/exceptions.js';
import { fB1, fB2, fD1, fD2, fD20, fX2, type FormatsOf, type InsnA, type InsnB } from '../fields.js';
import type { InstructionAlias } from '../types.js';

export const TWO32 = 4294967296;
const SIGN = 0x80000000;

/** The table-line helper every general group uses (shared with the other groups). */
export { def } from '../define.js';

/** objdump's suffix for each branch mask of BRC/BRCL/BC/BCR/LOC*: index = mask. */
export const BRANCH_SUFFIX = ['nop', 'o', 'h', 'nle', 'l', 'nhe', 'lh', 'ne', 'e', 'nlh', 'he', 'nl', 'le', 'nh', 'no', ''] as const;

/** Aliases `base+suffix` for masks 1–14 (load/store on condition), dropping the mask operand. */
export function condAliases(base: string, field: string, operands: string): InstructionAlias[] {
  const out: InstructionAlias[] = [];
  for (let m = 1; m <= 14; m++) out.push({ mnemonic: base + BRANCH_SUFFIX[m]!, when: { [field]: m }, operands });
  return out;
}

/** Compare-and-branch/trap suffixes objdump prints (other masks keep the mask operand). */
const COMPARE_SUFFIX: Record<number, string> = { 2: 'h', 4: 'l', 6: 'ne', 8: 'e', 10: 'nl', 12: 'nh' };
export function compareAliases(base: string, field: string, operands: string): InstructionAlias[] {
  return Object.entries(COMPARE_SUFFIX).map(([m, s]) => ({ mnemonic: base + s, when: { [field]: Number(m) }, operands }));
}

// ---- effective addresses per format ----

/** Formats with D2(X2,B2), 12-bit displacement (RX, RXE, RXF, VRX). */
export type IndexedFormats = FormatsOf<typeof fX2> & FormatsOf<typeof fB2> & FormatsOf<typeof fD2>;
/** Formats with D2(X2,B2), 20-bit displacement (RXY). */
export type IndexedLongFormats = FormatsOf<typeof fX2> & FormatsOf<typeof fB2> & FormatsOf<typeof fD20>;
/** Formats with D2(B2), 12-bit displacement (RS, S, ...). */
export type BaseFormats = FormatsOf<typeof fB2> & FormatsOf<typeof fD2>;
/** Formats with D2(B2), 20-bit displacement (RSY). */
export type BaseLongFormats = FormatsOf<typeof fB2> & FormatsOf<typeof fD20>;
/** Formats with D1(B1), 12-bit displacement (SI, SIL, SS, ...). */
export type FirstBaseFormats = FormatsOf<typeof fB1> & FormatsOf<typeof fD1>;
/** Formats with D1(B1), 20-bit displacement (SIY). */
export type FirstBaseLongFormats = FormatsOf<typeof fB1> & FormatsOf<typeof fD20>;

/** D2(X2,B2) of RX formats. */
export const eaRX = (cpu: CpuCore, a: InsnA<IndexedFormats>): number => cpu.ea(fX2(a), fB2(a), fD2(a));
/** D2(X2,B2) with a 20-bit displacement (RXY). */
export const eaRXY = (cpu: CpuCore, a: InsnA<IndexedLongFormats>, b: InsnB<IndexedLongFormats>): number => cpu.ea(fX2(a), fB2(a), fD20(a, b));
/** D2(B2) of RS/S formats. */
export const eaRS = (cpu: CpuCore, a: InsnA<BaseFormats>): number => cpu.ea(0, fB2(a), fD2(a));
/** D2(B2) with a 20-bit displacement (RSY). */
export const eaRSY = (cpu: CpuCore, a: InsnA<BaseLongFormats>, b: InsnB<BaseLongFormats>): number => cpu.ea(0, fB2(a), fD20(a, b));
/** D1(B1) of SI/SIL/SS formats. */
export const eaSI = (cpu: CpuCore, a: InsnA<FirstBaseFormats>): number => cpu.ea(0, fB1(a), fD1(a));
/** D1(B1) with a 20-bit displacement (SIY). */
export const eaSIY = (cpu: CpuCore, a: InsnA<FirstBaseLongFormats>, b: InsnB<FirstBaseLongFormats>): number => cpu.ea(0, fB1(a), fD20(a, b));

/** Exact low 32 bits of the last effective address (shift amounts use its low 6 bits). */
export const eaLow = (cpu: CpuCore): number => cpu.eaLo;

// ---- condition codes ----

export function ccSigned32(cpu: CpuCore, v: number): void {
  v |= 0;
  cpu.cc = v === 0 ? 0 : v < 0 ? 1 : 2;
}

export function ccSigned64(cpu: CpuCore, hi: number, lo: number): void {
  cpu.cc = (hi | lo) === 0 ? 0 : (hi & SIGN) !== 0 ? 1 : 2;
}

/** CC 3 and, when the program mask enables it, a fixed-point-overflow interruption (result already stored). */
export function overflow(cpu: CpuCore): void {
  cpu.cc = 3;
  if ((cpu.maskHi & 0x800) !== 0) cpu.programException(PGM_FIXED_POINT_OVERFLOW);
}

/** Sign of a 32-bit value as 0 / -1 (the high half of its 64-bit sign extension). */
export const sx = (v: number): number => (v & SIGN ? 0xffffffff : 0);

/** Compares two signed 64-bit values: 0 equal, 1 low, 2 high. */
export function cmpS64(ah: number, al: number, bh: number, bl: number): number {
  if (ah !== bh) return (ah | 0) < (bh | 0) ? 1 : 2;
  if (al !== bl) return al >>> 0 < bl >>> 0 ? 1 : 2;
  return 0;
}
/** Compares two unsigned 64-bit values: 0 equal, 1 low, 2 high. */
export function cmpU64(ah: number, al: number, bh: number, bl: number): number {
  if (ah !== bh) return ah >>> 0 < bh >>> 0 ? 1 : 2;
  if (al !== bl) return al >>> 0 < bl >>> 0 ? 1 : 2;
  return 0;
}
export const cmpS32 = (x: number, y: number): number => ((x | 0) === (y | 0) ? 0 : (x | 0) < (y | 0) ? 1 : 2);
export const cmpU32 = (x: number, y: number): number => (x >>> 0 === y >>> 0 ? 0 : x >>> 0 < y >>> 0 ? 1 : 2);

// ---- 64-bit arithmetic: results in OUT_HI / OUT_LO ----

export let OUT_HI = 0;
export let OUT_LO = 0;

/** Signed 64-bit add into OUT; sets CC (3 on overflow; no interruption: callers store first). Returns overflow. */
export function add64(cpu: CpuCore, ah: number, al: number, bh: number, bl: number): boolean {
  let lo = al + bl;
  let c = 0;
  if (lo >= TWO32) {
    lo -= TWO32;
    c = 1;
  }
  const hi = (ah + bh + c) >>> 0;
  OUT_HI = hi;
  OUT_LO = lo;
  if ((~(ah ^ bh) & (ah ^ hi) & SIGN) !== 0) {
    cpu.cc = 3;
    return true;
  }
  ccSigned64(cpu, hi, lo);
  return false;
}

/** Signed 64-bit subtract a − b into OUT; sets CC. Returns overflow. */
export function sub64(cpu: CpuCore, ah: number, al: number, bh: number, bl: number): boolean {
  let lo = al - bl;
  let borrow = 0;
  if (lo < 0) {
    lo += TWO32;
    borrow = 1;
  }
  const hi = (ah - bh - borrow) >>> 0;
  OUT_HI = hi;
  OUT_LO = lo;
  if (((ah ^ bh) & (ah ^ hi) & SIGN) !== 0) {
    cpu.cc = 3;
    return true;
  }
  ccSigned64(cpu, hi, lo);
  return false;
}

/** Logical 64-bit add with carry-in into OUT; CC = (nonzero ? 1 : 0) | (carry ? 2 : 0). */
export function addLogical64(cpu: CpuCore, ah: number, al: number, bh: number, bl: number, carryIn: number): void {
  let lo = al + bl + carryIn;
  let c = 0;
  if (lo >= TWO32) {
    lo -= TWO32;
    c = 1;
  }
  let hi = ah + bh + c;
  let carry = 0;
  if (hi >= TWO32) {
    hi -= TWO32;
    carry = 2;
  }
  OUT_HI = hi;
  OUT_LO = lo;
  cpu.cc = ((hi | lo) !== 0 ? 1 : 0) | carry;
}

/** Logical 64-bit subtract a − b − borrowIn into OUT; CC = (nonzero ? 1 : 0) | (no borrow ? 2 : 0). */
export function subLogical64(cpu: CpuCore, ah: number, al: number, bh: number, bl: number, borrowIn: number): void {
  let lo = al - bl - borrowIn;
  let b = 0;
  if (lo < 0) {
    lo += TWO32;
    b = 1;
  }
  let hi = ah - bh - b;
  let noBorrow = 2;
  if (hi < 0) {
    hi += TWO32;
    noBorrow = 0;
  }
  OUT_HI = hi;
  OUT_LO = lo;
  cpu.cc = ((hi | lo) !== 0 ? 1 : 0) | noBorrow;
}

/** Signed 32-bit add; returns the result (as uint32) and sets CC (3 on overflow, no interruption). */
export function add32(cpu: CpuCore, x: number, y: number): number {
  const s = (x | 0) + (y | 0);
  const r = s | 0;
  if (s !== r) cpu.cc = 3;
  else cpu.cc = r === 0 ? 0 : r < 0 ? 1 : 2;
  return r >>> 0;
}
export function sub32(cpu: CpuCore, x: number, y: number): number {
  const s = (x | 0) - (y | 0);
  const r = s | 0;
  if (s !== r) cpu.cc = 3;
  else cpu.cc = r === 0 ? 0 : r < 0 ? 1 : 2;
  return r >>> 0;
}
export function addLogical32(cpu: CpuCore, x: number, y: number, carryIn: number): number {
  const s = (x >>> 0) + (y >>> 0) + carryIn;
  const r = s >>> 0;
  cpu.cc = (r !== 0 ? 1 : 0) | (s >= TWO32 ? 2 : 0);
  return r;
}
export function subLogical32(cpu: CpuCore, x: number, y: number, borrowIn: number): number {
  const s = (x >>> 0) - (y >>> 0) - borrowIn;
  const r = s >>> 0;
  cpu.cc = (r !== 0 ? 1 : 0) | (s >= 0 ? 2 : 0);
  return r;
}

/** Unsigned 32 × 32 → 64 product into OUT (exact with 16-bit limbs). */
export function mulU32(x: number, y: number): void {
  x >>>= 0;
  y >>>= 0;
  const xl = x & 0xffff;
  const xh = x >>> 16;
  const yl = y & 0xffff;
  const yh = y >>> 16;
  const mid = xh * yl + xl * yh;
  let lo = xl * yl + (mid % 65536) * 65536;
  let hi = xh * yh + Math.floor(mid / 65536);
  if (lo >= TWO32) {
    const c = Math.floor(lo / TWO32);
    lo -= c * TWO32;
    hi += c;
  }
  OUT_HI = hi >>> 0;
  OUT_LO = lo;
}

/** Low 64 bits of a 64 × 64 product into OUT. */
export function mulLow64(ah: number, al: number, bh: number, bl: number): void {
  mulU32(al, bl);
  OUT_HI = (OUT_HI + Math.imul(ah, bl) + Math.imul(al, bh)) >>> 0;
}

/** A 64-bit value of two halves as a signed / unsigned bigint (slow paths: divide, 128-bit multiply). */
export const big64s = (hi: number, lo: number): bigint => BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
export const big64u = (hi: number, lo: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);

/** Writes a bigint (taken modulo 2^64) into GPR `i`. */
export function setGprBig(cpu: CpuCore, i: number, v: bigint): void {
  const u = BigInt.asUintN(64, v);
  cpu.r[2 * i] = Number(u >> 32n);
  cpu.r[2 * i + 1] = Number(u & 0xffffffffn);
}

/** Reads a doubleword at `addr` into OUT. */
export function read64(cpu: CpuCore, addr: number): void {
  cpu.readDoubleword(addr);
  OUT_HI = cpu.dwHi;
  OUT_LO = cpu.dwLo;
}

/** Sets GPR `i` to an address of the current addressing mode (LA, LARL, link addresses). */
export function setAddressReg(cpu: CpuCore, i: number, hi: number, lo: number): void {
  if (cpu.amode === 64) {
    cpu.r[2 * i] = hi;
    cpu.r[2 * i + 1] = lo;
  } else if (cpu.amode === 31) {
    cpu.r[2 * i + 1] = (lo & 0x7fffffff) >>> 0;
  } else {
    cpu.r[2 * i + 1] = lo & 0xffffff;
  }
}

/** Splits an address (as a number from `CpuCore`, far ones included) into its exact halves in OUT. */
export function splitAddress(cpu: CpuCore, addr: number): void {
  cpu.split(addr);
  OUT_HI = cpu.addrHi >>> 0;
  OUT_LO = cpu.addrLo;
}
