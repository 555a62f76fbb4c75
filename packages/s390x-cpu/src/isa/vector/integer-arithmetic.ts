// Vector integer arithmetic of PoO chapter 22 ("Vector Integer Instructions") beyond the add,
// subtract and multiply forms gcc's vectoriser uses: carries and borrows (VACC, VAC, VACCC,
// VSCBI, VSBI, VSBCBI), average, checksum, element compare (VEC, VECL; CC 0 equal, 1 low,
// 2 high), Galois-field multiply sum (VGFM, VGFMA), load complement/positive, maximum/minimum,
// multiply high and multiply-and-add (VMH, VMLH, VMAL, VMAH, VMALH, VMAE, VMALE, VMAO, VMALO),
// population count (all element sizes with vector-enhancements facility 1), count leading/trailing
// zeros, sign extend, sum across (VSUM, VSUMG, VSUMQ), test under mask and the
// vector-enhancements-1 multiply sum logical (VMSL). Reserved element sizes are specification
// exceptions; every instruction needs vector enablement (DXC 0xFE).

import { fM3InB, fM4InB, fV1, fV2, fV3, fV4, fVrrdM5, fVrrM6, type InsnA, type InsnB } from '../fields.js';
import type { InstructionAlias, InstructionDef } from '../types.js';
import { commit, count, elementSize, getBig, hasEnhancements1, putBig, scratch, signedOf, sized, SUFFIX, vdef, type VectorFacility } from './elements.js';
import type { CpuCore } from '../../core/cpu-core.js';

const bitsOf = (es: number): bigint => BigInt(8 << es);

/** V1 ← op(V2[i], V3[i]) element-wise, element size in M4 (VRR-c). Operands are unsigned. */
function binary(mnemonic: string, opcode: number, sizes: readonly number[], op: (x: bigint, y: bigint, es: number) => bigint, suffixes: readonly string[] = SUFFIX, facility: VectorFacility = 'vector'): InstructionDef {
  return vdef(
    facility,
    mnemonic,
    opcode,
    'VRR-c',
    'v:V1,v:V2,v:V3,m:M4',
    (cpu, a, b) => {
      const es = elementSize(cpu, fM4InB(b), sizes);
      const v2 = fV2(a, b);
      const v3 = fV3(a, b);
      for (let i = 0; i < count(es); i++) putBig(scratch, es, i, op(getBig(cpu, v2, es, i), getBig(cpu, v3, es, i), es));
      commit(cpu, fV1(a, b));
    },
    sized(mnemonic, 'M4', 'v:V1,v:V2,v:V3', sizes, suffixes),
  );
}

/** V1 ← op(V2[i]) element-wise, element size in M3 (VRR-a). */
function unary(mnemonic: string, opcode: number, sizes: readonly number[], op: (x: bigint, es: number) => bigint, sizesOf: (cpu: CpuCore) => readonly number[] = () => sizes): InstructionDef {
  return vdef(
    'vector',
    mnemonic,
    opcode,
    'VRR-a',
    'v:V1,v:V2,m:M3',
    (cpu, a, b) => {
      const es = elementSize(cpu, fM3InB(b), sizesOf(cpu));
      const v2 = fV2(a, b);
      for (let i = 0; i < count(es); i++) putBig(scratch, es, i, op(getBig(cpu, v2, es, i), es));
      commit(cpu, fV1(a, b));
    },
    sized(mnemonic, 'M3', 'v:V1,v:V2', sizes),
  );
}

/** The quadword-only add/subtract with carry forms (VRR-d, M5 must be 4): V1 ← op(V2, V3, V4). */
function quadwordCarry(mnemonic: string, opcode: number, op: (x: bigint, y: bigint, c: bigint) => bigint): InstructionDef {
  return vdef(
    'vector',
    mnemonic,
    opcode,
    'VRR-d',
    'v:V1,v:V2,v:V3,v:V4,m:M5',
    (cpu, a, b) => {
      elementSize(cpu, fVrrdM5(a), [4]);
      putBig(scratch, 4, 0, op(getBig(cpu, fV2(a, b), 4, 0), getBig(cpu, fV3(a, b), 4, 0), getBig(cpu, fV4(b), 4, 0) & 1n));
      commit(cpu, fV1(a, b));
    },
    [{ mnemonic: mnemonic + 'q', when: { M5: 4 }, operands: 'v:V1,v:V2,v:V3,v:V4' }],
  );
}

