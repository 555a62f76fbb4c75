// BFP operands and the FPC side of every BFP instruction (PoO chapter 19, "Floating-Point-Control
// Register", "IEEE Exceptions", "BFP Rounding"): AFP-register control (a data exception with DXC 2
// when off), register pairs for the extended format (0, 1, 4, 5, 8, 9, 12, 13 with R+2), the
// rounding method of the FPC or the M3/M4 modifier field, and the end of an instruction: a
// trapped invalid operation or division by zero suppresses it (nothing changes), a trapped
// overflow, underflow or inexact result completes it and then interrupts with the DXC, and
// untrapped exceptions set their FPC flags (inexact not when the inexact-suppression control,
// M4 bit 1, is one).

import type { CpuCore } from '../../core/cpu-core.js';
import { DXC_BFP_INSTRUCTION, PGM_DATA } from '../../core/exceptions.js';
import { fR1, fRrdR1, fRrdR3, fRreR1, fRreR2, fRxfR1, fRxfR3, type InsnA, type InsnB } from '../fields.js';
import { eaRX } from '../general/alu.js';
import { EXTENDED, IEEE_DIVIDE_BY_ZERO, IEEE_INEXACT, IEEE_INVALID, IEEE_OVERFLOW, IEEE_UNDERFLOW, isNaN, isNegative, isZero, LONG, newEnv, Rounding, SHORT, type BfpFormat } from './softfloat/index.js';

/** The rounding method, traps and exceptions of the instruction being executed. */
export const env = newEnv();

/** FPC BFP rounding mode (bits 29–31) → method; 4–6 cannot be set (SFPC checks). */
const FPC_ROUNDING: readonly Rounding[] = [Rounding.NearestEven, Rounding.TowardZero, Rounding.TowardPositive, Rounding.TowardNegative, Rounding.NearestEven, Rounding.NearestEven, Rounding.NearestEven, Rounding.PrepareShorter];

/** M3/M4 rounding modifier → method (-1 invalid: a specification exception). 0 = the FPC's. */
const MODIFIER_ROUNDING: readonly number[] = [-1, Rounding.NearestAway, -1, Rounding.PrepareShorter, Rounding.NearestEven, Rounding.TowardZero, Rounding.TowardPositive, Rounding.TowardNegative];

/** Data exception DXC 2 unless AFP-register control (CR0 bit 45) is on. */
export function requireBfp(cpu: CpuCore): void {
  if ((cpu.cr[1]! & 0x40000) === 0) cpu.programException(PGM_DATA, DXC_BFP_INSTRUCTION);
}

/** Checks a register operand of format `f`: an extended operand names a valid pair. */
export function checkOperand(cpu: CpuCore, f: BfpFormat, r: number): void {
  if (f === EXTENDED) {
    cpu.requireSpec((r & 2) === 0);
    cpu.checkFpr(r);
    cpu.checkFpr(r + 2);
  } else cpu.checkFpr(r);
}

/** Starts an operation: rounding from modifier `m` (0: the FPC's), traps from the FPC masks. */
export function begin(cpu: CpuCore, m = 0): void {
  if (m === 0) env.rounding = FPC_ROUNDING[cpu.fpc & 7]!;
  else {
    const mode = m < 8 ? MODIFIER_ROUNDING[m]! : -1;
    cpu.requireSpec(mode >= 0);
    env.rounding = mode as Rounding;
  }
  env.traps = cpu.fpc >>> 24;
  env.exceptions = 0;
  env.incremented = false;
}

/** Checks a rounding modifier without starting (for instructions that check fields first). */
export function checkModifier(cpu: CpuCore, m: number): void {
  cpu.requireSpec(m === 0 || (m < 8 && MODIFIER_ROUNDING[m]! >= 0));
}

/** A trapped invalid operation or division by zero: the instruction is suppressed. */
export function suppressIfTrapped(cpu: CpuCore): void {
  const trapped = env.exceptions & env.traps & (IEEE_INVALID | IEEE_DIVIDE_BY_ZERO);
  if (trapped !== 0) cpu.programException(PGM_DATA, (trapped & IEEE_INVALID) !== 0 ? IEEE_INVALID : IEEE_DIVIDE_BY_ZERO);
}

/**
 * After the result is stored: a trapped overflow/underflow (DXC 0x20/0x10 with 0x08 when inexact
 * and 0x04 when incremented) or inexact result (0x08/0x0C) interrupts; untrapped exceptions set
 * their flags.
 */
export function complete(cpu: CpuCore, suppressInexact = false): void {
  const x = env.exceptions;
  if (x === 0) return;
  const inexactCode = (x & IEEE_INEXACT) !== 0 ? (env.incremented ? 0x0c : 0x08) : 0;
  if ((x & env.traps & IEEE_OVERFLOW) !== 0) cpu.programException(PGM_DATA, IEEE_OVERFLOW | inexactCode);
  if ((x & env.traps & IEEE_UNDERFLOW) !== 0) cpu.programException(PGM_DATA, IEEE_UNDERFLOW | inexactCode);
  let flags = x & (IEEE_INVALID | IEEE_DIVIDE_BY_ZERO | IEEE_OVERFLOW | IEEE_UNDERFLOW);
  if (!suppressInexact) flags |= x & IEEE_INEXACT;
  cpu.fpc = (cpu.fpc | (flags << 16)) >>> 0;
  if (!suppressInexact && (x & env.traps & IEEE_INEXACT) !== 0) cpu.programException(PGM_DATA, inexactCode);
}

