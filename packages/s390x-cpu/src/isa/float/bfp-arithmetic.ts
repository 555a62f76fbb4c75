// BFP arithmetic instructions (PoO chapter 19): ADD, SUBTRACT, MULTIPLY (also short × short →
// long and long × long → extended), DIVIDE, MULTIPLY AND ADD/SUBTRACT, SQUARE ROOT, COMPARE,
// COMPARE AND SIGNAL, LOAD AND TEST, LOAD COMPLEMENT/NEGATIVE/POSITIVE and TEST DATA CLASS in
// the short (E), long (D) and extended (X) formats, register (RRE/RRD) and storage (RXE/RXF)
// forms. ADD, SUBTRACT and the LOAD instructions set the CC from the result (0 zero, 1 < 0,
// 2 > 0, 3 NaN); COMPARE sets 0 equal, 1 low, 2 high, 3 unordered.

import type { CpuCore } from '../../core/cpu-core.js';
import { def } from '../define.js';
import { fR1 } from '../fields.js';
import { eaRX } from '../general/alu.js';
import type { InstructionDef, Semantics } from '../types.js';
import { begin, checkOperand, complete, env, fromRegister, fromStorage, readFpr, requireBfp, resultCc, suppressIfTrapped, threeFromRegisters, threeFromStorage, writeFpr, type SecondOperand, type ThreeOperands } from './bfp-operands.js';
import { add, compare, convertFormat, dataClassBit, divide, EXTENDED, isNaN, isSignalling, LONG, multiply, multiplyAdd, SHORT, squareRoot, type BfpEnv, type BfpFormat } from './softfloat/index.js';

type Binary = (f: BfpFormat, a: bigint, b: bigint, env: BfpEnv) => bigint;

const subtract: Binary = (f, a, b, e) => add(f, a, b, e, true);

/** Stores `result` in FPR r1 (suppressing on a trapped invalid/divide), sets the CC if asked, completes. */
function finish(cpu: CpuCore, f: BfpFormat, r1: number, result: bigint, setsCc: boolean): void {
  suppressIfTrapped(cpu);
  writeFpr(cpu, f, r1, result);
  if (setsCc) cpu.cc = resultCc(f, result);
  complete(cpu);
}

/** op1 ← op1 ∘ op2, the second operand from a register (RRE) or storage (RXE). */
function binary<F extends 'RRE' | 'RXE'>(f: BfpFormat, op: Binary, setsCc: boolean, second: SecondOperand<F>): Semantics<F> {
  return (cpu, a) => {
    const { r1, op2 } = second(cpu, a, f, f);
    begin(cpu);
    finish(cpu, f, r1, op(f, readFpr(cpu, f, r1), op2, env), setsCc);
  };
}

/**
 * MULTIPLY to a longer format (MDEBR, MXDBR, MDEB, MXDB): both operands are lengthened exactly
 * (a signalling NaN is the operation's invalid operand, not the lengthening's) and multiplied in
 * the result format.
 */
function multiplyLengthened<F extends 'RRE' | 'RXE'>(from: BfpFormat, to: BfpFormat, second: SecondOperand<F>): Semantics<F> {
  return (cpu, a) => {
    const { r1, op2 } = second(cpu, a, to, from);
    const op1 = from === SHORT ? readFpr(cpu, SHORT, r1) : readFpr(cpu, LONG, r1);
    begin(cpu);
    const x = lengthen(from, to, op1);
    const y = lengthen(from, to, op2);
    finish(cpu, to, r1, multiply(to, x, y, env), false);
  };
}

/** Exact lengthening that keeps a signalling NaN signalling. */
function lengthen(from: BfpFormat, to: BfpFormat, v: bigint): bigint {
  if (!isSignalling(from, v)) return convertFormat(from, to, v, env);
  const before = env.exceptions;
  const quiet = convertFormat(from, to, v, env);
  env.exceptions = before;
  return quiet & ~to.quietBit;
}

/** MULTIPLY AND ADD/SUBTRACT: op1 ← op3 × op2 ± op1 (RRD, RXF). */
function multiplyAddOf<F extends 'RRD' | 'RXF'>(f: BfpFormat, negate: boolean, operands: ThreeOperands<F>): Semantics<F> {
  return (cpu, a, b) => {
    const { r1, r3, op2 } = operands(cpu, a, b, f);
    begin(cpu);
    finish(cpu, f, r1, multiplyAdd(f, readFpr(cpu, f, r3), op2, readFpr(cpu, f, r1), env, negate), false);
  };
}

/** SQUARE ROOT: op1 ← √op2. */
function squareRootOf<F extends 'RRE' | 'RXE'>(f: BfpFormat, second: SecondOperand<F>): Semantics<F> {
  return (cpu, a) => {
    const { r1, op2 } = second(cpu, a, f, f);
    begin(cpu);
    finish(cpu, f, r1, squareRoot(f, op2, env), false);
  };
}

