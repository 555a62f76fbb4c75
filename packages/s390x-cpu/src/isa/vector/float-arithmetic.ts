// Vector floating-point arithmetic (PoO chapter 24): VECTOR FP ADD, SUBTRACT, MULTIPLY, DIVIDE,
// SQUARE ROOT, MULTIPLY AND ADD/SUBTRACT (z13), NEGATIVE MULTIPLY AND ADD/SUBTRACT and
// MAXIMUM/MINIMUM (vector-enhancements facility 1), in the short, long and extended formats, each
// element by the BFP soft-float's operation (the one BFP ADD etc. use) in the FPC rounding mode.
// Without facility 1 the short and extended formats are specification exceptions and its new
// instructions operation exceptions.
// The V forms (VFADB …) compute every element, the W forms (WFADB …) element 0. NEGATIVE MULTIPLY
// AND ADD/SUBTRACT negate the result unless it is a NaN.

import type { CpuCore } from '../../core/cpu-core.js';
import { defFacility } from '../define.js';
import { fM3InB, fVrraM4, fM4InB, fVrrcM5, fM6At20, fVrrM6, fV1, fV2, fV3, fV4, type InsnA, type InsnB } from '../fields.js';
import type { InstructionDef } from '../types.js';
import { add, divide, isMinMaxMode, isNaN, minMax, multiply, multiplyAdd, squareRoot, type BfpEnv, type BfpFormat } from '../float/softfloat/index.js';
import { checkReserved, eachElement, elementFormat, env, formatAliases, readElement, requireEnhancements1, SINGLE, startElements } from './float-elements.js';

type Binary = (f: BfpFormat, a: bigint, b: bigint, env: BfpEnv) => bigint;

const subtract: Binary = (f, a, b, e) => add(f, a, b, e, true);

/** VRR-c: V1 ← V2 ∘ V3 elementwise; M4 format, M5 single-element control. */
function binary(op: Binary) {
  return (cpu: CpuCore, a: InsnA<'VRR-c'>, b: InsnB<'VRR-c'>): void => {
    cpu.checkVector();
    const m5 = fVrrcM5(a);
    checkReserved(cpu, m5, SINGLE);
    const single = m5 !== 0;
    const f = elementFormat(cpu, fM4InB(b));
    const v2 = fV2(a, b);
    const v3 = fV3(a, b);
    startElements(cpu);
    eachElement(cpu, f, single, fV1(a, b), (i) => op(f, readElement(cpu, f, v2, i), readElement(cpu, f, v3, i), env));
  };
}

/** VFSQ (VRR-a): V1 ← √V2; M3 format, M4 single-element control. */
function squareRootOf(cpu: CpuCore, a: InsnA<'VRR-a'>, b: InsnB<'VRR-a'>): void {
  cpu.checkVector();
  const m4 = fVrraM4(a);
  checkReserved(cpu, m4, SINGLE);
  const single = m4 !== 0;
  const f = elementFormat(cpu, fM3InB(b));
  const v2 = fV2(a, b);
  startElements(cpu);
  eachElement(cpu, f, single, fV1(a, b), (i) => squareRoot(f, readElement(cpu, f, v2, i), env));
}

/** VRR-e: V1 ← ±(V2 × V3 ± V4), rounded once; M6 format, M5 single-element control. */
function fused(negateAddend: boolean, negateResult: boolean) {
  return (cpu: CpuCore, a: InsnA<'VRR-e'>, b: InsnB<'VRR-e'>): void => {
    cpu.checkVector();
    if (negateResult) requireEnhancements1(cpu);
    const m5 = fVrrcM5(a);
    checkReserved(cpu, m5, SINGLE);
    const single = m5 !== 0;
    const f = elementFormat(cpu, fM6At20(a));
    const v2 = fV2(a, b);
    const v3 = fV3(a, b);
    const v4 = fV4(b);
    startElements(cpu);
    eachElement(cpu, f, single, fV1(a, b), (i) => {
      const r = multiplyAdd(f, readElement(cpu, f, v2, i), readElement(cpu, f, v3, i), readElement(cpu, f, v4, i), env, negateAddend);
      return negateResult && !isNaN(f, r) ? r ^ f.signBit : r;
    });
  };
}