/** Multiply-and-add (VRR-d, element size in M5, bytes to words): `wide` forms add V4's double-width element. */
function multiplyAdd(mnemonic: string, opcode: number, kind: 'low' | 'high' | 'even' | 'odd', signed: boolean, suffixes: readonly string[]): InstructionDef {
  return vdef(
    'vector',
    mnemonic,
    opcode,
    'VRR-d',
    'v:V1,v:V2,v:V3,v:V4,m:M5',
    (cpu, a, b) => {
      const es = elementSize(cpu, fVrrdM5(a), [0, 1, 2]);
      const v2 = fV2(a, b);
      const v3 = fV3(a, b);
      const v4 = fV4(b);
      const value = (v: number, e: number, i: number): bigint => (signed ? signedOf(getBig(cpu, v, e, i), e) : getBig(cpu, v, e, i));
      if (kind === 'low' || kind === 'high') {
        for (let i = 0; i < count(es); i++) {
          const product = value(v2, es, i) * value(v3, es, i) + value(v4, es, i);
          putBig(scratch, es, i, kind === 'low' ? product : product >> bitsOf(es));
        }
      } else {
        for (let i = 0; i < count(es + 1); i++) {
          const k = 2 * i + (kind === 'odd' ? 1 : 0);
          putBig(scratch, es + 1, i, value(v2, es, k) * value(v3, es, k) + value(v4, es + 1, i));
        }
      }
      commit(cpu, fV1(a, b));
    },
    sized(mnemonic, 'M5', 'v:V1,v:V2,v:V3,v:V4', [0, 1, 2], suffixes),
  );
}

/** Carry-less product of two `bits`-bit values. */
function clmul(x: bigint, y: bigint, bits: number): bigint {
  let out = 0n;
  for (let k = 0; k < bits; k++) if ((y >> BigInt(k)) & 1n) out ^= x << BigInt(k);
  return out;
}

/** VGFM / VGFMA: each double-width element is the XOR of the carry-less products of an even/odd element pair (XOR V4's element). */
function galois(cpu: CpuCore, v1: number, v2: number, v3: number, es: number, v4?: number): void {
  const bits = 8 << es;
  for (let i = 0; i < count(es + 1); i++) {
    let sum = clmul(getBig(cpu, v2, es, 2 * i), getBig(cpu, v3, es, 2 * i), bits) ^ clmul(getBig(cpu, v2, es, 2 * i + 1), getBig(cpu, v3, es, 2 * i + 1), bits);
    if (v4 !== undefined) sum ^= getBig(cpu, v4, es + 1, i);
    putBig(scratch, es + 1, i, sum);
  }
  commit(cpu, v1);
}

/** VEC / VECL: compares the rightmost element of doubleword 0 of V1 and V2; only the CC changes. */
function elementCompare(mnemonic: string, opcode: number, signed: boolean): InstructionDef {
  return vdef(
    'vector',
    mnemonic,
    opcode,
    'VRR-a',
    'v:V1,v:V2,m:M3',
    (cpu, a, b) => {
      const es = elementSize(cpu, fM3InB(b), [0, 1, 2, 3]);
      const i = count(es) / 2 - 1;
      let x = getBig(cpu, fV1(a, b), es, i);
      let y = getBig(cpu, fV2(a, b), es, i);
      if (signed) {
        x = signedOf(x, es);
        y = signedOf(y, es);
      }
      cpu.cc = x === y ? 0 : x < y ? 1 : 2;
    },
    sized(mnemonic, 'M3', 'v:V1,v:V2', [0, 1, 2, 3]),
  );
}

function popcount(x: bigint): bigint {
  let n = 0n;
  for (; x !== 0n; x &= x - 1n) n++;
  return n;
}

function leadingZeros(x: bigint, es: number): bigint {
  const bits = 8 << es;
  return x === 0n ? BigInt(bits) : BigInt(bits - x.toString(2).length);
}

function trailingZeros(x: bigint, es: number): bigint {
  if (x === 0n) return bitsOf(es);
  let n = 0n;
  while (((x >> n) & 1n) === 0n) n++;
  return n;
}

