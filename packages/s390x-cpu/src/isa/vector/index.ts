// Vector instructions used to save and restore state (PoO chapter 21; spec s390x-cpu.md §1,
// §4): VL, VST, VLM, VSTM, VLR, VLVG, VLGV, VREPI, VGBM (VZERO/VONE). Each needs CR0 bits 45 and
// 46, else a data exception with DXC 0xFE. Alignment hints are accepted and ignored.

import type { CpuCore } from '../../core/cpu-core.js';
import { defFacility } from '../define.js';
import type { Format } from '../formats.js';
import { fI16, fM3InB, fM4InB, fR1, fR3, fU16, fV1, fV2, fVrsV3, type InsnA, type InsnB } from '../fields.js';
import { eaRS, eaRX } from '../general/alu.js';
import type { InstructionAlias, InstructionDef, Semantics } from '../types.js';
import { VECTOR_INTEGER_INSTRUCTIONS } from './integer-groups.js';
import { vectorFloatArithmeticInstructions } from './float-arithmetic.js';
import { vectorFloatCompareInstructions } from './float-compare.js';
import { vectorFloatConvertInstructions } from './float-convert.js';

function loadVector(cpu: CpuCore, v: number, addr: number): void {
  cpu.probe(addr, 16, false);
  for (let i = 0; i < 16; i++) cpu.vr[16 * v + i] = cpu.readU8(cpu.step(addr, i));
}

function storeVector(cpu: CpuCore, v: number, addr: number): void {
  for (let i = 0; i < 16; i++) cpu.writeU8(cpu.step(addr, i), cpu.vr[16 * v + i]!);
}

