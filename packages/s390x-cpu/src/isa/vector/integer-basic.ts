// The vector integer instructions gcc -march=z13 emits when it vectorises ordinary C loops or
// moves 128-bit values (PoO chapters 21–22): element loads/stores/immediates, add/subtract,
// logical ops, select, permute, generate mask, shifts, pack/unpack, merge, multiply even/odd/low,
// replicate and compares. Element size from the M field (0 byte … 3 doubleword, 4 quadword where
// allowed); a bad size is a specification exception. All need CR0 bits 45 and 46.

import type { CpuCore } from '../../core/cpu-core.js';
import { def } from '../define.js';
import { fB2, fD2, fI16, fM3InB, fM4InB, fR2, fRrfR3, fU16, fV1, fV2, fV3, fV4, fVriI2, fVriI3, fVrrM5, fVrsV3, fX2, type InsnA, type InsnB } from '../fields.js';
import type { InstructionAlias, InstructionDef } from '../types.js';
import { commit, getBig, getSmall, putBig, putSmall, scratch, scratchView, signedOf, sized, SUFFIX } from './elements.js';

function size(cpu: CpuCore, m: number, max = 3): number {
  cpu.checkVector();
  cpu.requireSpec(m <= max);
  return m;
}

/** Element-wise binary operation on V2, V3 → V1 (VRR-c, element size in M4). */
function elementwise(mnemonic: string, opcode: number, maxSize: number, op: (x: bigint, y: bigint, es: number) => bigint, small?: (x: number, y: number, es: number) => number): InstructionDef {
  return def(
    mnemonic,
    opcode,
    'VRR-c',
    'v:V1,v:V2,v:V3,m:M4',
    (cpu, a, b) => {
      const es = size(cpu, fM4InB(b), maxSize);
      const v2 = fV2(a, b);
      const v3 = fV3(a, b);
      const n = 16 >>> es;
      for (let i = 0; i < n; i++) {
        if (small !== undefined && es <= 2) putSmall(scratchView, es, i, small(getSmall(cpu, v2, es, i), getSmall(cpu, v3, es, i), es));
        else putBig(scratch, es, i, op(getBig(cpu, v2, es, i), getBig(cpu, v3, es, i), es));
      }
      commit(cpu, fV1(a, b));
    },
    sized(
      mnemonic,
      'M4',
      'v:V1,v:V2,v:V3',
      Array.from({ length: maxSize + 1 }, (_, k) => k),
    ),
  );
}

/** Bytewise logical operation on whole registers (VRR-c, no element size). */
function bitwise(mnemonic: string, opcode: number, op: (x: number, y: number) => number): InstructionDef {
  return def(mnemonic, opcode, 'VRR-c', 'v:V1,v:V2,v:V3', (cpu, a, b) => {
    cpu.checkVector();
    const v2 = 16 * fV2(a, b);
    const v3 = 16 * fV3(a, b);
    for (let i = 0; i < 16; i++) scratch[i] = op(cpu.vr[v2 + i]!, cpu.vr[v3 + i]!) & 0xff;
    commit(cpu, fV1(a, b));
  });
}

/** Element index check for element loads/stores: index < 16 >> es. */
function index(cpu: CpuCore, m: number, es: number): number {
  cpu.requireSpec(m < 16 >>> es);
  return m;
}

