// The element machinery of the vector floating-point instructions (PoO chapter 24, "Vector
// Floating-Point Instructions"; the vector-enhancements facilities 1 and 2): the floating-point
// format field (2 short, 3 long, 4 extended; anything else is a specification exception), the
// single-element control (value 8 of the M field: only element 0, the "W" forms) and the
// IEEE-inexact-exception control XxC (value 4: no inexact flag and no inexact trap). An extended
// operand fills a whole register: it is always one element, whatever the control says. Elements are processed
// from left to right; an IEEE exception whose FPC mask bit is one stops the instruction with a
// vector-processing exception (program interruption 0x1B) whose vector-exception code is the
// element index in bits 0–3 and the exception in bits 4–7 (1 invalid, 2 division by zero,
// 3 overflow, 4 underflow, 5 inexact): the instruction is suppressed, so neither the first operand
// nor the FPC flags change. Otherwise the flags of all elements are set together at the end.
// [E] The elements a single-element form does not compute are zero, as in qemu-s390x.

import type { CpuCore } from '../../core/cpu-core.js';
import { PGM_OPERATION, PGM_VECTOR_PROCESSING } from '../../core/exceptions.js';
import { begin, env } from '../float/bfp-operands.js';
import { EXTENDED, IEEE_DIVIDE_BY_ZERO, IEEE_INEXACT, IEEE_INVALID, IEEE_OVERFLOW, IEEE_UNDERFLOW, LONG, SHORT, type BfpFormat } from '../float/softfloat/index.js';
import type { InstructionAlias } from '../types.js';

export { env };

/** The single-element control of an M field (its bit 0). */
export const SINGLE = 8;
/** The IEEE-inexact-exception control of an M field (its bit 1). */
export const XXC = 4;

/** Facility bits of the vector-enhancements facilities 1 (z14) and 2 (z15). */
export const VECTOR_ENHANCEMENTS_1 = 135;
export const VECTOR_ENHANCEMENTS_2 = 148;

/** Operation exception unless vector-enhancements facility 1 is installed (its new opcodes). */
export function requireEnhancements1(cpu: CpuCore): void {
  if (!cpu.hasFacility(VECTOR_ENHANCEMENTS_1)) cpu.programException(PGM_OPERATION);
}

/**
 * The element format of format field `fpf`: long (z13), short (the facility `shortFacility`,
 * vector-enhancements 1 unless said otherwise) or extended (vector-enhancements 1); any other
 * value, or one the CPU model lacks, is a specification exception.
 */
export function elementFormat(cpu: CpuCore, fpf: number, shortFacility = VECTOR_ENHANCEMENTS_1): BfpFormat {
  cpu.requireSpec(fpf === 3 || (fpf === 2 && cpu.hasFacility(shortFacility)) || (fpf === 4 && cpu.hasFacility(VECTOR_ENHANCEMENTS_1)));
  return fpf === 2 ? SHORT : fpf === 3 ? LONG : EXTENDED;
}

/** Checks the bits of modifier `m` outside `allowed` are zero (a specification exception otherwise). */
export function checkReserved(cpu: CpuCore, m: number, allowed: number): void {
  cpu.requireSpec((m & ~allowed) === 0);
}

/** Number of elements an instruction computes: one for the single-element forms and extended operands. */
export const elementCount = (f: BfpFormat, single: boolean): number => (single ? 1 : 128 / f.bits);

/** Element `i` of format `f` of vector register `v` (extended: the whole register). */
export function readElement(cpu: CpuCore, f: BfpFormat, v: number, i: number): bigint {
  const dv = cpu.vrView;
  const at = 16 * v;
  if (f.bits === 32) return BigInt(dv.getUint32(at + 4 * i));
  if (f.bits === 64) return dv.getBigUint64(at + 8 * i);
  return (dv.getBigUint64(at) << 64n) | dv.getBigUint64(at + 8);
}

/** The result register being built; copied into V1 only when the instruction completes. */
const result = new Uint8Array(16);
const resultView = new DataView(result.buffer);

/** Clears the result register (elements not computed stay zero). */
export function clearResult(): void {
  result.fill(0);
}