/** COMPARE (quiet) and COMPARE AND SIGNAL: only the CC changes. */
function compareOf<F extends 'RRE' | 'RXE'>(f: BfpFormat, signalling: boolean, second: SecondOperand<F>): Semantics<F> {
  return (cpu, a) => {
    const { r1, op2 } = second(cpu, a, f, f);
    begin(cpu);
    const cc = compare(f, readFpr(cpu, f, r1), op2, env, signalling);
    suppressIfTrapped(cpu);
    cpu.cc = cc;
    complete(cpu);
  };
}

/** LOAD AND TEST: op1 ← op2 (a signalling NaN is invalid and quieted), CC from the result. */
function loadAndTest(f: BfpFormat): Semantics<'RRE'> {
  return (cpu, a) => {
    const { r1, op2 } = fromRegister(cpu, a, f, f);
    begin(cpu);
    let v = op2;
    if (isSignalling(f, v)) {
      env.exceptions |= 0x80;
      v |= f.quietBit;
    }
    finish(cpu, f, r1, v, true);
  };
}

/** LOAD COMPLEMENT / NEGATIVE / POSITIVE: the sign bit only, no exceptions (NaNs too); CC from the result. */
function signOperation(f: BfpFormat, kind: 'complement' | 'negative' | 'positive'): Semantics<'RRE'> {
  return (cpu, a) => {
    const { r1, op2: v } = fromRegister(cpu, a, f, f);
    const result = kind === 'complement' ? v ^ f.signBit : kind === 'negative' ? v | f.signBit : v & ~f.signBit;
    writeFpr(cpu, f, r1, result);
    cpu.cc = isNaN(f, result) ? 3 : resultCc(f, result);
  };
}

/** TEST DATA CLASS: CC 1 when the bit of the operand's class is one in bits 52–63 of the address. */
function testDataClass(f: BfpFormat): Semantics<'RXE'> {
  return (cpu, a) => {
    requireBfp(cpu);
    const r1 = fR1(a);
    checkOperand(cpu, f, r1);
    const mask = eaRX(cpu, a) % 4096;
    cpu.cc = (mask & dataClassBit(f, readFpr(cpu, f, r1))) !== 0 ? 1 : 0;
  };
}

const E = SHORT;
const D = LONG;
const X = EXTENDED;

