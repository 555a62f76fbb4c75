// BFP format conversions (PoO chapter 19): LOAD LENGTHENED (exact), LOAD ROUNDED (with the M3
// rounding modifier and M4 inexact-suppression control of the floating-point-extension
// facility), LOAD FP INTEGER, CONVERT FROM FIXED / FROM LOGICAL (32- and 64-bit GPR sources),
// CONVERT TO FIXED / TO LOGICAL (CC 0 zero, 1 < 0, 2 > 0, 3 NaN or out of range) and DIVIDE TO
// INTEGER. The M3 field selects the rounding (0 the FPC's, 1 nearest with ties away, 3 prepare
// for shorter precision, 4–7 nearest-even, zero, +∞, −∞; 2 and 8–15 are a specification
// exception); M4 bit 1 suppresses the inexact exception.

import type { CpuCore } from '../../core/cpu-core.js';
import { def } from '../define.js';
import { fRreR1, fRreR2, fRrfM3, fRrfM4 } from '../fields.js';
import type { InstructionDef, Semantics } from '../types.js';
import { begin, checkOperand, complete, env, fromRegister, fromStorage, inexactSuppressed, readFpr, requireBfp, suppressIfTrapped, writeFpr, type SecondOperand } from './bfp-operands.js';
import { convertFormat, EXTENDED, fromInteger, LONG, roundToIntegral, SHORT, toInteger, type BfpFormat } from './softfloat/index.js';

/** LOAD LENGTHENED: op1 (longer) ← op2, exact; a signalling NaN is invalid and quieted. */
function lengthened<F extends 'RRE' | 'RXE'>(from: BfpFormat, to: BfpFormat, second: SecondOperand<F>): Semantics<F> {
  return (cpu, a) => {
    const { r1, op2 } = second(cpu, a, to, from);
    begin(cpu);
    const result = convertFormat(from, to, op2, env);
    suppressIfTrapped(cpu);
    writeFpr(cpu, to, r1, result);
    complete(cpu);
  };
}

/**
 * LOAD ROUNDED (RRF-e: R1, M3, R2, M4): op1 (shorter) ← op2 rounded. From the extended format
 * both R1 and R2 must name valid pairs (as GNU as requires; qemu-s390x checks only R2).
 */
function rounded(from: BfpFormat, to: BfpFormat): Semantics<'RRF-e'> {
  return (cpu, a) => {
    requireBfp(cpu);
    const r1 = fRreR1(a);
    const r2 = fRreR2(a);
    checkOperand(cpu, from, r2);
    checkOperand(cpu, from, r1);
    begin(cpu, fRrfM3(a));
    const result = convertFormat(from, to, readFpr(cpu, from, r2), env);
    suppressIfTrapped(cpu);
    writeFpr(cpu, to, r1, result);
    complete(cpu, inexactSuppressed(fRrfM4(a)));
  };
}

/** LOAD FP INTEGER (RRF-e): op1 ← op2 rounded to an integral value. */
function fpInteger(f: BfpFormat): Semantics<'RRF-e'> {
  return (cpu, a) => {
    requireBfp(cpu);
    const r1 = fRreR1(a);
    const r2 = fRreR2(a);
    checkOperand(cpu, f, r1);
    checkOperand(cpu, f, r2);
    begin(cpu, fRrfM3(a));
    const result = roundToIntegral(f, readFpr(cpu, f, r2), env);
    suppressIfTrapped(cpu);
    writeFpr(cpu, f, r1, result);
    complete(cpu, inexactSuppressed(fRrfM4(a)));
  };
}

/** GPR r as a signed or unsigned 32/64-bit integer. */
function gprValue(cpu: CpuCore, r: number, bits: 32 | 64, signed: boolean): bigint {
  const lo = BigInt(cpu.r[2 * r + 1]!);
  if (bits === 32) return signed ? BigInt.asIntN(32, lo) : lo;
  const v = (BigInt(cpu.r[2 * r]!) << 32n) | lo;
  return signed ? BigInt.asIntN(64, v) : v;
}

