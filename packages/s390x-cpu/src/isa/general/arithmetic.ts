// Binary integer arithmetic (PoO chapter 7): ADD, SUBTRACT (signed and logical, with carry and
// borrow), in 32 and 64 bits with register, storage, immediate and three-operand forms, and the
// add-immediate-to-storage forms. CC: signed 0 zero / 1 negative / 2 positive / 3 overflow;
// logical 0–3 = (result nonzero) | (carry, or no borrow) << 1.

import type { CpuCore } from '../../core/cpu-core.js';
import { fI16, fI32, fI8, fR1, fR2, fR3, fRreR1, fRreR2, fRrfR3, fU32 } from '../fields.js';
import type { InstructionDef } from '../types.js';
import { add32, add64, addLogical32, addLogical64, def, eaRX, eaRXY, eaSIY, OUT_HI, OUT_LO, overflow, read64, sub32, sub64, subLogical32, subLogical64, sx } from './alu.js';

/**
 * The operation of a family: signed add/subtract, logical add/subtract, with carry/borrow. The
 * entries' closures share code, so the operation is a switch on this constant rather than a
 * function parameter: every call below stays monomorphic and inlinable.
 */
type Kind = 'add' | 'sub' | 'addL' | 'subL' | 'addC' | 'subB';
const carry = (cpu: CpuCore): number => ((cpu.cc & 2) !== 0 ? 1 : 0);
const borrow = (cpu: CpuCore): number => ((cpu.cc & 2) !== 0 ? 0 : 1);

function op32(kind: Kind, cpu: CpuCore, x: number, y: number): number {
  switch (kind) {
    case 'add':
      return add32(cpu, x, y);
    case 'sub':
      return sub32(cpu, x, y);
    case 'addL':
      return addLogical32(cpu, x, y, 0);
    case 'subL':
      return subLogical32(cpu, x, y, 0);
    case 'addC':
      return addLogical32(cpu, x, y, carry(cpu));
    default:
      return subLogical32(cpu, x, y, borrow(cpu));
  }
}
/** 64-bit operation into OUT_HI/OUT_LO; true on signed overflow. */
function op64(kind: Kind, cpu: CpuCore, ah: number, al: number, bh: number, bl: number): boolean {
  switch (kind) {
    case 'add':
      return add64(cpu, ah, al, bh, bl);
    case 'sub':
      return sub64(cpu, ah, al, bh, bl);
    case 'addL':
      addLogical64(cpu, ah, al, bh, bl, 0);
      return false;
    case 'subL':
      subLogical64(cpu, ah, al, bh, bl, 0);
      return false;
    case 'addC':
      addLogical64(cpu, ah, al, bh, bl, carry(cpu));
      return false;
    default:
      subLogical64(cpu, ah, al, bh, bl, borrow(cpu));
      return false;
  }
}
const signedKind = (kind: Kind): boolean => kind === 'add' || kind === 'sub';

/** Signed ops report overflow (CC 3 and maybe an interruption) after the result is stored. */
function put32(cpu: CpuCore, i: number, v: number, signed: boolean): void {
  cpu.r[2 * i + 1] = v;
  if (signed && cpu.cc === 3) overflow(cpu);
}
function put64(cpu: CpuCore, i: number, ovf: boolean): void {
  cpu.r[2 * i] = OUT_HI;
  cpu.r[2 * i + 1] = OUT_LO;
  if (ovf) overflow(cpu);
}