function loadElement(mnemonic: string, opcode: number, es: number): InstructionDef {
  return def(mnemonic, opcode, 'VRX', 'v:V1,dxb:2,m:M3', (cpu, a, b) => {
    cpu.checkVector();
    const i = index(cpu, fM3InB(b), es);
    const addr = cpu.ea(fX2(a), fB2(a), fD2(a));
    const bytes = 1 << es;
    cpu.probe(addr, bytes, false);
    const at = 16 * fV1(a, b) + i * bytes;
    for (let k = 0; k < bytes; k++) cpu.vr[at + k] = cpu.readU8(cpu.step(addr, k));
  });
}
function storeElement(mnemonic: string, opcode: number, es: number): InstructionDef {
  return def(mnemonic, opcode, 'VRX', 'v:V1,dxb:2,m:M3', (cpu, a, b) => {
    cpu.checkVector();
    const i = index(cpu, fM3InB(b), es);
    const addr = cpu.ea(fX2(a), fB2(a), fD2(a));
    const bytes = 1 << es;
    cpu.probe(addr, bytes, true);
    const at = 16 * fV1(a, b) + i * bytes;
    for (let k = 0; k < bytes; k++) cpu.writeU8(cpu.step(addr, k), cpu.vr[at + k]!);
  });
}
function loadElementImmediate(mnemonic: string, opcode: number, es: number): InstructionDef {
  return def(mnemonic, opcode, 'VRI-a', 'v:V1,s:I2,m:M3', (cpu, a, b) => {
    cpu.checkVector();
    const i = index(cpu, fM3InB(b), es);
    const v1 = fV1(a, b);
    scratch.set(cpu.vr.subarray(16 * v1, 16 * v1 + 16));
    putBig(scratch, es, i, BigInt(fI16(a)));
    commit(cpu, v1);
  });
}

/** Unpack: extend half of V2's elements (size M3) to double width. */
function unpack(mnemonic: string, opcode: number, high: boolean, signed: boolean, suffixes: readonly string[]): InstructionDef {
  return def(
    mnemonic,
    opcode,
    'VRR-a',
    'v:V1,v:V2,m:M3',
    (cpu, a, b) => {
      const es = size(cpu, fM3InB(b), 2);
      const v2 = fV2(a, b);
      const n = 8 >>> es;
      for (let i = 0; i < n; i++) {
        const x = getBig(cpu, v2, es, high ? i : i + n);
        putBig(scratch, es + 1, i, signed ? signedOf(x, es) : x);
      }
      commit(cpu, fV1(a, b));
    },
    sized(mnemonic, 'M3', 'v:V1,v:V2', [0, 1, 2], suffixes),
  );
}

/** Multiply even/odd elements to double width. */
function multiplyWide(mnemonic: string, opcode: number, odd: boolean, signed: boolean, suffixes: readonly string[]): InstructionDef {
  return def(
    mnemonic,
    opcode,
    'VRR-c',
    'v:V1,v:V2,v:V3,m:M4',
    (cpu, a, b) => {
      const es = size(cpu, fM4InB(b), 2);
      const v2 = fV2(a, b);
      const v3 = fV3(a, b);
      const n = 8 >>> es;
      for (let i = 0; i < n; i++) {
        let x = getBig(cpu, v2, es, 2 * i + (odd ? 1 : 0));
        let y = getBig(cpu, v3, es, 2 * i + (odd ? 1 : 0));
        if (signed) {
          x = signedOf(x, es);
          y = signedOf(y, es);
        }
        putBig(scratch, es + 1, i, x * y);
      }
      commit(cpu, fV1(a, b));
    },
    sized(mnemonic, 'M4', 'v:V1,v:V2,v:V3', [0, 1, 2], suffixes),
  );
}

/** Shift every element of V3 by the low bits of D2(B2) (VRS-a). */
function shiftElements(mnemonic: string, opcode: number, kind: 'l' | 'rl' | 'ra'): InstructionDef {
  return def(
    mnemonic,
    opcode,
    'VRS-a',
    'v:V1,v:V3,db:2,m:M4',
    (cpu, a, b) => {
      const es = size(cpu, fM4InB(b));
      cpu.ea(0, fB2(a), fD2(a));
      const bits = 8 << es;
      const n = BigInt(cpu.eaLo % bits);
      const v3 = fVrsV3(a, b);
      for (let i = 0; i < 16 >>> es; i++) {
        const x = getBig(cpu, v3, es, i);
        putBig(scratch, es, i, kind === 'l' ? x << n : kind === 'rl' ? x >> n : signedOf(x, es) >> n);
      }
      commit(cpu, fV1(a, b));
    },
    sized(mnemonic, 'M4', 'v:V1,v:V3,db:2', [0, 1, 2, 3]),
  );
}

