// Interlocked storage updates and 128-bit storage operands (PoO chapter 7): LOAD AND ADD / ADD
// LOGICAL / AND / OR / EXCLUSIVE OR (32 and 64 bits: R1 gets the old value, storage the result of
// the operation with R3, CC from the result), COMPARE DOUBLE AND SWAP (CDS, CDSY, CDSG), LOAD /
// STORE PAIR FROM/TO QUADWORD (LPQ, STPQ), LOAD PAIR DISJOINT (LPD, LPDG), and the hints PFD,
// PFDRL and NIAI (no effect here). One CPU runs at a time, so "interlocked" is a plain
// read-modify-write.

import type { CpuCore } from '../../core/cpu-core.js';
import { fB2, fB2InB, fD2, fD2InB, fR1, fR3, fRxfR3 } from '../fields.js';
import type { InstructionDef } from '../types.js';
import { add32, add64, addLogical32, addLogical64, def, eaRSY, eaRXY, eaSI, OUT_HI, OUT_LO, overflow, read64 } from './alu.js';

type Kind = 'add' | 'addL' | 'and' | 'or' | 'xor';

function loadAndOp32(mnemonic: string, opcode: number, kind: Kind): InstructionDef {
  return def(mnemonic, opcode, 'RSY-a', 'r:R1,r:R3,db:2', (cpu, a, b) => {
    const addr = eaRSY(cpu, a, b);
    cpu.requireSpec(addr % 4 === 0);
    const old = cpu.readU32(addr);
    const y = cpu.r[2 * fR3(a) + 1]!;
    let v: number;
    if (kind === 'add') v = add32(cpu, old, y);
    else if (kind === 'addL') v = addLogical32(cpu, old, y, 0);
    else {
      v = (kind === 'and' ? old & y : kind === 'or' ? old | y : old ^ y) >>> 0;
      cpu.cc = v === 0 ? 0 : 1;
    }
    cpu.writeU32(addr, v);
    cpu.r[2 * fR1(a) + 1] = old;
    if (kind === 'add' && cpu.cc === 3) overflow(cpu);
  });
}

function loadAndOp64(mnemonic: string, opcode: number, kind: Kind): InstructionDef {
  return def(mnemonic, opcode, 'RSY-a', 'r:R1,r:R3,db:2', (cpu, a, b) => {
    const addr = eaRSY(cpu, a, b);
    cpu.requireSpec(addr % 8 === 0);
    read64(cpu, addr);
    const oh = OUT_HI;
    const ol = OUT_LO;
    const k = 2 * fR3(a);
    const yh = cpu.r[k]!;
    const yl = cpu.r[k + 1]!;
    let ovf = false;
    let vh: number;
    let vl: number;
    if (kind === 'add' || kind === 'addL') {
      if (kind === 'add') ovf = add64(cpu, oh, ol, yh, yl);
      else addLogical64(cpu, oh, ol, yh, yl, 0);
      vh = OUT_HI;
      vl = OUT_LO;
    } else {
      vh = (kind === 'and' ? oh & yh : kind === 'or' ? oh | yh : oh ^ yh) >>> 0;
      vl = (kind === 'and' ? ol & yl : kind === 'or' ? ol | yl : ol ^ yl) >>> 0;
      cpu.cc = (vh | vl) === 0 ? 0 : 1;
    }
    cpu.writeU64(addr, vh, vl);
    const i = 2 * fR1(a);
    cpu.r[i] = oh;
    cpu.r[i + 1] = ol;
    if (ovf) overflow(cpu);
  });
}

/** CDS/CDSY: the even/odd pair's low words (64 bits) against a doubleword. */
function compareDoubleAndSwap32(cpu: CpuCore, r1: number, r3: number, addr: number): void {
  cpu.requireSpec((r1 & 1) === 0 && (r3 & 1) === 0 && addr % 8 === 0);
  read64(cpu, addr);
  if (OUT_HI === cpu.r[2 * r1 + 1] && OUT_LO === cpu.r[2 * r1 + 3]) {
    cpu.writeU64(addr, cpu.r[2 * r3 + 1]!, cpu.r[2 * r3 + 3]!);
    cpu.cc = 0;
  } else {
    cpu.r[2 * r1 + 1] = OUT_HI;
    cpu.r[2 * r1 + 3] = OUT_LO;
    cpu.cc = 1;
  }
}

/** The four words of a quadword at `addr` (checked for access before anything changes). */
function readQuad(cpu: CpuCore, addr: number): number[] {
  cpu.probe(addr, 16, false);
  return [0, 4, 8, 12].map((k) => cpu.readU32(cpu.step(addr, k)));
}