/** M4 bit 1 (value 4): the inexact-suppression control. */
export const inexactSuppressed = (m4: number): boolean => (m4 & 4) !== 0;

// ---- register and storage operands (FPR i is the left doubleword of vector register i) ----

export function readFpr(cpu: CpuCore, f: BfpFormat, r: number): bigint {
  const v = cpu.vrView;
  if (f === SHORT) return BigInt(v.getUint32(16 * r));
  if (f === LONG) return v.getBigUint64(16 * r);
  return (v.getBigUint64(16 * r) << 64n) | v.getBigUint64(16 * (r + 2));
}

export function writeFpr(cpu: CpuCore, f: BfpFormat, r: number, value: bigint): void {
  const v = cpu.vrView;
  if (f === SHORT) v.setUint32(16 * r, Number(value));
  else if (f === LONG) v.setBigUint64(16 * r, value);
  else {
    v.setBigUint64(16 * r, value >> 64n);
    v.setBigUint64(16 * (r + 2), BigInt.asUintN(64, value));
  }
}

/** A short or long operand from storage. */
export function readStorage(cpu: CpuCore, f: BfpFormat, addr: number): bigint {
  return f === SHORT ? BigInt(cpu.readU32(addr)) : cpu.readU64(addr);
}

// ---- the operands of an instruction, fetched in one order for every instruction of a form ----

/** R1 and the second operand's value. */
export interface BfpOperands {
  readonly r1: number;
  readonly op2: bigint;
}
/** R1, R3 and the second operand's value (MULTIPLY AND ADD/SUBTRACT). */
export interface BfpOperands3 extends BfpOperands {
  readonly r3: number;
}

/**
 * Checks the BFP facility, the first operand (R1, format `f1`) and fetches the second (format
 * `f2`); a register form checks R2 as well, a storage form reads D2(X2,B2).
 */
export type SecondOperand<F extends 'RRE' | 'RXE'> = (cpu: CpuCore, a: InsnA<F>, f1: BfpFormat, f2: BfpFormat) => BfpOperands;

/** RRE: the second operand is FPR R2. */
export const fromRegister: SecondOperand<'RRE'> = (cpu, a, f1, f2) => {
  requireBfp(cpu);
  const r1 = fRreR1(a);
  const r2 = fRreR2(a);
  checkOperand(cpu, f1, r1);
  checkOperand(cpu, f2, r2);
  return { r1, op2: readFpr(cpu, f2, r2) };
};

/** RXE: the second operand is in storage at D2(X2,B2). */
export const fromStorage: SecondOperand<'RXE'> = (cpu, a, f1, f2) => {
  requireBfp(cpu);
  const r1 = fR1(a);
  checkOperand(cpu, f1, r1);
  return { r1, op2: readStorage(cpu, f2, eaRX(cpu, a)) };
};

/** The three operands of MULTIPLY AND ADD/SUBTRACT in format `f`, from RRD (R2) or RXF (storage). */
export type ThreeOperands<F extends 'RRD' | 'RXF'> = (cpu: CpuCore, a: InsnA<F>, b: InsnB<F>, f: BfpFormat) => BfpOperands3;

/** RRD: R1 bits 16–19, R3 24–27, R2 28–31. */
export const threeFromRegisters: ThreeOperands<'RRD'> = (cpu, a, _b, f) => {
  requireBfp(cpu);
  const r1 = fRrdR1(a);
  const r3 = fRrdR3(a);
  const r2 = fRreR2(a);
  checkOperand(cpu, f, r1);
  checkOperand(cpu, f, r3);
  checkOperand(cpu, f, r2);
  return { r1, r3, op2: readFpr(cpu, f, r2) };
};

/** RXF: R3 bits 8–11, the second operand at D2(X2,B2), R1 bits 32–35. */
export const threeFromStorage: ThreeOperands<'RXF'> = (cpu, a, b, f) => {
  requireBfp(cpu);
  const r1 = fRxfR1(b);
  const r3 = fRxfR3(a);
  checkOperand(cpu, f, r1);
  checkOperand(cpu, f, r3);
  return { r1, r3, op2: readStorage(cpu, f, eaRX(cpu, a)) };
};

/** Condition code of a result: 0 zero, 1 negative, 2 positive, 3 NaN. */
export function resultCc(f: BfpFormat, v: bigint): number {
  if (isNaN(f, v)) return 3;
  if (isZero(f, v)) return 0;
  return isNegative(f, v) ? 1 : 2;
}
