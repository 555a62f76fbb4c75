// Vector integer logical, rotate, shift and permute instructions of PoO chapter 22 beyond the
// ones gcc's vectoriser uses: element rotates and per-element shifts (VERLL, VERLLV, VESLV,
// VESRAV, VESRLV), rotate and insert under mask (VERIM), whole-register arithmetic shifts (VSRA,
// VSRAB), shift left double by byte (VSLDB), permute doubleword immediate (VPDI), saturating
// packs (VPKS, VPKLS; M5 bit 3 sets CC 0 none, 1 some, 3 all elements saturated), and the
// vector-enhancements-1 NOT EXCLUSIVE OR, NAND, OR WITH COMPLEMENT and BIT PERMUTE, and the
// vector-enhancements-2 shift left/right double by bit (VSLD, VSRD).

import { fB2, fD2, fI4, fM4InB, fM5InB, fV1, fV2, fV3, fVrrM5, fVrsV3, type InsnA, type InsnB } from '../fields.js';
import type { InstructionAlias, InstructionDef } from '../types.js';
import { commit, count, elementSize, getBig, putBig, scratch, signedOf, sized, SUFFIX, vdef, type VectorFacility } from './elements.js';
import type { CpuCore } from '../../core/cpu-core.js';

const ALL = [0, 1, 2, 3];

function rotate(x: bigint, n: number, es: number): bigint {
  const bits = 8 << es;
  const k = BigInt(n % bits);
  return BigInt.asUintN(bits, (x << k) | (x >> (BigInt(bits) - k)));
}

/** Bytewise logical operation on whole registers (VRR-c, no element size). */
function bitwise(facility: VectorFacility, mnemonic: string, opcode: number, op: (x: number, y: number) => number): InstructionDef {
  return vdef(facility, mnemonic, opcode, 'VRR-c', 'v:V1,v:V2,v:V3', (cpu, a, b) => {
    cpu.checkVector();
    const v2 = 16 * fV2(a, b);
    const v3 = 16 * fV3(a, b);
    for (let i = 0; i < 16; i++) scratch[i] = op(cpu.vr[v2 + i]!, cpu.vr[v3 + i]!) & 0xff;
    commit(cpu, fV1(a, b));
  });
}

/** Each element of V2 shifted or rotated by the same element of V3 (modulo the element width). */
function perElement(mnemonic: string, opcode: number, op: (x: bigint, n: number, es: number) => bigint): InstructionDef {
  return vdef(
    'vector',
    mnemonic,
    opcode,
    'VRR-c',
    'v:V1,v:V2,v:V3,m:M4',
    (cpu, a, b) => {
      const es = elementSize(cpu, fM4InB(b), ALL);
      const v2 = fV2(a, b);
      const v3 = fV3(a, b);
      const bits = 8 << es;
      for (let i = 0; i < count(es); i++) putBig(scratch, es, i, op(getBig(cpu, v2, es, i), Number(getBig(cpu, v3, es, i) % BigInt(bits)), es));
      commit(cpu, fV1(a, b));
    },
    sized(mnemonic, 'M4', 'v:V1,v:V2,v:V3', ALL),
  );
}

const shiftLeft = (x: bigint, n: number): bigint => x << BigInt(n);
const shiftRightLogical = (x: bigint, n: number): bigint => x >> BigInt(n);
const shiftRightArithmetic = (x: bigint, n: number, es: number): bigint => signedOf(x, es) >> BigInt(n);

/** VERLL: every element of V3 rotated left by the low bits of D2(B2). */
function rotateByAddress(cpu: CpuCore, a: InsnA<'VRS-a'>, b: InsnB<'VRS-a'>): void {
  const es = elementSize(cpu, fM4InB(b), ALL);
  // The low bits of the address only (exact in cpu.eaLo whatever the address's size).
  cpu.ea(0, fB2(a), fD2(a));
  const n = cpu.eaLo % (8 << es);
  const v3 = fVrsV3(a, b);
  for (let i = 0; i < count(es); i++) putBig(scratch, es, i, rotate(getBig(cpu, v3, es, i), n, es));
  commit(cpu, fV1(a, b));
}

