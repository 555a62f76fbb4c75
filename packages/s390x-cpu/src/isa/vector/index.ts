// Vector instructions used to save and restore state (PoO chapter 21; spec s390x-cpu.md §1,
// §4): VL, VST, VLM, VSTM, VLR, VLVG, VLGV, VREPI, VGBM (VZERO/VONE). Each needs CR0 bits 45 and
// 46, else a data exception with DXC 0xFE. Alignment hints are accepted and ignored.

import type { Cpu } from '../../cpu/cpu.js';
import { fB2, fD2, fI16, fR1, fR2, fV1, fV2, fB32 } from '../formats.js';
import type { InstructionDef } from '../types.js';

function loadVector(cpu: Cpu, v: number, addr: number): void {
  cpu.probe(addr, 16, false);
  for (let i = 0; i < 16; i++) cpu.vr[16 * v + i] = cpu.readU8(cpu.wrap(addr + i));
}

function storeVector(cpu: Cpu, v: number, addr: number): void {
  for (let i = 0; i < 16; i++) cpu.writeU8(cpu.wrap(addr + i), cpu.vr[16 * v + i]!);
}

/** Writes element `index` of size 1 << es bytes in V v from the low bytes of hi:lo. */
function setElement(cpu: Cpu, v: number, es: number, index: number, hi: number, lo: number): void {
  const size = 1 << es;
  const at = 16 * v + index * size;
  const dv = cpu.vrView;
  if (es === 0) dv.setUint8(at, lo & 0xff);
  else if (es === 1) dv.setUint16(at, lo & 0xffff);
  else if (es === 2) dv.setUint32(at, lo >>> 0);
  else {
    dv.setUint32(at, hi >>> 0);
    dv.setUint32(at + 4, lo >>> 0);
  }
}

/** Checks the element size M field (0–3 = byte … doubleword). */
function elementSize(cpu: Cpu, m: number): number {
  cpu.requireSpec(m <= 3);
  return m;
}

const es = (m: number): string => ['b', 'h', 'f', 'g'][m] ?? '';
const sized = (base: string, field: string, operands: string): InstructionDef['aliases'] =>
  [0, 1, 2, 3].map((m) => ({ mnemonic: base + es(m), when: { [field]: m }, operands }));