/** VSUM, VSUMG, VSUMQ: each result element (size `to`) sums V2's elements in it plus V3's rightmost element in it. */
function sumAcross(mnemonic: string, opcode: number, sizes: readonly number[], to: (es: number) => number): InstructionDef {
  return vdef(
    'vector',
    mnemonic,
    opcode,
    'VRR-c',
    'v:V1,v:V2,v:V3,m:M4',
    (cpu, a, b) => {
      const es = elementSize(cpu, fM4InB(b), sizes);
      const wide = to(es);
      const v2 = fV2(a, b);
      const v3 = fV3(a, b);
      const per = 1 << (wide - es);
      for (let i = 0; i < count(wide); i++) {
        let sum = getBig(cpu, v3, es, i * per + per - 1);
        for (let k = 0; k < per; k++) sum += getBig(cpu, v2, es, i * per + k);
        putBig(scratch, wide, i, sum);
      }
      commit(cpu, fV1(a, b));
    },
    sized(mnemonic, 'M4', 'v:V1,v:V2,v:V3', sizes),
  );
}

/** VMSL: the products of doubleword elements 0 and 1 (each optionally doubled by M6 bits 0 and 1) plus V4, modulo 2^128. */
function multiplySumLogical(cpu: CpuCore, a: InsnA<'VRR-d'>, b: InsnB<'VRR-d'>): void {
  elementSize(cpu, fVrrdM5(a), [3]);
  const m6 = fVrrM6(a);
  const v2 = fV2(a, b);
  const v3 = fV3(a, b);
  const even = getBig(cpu, v2, 3, 0) * getBig(cpu, v3, 3, 0) * ((m6 & 8) !== 0 ? 2n : 1n);
  const odd = getBig(cpu, v2, 3, 1) * getBig(cpu, v3, 3, 1) * ((m6 & 4) !== 0 ? 2n : 1n);
  putBig(scratch, 4, 0, even + odd + getBig(cpu, fV4(b), 4, 0));
  commit(cpu, fV1(a, b));
}

const VMSL_ALIASES: readonly InstructionAlias[] = [{ mnemonic: 'vmslg', when: { M5: 3 }, operands: 'v:V1,v:V2,v:V3,v:V4,m:M6' }];

