// The high-word facility (part of facility 45, z196; PoO chapter 7): arithmetic, compares, loads,
// stores and branches on bits 0–31 of the general registers (the "high word"), leaving bits 32–63
// alone: ADD/SUBTRACT HIGH (AHHHR … SLHHLR: H = R2's high word, L = its low word as the third
// operand), ADD IMMEDIATE HIGH, ADD LOGICAL WITH SIGNED IMMEDIATE HIGH (ALSIHN without CC),
// COMPARE (LOGICAL) HIGH, LOAD/STORE HIGH, BRANCH RELATIVE ON COUNT HIGH and ROTATE THEN INSERT
// SELECTED BITS HIGH/LOW; and the high-word forms of load/store-on-condition 2 (facility 53:
// LOCFH, LOCFHR, STOCFH, LOCHHI). CC rules as for the low-word forms.

import type { CpuCore } from '../../core/cpu-core.js';
import { fI16, fI3, fI32, fI4, fI5, fM3, fR1, fR2, fRreR1, fRreR2, fRrfM3, fRrfR3 } from '../fields.js';
import type { InstructionDef } from '../types.js';
import { add32, addLogical32, cmpS32, cmpU32, condAliases, def, eaRSY, eaRXY, overflow, sub32, subLogical32 } from './alu.js';
import { condition } from './load-store.js';

type HighOp = 'add' | 'sub' | 'addL' | 'subL';

function highOp(cpu: CpuCore, op: HighOp, x: number, y: number): number {
  switch (op) {
    case 'add':
      return add32(cpu, x, y);
    case 'sub':
      return sub32(cpu, x, y);
    case 'addL':
      return addLogical32(cpu, x, y, 0);
    default:
      return subLogical32(cpu, x, y, 0);
  }
}

/** R1 high = R2 high op (R3 high or R3 low): `third` 0 takes R3's high word, 1 its low word. */
function highArithmetic(mnemonic: string, opcode: number, op: HighOp, third: 0 | 1): InstructionDef {
  return def(mnemonic, opcode, 'RRF-a', 'r:R1,r:R2,r:R3', (cpu, a) => {
    cpu.r[2 * fRreR1(a)] = highOp(cpu, op, cpu.r[2 * fRreR2(a)]!, cpu.r[2 * fRrfR3(a) + third]!);
    if ((op === 'add' || op === 'sub') && cpu.cc === 3) overflow(cpu);
  });
}

/** R1 high compared with R2 high or low (`second` 0 / 1), signed or logical. */
function highCompare(mnemonic: string, opcode: number, signed: boolean, second: 0 | 1): InstructionDef {
  return def(mnemonic, opcode, 'RRE', 'r:R1,r:R2', (cpu, a) => {
    const x = cpu.r[2 * fRreR1(a)]!;
    const y = cpu.r[2 * fRreR2(a) + second]!;
    cpu.cc = signed ? cmpS32(x, y) : cmpU32(x, y);
  });
}

/** A storage load into R1's high word. */
function highLoad(mnemonic: string, opcode: number, load: (cpu: CpuCore, addr: number) => number): InstructionDef {
  return def(mnemonic, opcode, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    cpu.r[2 * fR1(a)] = load(cpu, eaRXY(cpu, a, b)) >>> 0;
  });
}

/** Mask of MSB-0 bits `start`..`end` of a 32-bit word, wrapping around when start > end. */
function wrappedMask32(start: number, end: number): number {
  const from = (s: number, e: number): number => ((0xffffffff >>> s) & (0xffffffff << (31 - e))) >>> 0;
  return start <= end ? from(start, end) : (from(start, 31) | from(0, end)) >>> 0;
}

/**
 * RISBHG/RISBLG: R2 rotated left by I5 (bits 2–7), then its bits I3..I4 (bits 3–7 of each, as
 * positions in a 32-bit half) inserted into R1's high (word 0) or low (word 1) half; I4 bit 0
 * zeroes the half's other bits. The other half of R1 and the CC are unchanged.
 */
function rotateInsertHalf(mnemonic: string, opcode: number, word: 0 | 1): InstructionDef {
  return def(mnemonic, opcode, 'RIE-f', 'r:R1,r:R2,u:I3,u:I4,u:I5', (cpu, a, b) => {
    const i4 = fI4(a);
    const j = 2 * fR2(a);
    const n = fI5(b) & 63;
    // Rotating a 64-bit value by n: the word that lands in half `word` comes from these halves.
    const s = n & 31;
    const x = cpu.r[j + ((word + (n >= 32 ? 1 : 0)) & 1)]!;
    const y = cpu.r[j + ((word + (n >= 32 ? 0 : 1)) & 1)]!;
    const rotated = s === 0 ? x : ((x << s) | (y >>> (32 - s))) >>> 0;
    const m = wrappedMask32(fI3(a) & 31, i4 & 31);
    const i = 2 * fR1(a) + word;
    cpu.r[i] = ((rotated & m) | ((i4 & 0x80) !== 0 ? 0 : cpu.r[i]! & ~m)) >>> 0;
  });
}

const s8 = (v: number): number => (v << 24) >> 24;
const s16 = (v: number): number => (v << 16) >> 16;