/** CONVERT FROM FIXED / FROM LOGICAL (RRF-e: R1, M3, R2, M4): FPR r1 ← GPR r2. */
function fromFixed(f: BfpFormat, bits: 32 | 64, signed: boolean): Semantics<'RRF-e'> {
  return (cpu, a) => {
    requireBfp(cpu);
    const r1 = fRreR1(a);
    checkOperand(cpu, f, r1);
    begin(cpu, fRrfM3(a));
    const result = fromInteger(f, gprValue(cpu, fRreR2(a), bits, signed), env);
    writeFpr(cpu, f, r1, result);
    complete(cpu, inexactSuppressed(fRrfM4(a)));
  };
}

/** CONVERT TO FIXED / TO LOGICAL (RRF-e: R1, M3, R2, M4): GPR r1 ← FPR r2 rounded; 32-bit results keep bits 0–31. */
function toFixed(f: BfpFormat, bits: 32 | 64, signed: boolean): Semantics<'RRF-e'> {
  return (cpu, a) => {
    requireBfp(cpu);
    const r1 = fRreR1(a);
    const r2 = fRreR2(a);
    checkOperand(cpu, f, r2);
    begin(cpu, fRrfM3(a));
    const { value, cc } = toInteger(f, readFpr(cpu, f, r2), bits, signed, env);
    suppressIfTrapped(cpu);
    cpu.r[2 * r1 + 1] = Number(value & 0xffffffffn);
    if (bits === 64) cpu.r[2 * r1] = Number(value >> 32n);
    cpu.cc = cc;
    complete(cpu, inexactSuppressed(fRrfM4(a)));
  };
}

const E = SHORT;
const D = LONG;
const X = EXTENDED;

/** objdump prints the RRF-e forms without the M fields it does not show as the older mnemonic. */
const withoutModifiers = (mnemonic: string, operands: string) => [{ mnemonic, when: { M3: 0, M4: 0 }, operands }];
const withoutM4 = (mnemonic: string, operands: string) => [{ mnemonic, when: { M4: 0 }, operands }];