export const vectorIntegerArithmeticInstructions: InstructionDef[] = [
  binary('vacc', 0xe7f1, [0, 1, 2, 3, 4], (x, y, es) => (x + y) >> bitsOf(es)),
  quadwordCarry('vac', 0xe7bb, (x, y, c) => x + y + c),
  quadwordCarry('vaccc', 0xe7b9, (x, y, c) => (x + y + c) >> 128n),
  binary('vscbi', 0xe7f5, [0, 1, 2, 3, 4], (x, y) => (x >= y ? 1n : 0n)),
  quadwordCarry('vsbi', 0xe7bf, (x, y, c) => x - y - 1n + c),
  quadwordCarry('vsbcbi', 0xe7bd, (x, y, c) => (x + BigInt.asUintN(128, ~y) + c) >> 128n),
  binary('vavg', 0xe7f2, [0, 1, 2, 3], (x, y, es) => (signedOf(x, es) + signedOf(y, es) + 1n) >> 1n),
  binary('vavgl', 0xe7f0, [0, 1, 2, 3], (x, y) => (x + y + 1n) >> 1n),
  vdef('vector', 'vcksm', 0xe766, 'VRR-c', 'v:V1,v:V2,v:V3', (cpu, a, b) => {
    cpu.checkVector();
    const v2 = fV2(a, b);
    let sum = getBig(cpu, fV3(a, b), 2, 1);
    for (let i = 0; i < 4; i++) {
      sum += getBig(cpu, v2, 2, i);
      sum = (sum & 0xffffffffn) + (sum >> 32n);
    }
    scratch.fill(0);
    putBig(scratch, 2, 1, sum);
    commit(cpu, fV1(a, b));
  }),
  elementCompare('vec', 0xe7db, true),
  elementCompare('vecl', 0xe7d9, false),
  vdef(
    'vector',
    'vgfm',
    0xe7b4,
    'VRR-c',
    'v:V1,v:V2,v:V3,m:M4',
    (cpu, a, b) => {
      const es = elementSize(cpu, fM4InB(b), [0, 1, 2, 3]);
      galois(cpu, fV1(a, b), fV2(a, b), fV3(a, b), es);
    },
    sized('vgfm', 'M4', 'v:V1,v:V2,v:V3', [0, 1, 2, 3]),
  ),
  vdef(
    'vector',
    'vgfma',
    0xe7bc,
    'VRR-d',
    'v:V1,v:V2,v:V3,v:V4,m:M5',
    (cpu, a, b) => {
      const es = elementSize(cpu, fVrrdM5(a), [0, 1, 2, 3]);
      galois(cpu, fV1(a, b), fV2(a, b), fV3(a, b), es, fV4(b));
    },
    sized('vgfma', 'M5', 'v:V1,v:V2,v:V3,v:V4', [0, 1, 2, 3]),
  ),
  unary('vlc', 0xe7de, [0, 1, 2, 3], (x) => -x),
  unary('vlp', 0xe7df, [0, 1, 2, 3], (x, es) => {
    const s = signedOf(x, es);
    return s < 0n ? -s : s;
  }),
  binary('vmx', 0xe7ff, [0, 1, 2, 3], (x, y, es) => (signedOf(x, es) >= signedOf(y, es) ? x : y)),
  binary('vmn', 0xe7fe, [0, 1, 2, 3], (x, y, es) => (signedOf(x, es) <= signedOf(y, es) ? x : y)),
  binary('vmxl', 0xe7fd, [0, 1, 2, 3], (x, y) => (x >= y ? x : y)),
  binary('vmnl', 0xe7fc, [0, 1, 2, 3], (x, y) => (x <= y ? x : y)),
  binary('vmh', 0xe7a3, [0, 1, 2], (x, y, es) => (signedOf(x, es) * signedOf(y, es)) >> bitsOf(es)),
  binary('vmlh', 0xe7a1, [0, 1, 2], (x, y, es) => (x * y) >> bitsOf(es)),
  multiplyAdd('vmal', 0xe7aa, 'low', false, ['b', 'hw', 'f']),
  multiplyAdd('vmah', 0xe7ab, 'high', true, SUFFIX),
  multiplyAdd('vmalh', 0xe7a9, 'high', false, SUFFIX),
  multiplyAdd('vmae', 0xe7ae, 'even', true, SUFFIX),
  multiplyAdd('vmale', 0xe7ac, 'even', false, SUFFIX),
  multiplyAdd('vmao', 0xe7af, 'odd', true, SUFFIX),
  multiplyAdd('vmalo', 0xe7ad, 'odd', false, SUFFIX),
  // Bytes on z13; halfwords to doublewords with vector-enhancements facility 1.
  unary(
    'vpopct',
    0xe750,
    [0, 1, 2, 3],
    (x) => popcount(x),
    (cpu) => (hasEnhancements1(cpu) ? [0, 1, 2, 3] : [0]),
  ),
  unary('vclz', 0xe753, [0, 1, 2, 3], leadingZeros),
  unary('vctz', 0xe752, [0, 1, 2, 3], trailingZeros),
  vdef(
    'vector',
    'vseg',
    0xe75f,
    'VRR-a',
    'v:V1,v:V2,m:M3',
    (cpu, a, b) => {
      const es = elementSize(cpu, fM3InB(b), [0, 1, 2]);
      const v2 = fV2(a, b);
      const per = count(es) / 2;
      for (let i = 0; i < 2; i++) putBig(scratch, 3, i, signedOf(getBig(cpu, v2, es, i * per + per - 1), es));
      commit(cpu, fV1(a, b));
    },
    sized('vseg', 'M3', 'v:V1,v:V2', [0, 1, 2]),
  ),
  sumAcross('vsum', 0xe764, [0, 1], () => 2),
  sumAcross('vsumg', 0xe765, [1, 2], () => 3),
  sumAcross('vsumq', 0xe767, [2, 3], () => 4),
  vdef('vector', 'vtm', 0xe7d8, 'VRR-a', 'v:V1,v:V2', (cpu, a, b) => {
    cpu.checkVector();
    const selected = getBig(cpu, fV1(a, b), 4, 0) & getBig(cpu, fV2(a, b), 4, 0);
    const mask = getBig(cpu, fV2(a, b), 4, 0);
    cpu.cc = selected === 0n ? 0 : selected === mask ? 3 : 1;
  }),
  vdef('vector-enhancements-1', 'vmsl', 0xe7b8, 'VRR-d', 'v:V1,v:V2,v:V3,v:V4,m:M5,m:M6', multiplySumLogical, VMSL_ALIASES),
];