/** VFMAX / VFMIN (VRR-c): M4 format, M5 single-element control, M6 the NaN and zero rules. */
function minMaxOf(max: boolean) {
  return (cpu: CpuCore, a: InsnA<'VRR-c'>, b: InsnB<'VRR-c'>): void => {
    cpu.checkVector();
    requireEnhancements1(cpu);
    const m5 = fVrrcM5(a);
    const m6 = fVrrM6(a);
    checkReserved(cpu, m5, SINGLE);
    cpu.requireSpec(isMinMaxMode(m6));
    const single = m5 !== 0;
    const f = elementFormat(cpu, fM4InB(b));
    const v2 = fV2(a, b);
    const v3 = fV3(a, b);
    startElements(cpu);
    eachElement(cpu, f, single, fV1(a, b), (i) => minMax(f, readElement(cpu, f, v2, i), readElement(cpu, f, v3, i), env, max, m6));
  };
}

const THREE = 'v:V1,v:V2,v:V3';
const FOUR = 'v:V1,v:V2,v:V3,v:V4';
const vector = defFacility;

export const vectorFloatArithmeticInstructions: InstructionDef[] = [
  vector('vector', 'vfa', 0xe7e3, 'VRR-c', `${THREE},m:M4,m:M5`, binary(add), formatAliases('fa', 'M4', 'M5', THREE)),
  vector('vector', 'vfs', 0xe7e2, 'VRR-c', `${THREE},m:M4,m:M5`, binary(subtract), formatAliases('fs', 'M4', 'M5', THREE)),
  vector('vector', 'vfm', 0xe7e7, 'VRR-c', `${THREE},m:M4,m:M5`, binary(multiply), formatAliases('fm', 'M4', 'M5', THREE)),
  vector('vector', 'vfd', 0xe7e5, 'VRR-c', `${THREE},m:M4,m:M5`, binary(divide), formatAliases('fd', 'M4', 'M5', THREE)),
  vector('vector', 'vfsq', 0xe7ce, 'VRR-a', 'v:V1,v:V2,m:M3,m:M4', squareRootOf, formatAliases('fsq', 'M3', 'M4', 'v:V1,v:V2')),
  vector('vector', 'vfma', 0xe78f, 'VRR-e', `${FOUR},m:M5,m:M6`, fused(false, false), formatAliases('fma', 'M6', 'M5', FOUR)),
  vector('vector', 'vfms', 0xe78e, 'VRR-e', `${FOUR},m:M5,m:M6`, fused(true, false), formatAliases('fms', 'M6', 'M5', FOUR)),
  vector('vector-enhancements-1', 'vfnma', 0xe79f, 'VRR-e', `${FOUR},m:M5,m:M6`, fused(false, true), formatAliases('fnma', 'M6', 'M5', FOUR)),
  vector('vector-enhancements-1', 'vfnms', 0xe79e, 'VRR-e', `${FOUR},m:M5,m:M6`, fused(true, true), formatAliases('fnms', 'M6', 'M5', FOUR)),
  vector('vector-enhancements-1', 'vfmax', 0xe7ef, 'VRR-c', `${THREE},m:M4,m:M5,m:M6`, minMaxOf(true), formatAliases('fmax', 'M4', 'M5', `${THREE},m:M6`)),
  vector('vector-enhancements-1', 'vfmin', 0xe7ee, 'VRR-c', `${THREE},m:M4,m:M5,m:M6`, minMaxOf(false), formatAliases('fmin', 'M4', 'M5', `${THREE},m:M6`)),
];