export const highWordInstructions: InstructionDef[] = [
  highArithmetic('ahhhr', 0xb9c8, 'add', 0),
  highArithmetic('ahhlr', 0xb9d8, 'add', 1),
  highArithmetic('alhhhr', 0xb9ca, 'addL', 0),
  highArithmetic('alhhlr', 0xb9da, 'addL', 1),
  highArithmetic('shhhr', 0xb9c9, 'sub', 0),
  highArithmetic('shhlr', 0xb9d9, 'sub', 1),
  highArithmetic('slhhhr', 0xb9cb, 'subL', 0),
  highArithmetic('slhhlr', 0xb9db, 'subL', 1),
  def('aih', 0xcc8, 'RIL-a', 'r:R1,s:I2', (cpu, a, b) => {
    const i = 2 * fR1(a);
    cpu.r[i] = add32(cpu, cpu.r[i]!, fI32(a, b));
    if (cpu.cc === 3) overflow(cpu);
  }),
  def('alsih', 0xcca, 'RIL-a', 'r:R1,s:I2', (cpu, a, b) => {
    // The sign-extended immediate is added logically (carry out of bit 0), as ALSI does.
    const i = 2 * fR1(a);
    cpu.r[i] = addLogical32(cpu, cpu.r[i]!, fI32(a, b), 0);
  }),
  def('alsihn', 0xccb, 'RIL-a', 'r:R1,s:I2', (cpu, a, b) => {
    const i = 2 * fR1(a);
    cpu.r[i] = (cpu.r[i]! + fI32(a, b)) >>> 0;
  }),
  highCompare('chhr', 0xb9cd, true, 0),
  highCompare('chlr', 0xb9dd, true, 1),
  highCompare('clhhr', 0xb9cf, false, 0),
  highCompare('clhlr', 0xb9df, false, 1),
  def('chf', 0xe3cd, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    cpu.cc = cmpS32(cpu.r[2 * fR1(a)]!, cpu.readU32(eaRXY(cpu, a, b)));
  }),
  def('clhf', 0xe3cf, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    cpu.cc = cmpU32(cpu.r[2 * fR1(a)]!, cpu.readU32(eaRXY(cpu, a, b)));
  }),
  def('cih', 0xccd, 'RIL-a', 'r:R1,s:I2', (cpu, a, b) => {
    cpu.cc = cmpS32(cpu.r[2 * fR1(a)]!, fI32(a, b));
  }),
  def('clih', 0xccf, 'RIL-a', 'r:R1,u:I2', (cpu, a, b) => {
    cpu.cc = cmpU32(cpu.r[2 * fR1(a)]!, fI32(a, b));
  }),
  highLoad('lbh', 0xe3c0, (cpu, addr) => s8(cpu.readU8(addr))),
  highLoad('lhh', 0xe3c4, (cpu, addr) => s16(cpu.readU16(addr))),
  highLoad('lfh', 0xe3ca, (cpu, addr) => cpu.readU32(addr)),
  highLoad('llch', 0xe3c2, (cpu, addr) => cpu.readU8(addr)),
  highLoad('llhh', 0xe3c6, (cpu, addr) => cpu.readU16(addr)),
  def('stch', 0xe3c3, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => cpu.writeU8(eaRXY(cpu, a, b), cpu.r[2 * fR1(a)]! & 0xff)),
  def('sthh', 0xe3c7, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => cpu.writeU16(eaRXY(cpu, a, b), cpu.r[2 * fR1(a)]! & 0xffff)),
  def('stfh', 0xe3cb, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => cpu.writeU32(eaRXY(cpu, a, b), cpu.r[2 * fR1(a)]!)),
  def('brcth', 0xcc6, 'RIL-b', 'r:R1,rel:RI2', (cpu, a, b) => {
    const i = 2 * fR1(a);
    const v = (cpu.r[i]! - 1) >>> 0;
    cpu.r[i] = v;
    if (v !== 0) cpu.branchTo(cpu.relative(fI32(a, b)));
  }),
  rotateInsertHalf('risbhg', 0xec5d, 0),
  rotateInsertHalf('risblg', 0xec51, 1),
  // Load/store on condition 2, high-word forms.
  def(
    'locfhr',
    0xb9e0,
    'RRF-c',
    'r:R1,r:R2,m:M3',
    (cpu, a) => {
      if (condition(cpu, fRrfM3(a))) cpu.r[2 * fRreR1(a)] = cpu.r[2 * fRreR2(a)]!;
    },
    condAliases('locfhr', 'M3', 'r:R1,r:R2'),
  ),
  def(
    'locfh',
    0xebe0,
    'RSY-b',
    'r:R1,db:2,m:M3',
    (cpu, a, b) => {
      if (condition(cpu, fM3(a))) cpu.r[2 * fR1(a)] = cpu.readU32(eaRSY(cpu, a, b));
    },
    condAliases('locfh', 'M3', 'r:R1,db:2'),
  ),
  def(
    'stocfh',
    0xebe1,
    'RSY-b',
    'r:R1,db:2,m:M3',
    (cpu, a, b) => {
      if (condition(cpu, fM3(a))) cpu.writeU32(eaRSY(cpu, a, b), cpu.r[2 * fR1(a)]!);
    },
    condAliases('stocfh', 'M3', 'r:R1,db:2'),
  ),
  def(
    'lochhi',
    0xec4e,
    'RIE-g',
    'r:R1,s:I2,m:M3',
    (cpu, a) => {
      if (condition(cpu, fM3(a))) cpu.r[2 * fR1(a)] = fI16(a) >>> 0;
    },
    condAliases('lochhi', 'M3', 'r:R1,s:I2'),
  ),
];