/** Compare elements; M5 bit 3 (CS) sets CC 0 all true, 1 mixed, 3 none. */
function compare(mnemonic: string, opcode: number, test: (x: bigint, y: bigint, es: number) => boolean): InstructionDef {
  const aliases: InstructionAlias[] = [];
  for (let m = 0; m <= 3; m++) {
    aliases.push({ mnemonic: mnemonic + SUFFIX[m]!, when: { M4: m, M5: 0 }, operands: 'v:V1,v:V2,v:V3' });
    aliases.push({ mnemonic: mnemonic + SUFFIX[m]! + 's', when: { M4: m, M5: 1 }, operands: 'v:V1,v:V2,v:V3' });
  }
  return def(
    mnemonic,
    opcode,
    'VRR-b',
    'v:V1,v:V2,v:V3,m:M4,m:M5',
    (cpu, a, b) => {
      const es = size(cpu, fM4InB(b));
      const v2 = fV2(a, b);
      const v3 = fV3(a, b);
      const n = 16 >>> es;
      let hits = 0;
      for (let i = 0; i < n; i++) {
        const t = test(getBig(cpu, v2, es, i), getBig(cpu, v3, es, i), es);
        if (t) hits++;
        putBig(scratch, es, i, t ? -1n : 0n);
      }
      commit(cpu, fV1(a, b));
      if ((fVrrM5(a) & 1) !== 0) cpu.cc = hits === n ? 0 : hits === 0 ? 3 : 1;
    },
    aliases,
  );
}

/** Merge high/low halves of V2 and V3 alternately. */
function merge(mnemonic: string, opcode: number, high: boolean): InstructionDef {
  return def(
    mnemonic,
    opcode,
    'VRR-c',
    'v:V1,v:V2,v:V3,m:M4',
    (cpu, a, b) => {
      const es = size(cpu, fM4InB(b));
      const v2 = fV2(a, b);
      const v3 = fV3(a, b);
      const n = 8 >>> es;
      for (let i = 0; i < n; i++) {
        const from = high ? i : i + n;
        putBig(scratch, es, 2 * i, getBig(cpu, v2, es, from));
        putBig(scratch, es, 2 * i + 1, getBig(cpu, v3, es, from));
      }
      commit(cpu, fV1(a, b));
    },
    sized(mnemonic, 'M4', 'v:V1,v:V2,v:V3', [0, 1, 2, 3]),
  );
}

