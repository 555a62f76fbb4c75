// Vector floating-point comparisons (PoO chapter 24): VECTOR FP COMPARE EQUAL / HIGH / HIGH OR
// EQUAL (each element all ones when true, else zeros; M5 bit 1 makes them the signalling VFKE …
// of vector-enhancements facility 1, where any NaN is an invalid operation instead of a signalling
// one only; M6 bit 3 sets the CC: 0 all true, 1 mixed, 3 none — for a single element 0 or 3),
// VECTOR FP COMPARE SCALAR and COMPARE AND SIGNAL SCALAR (WFC/WFK: element 0 only, CC 0 equal,
// 1 low, 2 high, 3 unordered), and VECTOR FP TEST DATA CLASS IMMEDIATE (VFTCI: the 12-bit I3 mask
// of classes as TEST DATA CLASS uses; CC as the compares). The comparisons are the BFP soft-float's.

import type { CpuCore } from '../../core/cpu-core.js';
import { defFacility } from '../define.js';
import { fI3At16, fM3InB, fVrraM4, fM4InB, fVrrcM5, fVrrM6, fV1, fV2, fV3, type InsnA, type InsnB } from '../fields.js';
import type { InstructionAlias, InstructionDef } from '../types.js';
import { compare, dataClassBit } from '../float/softfloat/index.js';
import {
  checkReserved,
  clearResult,
  commitResult,
  elementCount,
  elementFormat,
  endElement,
  env,
  finishElements,
  readElement,
  resultFromRegister,
  SINGLE,
  startElement,
  startElements,
  VECTOR_ENHANCEMENTS_1,
  writeResult,
} from './float-elements.js';

/** M5 bit 1 of the compares: the signalling (VFK…) forms. */
const SIGNALLING = 4;
/** M6 bit 3 of the compares: set the condition code. */
const SET_CC = 1;

/** CC of an element-wise test: 0 every element true, 1 some, 3 none. */
const testCc = (matches: number, elements: number): number => (matches === 0 ? 3 : matches === elements ? 0 : 1);

/** Which compare results (CC 0 equal, 1 low, 2 high) make an element true. */
type Relation = (cc: number) => boolean;

/** VRR-c: V1 ← V2 ρ V3 elementwise; M4 format, M5 single element / signalling, M6 CC. */
function compareElements(relation: Relation) {
  return (cpu: CpuCore, a: InsnA<'VRR-c'>, b: InsnB<'VRR-c'>): void => {
    cpu.checkVector();
    const m5 = fVrrcM5(a);
    const m6 = fVrrM6(a);
    checkReserved(cpu, m5, cpu.hasFacility(VECTOR_ENHANCEMENTS_1) ? SINGLE | SIGNALLING : SINGLE);
    checkReserved(cpu, m6, SET_CC);
    const single = (m5 & SINGLE) !== 0;
    const f = elementFormat(cpu, fM4InB(b));
    const v2 = fV2(a, b);
    const v3 = fV3(a, b);
    startElements(cpu);
    clearResult();
    const n = elementCount(f, single);
    let matches = 0;
    for (let i = 0; i < n; i++) {
      startElement();
      const cc = compare(f, readElement(cpu, f, v2, i), readElement(cpu, f, v3, i), env, (m5 & SIGNALLING) !== 0);
      endElement(cpu, i);
      if (cc !== 3 && relation(cc)) {
        matches++;
        writeResult(f.bits, i, (1n << BigInt(f.bits)) - 1n);
      }
    }
    finishElements(cpu);
    commitResult(cpu, fV1(a, b));
    if ((m6 & SET_CC) !== 0) cpu.cc = testCc(matches, n);
  };
}

/** WFC / WFK (VRR-a): the CC compares element 0 of V1 with element 0 of V2; M3 format, M4 zero. */
function compareScalar(signalling: boolean) {
  return (cpu: CpuCore, a: InsnA<'VRR-a'>, b: InsnB<'VRR-a'>): void => {
    cpu.checkVector();
    checkReserved(cpu, fVrraM4(a), 0);
    const f = elementFormat(cpu, fM3InB(b));
    startElements(cpu);
    startElement();
    const cc = compare(f, readElement(cpu, f, fV1(a, b), 0), readElement(cpu, f, fV2(a, b), 0), env, signalling);
    endElement(cpu, 0);
    finishElements(cpu);
    cpu.cc = cc;
  };
}