/** 32-bit forms: RR, RX, RXY, and optionally RRF-a three-register. */
function family32(kind: Kind, names: { rr?: [string, number]; rx?: [string, number]; rxy?: [string, number]; rrf?: [string, number] }): InstructionDef[] {
  const signed = signedKind(kind);
  const out: InstructionDef[] = [];
  if (names.rr)
    out.push(
      def(names.rr[0], names.rr[1], 'RR', 'r:R1,r:R2', (cpu, a) => {
        const r = cpu.r;
        const i = 2 * fR1(a) + 1;
        r[i] = op32(kind, cpu, r[i]!, r[2 * fR2(a) + 1]!);
        if (signed && cpu.cc === 3) overflow(cpu);
      }),
    );
  if (names.rx)
    out.push(
      def(names.rx[0], names.rx[1], 'RX-a', 'r:R1,dxb:2', (cpu, a) => {
        const r1 = fR1(a);
        const y = cpu.readU32(eaRX(cpu, a));
        put32(cpu, r1, op32(kind, cpu, cpu.r[2 * r1 + 1]!, y), signed);
      }),
    );
  if (names.rxy)
    out.push(
      def(names.rxy[0], names.rxy[1], 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
        const r1 = fR1(a);
        const y = cpu.readU32(eaRXY(cpu, a, b));
        put32(cpu, r1, op32(kind, cpu, cpu.r[2 * r1 + 1]!, y), signed);
      }),
    );
  if (names.rrf)
    out.push(
      def(names.rrf[0], names.rrf[1], 'RRF-a', 'r:R1,r:R2,r:R3', (cpu, a) => {
        put32(cpu, fRreR1(a), op32(kind, cpu, cpu.r[2 * fRreR2(a) + 1]!, cpu.r[2 * fRrfR3(a) + 1]!), signed);
      }),
    );
  return out;
}

/** 64-bit forms: RRE (64 and 32-extended), RXY (64 and 32-extended), RRF-a. `ext` sign- or zero-extends. */
function family64(kind: Kind, signedExt: boolean, names: { rre?: [string, number]; rreF?: [string, number]; rxy?: [string, number]; rxyF?: [string, number]; rrf?: [string, number] }): InstructionDef[] {
  const ext = signedExt ? sx : (): number => 0;
  const out: InstructionDef[] = [];
  if (names.rre)
    out.push(
      def(names.rre[0], names.rre[1], 'RRE', 'r:R1,r:R2', (cpu, a) => {
        const r = cpu.r;
        const i = 2 * fRreR1(a);
        const j = 2 * fRreR2(a);
        put64(cpu, i / 2, op64(kind, cpu, r[i]!, r[i + 1]!, r[j]!, r[j + 1]!));
      }),
    );
  if (names.rreF)
    out.push(
      def(names.rreF[0], names.rreF[1], 'RRE', 'r:R1,r:R2', (cpu, a) => {
        const r = cpu.r;
        const i = 2 * fRreR1(a);
        const y = r[2 * fRreR2(a) + 1]!;
        put64(cpu, i / 2, op64(kind, cpu, r[i]!, r[i + 1]!, ext(y), y));
      }),
    );
  if (names.rxy)
    out.push(
      def(names.rxy[0], names.rxy[1], 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
        const r = cpu.r;
        const i = 2 * fR1(a);
        read64(cpu, eaRXY(cpu, a, b));
        put64(cpu, i / 2, op64(kind, cpu, r[i]!, r[i + 1]!, OUT_HI, OUT_LO));
      }),
    );
  if (names.rxyF)
    out.push(
      def(names.rxyF[0], names.rxyF[1], 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
        const r = cpu.r;
        const i = 2 * fR1(a);
        const y = cpu.readU32(eaRXY(cpu, a, b));
        put64(cpu, i / 2, op64(kind, cpu, r[i]!, r[i + 1]!, ext(y), y));
      }),
    );
  if (names.rrf)
    out.push(
      def(names.rrf[0], names.rrf[1], 'RRF-a', 'r:R1,r:R2,r:R3', (cpu, a) => {
        const r = cpu.r;
        const j = 2 * fRreR2(a);
        const k = 2 * fRrfR3(a);
        put64(cpu, fRreR1(a), op64(kind, cpu, r[j]!, r[j + 1]!, r[k]!, r[k + 1]!));
      }),
    );
  return out;
}

/** Signed halfword (16-bit) storage operand forms: AH/AHY/SH/SHY. */
function halfword32(mnemonic: string, opcode: number, format: 'RX-a' | 'RXY-a', op: (cpu: CpuCore, x: number, y: number) => number): InstructionDef {
  const apply = (cpu: CpuCore, r1: number, addr: number): void => {
    const y = (cpu.readU16(addr) << 16) >> 16;
    put32(cpu, r1, op(cpu, cpu.r[2 * r1 + 1]!, y), true);
  };
  return format === 'RX-a' ? def(mnemonic, opcode, format, 'r:R1,dxb:2', (cpu, a) => apply(cpu, fR1(a), eaRX(cpu, a))) : def(mnemonic, opcode, format, 'r:R1,dxb:2', (cpu, a, b) => apply(cpu, fR1(a), eaRXY(cpu, a, b)));
}