export const vectorIntegerInstructions: InstructionDef[] = [
  elementwise(
    'va',
    0xe7f3,
    4,
    (x, y) => x + y,
    (x, y) => x + y,
  ),
  elementwise(
    'vs',
    0xe7f7,
    4,
    (x, y) => x - y,
    (x, y) => x - y,
  ),
  def(
    'vml',
    0xe7a2,
    'VRR-c',
    'v:V1,v:V2,v:V3,m:M4',
    (cpu, a, b) => {
      const es = size(cpu, fM4InB(b), 2);
      const v2 = fV2(a, b);
      const v3 = fV3(a, b);
      for (let i = 0; i < 16 >>> es; i++) putSmall(scratchView, es, i, Math.imul(getSmall(cpu, v2, es, i), getSmall(cpu, v3, es, i)));
      commit(cpu, fV1(a, b));
    },
    sized('vml', 'M4', 'v:V1,v:V2,v:V3', [0, 1, 2], ['b', 'hw', 'f']),
  ),
  multiplyWide('vme', 0xe7a6, false, true, SUFFIX),
  multiplyWide('vmo', 0xe7a7, true, true, SUFFIX),
  multiplyWide('vmle', 0xe7a4, false, false, SUFFIX),
  multiplyWide('vmlo', 0xe7a5, true, false, SUFFIX),
  bitwise('vn', 0xe768, (x, y) => x & y),
  bitwise('vnc', 0xe769, (x, y) => x & ~y),
  bitwise('vo', 0xe76a, (x, y) => x | y),
  bitwise('vno', 0xe76b, (x, y) => ~(x | y)),
  bitwise('vx', 0xe76d, (x, y) => x ^ y),
  def('vsel', 0xe78d, 'VRR-e', 'v:V1,v:V2,v:V3,v:V4', (cpu, a, b) => {
    cpu.checkVector();
    const v2 = 16 * fV2(a, b);
    const v3 = 16 * fV3(a, b);
    const v4 = 16 * fV4(b);
    for (let i = 0; i < 16; i++) {
      const m = cpu.vr[v4 + i]!;
      scratch[i] = (cpu.vr[v2 + i]! & m) | (cpu.vr[v3 + i]! & ~m);
    }
    commit(cpu, fV1(a, b));
  }),
  def('vperm', 0xe78c, 'VRR-e', 'v:V1,v:V2,v:V3,v:V4', (cpu, a, b) => {
    cpu.checkVector();
    const v2 = 16 * fV2(a, b);
    const v3 = 16 * fV3(a, b);
    const v4 = 16 * fV4(b);
    for (let i = 0; i < 16; i++) {
      const k = cpu.vr[v4 + i]! & 31;
      scratch[i] = k < 16 ? cpu.vr[v2 + k]! : cpu.vr[v3 + k - 16]!;
    }
    commit(cpu, fV1(a, b));
  }),
  def(
    'vgm',
    0xe746,
    'VRI-b',
    'v:V1,u:I2,u:I3,m:M4',
    (cpu, a, b) => {
      const es = size(cpu, fM4InB(b));
      const bits = 8 << es;
      const start = fVriI2(a) % bits;
      const end = fVriI3(a) % bits;
      let mask = 0n;
      for (let k = 0; k < bits; k++) {
        const inRange = start <= end ? k >= start && k <= end : k >= start || k <= end;
        if (inRange) mask |= 1n << BigInt(bits - 1 - k);
      }
      for (let i = 0; i < 16 >>> es; i++) putBig(scratch, es, i, mask);
      commit(cpu, fV1(a, b));
    },
    sized('vgm', 'M4', 'v:V1,u:I2,u:I3', [0, 1, 2, 3]),
  ),
  loadElement('vleb', 0xe700, 0),
  loadElement('vleh', 0xe701, 1),
  loadElement('vlef', 0xe703, 2),
  loadElement('vleg', 0xe702, 3),
  storeElement('vsteb', 0xe708, 0),
  storeElement('vsteh', 0xe709, 1),
  storeElement('vstef', 0xe70b, 2),
  storeElement('vsteg', 0xe70a, 3),
  loadElementImmediate('vleib', 0xe740, 0),
  loadElementImmediate('vleih', 0xe741, 1),
  loadElementImmediate('vleif', 0xe743, 2),
  loadElementImmediate('vleig', 0xe742, 3),
  def(
    'vlrep',
    0xe705,
    'VRX',
    'v:V1,dxb:2,m:M3',
    (cpu, a, b) => {
      const es = size(cpu, fM3InB(b));
      const addr = cpu.ea(fX2(a), fB2(a), fD2(a));
      const bytes = 1 << es;
      cpu.probe(addr, bytes, false);
      for (let k = 0; k < bytes; k++) scratch[k] = cpu.readU8(cpu.step(addr, k));
      for (let i = 1; i < 16 >>> es; i++) scratch.copyWithin(i * bytes, 0, bytes);
      commit(cpu, fV1(a, b));
    },
    sized('vlrep', 'M3', 'v:V1,dxb:2', [0, 1, 2, 3]),
  ),
  def(
    'vrep',
    0xe74d,
    'VRI-c',
    'v:V1,v:V3,u:I2,m:M4',
    (cpu, a, b) => {
      const es = size(cpu, fM4InB(b));
      const i2 = fU16(a);
      cpu.requireSpec(i2 < 16 >>> es);
      const bytes = 1 << es;
      const from = 16 * fVrsV3(a, b) + i2 * bytes;
      for (let k = 0; k < bytes; k++) scratch[k] = cpu.vr[from + k]!;
      for (let i = 1; i < 16 >>> es; i++) scratch.copyWithin(i * bytes, 0, bytes);
      commit(cpu, fV1(a, b));
    },
    sized('vrep', 'M4', 'v:V1,v:V3,u:I2', [0, 1, 2, 3]),
  ),
  def('vlvgp', 0xe762, 'VRR-f', 'v:V1,r:R2,r:R3', (cpu, a, b) => {
    cpu.checkVector();
    const r2 = fR2(a);
    const r3 = fRrfR3(a);
    scratchView.setUint32(0, cpu.r[2 * r2]!);
    scratchView.setUint32(4, cpu.r[2 * r2 + 1]!);
    scratchView.setUint32(8, cpu.r[2 * r3]!);
    scratchView.setUint32(12, cpu.r[2 * r3 + 1]!);
    commit(cpu, fV1(a, b));
  }),
  def('vsl', 0xe774, 'VRR-c', 'v:V1,v:V2,v:V3', (cpu, a, b) => shiftWhole(cpu, a, b, 'left', 'bits')),
  def('vslb', 0xe775, 'VRR-c', 'v:V1,v:V2,v:V3', (cpu, a, b) => shiftWhole(cpu, a, b, 'left', 'bytes')),
  def('vsrl', 0xe77c, 'VRR-c', 'v:V1,v:V2,v:V3', (cpu, a, b) => shiftWhole(cpu, a, b, 'right', 'bits')),
  def('vsrlb', 0xe77d, 'VRR-c', 'v:V1,v:V2,v:V3', (cpu, a, b) => shiftWhole(cpu, a, b, 'right', 'bytes')),
  shiftElements('vesl', 0xe730, 'l'),
  shiftElements('vesrl', 0xe738, 'rl'),
  shiftElements('vesra', 0xe73a, 'ra'),
  def(
    'vpk',
    0xe794,
    'VRR-c',
    'v:V1,v:V2,v:V3,m:M4',
    (cpu, a, b) => {
      const es = fM4InB(b);
      cpu.checkVector();
      cpu.requireSpec(es >= 1 && es <= 3);
      const v2 = fV2(a, b);
      const v3 = fV3(a, b);
      const n = 16 >>> es;
      for (let i = 0; i < n; i++) {
        putBig(scratch, es - 1, i, getBig(cpu, v2, es, i));
        putBig(scratch, es - 1, i + n, getBig(cpu, v3, es, i));
      }
      commit(cpu, fV1(a, b));
    },
    sized('vpk', 'M4', 'v:V1,v:V2,v:V3', [1, 2, 3]),
  ),
  unpack('vuph', 0xe7d7, true, true, ['b', 'h', 'f']),
  unpack('vupl', 0xe7d6, false, true, ['b', 'hw', 'f']),
  unpack('vuplh', 0xe7d5, true, false, ['b', 'h', 'f']),
  unpack('vupll', 0xe7d4, false, false, ['b', 'h', 'f']),
  merge('vmrh', 0xe761, true),
  merge('vmrl', 0xe760, false),
  compare('vceq', 0xe7f8, (x, y) => x === y),
  compare('vch', 0xe7fb, (x, y, es) => signedOf(x, es) > signedOf(y, es)),
  compare('vchl', 0xe7f9, (x, y) => x > y),
];

