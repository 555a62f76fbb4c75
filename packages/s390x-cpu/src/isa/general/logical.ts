// Bitwise AND, OR, EXCLUSIVE OR (register, storage, immediate, three-operand and storage-
// immediate forms) and TEST UNDER MASK (PoO chapter 7). CC: 0 result zero, 1 nonzero; TM: 0
// selected bits zero, 1 mixed (TMxx: leftmost selected bit 0), 2 mixed with leftmost 1, 3 all ones.

import type { CpuCore } from '../../core/cpu-core.js';
import { fI8, fR1, fR2, fRreR1, fRreR2, fRrfR3, fU16, fU32 } from '../fields.js';
import type { InstructionDef } from '../types.js';
import { def, eaRX, eaRXY, eaSI, eaSIY, OUT_HI, OUT_LO, read64 } from './alu.js';

type BitOp = (x: number, y: number) => number;
type Kind = 'n' | 'o' | 'x';
/** The operator inline (a switch on a constant the JIT folds), for the hot register forms. */
function apply(kind: Kind, x: number, y: number): number {
  return (kind === 'n' ? x & y : kind === 'o' ? x | y : x ^ y) >>> 0;
}
const AND: BitOp = (x, y) => (x & y) >>> 0;
const OR: BitOp = (x, y) => (x | y) >>> 0;
const XOR: BitOp = (x, y) => (x ^ y) >>> 0;

function family(
  op: BitOp,
  kind: Kind,
  n: { rr: [string, number]; rx: [string, number]; rxy: [string, number]; rrk: [string, number]; gr: [string, number]; g: [string, number]; grk: [string, number]; si: [string, number]; siy: [string, number] },
): InstructionDef[] {
  const set32 = (cpu: CpuCore, i: number, v: number): void => {
    cpu.r[i] = v;
    cpu.cc = v === 0 ? 0 : 1;
  };
  const set64 = (cpu: CpuCore, i: number, hi: number, lo: number): void => {
    cpu.r[i] = hi;
    cpu.r[i + 1] = lo;
    cpu.cc = (hi | lo) === 0 ? 0 : 1;
  };
  const si = (cpu: CpuCore, addr: number, imm: number): void => {
    const v = op(cpu.readU8(addr), imm) & 0xff;
    cpu.writeU8(addr, v);
    cpu.cc = v === 0 ? 0 : 1;
  };
  return [
    def(n.rr[0], n.rr[1], 'RR', 'r:R1,r:R2', (cpu, a) => {
      const r = cpu.r;
      const i = 2 * fR1(a) + 1;
      const v = apply(kind, r[i]!, r[2 * fR2(a) + 1]!);
      r[i] = v;
      cpu.cc = v === 0 ? 0 : 1;
    }),
    def(n.rx[0], n.rx[1], 'RX-a', 'r:R1,dxb:2', (cpu, a) => {
      const i = 2 * fR1(a) + 1;
      set32(cpu, i, op(cpu.r[i]!, cpu.readU32(eaRX(cpu, a))));
    }),
    def(n.rxy[0], n.rxy[1], 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
      const i = 2 * fR1(a) + 1;
      set32(cpu, i, op(cpu.r[i]!, cpu.readU32(eaRXY(cpu, a, b))));
    }),
    def(n.rrk[0], n.rrk[1], 'RRF-a', 'r:R1,r:R2,r:R3', (cpu, a) => {
      const r = cpu.r;
      const v = apply(kind, r[2 * fRreR2(a) + 1]!, r[2 * fRrfR3(a) + 1]!);
      r[2 * fRreR1(a) + 1] = v;
      cpu.cc = v === 0 ? 0 : 1;
    }),
    def(n.gr[0], n.gr[1], 'RRE', 'r:R1,r:R2', (cpu, a) => {
      const i = 2 * fRreR1(a);
      const j = 2 * fRreR2(a);
      set64(cpu, i, op(cpu.r[i]!, cpu.r[j]!), op(cpu.r[i + 1]!, cpu.r[j + 1]!));
    }),
    def(n.g[0], n.g[1], 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
      const i = 2 * fR1(a);
      read64(cpu, eaRXY(cpu, a, b));
      set64(cpu, i, op(cpu.r[i]!, OUT_HI), op(cpu.r[i + 1]!, OUT_LO));
    }),
    def(n.grk[0], n.grk[1], 'RRF-a', 'r:R1,r:R2,r:R3', (cpu, a) => {
      const j = 2 * fRreR2(a);
      const k = 2 * fRrfR3(a);
      set64(cpu, 2 * fRreR1(a), op(cpu.r[j]!, cpu.r[k]!), op(cpu.r[j + 1]!, cpu.r[k + 1]!));
    }),
    def(n.si[0], n.si[1], 'SI', 'db:1,u:I2', (cpu, a) => si(cpu, eaSI(cpu, a), fI8(a))),
    def(n.siy[0], n.siy[1], 'SIY', 'db:1,u:I2', (cpu, a, b) => si(cpu, eaSIY(cpu, a, b), fI8(a))),
  ];
}

