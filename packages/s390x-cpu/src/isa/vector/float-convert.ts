// Vector floating-point conversions (PoO chapter 24): VECTOR FP CONVERT FROM FIXED / FROM LOGICAL
// and TO FIXED / TO LOGICAL (64-bit integers and long elements on z13, 32-bit integers and short
// elements with vector-enhancements facility 2: VCEFB, VCELFB, VCFEB, VCLFEB), VECTOR LOAD FP
// INTEGER, VECTOR FP LOAD LENGTHENED (short → long from the even elements, long → extended with
// facility 1), VECTOR FP LOAD ROUNDED (long → short into the even elements, extended → long) and
// VECTOR FP PERFORM SIGN OPERATION (complement, negative, positive: no exceptions). M3 is the
// format, M4 the single-element control and XxC, M5 the rounding method (0 the FPC's, 1 nearest
// with ties away, 3 prepare for shorter precision, 4–7 nearest even, toward 0, +∞, −∞). Each
// conversion is the BFP soft-float's: a NaN or out-of-range value to fixed gives the most negative
// (signed) or zero/largest (logical) integer with the invalid and inexact exceptions. A format the
// CPU model's facilities lack is a specification exception.

import type { CpuCore } from '../../core/cpu-core.js';
import { defFacility } from '../define.js';
import { fM3InB, fVrraM4, fV1, fV2, fVrrM5, type InsnA, type InsnB } from '../fields.js';
import type { InstructionAlias, InstructionDef } from '../types.js';
import { convertFormat, EXTENDED, fromInteger, LONG, roundToIntegral, SHORT, toInteger, type BfpFormat } from '../float/softfloat/index.js';
import {
  checkReserved,
  clearResult,
  commitResult,
  eachElement,
  elementFormat,
  endElement,
  env,
  finishElements,
  formatAliases,
  readElement,
  resultFromRegister,
  SINGLE,
  startElement,
  startElements,
  VECTOR_ENHANCEMENTS_1,
  VECTOR_ENHANCEMENTS_2,
  writeResult,
  XXC,
} from './float-elements.js';

interface ConvertFields {
  f: BfpFormat;
  single: boolean;
  xxc: boolean;
  v1: number;
  v2: number;
  rounding: number;
}

/** The fields of the VRR-a conversions with a rounding method: format `allowed` from M3 (short with `shortFacility`), flags in M4, M5. */
function convertFields(cpu: CpuCore, a: InsnA<'VRR-a'>, b: InsnB<'VRR-a'>, allowed: readonly number[], shortFacility = VECTOR_ENHANCEMENTS_1): ConvertFields {
  cpu.checkVector();
  const m4 = fVrraM4(a);
  checkReserved(cpu, m4, SINGLE | XXC);
  const fpf = fM3InB(b);
  cpu.requireSpec(allowed.includes(fpf));
  const single = (m4 & SINGLE) !== 0;
  return { f: elementFormat(cpu, fpf, shortFacility), single, xxc: (m4 & XXC) !== 0, v1: fV1(a, b), v2: fV2(a, b), rounding: fVrrM5(a) };
}

/** An integer element of `bits` bits of V v as a bigint (signed or unsigned). */
function integerElement(cpu: CpuCore, bits: 32 | 64, v: number, i: number, signed: boolean): bigint {
  const raw = bits === 32 ? BigInt(cpu.vrView.getUint32(16 * v + 4 * i)) : cpu.vrView.getBigUint64(16 * v + 8 * i);
  return signed ? BigInt.asIntN(bits, raw) : raw;
}

/** VCDG / VCDLG (VCFPS / VCFPL): integer elements to FP of the same width. */
function fromFixed(signed: boolean) {
  return (cpu: CpuCore, a: InsnA<'VRR-a'>, b: InsnB<'VRR-a'>): void => {
    const { f, single, xxc, v1, v2, rounding } = convertFields(cpu, a, b, [2, 3], VECTOR_ENHANCEMENTS_2);
    const bits = f.bits as 32 | 64;
    startElements(cpu, rounding, xxc);
    eachElement(cpu, f, single, v1, (i) => fromInteger(f, integerElement(cpu, bits, v2, i, signed), env));
  };
}