export const arithmeticInstructions: InstructionDef[] = [
  ...family32('add', { rr: ['ar', 0x1a], rx: ['a', 0x5a], rxy: ['ay', 0xe35a], rrf: ['ark', 0xb9f8] }),
  ...family32('sub', { rr: ['sr', 0x1b], rx: ['s', 0x5b], rxy: ['sy', 0xe35b], rrf: ['srk', 0xb9f9] }),
  ...family32('addL', { rr: ['alr', 0x1e], rx: ['al', 0x5e], rxy: ['aly', 0xe35e], rrf: ['alrk', 0xb9fa] }),
  ...family32('subL', { rr: ['slr', 0x1f], rx: ['sl', 0x5f], rxy: ['sly', 0xe35f], rrf: ['slrk', 0xb9fb] }),
  ...family32('addC', { rxy: ['alc', 0xe398] }),
  ...family32('subB', { rxy: ['slb', 0xe399] }),
  def('alcr', 0xb998, 'RRE', 'r:R1,r:R2', (cpu, a) => {
    const i = 2 * fRreR1(a) + 1;
    cpu.r[i] = addLogical32(cpu, cpu.r[i]!, cpu.r[2 * fRreR2(a) + 1]!, carry(cpu));
  }),
  def('slbr', 0xb999, 'RRE', 'r:R1,r:R2', (cpu, a) => {
    const i = 2 * fRreR1(a) + 1;
    cpu.r[i] = subLogical32(cpu, cpu.r[i]!, cpu.r[2 * fRreR2(a) + 1]!, borrow(cpu));
  }),
  ...family64('add', true, { rre: ['agr', 0xb908], rreF: ['agfr', 0xb918], rxy: ['ag', 0xe308], rxyF: ['agf', 0xe318], rrf: ['agrk', 0xb9e8] }),
  ...family64('sub', true, { rre: ['sgr', 0xb909], rreF: ['sgfr', 0xb919], rxy: ['sg', 0xe309], rxyF: ['sgf', 0xe319], rrf: ['sgrk', 0xb9e9] }),
  ...family64('addL', false, { rre: ['algr', 0xb90a], rreF: ['algfr', 0xb91a], rxy: ['alg', 0xe30a], rxyF: ['algf', 0xe31a], rrf: ['algrk', 0xb9ea] }),
  ...family64('subL', false, { rre: ['slgr', 0xb90b], rreF: ['slgfr', 0xb91b], rxy: ['slg', 0xe30b], rxyF: ['slgf', 0xe31b], rrf: ['slgrk', 0xb9eb] }),
  ...family64('addC', false, { rre: ['alcgr', 0xb988], rxy: ['alcg', 0xe388] }),
  ...family64('subB', false, { rre: ['slbgr', 0xb989], rxy: ['slbg', 0xe389] }),
  halfword32('ah', 0x4a, 'RX-a', add32),
  halfword32('ahy', 0xe37a, 'RXY-a', add32),
  halfword32('sh', 0x4b, 'RX-a', sub32),
  halfword32('shy', 0xe37b, 'RXY-a', sub32),
  // Immediates.
  def('ahi', 0xa7a, 'RI-a', 'r:R1,s:I2', (cpu, a) => {
    const r1 = fR1(a);
    put32(cpu, r1, add32(cpu, cpu.r[2 * r1 + 1]!, fI16(a)), true);
  }),
  def('aghi', 0xa7b, 'RI-a', 'r:R1,s:I2', (cpu, a) => {
    const i = 2 * fR1(a);
    const y = fI16(a);
    put64(cpu, i / 2, add64(cpu, cpu.r[i]!, cpu.r[i + 1]!, sx(y), y >>> 0));
  }),
  def('afi', 0xc29, 'RIL-a', 'r:R1,s:I2', (cpu, a, b) => {
    const r1 = fR1(a);
    put32(cpu, r1, add32(cpu, cpu.r[2 * r1 + 1]!, fI32(a, b)), true);
  }),
  def('agfi', 0xc28, 'RIL-a', 'r:R1,s:I2', (cpu, a, b) => {
    const i = 2 * fR1(a);
    const y = fI32(a, b);
    put64(cpu, i / 2, add64(cpu, cpu.r[i]!, cpu.r[i + 1]!, sx(y), y >>> 0));
  }),
  def('alfi', 0xc2b, 'RIL-a', 'r:R1,u:I2', (cpu, a, b) => {
    const i = 2 * fR1(a) + 1;
    cpu.r[i] = addLogical32(cpu, cpu.r[i]!, fU32(a, b), 0);
  }),
  def('algfi', 0xc2a, 'RIL-a', 'r:R1,u:I2', (cpu, a, b) => {
    const i = 2 * fR1(a);
    addLogical64(cpu, cpu.r[i]!, cpu.r[i + 1]!, 0, fU32(a, b), 0);
    put64(cpu, i / 2, false);
  }),
  def('slfi', 0xc25, 'RIL-a', 'r:R1,u:I2', (cpu, a, b) => {
    const i = 2 * fR1(a) + 1;
    cpu.r[i] = subLogical32(cpu, cpu.r[i]!, fU32(a, b), 0);
  }),
  def('slgfi', 0xc24, 'RIL-a', 'r:R1,u:I2', (cpu, a, b) => {
    const i = 2 * fR1(a);
    subLogical64(cpu, cpu.r[i]!, cpu.r[i + 1]!, 0, fU32(a, b), 0);
    put64(cpu, i / 2, false);
  }),
  def('ahik', 0xecd8, 'RIE-d', 'r:R1,r:R3,s:I2', (cpu, a) => {
    put32(cpu, fR1(a), add32(cpu, cpu.r[2 * fR3(a) + 1]!, fI16(a)), true);
  }),
  def('aghik', 0xecd9, 'RIE-d', 'r:R1,r:R3,s:I2', (cpu, a) => {
    const j = 2 * fR3(a);
    const y = fI16(a);
    put64(cpu, fR1(a), add64(cpu, cpu.r[j]!, cpu.r[j + 1]!, sx(y), y >>> 0));
  }),
  def('alhsik', 0xecda, 'RIE-d', 'r:R1,r:R3,s:I2', (cpu, a) => {
    cpu.r[2 * fR1(a) + 1] = addLogical32(cpu, cpu.r[2 * fR3(a) + 1]!, fI16(a), 0);
  }),
  def('alghsik', 0xecdb, 'RIE-d', 'r:R1,r:R3,s:I2', (cpu, a) => {
    const j = 2 * fR3(a);
    const y = fI16(a);
    addLogical64(cpu, cpu.r[j]!, cpu.r[j + 1]!, sx(y), y >>> 0, 0);
    put64(cpu, fR1(a), false);
  }),
  // Add immediate to storage (the result is stored even on overflow).
  def('asi', 0xeb6a, 'SIY', 'db:1,s:I2', (cpu, a, b) => {
    const addr = eaSIY(cpu, a, b);
    const v = add32(cpu, cpu.readU32(addr), (fI8(a) << 24) >> 24);
    cpu.writeU32(addr, v);
    if (cpu.cc === 3) overflow(cpu);
  }),
  def('agsi', 0xeb7a, 'SIY', 'db:1,s:I2', (cpu, a, b) => {
    const addr = eaSIY(cpu, a, b);
    read64(cpu, addr);
    const y = (fI8(a) << 24) >> 24;
    const ovf = add64(cpu, OUT_HI, OUT_LO, sx(y), y >>> 0);
    cpu.writeU64(addr, OUT_HI, OUT_LO);
    if (ovf) overflow(cpu);
  }),
  def('alsi', 0xeb6e, 'SIY', 'db:1,s:I2', (cpu, a, b) => {
    const addr = eaSIY(cpu, a, b);
    cpu.writeU32(addr, addLogical32(cpu, cpu.readU32(addr), (fI8(a) << 24) >> 24, 0));
  }),
  def('algsi', 0xeb7e, 'SIY', 'db:1,s:I2', (cpu, a, b) => {
    const addr = eaSIY(cpu, a, b);
    read64(cpu, addr);
    const y = (fI8(a) << 24) >> 24;
    addLogical64(cpu, OUT_HI, OUT_LO, sx(y), y >>> 0, 0);
    cpu.writeU64(addr, OUT_HI, OUT_LO);
  }),
];