/**
 * Immediate forms on one halfword (`pos` 0 = bits 0–15 … 3 = bits 48–63) or word (`pos` 0 high,
 * 1 low). CC from the changed 16/32 bits only.
 */
function imm16(mnemonic: string, opcode: number, op: BitOp, pos: number): InstructionDef {
  return def(mnemonic, opcode, 'RI-a', 'r:R1,u:I2', (cpu, a) => {
    const i = 2 * fR1(a) + (pos >>> 1);
    const high = (pos & 1) === 0;
    const old = cpu.r[i]!;
    const part = high ? old >>> 16 : old & 0xffff;
    const v = op(part, fU16(a)) & 0xffff;
    cpu.r[i] = high ? ((old & 0xffff) | (v << 16)) >>> 0 : ((old & 0xffff0000) | v) >>> 0;
    cpu.cc = v === 0 ? 0 : 1;
  });
}
function imm32(mnemonic: string, opcode: number, op: BitOp, high: boolean): InstructionDef {
  return def(mnemonic, opcode, 'RIL-a', 'r:R1,u:I2', (cpu, a, b) => {
    const i = 2 * fR1(a) + (high ? 0 : 1);
    const v = op(cpu.r[i]!, fU32(a, b));
    cpu.r[i] = v;
    cpu.cc = v === 0 ? 0 : 1;
  });
}

/** TM: CC 0 all selected zero (or mask zero), 1 mixed, 3 all selected ones. */
function testByte(cpu: CpuCore, byte: number, mask: number): void {
  const sel = byte & mask;
  cpu.cc = sel === 0 ? 0 : sel === mask ? 3 : 1;
}
/** TMLL etc.: like TM but mixed gives 1 or 2 by the leftmost selected bit. */
function testHalf(cpu: CpuCore, half: number, mask: number): void {
  const sel = half & mask;
  if (sel === 0) cpu.cc = 0;
  else if (sel === mask) cpu.cc = 3;
  else {
    const leftmost = 1 << (31 - Math.clz32(mask));
    cpu.cc = (half & leftmost) !== 0 ? 2 : 1;
  }
}
function testMask16(mnemonic: string, opcode: number, pos: number): InstructionDef {
  return def(mnemonic, opcode, 'RI-a', 'r:R1,u:I2', (cpu, a) => {
    const w = cpu.r[2 * fR1(a) + (pos >>> 1)]!;
    testHalf(cpu, (pos & 1) === 0 ? w >>> 16 : w & 0xffff, fU16(a));
  });
}

export const logicalInstructions: InstructionDef[] = [
  ...family(AND, 'n', { rr: ['nr', 0x14], rx: ['n', 0x54], rxy: ['ny', 0xe354], rrk: ['nrk', 0xb9f4], gr: ['ngr', 0xb980], g: ['ng', 0xe380], grk: ['ngrk', 0xb9e4], si: ['ni', 0x94], siy: ['niy', 0xeb54] }),
  ...family(OR, 'o', { rr: ['or', 0x16], rx: ['o', 0x56], rxy: ['oy', 0xe356], rrk: ['ork', 0xb9f6], gr: ['ogr', 0xb981], g: ['og', 0xe381], grk: ['ogrk', 0xb9e6], si: ['oi', 0x96], siy: ['oiy', 0xeb56] }),
  ...family(XOR, 'x', { rr: ['xr', 0x17], rx: ['x', 0x57], rxy: ['xy', 0xe357], rrk: ['xrk', 0xb9f7], gr: ['xgr', 0xb982], g: ['xg', 0xe382], grk: ['xgrk', 0xb9e7], si: ['xi', 0x97], siy: ['xiy', 0xeb57] }),
  imm16('nihh', 0xa54, AND, 0),
  imm16('nihl', 0xa55, AND, 1),
  imm16('nilh', 0xa56, AND, 2),
  imm16('nill', 0xa57, AND, 3),
  imm16('oihh', 0xa58, OR, 0),
  imm16('oihl', 0xa59, OR, 1),
  imm16('oilh', 0xa5a, OR, 2),
  imm16('oill', 0xa5b, OR, 3),
  imm32('nihf', 0xc0a, AND, true),
  imm32('nilf', 0xc0b, AND, false),
  imm32('oihf', 0xc0c, OR, true),
  imm32('oilf', 0xc0d, OR, false),
  imm32('xihf', 0xc06, XOR, true),
  imm32('xilf', 0xc07, XOR, false),
  def('tm', 0x91, 'SI', 'db:1,u:I2', (cpu, a) => testByte(cpu, cpu.readU8(eaSI(cpu, a)), fI8(a))),
  def('tmy', 0xeb51, 'SIY', 'db:1,u:I2', (cpu, a, b) => testByte(cpu, cpu.readU8(eaSIY(cpu, a, b)), fI8(a))),
  testMask16('tmhh', 0xa72, 0),
  testMask16('tmhl', 0xa73, 1),
  testMask16('tmlh', 0xa70, 2),
  testMask16('tmll', 0xa71, 3),
];