/** VCGD / VCLGD (VCSFP / VCLFP): FP elements to integers of the same width. */
function toFixed(signed: boolean) {
  return (cpu: CpuCore, a: InsnA<'VRR-a'>, b: InsnB<'VRR-a'>): void => {
    const { f, single, xxc, v1, v2, rounding } = convertFields(cpu, a, b, [2, 3], VECTOR_ENHANCEMENTS_2);
    const bits = f.bits as 32 | 64;
    startElements(cpu, rounding, xxc);
    eachElement(cpu, f, single, v1, (i) => toInteger(f, readElement(cpu, f, v2, i), bits, signed, env).value);
  };
}

/** VFI: each element rounded to an integral value in its format. */
function loadFpInteger(cpu: CpuCore, a: InsnA<'VRR-a'>, b: InsnB<'VRR-a'>): void {
  const { f, single, xxc, v1, v2, rounding } = convertFields(cpu, a, b, [2, 3, 4]);
  startElements(cpu, rounding, xxc);
  eachElement(cpu, f, single, v1, (i) => roundToIntegral(f, readElement(cpu, f, v2, i), env));
}

/** VFLL (VLDE): short elements 0 and 2 → long elements 0 and 1 (M3 2), or long element 0 → extended (M3 3). */
function loadLengthened(cpu: CpuCore, a: InsnA<'VRR-a'>, b: InsnB<'VRR-a'>): void {
  cpu.checkVector();
  const m4 = fVrraM4(a);
  checkReserved(cpu, m4, SINGLE);
  const fpf = fM3InB(b);
  const single = m4 !== 0;
  cpu.requireSpec(fpf === 2 || (fpf === 3 && cpu.hasFacility(VECTOR_ENHANCEMENTS_1)));
  const from = fpf === 2 ? SHORT : LONG;
  const to = fpf === 2 ? LONG : EXTENDED;
  const v2 = fV2(a, b);
  startElements(cpu);
  clearResult();
  const n = single || to === EXTENDED ? 1 : 2;
  for (let i = 0; i < n; i++) {
    startElement();
    const value = convertFormat(from, to, readElement(cpu, from, v2, 2 * i), env);
    // The exception names the source element.
    endElement(cpu, 2 * i);
    writeResult(to.bits, i, value);
  }
  finishElements(cpu);
  commitResult(cpu, fV1(a, b));
}

/**
 * VFLR (VLED): long elements 0 and 1 → short elements 0 and 2 (M3 3), or extended → long element 0
 * (M3 4). [E] The odd short elements are zero; from extended, doubleword 1 of
 * V1 keeps its value, as in qemu-s390x.
 */
function loadRounded(cpu: CpuCore, a: InsnA<'VRR-a'>, b: InsnB<'VRR-a'>): void {
  const { f: from, single, xxc, v1, v2, rounding } = convertFields(cpu, a, b, [3, 4]);
  const to = from === LONG ? SHORT : LONG;
  startElements(cpu, rounding, xxc);
  if (to === LONG) resultFromRegister(cpu, v1);
  else clearResult();
  const n = single || from === EXTENDED ? 1 : 2;
  for (let i = 0; i < n; i++) {
    startElement();
    const value = convertFormat(from, to, readElement(cpu, from, v2, i), env);
    endElement(cpu, i);
    writeResult(to.bits, to === SHORT ? 2 * i : 0, value);
  }
  finishElements(cpu);
  commitResult(cpu, v1);
}

/**
 * VFPSO: M5 0 inverts, 1 sets, 2 clears each sign bit (3–15 are a specification exception).
 * [E] The single-element form changes only the sign of element 0, keeping the rest of V2's
 * doubleword 0 and V1's doubleword 1, as qemu-s390x does.
 */
function performSignOperation(cpu: CpuCore, a: InsnA<'VRR-a'>, b: InsnB<'VRR-a'>): void {
  cpu.checkVector();
  const m4 = fVrraM4(a);
  checkReserved(cpu, m4, SINGLE);
  const operation = fVrrM5(a);
  cpu.requireSpec(operation <= 2);
  const single = m4 !== 0;
  const f = elementFormat(cpu, fM3InB(b));
  const v1 = fV1(a, b);
  const v2 = fV2(a, b);
  const sign = (v: bigint, bit: bigint): bigint => (operation === 0 ? v ^ bit : operation === 1 ? v | bit : v & ~bit);
  if (single && f !== EXTENDED) {
    resultFromRegister(cpu, v1);
    writeResult(64, 0, sign(readElement(cpu, LONG, v2, 0), LONG.signBit));
    commitResult(cpu, v1);
    return;
  }
  clearResult();
  for (let i = 0; i < 128 / f.bits; i++) writeResult(f.bits, i, sign(readElement(cpu, f, v2, i), f.signBit));
  commitResult(cpu, v1);
}

