// Vector string instructions (PoO chapter 23): find any element equal (VFAE), find element equal
// / not equal (VFEE, VFENE), isolate string (VISTR), string range compare (VSTRC) and the
// vector-enhancements-2 string search (VSTRS). Element sizes byte, halfword and word; the flags
// in the last M field are IN (invert, 8), RT (result type: a mask per element instead of a byte
// index, 4), ZS (zero search, 2) and CS (set the condition code, 1). A byte-index result is in
// doubleword 0 of V1 (16 when nothing was found) with doubleword 1 zero.

import type { CpuCore } from '../../core/cpu-core.js';
import { fM3InB, fM4InB, fV1, fV2, fV3, fV4, fVrrdM5, fVrrM5, fVrrM6 } from '../fields.js';
import type { InstructionAlias, InstructionDef } from '../types.js';
import { commit, count, elementSize, getBig, putBig, scratch, SUFFIX, vdef } from './elements.js';

const IN = 8;
const RT = 4;
const ZS = 2;
const CS = 1;
const SIZES = [0, 1, 2];

/** Byte index of the first zero element of V v (16 without one). */
function firstZero(cpu: CpuCore, v: number, es: number): number {
  for (let i = 0; i < count(es); i++) if (getBig(cpu, v, es, i) === 0n) return i << es;
  return 16;
}

/** Writes a byte-index result. */
function indexResult(cpu: CpuCore, v1: number, index: number): void {
  scratch.fill(0);
  putBig(scratch, 3, 0, BigInt(index));
  commit(cpu, v1);
}

/** CC of VFAE, VFEE and VSTRC: 3 nothing, 1 a match but no zero, 2 a match before the zero, 0 the zero first. */
function searchCc(match: number, zero: number): number {
  if (match === 16 && zero === 16) return 3;
  if (zero === 16) return 1;
  return match < zero ? 2 : 0;
}

/** Aliases: `base`+size for the flags CS/ZS in the low bits of `flags` (s, z, zs), the other flags as an operand. */
function flagAliases(base: string, sizeField: string, flags: string, operands: string, exact: boolean): InstructionAlias[] {
  const out: InstructionAlias[] = [];
  for (const es of SIZES) {
    const names: [number, string][] = [
      [CS, `${base}${SUFFIX[es]!}s`],
      [ZS, `${base}z${SUFFIX[es]!}`],
      [ZS | CS, `${base}z${SUFFIX[es]!}s`],
    ];
    if (exact) {
      // Only ZS and CS are defined: other flag values keep the plain name with the whole field.
      for (const [value, mnemonic] of names) out.push({ mnemonic, when: { [sizeField]: es, [flags]: value }, operands });
      out.push({ mnemonic: base + SUFFIX[es]!, when: { [sizeField]: es }, operands: `${operands},m?:${flags}` });
    } else {
      for (const [value, mnemonic] of [[0, base + SUFFIX[es]!] as [number, string], ...names]) {
        out.push({ mnemonic, when: { [sizeField]: es }, whenMasked: { [flags]: [3, value] }, operands: `${operands},mf?:${flags}` });
      }
    }
  }
  return out;
}

function findElement(mnemonic: string, opcode: number, exec: (cpu: CpuCore, v1: number, v2: number, v3: number, es: number, flags: number) => void): InstructionDef {
  const any = mnemonic === 'vfae';
  return vdef(
    'vector',
    mnemonic,
    opcode,
    'VRR-b',
    'v:V1,v:V2,v:V3,m:M4,m?:M5',
    (cpu, a, b) => {
      const es = elementSize(cpu, fM4InB(b), SIZES);
      const flags = fVrrM5(a);
      if (!any) cpu.requireSpec((flags & (IN | RT)) === 0);
      exec(cpu, fV1(a, b), fV2(a, b), fV3(a, b), es, flags);
    },
    flagAliases(mnemonic, 'M4', 'M5', 'v:V1,v:V2,v:V3', !any),
  );
}

