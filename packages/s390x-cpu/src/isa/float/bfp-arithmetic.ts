// BFP arithmetic instructions (PoO chapter 19): ADD, SUBTRACT, MULTIPLY (also short × short →
// long and long × long → extended), DIVIDE, MULTIPLY AND ADD/SUBTRACT, SQUARE ROOT, COMPARE,
// COMPARE AND SIGNAL, LOAD AND TEST, LOAD COMPLEMENT/NEGATIVE/POSITIVE and TEST DATA CLASS in
// the short (E), long (D) and extended (X) formats, register (RRE/RRD) and storage (RXE/RXF)
// forms. ADD, SUBTRACT and the LOAD instructions set the CC from the result (0 zero, 1 < 0,
// 2 > 0, 3 NaN); COMPARE sets 0 equal, 1 low, 2 high, 3 unordered.

import type { CpuCore } from '../../core/cpu-core.js';
import { def } from '../define.js';
import { fR1, fRrdR1, fRrdR3, fRreR1, fRreR2, fRxfR1, fRxfR3 } from '../formats.js';
import { eaRX } from '../general/alu.js';
import type { ExecFn, InstructionDef } from '../types.js';
import { begin, checkOperand, complete, env, readFpr, readStorage, requireBfp, resultCc, suppressIfTrapped, writeFpr } from './bfp-operands.js';
import {
  add,
  compare,
  convertFormat,
  dataClassBit,
  divide,
  EXTENDED,
  isNaN,
  isSignalling,
  LONG,
  multiply,
  multiplyAdd,
  SHORT,
  squareRoot,
  type BfpEnv,
  type BfpFormat,
} from './softfloat/index.js';

type Binary = (f: BfpFormat, a: bigint, b: bigint, env: BfpEnv) => bigint;

const subtract: Binary = (f, a, b, e) => add(f, a, b, e, true);

/** Stores `result` in FPR r1 (suppressing on a trapped invalid/divide), sets the CC if asked, completes. */
function finish(cpu: CpuCore, f: BfpFormat, r1: number, result: bigint, setsCc: boolean): void {
  suppressIfTrapped(cpu);
  writeFpr(cpu, f, r1, result);
  if (setsCc) cpu.cc = resultCc(f, result);
  complete(cpu);
}

/** op1 ← op1 ∘ op2, both registers (RRE). */
function binaryRegister(f: BfpFormat, op: Binary, setsCc: boolean): ExecFn {
  return (cpu, a) => {
    requireBfp(cpu);
    const r1 = fRreR1(a);
    const r2 = fRreR2(a);
    checkOperand(cpu, f, r1);
    checkOperand(cpu, f, r2);
    begin(cpu);
    finish(cpu, f, r1, op(f, readFpr(cpu, f, r1), readFpr(cpu, f, r2), env), setsCc);
  };
}

/** op1 ← op1 ∘ op2, the second operand in storage (RXE). */
function binaryStorage(f: BfpFormat, op: Binary, setsCc: boolean): ExecFn {
  return (cpu, a) => {
    requireBfp(cpu);
    const r1 = fR1(a);
    checkOperand(cpu, f, r1);
    const b = readStorage(cpu, f, eaRX(cpu, a));
    begin(cpu);
    finish(cpu, f, r1, op(f, readFpr(cpu, f, r1), b, env), setsCc);
  };
}

/**
 * MULTIPLY to a longer format (MDEBR, MXDBR, MDEB, MXDB): both operands are lengthened exactly
 * (a signalling NaN is the operation's invalid operand, not the lengthening's) and multiplied in
 * the result format.
 */