export const vectorInstructions: InstructionDef[] = [
  {
    mnemonic: 'vl',
    opcode: 0xe706,
    format: 'VRX',
    operands: 'v:V1,dxb:2,m?:M3',
    facility: 'vector',
    privileged: false,
    exec: (cpu, a, b) => {
      cpu.checkVector();
      loadVector(cpu, fV1(a, b), cpu.ea(fR2(a), fB2(a), fD2(a)));
    },
  },
  {
    mnemonic: 'vst',
    opcode: 0xe70e,
    format: 'VRX',
    operands: 'v:V1,dxb:2,m?:M3',
    facility: 'vector',
    privileged: false,
    exec: (cpu, a, b) => {
      cpu.checkVector();
      const addr = cpu.ea(fR2(a), fB2(a), fD2(a));
      cpu.probe(addr, 16, true);
      storeVector(cpu, fV1(a, b), addr);
    },
  },
  {
    mnemonic: 'vlm',
    opcode: 0xe736,
    format: 'VRS-a',
    operands: 'v:V1,v:V3,db:2,m?:M4',
    facility: 'vector',
    privileged: false,
    exec: (cpu, a, b) => {
      cpu.checkVector();
      const v1 = fV1(a, b);
      const v3 = fV2(a, b);
      cpu.requireSpec(v3 >= v1 && v3 - v1 < 16);
      const addr = cpu.ea(0, fB2(a), fD2(a));
      cpu.probe(addr, 16 * (v3 - v1 + 1), false);
      for (let v = v1; v <= v3; v++) loadVector(cpu, v, cpu.wrap(addr + 16 * (v - v1)));
    },
  },
  {
    mnemonic: 'vstm',
    opcode: 0xe73e,
    format: 'VRS-a',
    operands: 'v:V1,v:V3,db:2,m?:M4',
    facility: 'vector',
    privileged: false,
    exec: (cpu, a, b) => {
      cpu.checkVector();
      const v1 = fV1(a, b);
      const v3 = fV2(a, b);
      cpu.requireSpec(v3 >= v1 && v3 - v1 < 16);
      const addr = cpu.ea(0, fB2(a), fD2(a));
      cpu.probe(addr, 16 * (v3 - v1 + 1), true);
      for (let v = v1; v <= v3; v++) storeVector(cpu, v, cpu.wrap(addr + 16 * (v - v1)));
    },
  },
  {
    mnemonic: 'vlr',
    opcode: 0xe756,
    format: 'VRR-a',
    operands: 'v:V1,v:V2',
    facility: 'vector',
    privileged: false,
    exec: (cpu, a, b) => {
      cpu.checkVector();
      const v2 = fV2(a, b);
      cpu.vr.copyWithin(16 * fV1(a, b), 16 * v2, 16 * v2 + 16);
    },
  },
  {
    mnemonic: 'vlvg',
    opcode: 0xe722,
    format: 'VRS-b',
    operands: 'v:V1,r:R3,db:2,m:M4',
    aliases: sized('vlvg', 'M4', 'v:V1,r:R3,db:2'),
    facility: 'vector',
    privileged: false,
    exec: (cpu, a, b) => {
      cpu.checkVector();
      const size = elementSize(cpu, fB32(b));
      const r3 = fR2(a);
      // The second-operand address is the element index, not a storage address.
      const index = cpu.ea(0, fB2(a), fD2(a)) & ((16 >>> size) - 1);
      setElement(cpu, fV1(a, b), size, index, cpu.r[2 * r3]!, cpu.r[2 * r3 + 1]!);
    },
  },
  {
    mnemonic: 'vlgv',
    opcode: 0xe721,
    format: 'VRS-c',
    operands: 'r:R1,v:V3,db:2,m:M4',
    aliases: sized('vlgv', 'M4', 'r:R1,v:V3,db:2'),
    facility: 'vector',
    privileged: false,
    exec: (cpu, a, b) => {
      cpu.checkVector();
      const size = elementSize(cpu, fB32(b));
      const r1 = fR1(a);
      const v3 = fV2(a, b);
      const index = cpu.ea(0, fB2(a), fD2(a)) & ((16 >>> size) - 1);
      const at = 16 * v3 + index * (1 << size);
      const dv = cpu.vrView;
      cpu.r[2 * r1] = size === 3 ? dv.getUint32(at) : 0;
      cpu.r[2 * r1 + 1] = size === 0 ? dv.getUint8(at) : size === 1 ? dv.getUint16(at) : size === 2 ? dv.getUint32(at) : dv.getUint32(at + 4);
    },
  },
  {
    mnemonic: 'vrepi',
    opcode: 0xe745,
    format: 'VRI-a',
    operands: 'v:V1,s:I2,m:M3',
    aliases: sized('vrepi', 'M3', 'v:V1,s:I2'),
    facility: 'vector',
    privileged: false,
    exec: (cpu, a, b) => {
      cpu.checkVector();
      const size = elementSize(cpu, fB32(b));
      const value = fI16(a);
      const hi = value < 0 ? 0xffffffff : 0;
      const v1 = fV1(a, b);
      for (let i = 0; i < 16 >>> size; i++) setElement(cpu, v1, size, i, hi, value >>> 0);
    },
  },
  {
    mnemonic: 'vgbm',
    opcode: 0xe744,
    format: 'VRI-a',
    operands: 'v:V1,u:I2',
    aliases: [
      { mnemonic: 'vzero', when: { I2: 0 }, operands: 'v:V1' },
      { mnemonic: 'vone', when: { I2: 0xffff }, operands: 'v:V1' },
    ],
    facility: 'vector',
    privileged: false,
    exec: (cpu, a, b) => {
      cpu.checkVector();
      const mask = a & 0xffff;
      const base = 16 * fV1(a, b);
      for (let i = 0; i < 16; i++) cpu.vr[base + i] = (mask >>> (15 - i)) & 1 ? 0xff : 0;
    },
  },
];