/** VFAE: the first element of V2 equal to any element of V3 (IN: not equal to all). */
function findAnyEqual(cpu: CpuCore, v1: number, v2: number, v3: number, es: number, flags: number): void {
  const n = count(es);
  const hits: boolean[] = [];
  let match = 16;
  for (let i = 0; i < n; i++) {
    const x = getBig(cpu, v2, es, i);
    let hit = false;
    for (let j = 0; j < n && !hit; j++) hit = getBig(cpu, v3, es, j) === x;
    if ((flags & IN) !== 0) hit = !hit;
    hits.push(hit);
    if (hit && match === 16) match = i << es;
  }
  const zero = (flags & ZS) !== 0 ? firstZero(cpu, v2, es) : 16;
  if ((flags & RT) !== 0) {
    for (let i = 0; i < n; i++) putBig(scratch, es, i, hits[i] ? -1n : 0n);
    commit(cpu, v1);
  } else indexResult(cpu, v1, Math.min(match, zero));
  if ((flags & CS) !== 0) cpu.cc = searchCc(match, zero);
}

/** VFEE: the first element of V2 equal to the same element of V3. */
function findEqual(cpu: CpuCore, v1: number, v2: number, v3: number, es: number, flags: number): void {
  let match = 16;
  for (let i = 0; i < count(es) && match === 16; i++) if (getBig(cpu, v2, es, i) === getBig(cpu, v3, es, i)) match = i << es;
  const zero = (flags & ZS) !== 0 ? firstZero(cpu, v2, es) : 16;
  indexResult(cpu, v1, Math.min(match, zero));
  if ((flags & CS) !== 0) cpu.cc = searchCc(match, zero);
}

/** VFENE: the first element of V2 not equal to the same element of V3; CC 1/2 tell which was lower. */
function findNotEqual(cpu: CpuCore, v1: number, v2: number, v3: number, es: number, flags: number): void {
  let differ = 16;
  let lower = false;
  for (let i = 0; i < count(es) && differ === 16; i++) {
    const x = getBig(cpu, v2, es, i);
    const y = getBig(cpu, v3, es, i);
    if (x !== y) {
      differ = i << es;
      lower = x < y;
    }
  }
  const zero = (flags & ZS) !== 0 ? firstZero(cpu, v2, es) : 16;
  indexResult(cpu, v1, Math.min(differ, zero));
  if ((flags & CS) !== 0) cpu.cc = differ === 16 && zero === 16 ? 3 : zero < differ ? 0 : lower ? 1 : 2;
}

/** One range-compare condition: control bits 0x80 equal, 0x40 low, 0x20 high of the element's leftmost byte. */
function inRange(x: bigint, limit: bigint, control: number): boolean {
  if (x < limit) return (control & 0x40) !== 0;
  if (x > limit) return (control & 0x20) !== 0;
  return (control & 0x80) !== 0;
}

function stringRangeCompare(cpu: CpuCore, v1: number, v2: number, v3: number, v4: number, es: number, flags: number): void {
  const n = count(es);
  const zero = (flags & ZS) !== 0 ? firstZero(cpu, v2, es) : 16;
  const rt = (flags & RT) !== 0;
  let match = 16;
  scratch.fill(0);
  for (let i = 0; i < n; i++) {
    // Without RT the search ends at the zero element.
    if (!rt && i << es === zero) break;
    const x = getBig(cpu, v2, es, i);
    let hit = false;
    for (let j = 0; j < n && !hit; j += 2) {
      hit = inRange(x, getBig(cpu, v3, es, j), cpu.vr[16 * v4 + (j << es)]!) && inRange(x, getBig(cpu, v3, es, j + 1), cpu.vr[16 * v4 + ((j + 1) << es)]!);
    }
    if ((flags & IN) !== 0) hit = !hit;
    if (hit) {
      if (match === 16) match = i << es;
      if (!rt) break;
      putBig(scratch, es, i, -1n);
    }
  }
  if (rt) commit(cpu, v1);
  else indexResult(cpu, v1, Math.min(match, zero));
  if ((flags & CS) !== 0) cpu.cc = searchCc(match, zero);
}

/**
 * VSTRS: the first full or partial occurrence in V2 of the substring in V3 whose length in bytes
 * is byte 7 of V4 (with ZS, also ended by a zero element of V3; V2 ends at its zero element).
 * CC 0 no match, 1 no match but a zero element, 2 full match, 3 partial match at the end of V2.
 */