/** VERIM: V2's elements rotated left by I4, inserted into V1 where V3's bits are one. */
function rotateAndInsert(cpu: CpuCore, a: InsnA<'VRI-d'>, b: InsnB<'VRI-d'>): void {
  const es = elementSize(cpu, fM5InB(b), ALL);
  const v1 = fV1(a, b);
  const v2 = fV2(a, b);
  const v3 = fV3(a, b);
  const n = fI4(a);
  for (let i = 0; i < count(es); i++) {
    const mask = getBig(cpu, v3, es, i);
    putBig(scratch, es, i, (rotate(getBig(cpu, v2, es, i), n, es) & mask) | (getBig(cpu, v1, es, i) & ~mask));
  }
  commit(cpu, v1);
}

/**
 * VSRA: each byte of V2 shifted right arithmetically by bits 5–7 of the same byte of V3, taking
 * bits from the byte to its left (sign bits for byte 0), as vector-enhancements facility 2
 * defines it (VSRL and VSL in integer-basic.ts do the same); VSRAB shifts the whole register by
 * the bytes in bits 1–4 of byte 7 of V3.
 */
function shiftRightArithmeticWhole(cpu: CpuCore, a: InsnA<'VRR-c'>, b: InsnB<'VRR-c'>, unit: 'bits' | 'bytes'): void {
  cpu.checkVector();
  const v2 = fV2(a, b);
  const v3 = 16 * fV3(a, b);
  if (unit === 'bits') {
    const sign = (cpu.vr[16 * v2]! & 0x80) !== 0 ? 0xff : 0;
    for (let i = 0; i < 16; i++) {
      const prev = i > 0 ? cpu.vr[16 * v2 + i - 1]! : sign;
      scratch[i] = (((prev << 8) | cpu.vr[16 * v2 + i]!) >>> (cpu.vr[v3 + i]! & 7)) & 0xff;
    }
  } else {
    const n = BigInt(((cpu.vr[v3 + 7]! >>> 3) & 15) * 8);
    putBig(scratch, 4, 0, signedOf(getBig(cpu, v2, 4, 0), 4) >> n);
  }
  commit(cpu, fV1(a, b));
}

/** VSLDB / VSLD / VSRD: 16 bytes of the 32-byte concatenation V2:V3, shifted by bytes or bits. */
function shiftDouble(cpu: CpuCore, a: InsnA<'VRI-d'>, b: InsnB<'VRI-d'>, kind: 'bytes' | 'left' | 'right'): void {
  cpu.checkVector();
  const i4 = fI4(a);
  const joined = (getBig(cpu, fV2(a, b), 4, 0) << 128n) | getBig(cpu, fV3(a, b), 4, 0);
  let result: bigint;
  if (kind === 'bytes') {
    cpu.requireSpec(i4 <= 15);
    result = joined >> BigInt(128 - 8 * i4);
  } else {
    cpu.requireSpec(i4 <= 7);
    result = kind === 'left' ? joined >> BigInt(128 - i4) : joined >> BigInt(i4);
  }
  putBig(scratch, 4, 0, result);
  commit(cpu, fV1(a, b));
}

/** VPKS / VPKLS: elements of V2 then V3 saturated to half width; M5 bit 3 sets the CC. */
function packSaturate(mnemonic: string, opcode: number, signed: boolean): InstructionDef {
  const aliases: InstructionAlias[] = [];
  for (const es of [1, 2, 3]) {
    aliases.push({ mnemonic: mnemonic + SUFFIX[es]!, when: { M4: es, M5: 0 }, operands: 'v:V1,v:V2,v:V3' });
    aliases.push({ mnemonic: mnemonic + SUFFIX[es]! + 's', when: { M4: es, M5: 1 }, operands: 'v:V1,v:V2,v:V3' });
  }
  return vdef(
    'vector',
    mnemonic,
    opcode,
    'VRR-b',
    'v:V1,v:V2,v:V3,m:M4,m:M5',
    (cpu, a, b) => {
      const es = elementSize(cpu, fM4InB(b), [1, 2, 3]);
      const half = 4 << es;
      const max = signed ? (1n << BigInt(half - 1)) - 1n : (1n << BigInt(half)) - 1n;
      const min = signed ? -(1n << BigInt(half - 1)) : 0n;
      const n = count(es);
      let saturated = 0;
      [fV2(a, b), fV3(a, b)].forEach((v, k) => {
        for (let i = 0; i < n; i++) {
          const x = signed ? signedOf(getBig(cpu, v, es, i), es) : getBig(cpu, v, es, i);
          const clamped = x > max ? max : x < min ? min : x;
          if (clamped !== x) saturated++;
          putBig(scratch, es - 1, k * n + i, clamped);
        }
      });
      commit(cpu, fV1(a, b));
      if ((fVrrM5(a) & 1) !== 0) cpu.cc = saturated === 0 ? 0 : saturated === 2 * n ? 3 : 1;
    },
    aliases,
  );
}