/**
 * VSL/VSRL shift each byte of V2 by bits 5–7 of the same byte of V3, taking bits from the next
 * (left shift) or previous (right shift) byte, as the vector-enhancements facility 2 defines and
 * QEMU implements; VSLB/VSRLB shift the whole 128 bits by whole bytes, bits 1–4 of byte 7 of V3.
 */
function shiftWhole(cpu: CpuCore, a: InsnA<'VRR-c'>, b: InsnB<'VRR-c'>, dir: 'left' | 'right', unit: 'bits' | 'bytes'): void {
  cpu.checkVector();
  const v2 = 16 * fV2(a, b);
  const v3 = 16 * fV3(a, b);
  if (unit === 'bits') {
    for (let i = 0; i < 16; i++) {
      const sh = cpu.vr[v3 + i]! & 7;
      const cur = cpu.vr[v2 + i]!;
      if (dir === 'left') {
        const next = i < 15 ? cpu.vr[v2 + i + 1]! : 0;
        scratch[i] = ((((cur << 8) | next) << sh) >>> 8) & 0xff;
      } else {
        const prev = i > 0 ? cpu.vr[v2 + i - 1]! : 0;
        scratch[i] = (((prev << 8) | cur) >>> sh) & 0xff;
      }
    }
  } else {
    const n = BigInt(((cpu.vr[v3 + 7]! >>> 3) & 15) * 8);
    const x = getBig(cpu, fV2(a, b), 4, 0);
    putBig(scratch, 4, 0, dir === 'left' ? x << n : x >> n);
  }
  commit(cpu, fV1(a, b));
}