export const interlockedInstructions: InstructionDef[] = [
  loadAndOp32('laa', 0xebf8, 'add'),
  loadAndOp32('laal', 0xebfa, 'addL'),
  loadAndOp32('lan', 0xebf4, 'and'),
  loadAndOp32('lao', 0xebf6, 'or'),
  loadAndOp32('lax', 0xebf7, 'xor'),
  loadAndOp64('laag', 0xebe8, 'add'),
  loadAndOp64('laalg', 0xebea, 'addL'),
  loadAndOp64('lang', 0xebe4, 'and'),
  loadAndOp64('laog', 0xebe6, 'or'),
  loadAndOp64('laxg', 0xebe7, 'xor'),
  def('cds', 0xbb, 'RS-a', 'r:R1,r:R3,db:2', (cpu, a) => compareDoubleAndSwap32(cpu, fR1(a), fR3(a), cpu.ea(0, fB2(a), fD2(a)))),
  def('cdsy', 0xeb31, 'RSY-a', 'r:R1,r:R3,db:2', (cpu, a, b) => compareDoubleAndSwap32(cpu, fR1(a), fR3(a), eaRSY(cpu, a, b))),
  def('cdsg', 0xeb3e, 'RSY-a', 'r:R1,r:R3,db:2', (cpu, a, b) => {
    const r1 = fR1(a);
    const r3 = fR3(a);
    const addr = eaRSY(cpu, a, b);
    cpu.requireSpec((r1 & 1) === 0 && (r3 & 1) === 0 && addr % 16 === 0);
    const q = readQuad(cpu, addr);
    const r = cpu.r;
    if (q[0] === r[2 * r1] && q[1] === r[2 * r1 + 1] && q[2] === r[2 * r1 + 2] && q[3] === r[2 * r1 + 3]) {
      cpu.probe(addr, 16, true);
      cpu.writeU64(addr, r[2 * r3]!, r[2 * r3 + 1]!);
      cpu.writeU64(cpu.step(addr, 8), r[2 * r3 + 2]!, r[2 * r3 + 3]!);
      cpu.cc = 0;
    } else {
      for (let k = 0; k < 4; k++) r[2 * r1 + k] = q[k]!;
      cpu.cc = 1;
    }
  }),
  def('lpq', 0xe38f, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    const r1 = fR1(a);
    const addr = eaRXY(cpu, a, b);
    cpu.requireSpec((r1 & 1) === 0 && addr % 16 === 0);
    const q = readQuad(cpu, addr);
    for (let k = 0; k < 4; k++) cpu.r[2 * r1 + k] = q[k]!;
  }),
  def('stpq', 0xe38e, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    const r1 = fR1(a);
    const addr = eaRXY(cpu, a, b);
    cpu.requireSpec((r1 & 1) === 0 && addr % 16 === 0);
    cpu.probe(addr, 16, true);
    cpu.writeU64(addr, cpu.r[2 * r1]!, cpu.r[2 * r1 + 1]!);
    cpu.writeU64(cpu.step(addr, 8), cpu.r[2 * r1 + 2]!, cpu.r[2 * r1 + 3]!);
  }),
  // LOAD PAIR DISJOINT (interlocked-access facility 1): two separate words / doublewords into
  // the even/odd pair R3, R3+1; one CPU, so always fetched as if interlocked (CC 0).
  def('lpd', 0xc84, 'SSF', 'r:R3,db:1,db:2', (cpu, a, b) => {
    const r3 = fRxfR3(a);
    const op1 = eaSI(cpu, a);
    const op2 = cpu.ea(0, fB2InB(b), fD2InB(b));
    cpu.requireSpec((r3 & 1) === 0 && op1 % 4 === 0 && op2 % 4 === 0);
    const x = cpu.readU32(op1);
    const y = cpu.readU32(op2);
    cpu.r[2 * r3 + 1] = x;
    cpu.r[2 * r3 + 3] = y;
    cpu.cc = 0;
  }),
  def('lpdg', 0xc85, 'SSF', 'r:R3,db:1,db:2', (cpu, a, b) => {
    const r3 = fRxfR3(a);
    const op1 = eaSI(cpu, a);
    const op2 = cpu.ea(0, fB2InB(b), fD2InB(b));
    cpu.requireSpec((r3 & 1) === 0 && op1 % 8 === 0 && op2 % 8 === 0);
    read64(cpu, op1);
    const xh = OUT_HI;
    const xl = OUT_LO;
    read64(cpu, op2);
    cpu.r[2 * r3] = xh;
    cpu.r[2 * r3 + 1] = xl;
    cpu.r[2 * r3 + 2] = OUT_HI;
    cpu.r[2 * r3 + 3] = OUT_LO;
    cpu.cc = 0;
  }),
  // Hints: no architected effect and no access exceptions.
  def('pfd', 0xe336, 'RXY-b', 'm:M1,dxb:2', () => undefined),
  def('pfdrl', 0xc62, 'RIL-c', 'm:M1,rel:RI2', () => undefined),
  def('niai', 0xb2fa, 'IE', 'u:I1,u:I2', () => undefined),
];