export const vectorLogicalShiftInstructions: InstructionDef[] = [
  bitwise('vector-enhancements-1', 'vnx', 0xe76c, (x, y) => ~(x ^ y)),
  bitwise('vector-enhancements-1', 'vnn', 0xe76e, (x, y) => ~(x & y)),
  bitwise('vector-enhancements-1', 'voc', 0xe76f, (x, y) => x | ~y),
  vdef('vector', 'verll', 0xe733, 'VRS-a', 'v:V1,v:V3,db:2,m:M4', rotateByAddress, sized('verll', 'M4', 'v:V1,v:V3,db:2', ALL)),
  perElement('verllv', 0xe773, rotate),
  perElement('veslv', 0xe770, shiftLeft),
  perElement('vesrav', 0xe77a, shiftRightArithmetic),
  perElement('vesrlv', 0xe778, shiftRightLogical),
  vdef('vector', 'verim', 0xe772, 'VRI-d', 'v:V1,v:V2,v:V3,u:I4,m:M5', rotateAndInsert, sized('verim', 'M5', 'v:V1,v:V2,v:V3,u:I4', ALL)),
  vdef('vector', 'vsra', 0xe77e, 'VRR-c', 'v:V1,v:V2,v:V3', (cpu, a, b) => shiftRightArithmeticWhole(cpu, a, b, 'bits')),
  vdef('vector', 'vsrab', 0xe77f, 'VRR-c', 'v:V1,v:V2,v:V3', (cpu, a, b) => shiftRightArithmeticWhole(cpu, a, b, 'bytes')),
  vdef('vector', 'vsldb', 0xe777, 'VRI-d', 'v:V1,v:V2,v:V3,u:I4', (cpu, a, b) => shiftDouble(cpu, a, b, 'bytes')),
  vdef('vector-enhancements-2', 'vsld', 0xe786, 'VRI-d', 'v:V1,v:V2,v:V3,u:I4', (cpu, a, b) => shiftDouble(cpu, a, b, 'left')),
  vdef('vector-enhancements-2', 'vsrd', 0xe787, 'VRI-d', 'v:V1,v:V2,v:V3,u:I4', (cpu, a, b) => shiftDouble(cpu, a, b, 'right')),
  vdef('vector', 'vpdi', 0xe784, 'VRR-c', 'v:V1,v:V2,v:V3,m:M4', (cpu, a, b) => {
    cpu.checkVector();
    const m4 = fM4InB(b);
    putBig(scratch, 3, 0, getBig(cpu, fV2(a, b), 3, (m4 >>> 2) & 1));
    putBig(scratch, 3, 1, getBig(cpu, fV3(a, b), 3, m4 & 1));
    commit(cpu, fV1(a, b));
  }),
  packSaturate('vpks', 0xe797, true),
  packSaturate('vpkls', 0xe795, false),
  vdef('vector-enhancements-1', 'vbperm', 0xe785, 'VRR-c', 'v:V1,v:V2,v:V3', (cpu, a, b) => {
    cpu.checkVector();
    const v2 = 16 * fV2(a, b);
    const v3 = 16 * fV3(a, b);
    let bits = 0;
    for (let i = 0; i < 16; i++) {
      const index = cpu.vr[v3 + i]!;
      const bit = index < 128 ? (cpu.vr[v2 + (index >>> 3)]! >>> (7 - (index & 7))) & 1 : 0;
      bits = (bits << 1) | bit;
    }
    scratch.fill(0);
    putBig(scratch, 1, 3, BigInt(bits));
    commit(cpu, fV1(a, b));
  }),
];