export const bfpConvertInstructions: InstructionDef[] = [
  def('ldebr', 0xb304, 'RRE', 'f:R1,f:R2', lengthened(E, D, fromRegister)),
  def('lxdbr', 0xb305, 'RRE', 'f:R1,f:R2', lengthened(D, X, fromRegister)),
  def('lxebr', 0xb306, 'RRE', 'f:R1,f:R2', lengthened(E, X, fromRegister)),
  def('ldeb', 0xed04, 'RXE', 'f:R1,dxb:2', lengthened(E, D, fromStorage)),
  def('lxdb', 0xed05, 'RXE', 'f:R1,dxb:2', lengthened(D, X, fromStorage)),
  def('lxeb', 0xed06, 'RXE', 'f:R1,dxb:2', lengthened(E, X, fromStorage)),
  def('ledbra', 0xb344, 'RRF-e', 'f:R1,m:M3,f:R2,m:M4', rounded(D, E), withoutModifiers('ledbr', 'f:R1,f:R2')),
  def('ldxbra', 0xb345, 'RRF-e', 'f:R1,m:M3,f:R2,m:M4', rounded(X, D), withoutModifiers('ldxbr', 'f:R1,f:R2')),
  def('lexbra', 0xb346, 'RRF-e', 'f:R1,m:M3,f:R2,m:M4', rounded(X, E), withoutModifiers('lexbr', 'f:R1,f:R2')),
  def('fiebra', 0xb357, 'RRF-e', 'f:R1,m:M3,f:R2,m:M4', fpInteger(E), withoutM4('fiebr', 'f:R1,m:M3,f:R2')),
  def('fidbra', 0xb35f, 'RRF-e', 'f:R1,m:M3,f:R2,m:M4', fpInteger(D), withoutM4('fidbr', 'f:R1,m:M3,f:R2')),
  def('fixbra', 0xb347, 'RRF-e', 'f:R1,m:M3,f:R2,m:M4', fpInteger(X), withoutM4('fixbr', 'f:R1,m:M3,f:R2')),
  def('cefbra', 0xb394, 'RRF-e', 'f:R1,m:M3,r:R2,m:M4', fromFixed(E, 32, true), withoutModifiers('cefbr', 'f:R1,r:R2')),
  def('cdfbra', 0xb395, 'RRF-e', 'f:R1,m:M3,r:R2,m:M4', fromFixed(D, 32, true), withoutModifiers('cdfbr', 'f:R1,r:R2')),
  def('cxfbra', 0xb396, 'RRF-e', 'f:R1,m:M3,r:R2,m:M4', fromFixed(X, 32, true), withoutModifiers('cxfbr', 'f:R1,r:R2')),
  def('cegbra', 0xb3a4, 'RRF-e', 'f:R1,m:M3,r:R2,m:M4', fromFixed(E, 64, true), withoutModifiers('cegbr', 'f:R1,r:R2')),
  def('cdgbra', 0xb3a5, 'RRF-e', 'f:R1,m:M3,r:R2,m:M4', fromFixed(D, 64, true), withoutModifiers('cdgbr', 'f:R1,r:R2')),
  def('cxgbra', 0xb3a6, 'RRF-e', 'f:R1,m:M3,r:R2,m:M4', fromFixed(X, 64, true), withoutModifiers('cxgbr', 'f:R1,r:R2')),
  def('celfbr', 0xb390, 'RRF-e', 'f:R1,m:M3,r:R2,m:M4', fromFixed(E, 32, false)),
  def('cdlfbr', 0xb391, 'RRF-e', 'f:R1,m:M3,r:R2,m:M4', fromFixed(D, 32, false)),
  def('cxlfbr', 0xb392, 'RRF-e', 'f:R1,m:M3,r:R2,m:M4', fromFixed(X, 32, false)),
  def('celgbr', 0xb3a0, 'RRF-e', 'f:R1,m:M3,r:R2,m:M4', fromFixed(E, 64, false)),
  def('cdlgbr', 0xb3a1, 'RRF-e', 'f:R1,m:M3,r:R2,m:M4', fromFixed(D, 64, false)),
  def('cxlgbr', 0xb3a2, 'RRF-e', 'f:R1,m:M3,r:R2,m:M4', fromFixed(X, 64, false)),
  def('cfebra', 0xb398, 'RRF-e', 'r:R1,m:M3,f:R2,m:M4', toFixed(E, 32, true), withoutM4('cfebr', 'r:R1,m:M3,f:R2')),
  def('cfdbra', 0xb399, 'RRF-e', 'r:R1,m:M3,f:R2,m:M4', toFixed(D, 32, true), withoutM4('cfdbr', 'r:R1,m:M3,f:R2')),
  def('cfxbra', 0xb39a, 'RRF-e', 'r:R1,m:M3,f:R2,m:M4', toFixed(X, 32, true), withoutM4('cfxbr', 'r:R1,m:M3,f:R2')),
  def('cgebra', 0xb3a8, 'RRF-e', 'r:R1,m:M3,f:R2,m:M4', toFixed(E, 64, true), withoutM4('cgebr', 'r:R1,m:M3,f:R2')),
  def('cgdbra', 0xb3a9, 'RRF-e', 'r:R1,m:M3,f:R2,m:M4', toFixed(D, 64, true), withoutM4('cgdbr', 'r:R1,m:M3,f:R2')),
  def('cgxbra', 0xb3aa, 'RRF-e', 'r:R1,m:M3,f:R2,m:M4', toFixed(X, 64, true), withoutM4('cgxbr', 'r:R1,m:M3,f:R2')),
  def('clfebr', 0xb39c, 'RRF-e', 'r:R1,m:M3,f:R2,m:M4', toFixed(E, 32, false)),
  def('clfdbr', 0xb39d, 'RRF-e', 'r:R1,m:M3,f:R2,m:M4', toFixed(D, 32, false)),
  def('clfxbr', 0xb39e, 'RRF-e', 'r:R1,m:M3,f:R2,m:M4', toFixed(X, 32, false)),
  def('clgebr', 0xb3ac, 'RRF-e', 'r:R1,m:M3,f:R2,m:M4', toFixed(E, 64, false)),
  def('clgdbr', 0xb3ad, 'RRF-e', 'r:R1,m:M3,f:R2,m:M4', toFixed(D, 64, false)),
  def('clgxbr', 0xb3ae, 'RRF-e', 'r:R1,m:M3,f:R2,m:M4', toFixed(X, 64, false)),
];