/** Writes element `index` of size 1 << es bytes in V v from the low bytes of hi:lo. */
function setElement(cpu: CpuCore, v: number, es: number, index: number, hi: number, lo: number): void {
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
function elementSize(cpu: CpuCore, m: number): number {
  cpu.requireSpec(m <= 3);
  return m;
}

const es = (m: number): string => ['b', 'h', 'f', 'g'][m] ?? '';
const sized = (base: string, field: string, operands: string): InstructionAlias[] => [0, 1, 2, 3].map((m) => ({ mnemonic: base + es(m), when: { [field]: m }, operands }));

/** One vector-facility table entry (all of them are problem-state). */
function vector<F extends Format>(mnemonic: string, opcode: number, format: F, operands: string, exec: Semantics<NoInfer<F>>, aliases?: readonly InstructionAlias[]): InstructionDef {
  return defFacility('vector', mnemonic, opcode, format, operands, exec, aliases);
}

function vectorLoad(cpu: CpuCore, a: InsnA<'VRX'>, b: InsnB<'VRX'>): void {
  cpu.checkVector();
  loadVector(cpu, fV1(a, b), eaRX(cpu, a));
}

function vectorStore(cpu: CpuCore, a: InsnA<'VRX'>, b: InsnB<'VRX'>): void {
  cpu.checkVector();
  const addr = eaRX(cpu, a);
  cpu.probe(addr, 16, true);
  storeVector(cpu, fV1(a, b), addr);
}

/** VLM / VSTM: V1 through V3 (V3 >= V1) at consecutive quadwords, the whole range probed first. */
function vectorMultiple(cpu: CpuCore, a: InsnA<'VRS-a'>, b: InsnB<'VRS-a'>, store: boolean): void {
  cpu.checkVector();
  const v1 = fV1(a, b);
  const v3 = fVrsV3(a, b);
  cpu.requireSpec(v3 >= v1 && v3 - v1 < 16);
  const addr = eaRS(cpu, a);
  cpu.probe(addr, 16 * (v3 - v1 + 1), store);
  for (let v = v1; v <= v3; v++) {
    const at = cpu.step(addr, 16 * (v - v1));
    if (store) storeVector(cpu, v, at);
    else loadVector(cpu, v, at);
  }
}

function vectorLoadRegister(cpu: CpuCore, a: InsnA<'VRR-a'>, b: InsnB<'VRR-a'>): void {
  cpu.checkVector();
  const v2 = fV2(a, b);
  cpu.vr.copyWithin(16 * fV1(a, b), 16 * v2, 16 * v2 + 16);
}

/** VLVG: GPR R3 into one element of V1; the second-operand address is the element index, not a storage address. */
function vectorLoadGprElement(cpu: CpuCore, a: InsnA<'VRS-b'>, b: InsnB<'VRS-b'>): void {
  cpu.checkVector();
  const size = elementSize(cpu, fM4InB(b));
  const r3 = fR3(a);
  const index = eaRS(cpu, a) & ((16 >>> size) - 1);
  setElement(cpu, fV1(a, b), size, index, cpu.r[2 * r3]!, cpu.r[2 * r3 + 1]!);
}

/** VLGV: one element of V3, zero-extended, into GPR R1. */
function vectorStoreGprElement(cpu: CpuCore, a: InsnA<'VRS-c'>, b: InsnB<'VRS-c'>): void {
  cpu.checkVector();
  const size = elementSize(cpu, fM4InB(b));
  const r1 = fR1(a);
  const v3 = fVrsV3(a, b);
  const index = eaRS(cpu, a) & ((16 >>> size) - 1);
  const at = 16 * v3 + index * (1 << size);
  const dv = cpu.vrView;
  cpu.r[2 * r1] = size === 3 ? dv.getUint32(at) : 0;
  cpu.r[2 * r1 + 1] = size === 0 ? dv.getUint8(at) : size === 1 ? dv.getUint16(at) : size === 2 ? dv.getUint32(at) : dv.getUint32(at + 4);
}

/** VREPI: the sign-extended I2 in every element of V1. */
function vectorReplicateImmediate(cpu: CpuCore, a: InsnA<'VRI-a'>, b: InsnB<'VRI-a'>): void {
  cpu.checkVector();
  const size = elementSize(cpu, fM3InB(b));
  const value = fI16(a);
  const hi = value < 0 ? 0xffffffff : 0;
  const v1 = fV1(a, b);
  for (let i = 0; i < 16 >>> size; i++) setElement(cpu, v1, size, i, hi, value >>> 0);
}

/** VGBM: each bit of I2 selects an all-ones or all-zeros byte of V1. */
function vectorGenerateByteMask(cpu: CpuCore, a: InsnA<'VRI-a'>, b: InsnB<'VRI-a'>): void {
  cpu.checkVector();
  const mask = fU16(a);
  const base = 16 * fV1(a, b);
  for (let i = 0; i < 16; i++) cpu.vr[base + i] = (mask >>> (15 - i)) & 1 ? 0xff : 0;
}

const VGBM_ALIASES: readonly InstructionAlias[] = [
  { mnemonic: 'vzero', when: { I2: 0 }, operands: 'v:V1' },
  { mnemonic: 'vone', when: { I2: 0xffff }, operands: 'v:V1' },
];

export const vectorInstructions: InstructionDef[] = [
  vector('vl', 0xe706, 'VRX', 'v:V1,dxb:2,m?:M3', vectorLoad),
  vector('vst', 0xe70e, 'VRX', 'v:V1,dxb:2,m?:M3', vectorStore),
  vector('vlm', 0xe736, 'VRS-a', 'v:V1,v:V3,db:2,m?:M4', (cpu, a, b) => vectorMultiple(cpu, a, b, false)),
  vector('vstm', 0xe73e, 'VRS-a', 'v:V1,v:V3,db:2,m?:M4', (cpu, a, b) => vectorMultiple(cpu, a, b, true)),
  vector('vlr', 0xe756, 'VRR-a', 'v:V1,v:V2', vectorLoadRegister),
  vector('vlvg', 0xe722, 'VRS-b', 'v:V1,r:R3,db:2,m:M4', vectorLoadGprElement, sized('vlvg', 'M4', 'v:V1,r:R3,db:2')),
  vector('vlgv', 0xe721, 'VRS-c', 'r:R1,v:V3,db:2,m:M4', vectorStoreGprElement, sized('vlgv', 'M4', 'r:R1,v:V3,db:2')),
  vector('vrepi', 0xe745, 'VRI-a', 'v:V1,s:I2,m:M3', vectorReplicateImmediate, sized('vrepi', 'M3', 'v:V1,s:I2')),
  vector('vgbm', 0xe744, 'VRI-a', 'v:V1,u:I2', vectorGenerateByteMask, VGBM_ALIASES),
  ...VECTOR_INTEGER_INSTRUCTIONS,
  ...vectorFloatArithmeticInstructions,
  ...vectorFloatCompareInstructions,
  ...vectorFloatConvertInstructions,
];