function stringSearch(cpu: CpuCore, v1: number, v2: number, v3: number, v4: number, es: number, zs: boolean): void {
  const n = count(es);
  let length = cpu.vr[16 * v4 + 7]! >>> es;
  if (zs) {
    length = Math.min(length, n);
    for (let i = 0; i < length; i++) {
      if (getBig(cpu, v3, es, i) === 0n) {
        length = i;
        break;
      }
    }
  }
  let at = 0;
  let cc: number;
  if (length === 0) cc = 2;
  else {
    const end = zs ? firstZero(cpu, v2, es) >>> es : n;
    cc = end === n ? 0 : 1;
    for (at = 0; at < n; at++) {
      const stop = Math.min(n, at + length);
      let j = at;
      while (j < stop && getBig(cpu, v2, es, j) === getBig(cpu, v3, es, j - at)) j++;
      if (j === stop) {
        if (at > end) {
          cc = 1;
          at = n;
        } else cc = stop - at === length ? 2 : 3;
        break;
      }
    }
  }
  indexResult(cpu, v1, at << es);
  cpu.cc = cc;
}

export const vectorStringInstructions: InstructionDef[] = [
  findElement('vfae', 0xe782, findAnyEqual),
  findElement('vfee', 0xe780, findEqual),
  findElement('vfene', 0xe781, findNotEqual),
  vdef(
    'vector',
    'vistr',
    0xe75c,
    'VRR-a',
    'v:V1,v:V2,m:M3,m?:M5',
    (cpu, a, b) => {
      const es = elementSize(cpu, fM3InB(b), SIZES);
      const flags = fVrrM5(a);
      cpu.requireSpec((flags & ~CS) === 0);
      const v2 = fV2(a, b);
      const zero = firstZero(cpu, v2, es);
      scratch.set(cpu.vr.subarray(16 * v2, 16 * v2 + 16));
      scratch.fill(0, zero);
      commit(cpu, fV1(a, b));
      if ((flags & CS) !== 0) cpu.cc = zero === 16 ? 3 : 0;
    },
    SIZES.flatMap((es): InstructionAlias[] => [
      { mnemonic: `vistr${SUFFIX[es]!}s`, when: { M3: es, M5: CS }, operands: 'v:V1,v:V2' },
      { mnemonic: `vistr${SUFFIX[es]!}`, when: { M3: es }, operands: 'v:V1,v:V2,m?:M5' },
    ]),
  ),
  vdef(
    'vector',
    'vstrc',
    0xe78a,
    'VRR-d',
    'v:V1,v:V2,v:V3,v:V4,m:M5,m?:M6',
    (cpu, a, b) => {
      const es = elementSize(cpu, fVrrdM5(a), SIZES);
      stringRangeCompare(cpu, fV1(a, b), fV2(a, b), fV3(a, b), fV4(b), es, fVrrM6(a));
    },
    flagAliases('vstrc', 'M5', 'M6', 'v:V1,v:V2,v:V3,v:V4', false),
  ),
  vdef(
    'vector-enhancements-2',
    'vstrs',
    0xe78b,
    'VRR-d',
    'v:V1,v:V2,v:V3,v:V4,m:M5,m?:M6',
    (cpu, a, b) => {
      const es = elementSize(cpu, fVrrdM5(a), SIZES);
      const flags = fVrrM6(a);
      cpu.requireSpec((flags & ~ZS) === 0);
      stringSearch(cpu, fV1(a, b), fV2(a, b), fV3(a, b), fV4(b), es, flags === ZS);
    },
    SIZES.flatMap((es): InstructionAlias[] => [
      { mnemonic: `vstrsz${SUFFIX[es]!}`, when: { M5: es, M6: ZS }, operands: 'v:V1,v:V2,v:V3,v:V4' },
      { mnemonic: `vstrs${SUFFIX[es]!}`, when: { M5: es }, operands: 'v:V1,v:V2,v:V3,v:V4,m?:M6' },
    ]),
  ),
];