/**
 * VFTCI (VRI-e): each element of V1 all ones when V2's element has a class selected by I3. [E] The
 * single-element form leaves the other elements of V1 as they were, as qemu-s390x does.
 */
function testDataClass(cpu: CpuCore, a: InsnA<'VRI-e'>, b: InsnB<'VRI-e'>): void {
  cpu.checkVector();
  const m5 = fVrrcM5(a);
  checkReserved(cpu, m5, SINGLE);
  const single = m5 !== 0;
  const f = elementFormat(cpu, fM4InB(b));
  const mask = fI3At16(a);
  const v1 = fV1(a, b);
  const v2 = fV2(a, b);
  resultFromRegister(cpu, v1);
  const n = elementCount(f, single);
  let matches = 0;
  for (let i = 0; i < n; i++) {
    const hit = (dataClassBit(f, readElement(cpu, f, v2, i)) & mask) !== 0;
    if (hit) matches++;
    writeResult(f.bits, i, hit ? (1n << BigInt(f.bits)) - 1n : 0n);
  }
  commitResult(cpu, v1);
  cpu.cc = testCc(matches, n);
}

/** objdump's names for the compares: v/w, fc/fk + relation, sb/db/xb, s for the CC form. */
function compareAliases(relation: string): InstructionAlias[] {
  const out: InstructionAlias[] = [];
  for (const [m5, prefix] of [
    [0, 'vfc'],
    [SIGNALLING, 'vfk'],
    [SINGLE, 'wfc'],
    [SINGLE | SIGNALLING, 'wfk'],
  ] as const) {
    for (const [fpf, letter] of [
      [2, 's'],
      [3, 'd'],
      [4, 'x'],
    ] as const) {
      if (fpf === 4 && (m5 & SINGLE) === 0) continue;
      for (const [m6, suffix] of [
        [0, ''],
        [SET_CC, 's'],
      ] as const) {
        out.push({ mnemonic: `${prefix}${relation}${letter}b${suffix}`, when: { M4: fpf, M5: m5, M6: m6 }, operands: 'v:V1,v:V2,v:V3' });
      }
    }
  }
  return out;
}

const scalarAliases = (base: string): InstructionAlias[] => [2, 3, 4].map((fpf) => ({ mnemonic: `${base}${['s', 'd', 'x'][fpf - 2]!}b`, when: { M3: fpf, M4: 0 }, operands: 'v:V1,v:V2' }));

const vftciAliases: InstructionAlias[] = [
  { mnemonic: 'vftcisb', when: { M4: 2, M5: 0 }, operands: 'v:V1,v:V2,u:I3' },
  { mnemonic: 'vftcidb', when: { M4: 3, M5: 0 }, operands: 'v:V1,v:V2,u:I3' },
  { mnemonic: 'wftcisb', when: { M4: 2, M5: SINGLE }, operands: 'v:V1,v:V2,u:I3' },
  { mnemonic: 'wftcidb', when: { M4: 3, M5: SINGLE }, operands: 'v:V1,v:V2,u:I3' },
  { mnemonic: 'wftcixb', when: { M4: 4, M5: SINGLE }, operands: 'v:V1,v:V2,u:I3' },
];

const COMPARE = 'v:V1,v:V2,v:V3,m:M4,m:M5,m:M6';

export const vectorFloatCompareInstructions: InstructionDef[] = [
  defFacility(
    'vector',
    'vfce',
    0xe7e8,
    'VRR-c',
    COMPARE,
    compareElements((cc) => cc === 0),
    compareAliases('e'),
  ),
  defFacility(
    'vector',
    'vfch',
    0xe7eb,
    'VRR-c',
    COMPARE,
    compareElements((cc) => cc === 2),
    compareAliases('h'),
  ),
  defFacility(
    'vector',
    'vfche',
    0xe7ea,
    'VRR-c',
    COMPARE,
    compareElements((cc) => cc === 0 || cc === 2),
    compareAliases('he'),
  ),
  defFacility('vector', 'wfc', 0xe7cb, 'VRR-a', 'v:V1,v:V2,m:M3,m:M4', compareScalar(false), scalarAliases('wfc')),
  defFacility('vector', 'wfk', 0xe7ca, 'VRR-a', 'v:V1,v:V2,m:M3,m:M4', compareScalar(true), scalarAliases('wfk')),
  defFacility('vector', 'vftci', 0xe74a, 'VRI-e', 'v:V1,v:V2,u:I3,m:M4,m:M5', testDataClass, vftciAliases),
];