/** Copies V `v` into the result register (for instructions that change only some elements). */
export function resultFromRegister(cpu: CpuCore, v: number): void {
  result.set(cpu.vr.subarray(16 * v, 16 * v + 16));
}

/** Sets element `i` of format `f` (or of `bits` bits) in the result register. */
export function writeResult(bits: 32 | 64 | 128, i: number, value: bigint): void {
  if (bits === 32) resultView.setUint32(4 * i, Number(value));
  else if (bits === 64) resultView.setBigUint64(8 * i, value);
  else {
    resultView.setBigUint64(0, value >> 64n);
    resultView.setBigUint64(8, BigInt.asUintN(64, value));
  }
}

/** Stores the result register into V `v1`. */
export function commitResult(cpu: CpuCore, v1: number): void {
  cpu.vr.set(result, 16 * v1);
}

/** Exceptions of the elements done so far and whether XxC removes inexact. */
let pending = 0;
let suppressInexact = false;

/**
 * Starts an instruction's elements: rounding from modifier `m` (0: the FPC's BFP rounding mode;
 * 2 and 8–15 are a specification exception), traps from the FPC masks, XxC from `xxc`.
 */
export function startElements(cpu: CpuCore, m = 0, xxc = false): void {
  begin(cpu, m);
  suppressInexact = xxc;
  pending = 0;
}

/** Starts one element's operation. */
export function startElement(): void {
  env.exceptions = 0;
  env.incremented = false;
}

/** Vector-exception code of the highest-priority trapped exception (invalid first, inexact last). */
function exceptionCode(trapped: number): number {
  if ((trapped & IEEE_INVALID) !== 0) return 1;
  if ((trapped & IEEE_DIVIDE_BY_ZERO) !== 0) return 2;
  if ((trapped & IEEE_OVERFLOW) !== 0) return 3;
  if ((trapped & IEEE_UNDERFLOW) !== 0) return 4;
  return 5;
}

/** Ends element `index`: a trapped exception interrupts (VXC), others wait for `finishElements`. */
export function endElement(cpu: CpuCore, index: number): void {
  let x = env.exceptions;
  if (x === 0) return;
  if (suppressInexact) x &= ~IEEE_INEXACT;
  const trapped = x & env.traps;
  if (trapped !== 0) cpu.programException(PGM_VECTOR_PROCESSING, (index << 4) | exceptionCode(trapped));
  pending |= x;
}

/** Sets the FPC flags of every element once the instruction completes. */
export function finishElements(cpu: CpuCore): void {
  if (pending !== 0) cpu.fpc = (cpu.fpc | (pending << 16)) >>> 0;
}

/**
 * The common shape: for each element `i` (one when `single`) `compute(i)` gives its result,
 * rounded and with its exceptions in `env`; results go to V1 when every element is done.
 */
export function eachElement(cpu: CpuCore, f: BfpFormat, single: boolean, v1: number, compute: (i: number) => bigint): void {
  clearResult();
  const n = elementCount(f, single);
  for (let i = 0; i < n; i++) {
    startElement();
    const value = compute(i);
    endElement(cpu, i);
    writeResult(f.bits, i, value);
  }
  finishElements(cpu);
  commitResult(cpu, v1);
}

/** objdump's extended mnemonics: `base`+sb/db (all elements) and w`base`+sb/db/xb (element 0). */
export function formatAliases(base: string, formatField: string, flagsField: string, operands: string, extra: Record<string, number> = {}, suffix = ''): InstructionAlias[] {
  const out: InstructionAlias[] = [];
  for (const [single, prefix] of [
    [0, 'v'],
    [SINGLE, 'w'],
  ] as const) {
    for (const [fpf, letter] of [
      [2, 's'],
      [3, 'd'],
      [4, 'x'],
    ] as const) {
      if (fpf === 4 && single === 0) continue;
      out.push({ mnemonic: `${prefix}${base}${letter}b${suffix}`, when: { [formatField]: fpf, [flagsField]: single, ...extra }, operands });
    }
  }
  return out;
}
