// Miscellaneous-instruction-extensions facility 3 (facility 61, z15; PoO chapter 7): SELECT
// (SELR, SELGR, SELFHR: R2 when the condition code matches M4, else R3, CC unchanged), the
// three-operand logical forms with a complemented operand or result (AND WITH COMPLEMENT, NAND,
// NOR, NOT EXCLUSIVE OR, OR WITH COMPLEMENT; CC 0 zero / 1 not zero), and MOVE RIGHT TO LEFT.
// POPULATION COUNT's M3 (total count) lives with POPCNT in `storage.ts`.

import type { CpuCore } from '../../core/cpu-core.js';
import { fB2InB, fD2InB, fRreR1, fRreR2, fRrfM4, fRrfR3 } from '../fields.js';
import type { InstructionDef } from '../types.js';
import { condAliases, def, eaSI } from './alu.js';
import { condition } from './load-store.js';

/** The result of one complemented logical operation on two 32-bit words. */
type Logic = (x: number, y: number) => number;
const LOGIC: Record<'nc' | 'nn' | 'no' | 'nx' | 'oc', Logic> = {
  nc: (x, y) => x & ~y,
  nn: (x, y) => ~(x & y),
  no: (x, y) => ~(x | y),
  nx: (x, y) => ~(x ^ y),
  oc: (x, y) => x | ~y,
};

function logical32(mnemonic: string, opcode: number, op: Logic): InstructionDef {
  return def(mnemonic, opcode, 'RRF-a', 'r:R1,r:R2,r:R3', (cpu, a) => {
    const v = op(cpu.r[2 * fRreR2(a) + 1]!, cpu.r[2 * fRrfR3(a) + 1]!) >>> 0;
    cpu.r[2 * fRreR1(a) + 1] = v;
    cpu.cc = v === 0 ? 0 : 1;
  });
}
function logical64(mnemonic: string, opcode: number, op: Logic): InstructionDef {
  return def(mnemonic, opcode, 'RRF-a', 'r:R1,r:R2,r:R3', (cpu, a) => {
    const j = 2 * fRreR2(a);
    const k = 2 * fRrfR3(a);
    const hi = op(cpu.r[j]!, cpu.r[k]!) >>> 0;
    const lo = op(cpu.r[j + 1]!, cpu.r[k + 1]!) >>> 0;
    const i = 2 * fRreR1(a);
    cpu.r[i] = hi;
    cpu.r[i + 1] = lo;
    cpu.cc = (hi | lo) === 0 ? 0 : 1;
  });
}

/** SELECT: `words` are the register-file offsets (0 high word, 1 low word) the instruction moves. */
function select(mnemonic: string, opcode: number, words: readonly number[]): InstructionDef {
  return def(
    mnemonic,
    opcode,
    'RRF-a',
    'r:R1,r:R2,r:R3,m:M4',
    (cpu, a) => {
      const from = 2 * (condition(cpu, fRrfM4(a)) ? fRreR2(a) : fRrfR3(a));
      const to = 2 * fRreR1(a);
      for (const w of words) cpu.r[to + w] = cpu.r[from + w]!;
    },
    condAliases(mnemonic, 'M4', 'r:R1,r:R2,r:R3'),
  );
}

/** MOVE RIGHT TO LEFT: GR0 bits 56–63 + 1 bytes, rightmost byte first (overlap copies backwards). */
function moveRightToLeft(cpu: CpuCore, op1: number, op2: number): void {
  const len = (cpu.r[1]! & 0xff) + 1;
  cpu.probe(op2, len, false);
  cpu.probe(op1, len, true);
  for (let k = len - 1; k >= 0; k--) cpu.writeU8(cpu.step(op1, k), cpu.readU8(cpu.step(op2, k)));
}

export const z15ExtensionInstructions: InstructionDef[] = [
  select('selr', 0xb9f0, [1]),
  select('selgr', 0xb9e3, [0, 1]),
  select('selfhr', 0xb9c0, [0]),
  logical32('ncrk', 0xb9f5, LOGIC.nc),
  logical64('ncgrk', 0xb9e5, LOGIC.nc),
  logical32('nnrk', 0xb974, LOGIC.nn),
  logical64('nngrk', 0xb964, LOGIC.nn),
  logical32('nork', 0xb976, LOGIC.no),
  logical64('nogrk', 0xb966, LOGIC.no),
  logical32('nxrk', 0xb977, LOGIC.nx),
  logical64('nxgrk', 0xb967, LOGIC.nx),
  logical32('ocrk', 0xb975, LOGIC.oc),
  logical64('ocgrk', 0xb965, LOGIC.oc),
  def('mvcrl', 0xe50a, 'SSE', 'db:1,db:2', (cpu, a, b) => moveRightToLeft(cpu, eaSI(cpu, a), cpu.ea(0, fB2InB(b), fD2InB(b)))),
];