export const bfpArithmeticInstructions: InstructionDef[] = [
  def('aebr', 0xb30a, 'RRE', 'f:R1,f:R2', binary(E, add, true, fromRegister)),
  def('adbr', 0xb31a, 'RRE', 'f:R1,f:R2', binary(D, add, true, fromRegister)),
  def('axbr', 0xb34a, 'RRE', 'f:R1,f:R2', binary(X, add, true, fromRegister)),
  def('aeb', 0xed0a, 'RXE', 'f:R1,dxb:2', binary(E, add, true, fromStorage)),
  def('adb', 0xed1a, 'RXE', 'f:R1,dxb:2', binary(D, add, true, fromStorage)),
  def('sebr', 0xb30b, 'RRE', 'f:R1,f:R2', binary(E, subtract, true, fromRegister)),
  def('sdbr', 0xb31b, 'RRE', 'f:R1,f:R2', binary(D, subtract, true, fromRegister)),
  def('sxbr', 0xb34b, 'RRE', 'f:R1,f:R2', binary(X, subtract, true, fromRegister)),
  def('seb', 0xed0b, 'RXE', 'f:R1,dxb:2', binary(E, subtract, true, fromStorage)),
  def('sdb', 0xed1b, 'RXE', 'f:R1,dxb:2', binary(D, subtract, true, fromStorage)),
  def('meebr', 0xb317, 'RRE', 'f:R1,f:R2', binary(E, multiply, false, fromRegister)),
  def('mdbr', 0xb31c, 'RRE', 'f:R1,f:R2', binary(D, multiply, false, fromRegister)),
  def('mxbr', 0xb34c, 'RRE', 'f:R1,f:R2', binary(X, multiply, false, fromRegister)),
  def('meeb', 0xed17, 'RXE', 'f:R1,dxb:2', binary(E, multiply, false, fromStorage)),
  def('mdb', 0xed1c, 'RXE', 'f:R1,dxb:2', binary(D, multiply, false, fromStorage)),
  def('mdebr', 0xb30c, 'RRE', 'f:R1,f:R2', multiplyLengthened(E, D, fromRegister)),
  def('mxdbr', 0xb307, 'RRE', 'f:R1,f:R2', multiplyLengthened(D, X, fromRegister)),
  def('mdeb', 0xed0c, 'RXE', 'f:R1,dxb:2', multiplyLengthened(E, D, fromStorage)),
  def('mxdb', 0xed07, 'RXE', 'f:R1,dxb:2', multiplyLengthened(D, X, fromStorage)),
  def('debr', 0xb30d, 'RRE', 'f:R1,f:R2', binary(E, divide, false, fromRegister)),
  def('ddbr', 0xb31d, 'RRE', 'f:R1,f:R2', binary(D, divide, false, fromRegister)),
  def('dxbr', 0xb34d, 'RRE', 'f:R1,f:R2', binary(X, divide, false, fromRegister)),
  def('deb', 0xed0d, 'RXE', 'f:R1,dxb:2', binary(E, divide, false, fromStorage)),
  def('ddb', 0xed1d, 'RXE', 'f:R1,dxb:2', binary(D, divide, false, fromStorage)),
  def('maebr', 0xb30e, 'RRD', 'f:R1,f:R3,f:R2', multiplyAddOf(E, false, threeFromRegisters)),
  def('madbr', 0xb31e, 'RRD', 'f:R1,f:R3,f:R2', multiplyAddOf(D, false, threeFromRegisters)),
  def('maeb', 0xed0e, 'RXF', 'f:R1,f:R3,dxb:2', multiplyAddOf(E, false, threeFromStorage)),
  def('madb', 0xed1e, 'RXF', 'f:R1,f:R3,dxb:2', multiplyAddOf(D, false, threeFromStorage)),
  def('msebr', 0xb30f, 'RRD', 'f:R1,f:R3,f:R2', multiplyAddOf(E, true, threeFromRegisters)),
  def('msdbr', 0xb31f, 'RRD', 'f:R1,f:R3,f:R2', multiplyAddOf(D, true, threeFromRegisters)),
  def('mseb', 0xed0f, 'RXF', 'f:R1,f:R3,dxb:2', multiplyAddOf(E, true, threeFromStorage)),
  def('msdb', 0xed1f, 'RXF', 'f:R1,f:R3,dxb:2', multiplyAddOf(D, true, threeFromStorage)),
  def('sqebr', 0xb314, 'RRE', 'f:R1,f:R2', squareRootOf(E, fromRegister)),
  def('sqdbr', 0xb315, 'RRE', 'f:R1,f:R2', squareRootOf(D, fromRegister)),
  def('sqxbr', 0xb316, 'RRE', 'f:R1,f:R2', squareRootOf(X, fromRegister)),
  def('sqeb', 0xed14, 'RXE', 'f:R1,dxb:2', squareRootOf(E, fromStorage)),
  def('sqdb', 0xed15, 'RXE', 'f:R1,dxb:2', squareRootOf(D, fromStorage)),
  def('cebr', 0xb309, 'RRE', 'f:R1,f:R2', compareOf(E, false, fromRegister)),
  def('cdbr', 0xb319, 'RRE', 'f:R1,f:R2', compareOf(D, false, fromRegister)),
  def('cxbr', 0xb349, 'RRE', 'f:R1,f:R2', compareOf(X, false, fromRegister)),
  def('ceb', 0xed09, 'RXE', 'f:R1,dxb:2', compareOf(E, false, fromStorage)),
  def('cdb', 0xed19, 'RXE', 'f:R1,dxb:2', compareOf(D, false, fromStorage)),
  def('kebr', 0xb308, 'RRE', 'f:R1,f:R2', compareOf(E, true, fromRegister)),
  def('kdbr', 0xb318, 'RRE', 'f:R1,f:R2', compareOf(D, true, fromRegister)),
  def('kxbr', 0xb348, 'RRE', 'f:R1,f:R2', compareOf(X, true, fromRegister)),
  def('keb', 0xed08, 'RXE', 'f:R1,dxb:2', compareOf(E, true, fromStorage)),
  def('kdb', 0xed18, 'RXE', 'f:R1,dxb:2', compareOf(D, true, fromStorage)),
  def('ltebr', 0xb302, 'RRE', 'f:R1,f:R2', loadAndTest(E)),
  def('ltdbr', 0xb312, 'RRE', 'f:R1,f:R2', loadAndTest(D)),
  def('ltxbr', 0xb342, 'RRE', 'f:R1,f:R2', loadAndTest(X)),
  def('lcebr', 0xb303, 'RRE', 'f:R1,f:R2', signOperation(E, 'complement')),
  def('lcdbr', 0xb313, 'RRE', 'f:R1,f:R2', signOperation(D, 'complement')),
  def('lcxbr', 0xb343, 'RRE', 'f:R1,f:R2', signOperation(X, 'complement')),
  def('lnebr', 0xb301, 'RRE', 'f:R1,f:R2', signOperation(E, 'negative')),
  def('lndbr', 0xb311, 'RRE', 'f:R1,f:R2', signOperation(D, 'negative')),
  def('lnxbr', 0xb341, 'RRE', 'f:R1,f:R2', signOperation(X, 'negative')),
  def('lpebr', 0xb300, 'RRE', 'f:R1,f:R2', signOperation(E, 'positive')),
  def('lpdbr', 0xb310, 'RRE', 'f:R1,f:R2', signOperation(D, 'positive')),
  def('lpxbr', 0xb340, 'RRE', 'f:R1,f:R2', signOperation(X, 'positive')),
  def('tceb', 0xed10, 'RXE', 'f:R1,dxb:2', testDataClass(E)),
  def('tcdb', 0xed11, 'RXE', 'f:R1,dxb:2', testDataClass(D)),
  def('tcxb', 0xed12, 'RXE', 'f:R1,dxb:2', testDataClass(X)),
];