/**
 * objdump's names for the VRR-a conversions: `v`+name (all elements: M4 bit 0 zero, its other bits
 * shown) and `w`+name (M4 bit 0 one, its low bits shown), per format in M3.
 */
function convertAliases(names: readonly (readonly [fpf: number, vector: string | undefined, single: string])[]): InstructionAlias[] {
  const out: InstructionAlias[] = [];
  for (const [fpf, vector, single] of names) {
    if (vector !== undefined) out.push({ mnemonic: vector, when: { M3: fpf }, whenMasked: { M4: [SINGLE, 0] }, operands: 'v:V1,v:V2,m:M4,m:M5' });
    out.push({ mnemonic: single, when: { M3: fpf }, whenMasked: { M4: [SINGLE, SINGLE] }, operands: 'v:V1,v:V2,m7:M4,m:M5' });
  }
  return out;
}

/** VFPSO's extended mnemonics: VFLC, VFLN and VFLP (M5 = 0, 1, 2) before the general `fpso` form. */
const signAliases = (): InstructionAlias[] => [...['flc', 'fln', 'flp'].flatMap((name, m5) => formatAliases(name, 'M3', 'M4', 'v:V1,v:V2', { M5: m5 })), ...formatAliases('fpso', 'M3', 'M4', 'v:V1,v:V2,m:M5')];

const lengthenedAliases: InstructionAlias[] = [
  { mnemonic: 'vflls', when: { M3: 2, M4: 0 }, operands: 'v:V1,v:V2' },
  { mnemonic: 'wflls', when: { M3: 2, M4: SINGLE }, operands: 'v:V1,v:V2' },
  { mnemonic: 'wflld', when: { M3: 3, M4: SINGLE }, operands: 'v:V1,v:V2' },
];

const CONVERT = 'v:V1,v:V2,m:M3,m:M4,m:M5';

export const vectorFloatConvertInstructions: InstructionDef[] = [
  defFacility(
    'vector',
    'vcfps',
    0xe7c3,
    'VRR-a',
    CONVERT,
    fromFixed(true),
    convertAliases([
      [2, 'vcefb', 'wcefb'],
      [3, 'vcdgb', 'wcdgb'],
    ]),
  ),
  defFacility(
    'vector',
    'vcfpl',
    0xe7c1,
    'VRR-a',
    CONVERT,
    fromFixed(false),
    convertAliases([
      [2, 'vcelfb', 'wcelfb'],
      [3, 'vcdlgb', 'wcdlgb'],
    ]),
  ),
  defFacility(
    'vector',
    'vcsfp',
    0xe7c2,
    'VRR-a',
    CONVERT,
    toFixed(true),
    convertAliases([
      [2, 'vcfeb', 'wcfeb'],
      [3, 'vcgdb', 'wcgdb'],
    ]),
  ),
  defFacility(
    'vector',
    'vclfp',
    0xe7c0,
    'VRR-a',
    CONVERT,
    toFixed(false),
    convertAliases([
      [2, 'vclfeb', 'wclfeb'],
      [3, 'vclgdb', 'wclgdb'],
    ]),
  ),
  defFacility(
    'vector',
    'vfi',
    0xe7c7,
    'VRR-a',
    CONVERT,
    loadFpInteger,
    convertAliases([
      [2, 'vfisb', 'wfisb'],
      [3, 'vfidb', 'wfidb'],
      [4, undefined, 'wfixb'],
    ]),
  ),
  defFacility('vector', 'vfll', 0xe7c4, 'VRR-a', 'v:V1,v:V2,m:M3,m:M4', loadLengthened, lengthenedAliases),
  defFacility(
    'vector',
    'vflr',
    0xe7c5,
    'VRR-a',
    CONVERT,
    loadRounded,
    convertAliases([
      [3, 'vflrd', 'wflrd'],
      [4, undefined, 'wflrx'],
    ]),
  ),
  defFacility('vector', 'vfpso', 0xe7cc, 'VRR-a', CONVERT, performSignOperation, signAliases()),
];