function multiplyLengthened(from: BfpFormat, to: BfpFormat, storage: boolean): ExecFn {
  return (cpu, a) => {
    requireBfp(cpu);
    const r1 = storage ? fR1(a) : fRreR1(a);
    checkOperand(cpu, to, r1);
    let op2: bigint;
    if (storage) op2 = readStorage(cpu, from, eaRX(cpu, a));
    else {
      checkOperand(cpu, from, fRreR2(a));
      op2 = readFpr(cpu, from, fRreR2(a));
    }
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

/**
 * MULTIPLY AND ADD/SUBTRACT: op1 ← op3 × op2 ± op1 (RRD: R1 bits 16–19, R3 24–27, R2 28–31;
 * RXF: R3 bits 8–11, second operand D2(X2,B2), R1 bits 32–35).
 */
function multiplyAddRegister(f: BfpFormat, negate: boolean): ExecFn {
  return (cpu, a) => {
    requireBfp(cpu);
    const r1 = fRrdR1(a);
    const r3 = fRrdR3(a);
    const r2 = fRreR2(a);
    checkOperand(cpu, f, r1);
    checkOperand(cpu, f, r3);
    checkOperand(cpu, f, r2);
    begin(cpu);
    finish(cpu, f, r1, multiplyAdd(f, readFpr(cpu, f, r3), readFpr(cpu, f, r2), readFpr(cpu, f, r1), env, negate), false);
  };
}
function multiplyAddStorage(f: BfpFormat, negate: boolean): ExecFn {
  return (cpu, a, b) => {
    requireBfp(cpu);
    const r1 = fRxfR1(b);
    const r3 = fRxfR3(a);
    checkOperand(cpu, f, r1);
    checkOperand(cpu, f, r3);
    const op2 = readStorage(cpu, f, eaRX(cpu, a));
    begin(cpu);
    finish(cpu, f, r1, multiplyAdd(f, readFpr(cpu, f, r3), op2, readFpr(cpu, f, r1), env, negate), false);
  };
}

/** SQUARE ROOT: op1 ← √op2. */
function squareRootOf(f: BfpFormat, storage: boolean): ExecFn {
  return (cpu, a) => {
    requireBfp(cpu);
    const r1 = storage ? fR1(a) : fRreR1(a);
    checkOperand(cpu, f, r1);
    let op2: bigint;
    if (storage) op2 = readStorage(cpu, f, eaRX(cpu, a));
    else {
      checkOperand(cpu, f, fRreR2(a));
      op2 = readFpr(cpu, f, fRreR2(a));
    }
    begin(cpu);
    finish(cpu, f, r1, squareRoot(f, op2, env), false);
  };
}

/** COMPARE (quiet) and COMPARE AND SIGNAL: only the CC changes. */
function compareOf(f: BfpFormat, signalling: boolean, storage: boolean): ExecFn {
  return (cpu, a) => {
    requireBfp(cpu);
    const r1 = storage ? fR1(a) : fRreR1(a);
    checkOperand(cpu, f, r1);
    let op2: bigint;
    if (storage) op2 = readStorage(cpu, f, eaRX(cpu, a));
    else {
      checkOperand(cpu, f, fRreR2(a));
      op2 = readFpr(cpu, f, fRreR2(a));
    }
    begin(cpu);
    const cc = compare(f, readFpr(cpu, f, r1), op2, env, signalling);
    suppressIfTrapped(cpu);
    cpu.cc = cc;
    complete(cpu);
  };
}

/** LOAD AND TEST: op1 ← op2 (a signalling NaN is invalid and quieted), CC from the result. */
function loadAndTest(f: BfpFormat): ExecFn {
  return (cpu, a) => {
    requireBfp(cpu);
    const r1 = fRreR1(a);
    const r2 = fRreR2(a);
    checkOperand(cpu, f, r1);
    checkOperand(cpu, f, r2);
    begin(cpu);
    let v = readFpr(cpu, f, r2);
    if (isSignalling(f, v)) {
      env.exceptions |= 0x80;
      v |= f.quietBit;
    }
    finish(cpu, f, r1, v, true);
  };
}

/** LOAD COMPLEMENT / NEGATIVE / POSITIVE: the sign bit only, no exceptions (NaNs too); CC from the result. */
function signOperation(f: BfpFormat, kind: 'complement' | 'negative' | 'positive'): ExecFn {
  return (cpu, a) => {
    requireBfp(cpu);
    const r1 = fRreR1(a);
    const r2 = fRreR2(a);
    checkOperand(cpu, f, r1);
    checkOperand(cpu, f, r2);
    const v = readFpr(cpu, f, r2);
    const result = kind === 'complement' ? v ^ f.signBit : kind === 'negative' ? v | f.signBit : v & ~f.signBit;
    writeFpr(cpu, f, r1, result);
    cpu.cc = isNaN(f, result) ? 3 : resultCc(f, result);
  };
}

/** TEST DATA CLASS: CC 1 when the bit of the operand's class is one in bits 52–63 of the address. */
function testDataClass(f: BfpFormat): ExecFn {
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
  def('aebr', 0xb30a, 'RRE', 'f:R1,f:R2', binaryRegister(E, add, true)),
  def('adbr', 0xb31a, 'RRE', 'f:R1,f:R2', binaryRegister(D, add, true)),
  def('axbr', 0xb34a, 'RRE', 'f:R1,f:R2', binaryRegister(X, add, true)),
  def('aeb', 0xed0a, 'RXE', 'f:R1,dxb:2', binaryStorage(E, add, true)),
  def('adb', 0xed1a, 'RXE', 'f:R1,dxb:2', binaryStorage(D, add, true)),
  def('sebr', 0xb30b, 'RRE', 'f:R1,f:R2', binaryRegister(E, subtract, true)),
  def('sdbr', 0xb31b, 'RRE', 'f:R1,f:R2', binaryRegister(D, subtract, true)),
  def('sxbr', 0xb34b, 'RRE', 'f:R1,f:R2', binaryRegister(X, subtract, true)),
  def('seb', 0xed0b, 'RXE', 'f:R1,dxb:2', binaryStorage(E, subtract, true)),
  def('sdb', 0xed1b, 'RXE', 'f:R1,dxb:2', binaryStorage(D, subtract, true)),
  def('meebr', 0xb317, 'RRE', 'f:R1,f:R2', binaryRegister(E, multiply, false)),
  def('mdbr', 0xb31c, 'RRE', 'f:R1,f:R2', binaryRegister(D, multiply, false)),
  def('mxbr', 0xb34c, 'RRE', 'f:R1,f:R2', binaryRegister(X, multiply, false)),
  def('meeb', 0xed17, 'RXE', 'f:R1,dxb:2', binaryStorage(E, multiply, false)),
  def('mdb', 0xed1c, 'RXE', 'f:R1,dxb:2', binaryStorage(D, multiply, false)),
  def('mdebr', 0xb30c, 'RRE', 'f:R1,f:R2', multiplyLengthened(E, D, false)),
  def('mxdbr', 0xb307, 'RRE', 'f:R1,f:R2', multiplyLengthened(D, X, false)),
  def('mdeb', 0xed0c, 'RXE', 'f:R1,dxb:2', multiplyLengthened(E, D, true)),
  def('mxdb', 0xed07, 'RXE', 'f:R1,dxb:2', multiplyLengthened(D, X, true)),
  def('debr', 0xb30d, 'RRE', 'f:R1,f:R2', binaryRegister(E, divide, false)),
  def('ddbr', 0xb31d, 'RRE', 'f:R1,f:R2', binaryRegister(D, divide, false)),
  def('dxbr', 0xb34d, 'RRE', 'f:R1,f:R2', binaryRegister(X, divide, false)),
  def('deb', 0xed0d, 'RXE', 'f:R1,dxb:2', binaryStorage(E, divide, false)),
  def('ddb', 0xed1d, 'RXE', 'f:R1,dxb:2', binaryStorage(D, divide, false)),
  def('maebr', 0xb30e, 'RRD', 'f:R1,f:R3,f:R2', multiplyAddRegister(E, false)),
  def('madbr', 0xb31e, 'RRD', 'f:R1,f:R3,f:R2', multiplyAddRegister(D, false)),
  def('maeb', 0xed0e, 'RXF', 'f:R1,f:R3,dxb:2', multiplyAddStorage(E, false)),
  def('madb', 0xed1e, 'RXF', 'f:R1,f:R3,dxb:2', multiplyAddStorage(D, false)),
  def('msebr', 0xb30f, 'RRD', 'f:R1,f:R3,f:R2', multiplyAddRegister(E, true)),
  def('msdbr', 0xb31f, 'RRD', 'f:R1,f:R3,f:R2', multiplyAddRegister(D, true)),
  def('mseb', 0xed0f, 'RXF', 'f:R1,f:R3,dxb:2', multiplyAddStorage(E, true)),
  def('msdb', 0xed1f, 'RXF', 'f:R1,f:R3,dxb:2', multiplyAddStorage(D, true)),
  def('sqebr', 0xb314, 'RRE', 'f:R1,f:R2', squareRootOf(E, false)),
  def('sqdbr', 0xb315, 'RRE', 'f:R1,f:R2', squareRootOf(D, false)),
  def('sqxbr', 0xb316, 'RRE', 'f:R1,f:R2', squareRootOf(X, false)),
  def('sqeb', 0xed14, 'RXE', 'f:R1,dxb:2', squareRootOf(E, true)),
  def('sqdb', 0xed15, 'RXE', 'f:R1,dxb:2', squareRootOf(D, true)),
  def('cebr', 0xb309, 'RRE', 'f:R1,f:R2', compareOf(E, false, false)),
  def('cdbr', 0xb319, 'RRE', 'f:R1,f:R2', compareOf(D, false, false)),
  def('cxbr', 0xb349, 'RRE', 'f:R1,f:R2', compareOf(X, false, false)),
  def('ceb', 0xed09, 'RXE', 'f:R1,dxb:2', compareOf(E, false, true)),
  def('cdb', 0xed19, 'RXE', 'f:R1,dxb:2', compareOf(D, false, true)),
  def('kebr', 0xb308, 'RRE', 'f:R1,f:R2', compareOf(E, true, false)),
  def('kdbr', 0xb318, 'RRE', 'f:R1,f:R2', compareOf(D, true, false)),
  def('kxbr', 0xb348, 'RRE', 'f:R1,f:R2', compareOf(X, true, false)),
  def('keb', 0xed08, 'RXE', 'f:R1,dxb:2', compareOf(E, true, true)),
  def('kdb', 0xed18, 'RXE', 'f:R1,dxb:2', compareOf(D, true, true)),
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
