// Hand-specialised versions of the instructions that dominate compiled C (register moves, word
// loads/stores, 32/64-bit add/subtract, RLL): the same semantics as the generic families in
// arithmetic.ts, load-store.ts and shift-rotate.ts, written out so each closure is small and
// monomorphic. index.ts substitutes them by mnemonic; the differential test checks them against
// qemu-s390x like every other entry.

import type { CpuCore } from '../../core/cpu-core.js';
import { fB2, fD20, fR1, fR2, fR3, fRreR1, fRreR2, fRrfR3, type FormatsOf, type InsnA } from '../fields.js';
import type { InstructionDef } from '../types.js';
import { def, eaRX as rx, eaRXY as rxy, overflow, TWO32 } from './alu.js';

const SIGN = 0x80000000;

/** R1 of RR/RX/RXY/RS/RSY (bits 8–11) as a low-word index. */
const lo1 = (a: InsnA<FormatsOf<typeof fR1>>): number => 2 * fR1(a) + 1;
/** R2 of RR (bits 12–15) as a low-word index. */
const lo2 = (a: InsnA<FormatsOf<typeof fR2>>): number => 2 * fR2(a) + 1;

function signedAdd32(cpu: CpuCore, i: number, x: number, y: number): void {
  const s = (x | 0) + (y | 0);
  const v = s | 0;
  cpu.r[i] = v >>> 0;
  if (s !== v) overflow(cpu);
  else cpu.cc = v === 0 ? 0 : v < 0 ? 1 : 2;
}
function signedSub32(cpu: CpuCore, i: number, x: number, y: number): void {
  const s = (x | 0) - (y | 0);
  const v = s | 0;
  cpu.r[i] = v >>> 0;
  if (s !== v) overflow(cpu);
  else cpu.cc = v === 0 ? 0 : v < 0 ? 1 : 2;
}
function logicalAdd32(cpu: CpuCore, i: number, x: number, y: number): void {
  const s = x + y;
  const v = s >>> 0;
  cpu.r[i] = v;
  cpu.cc = (v !== 0 ? 1 : 0) | (s >= TWO32 ? 2 : 0);
}
function logicalSub32(cpu: CpuCore, i: number, x: number, y: number): void {
  const d = x - y;
  const v = d >>> 0;
  cpu.r[i] = v;
  cpu.cc = (v !== 0 ? 1 : 0) | (d >= 0 ? 2 : 0);
}
/** GPR at even index `i` = GPR `j` + GPR `k` (64-bit signed), CC and overflow. */
function signedAdd64(cpu: CpuCore, i: number, j: number, k: number): void {
  const r = cpu.r;
  const ah = r[j]!;
  const bh = r[k]!;
  let lo = r[j + 1]! + r[k + 1]!;
  let c = 0;
  if (lo >= TWO32) {
    lo -= TWO32;
    c = 1;
  }
  const hi = (ah + bh + c) >>> 0;
  r[i] = hi;
  r[i + 1] = lo;
  if ((~(ah ^ bh) & (ah ^ hi) & SIGN) !== 0) overflow(cpu);
  else cpu.cc = (hi | lo) === 0 ? 0 : (hi & SIGN) !== 0 ? 1 : 2;
}
function signedSub64(cpu: CpuCore, i: number, j: number, k: number): void {
  const r = cpu.r;
  const ah = r[j]!;
  const bh = r[k]!;
  let lo = r[j + 1]! - r[k + 1]!;
  let borrow = 0;
  if (lo < 0) {
    lo += TWO32;
    borrow = 1;
  }
  const hi = (ah - bh - borrow) >>> 0;
  r[i] = hi;
  r[i + 1] = lo;
  if (((ah ^ bh) & (ah ^ hi) & SIGN) !== 0) overflow(cpu);
  else cpu.cc = (hi | lo) === 0 ? 0 : (hi & SIGN) !== 0 ? 1 : 2;
}
function logicalAdd64(cpu: CpuCore, i: number, j: number, k: number): void {
  const r = cpu.r;
  let lo = r[j + 1]! + r[k + 1]!;
  let c = 0;
  if (lo >= TWO32) {
    lo -= TWO32;
    c = 1;
  }
  let hi = r[j]! + r[k]! + c;
  let carry = 0;
  if (hi >= TWO32) {
    hi -= TWO32;
    carry = 2;
  }
  r[i] = hi;
  r[i + 1] = lo;
  cpu.cc = ((hi | lo) !== 0 ? 1 : 0) | carry;
}

/** RRE/RRF-a register indexes: R1 bits 24–27, R2 bits 28–31, R3 bits 16–19 (high words). */
const f1 = (a: InsnA<'RRE' | 'RRF-a'>): number => 2 * fRreR1(a);
const f2 = (a: InsnA<'RRE' | 'RRF-a'>): number => 2 * fRreR2(a);
const f3 = (a: InsnA<'RRF-a'>): number => 2 * fRrfR3(a);

export const hotInstructions: InstructionDef[] = [
  def('lr', 0x18, 'RR', 'r:R1,r:R2', (cpu, a) => {
    const r = cpu.r;
    r[lo1(a)] = r[lo2(a)]!;
  }),
  def('l', 0x58, 'RX-a', 'r:R1,dxb:2', (cpu, a) => {
    cpu.r[lo1(a)] = cpu.readU32(rx(cpu, a));
  }),
  def('ly', 0xe358, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    cpu.r[lo1(a)] = cpu.readU32(rxy(cpu, a, b));
  }),
  def('st', 0x50, 'RX-a', 'r:R1,dxb:2', (cpu, a) => {
    cpu.writeU32(rx(cpu, a), cpu.r[lo1(a)]!);
  }),
  def('sty', 0xe350, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    cpu.writeU32(rxy(cpu, a, b), cpu.r[lo1(a)]!);
  }),
  def('ar', 0x1a, 'RR', 'r:R1,r:R2', (cpu, a) => {
    const i = lo1(a);
    signedAdd32(cpu, i, cpu.r[i]!, cpu.r[lo2(a)]!);
  }),
  def('sr', 0x1b, 'RR', 'r:R1,r:R2', (cpu, a) => {
    const i = lo1(a);
    signedSub32(cpu, i, cpu.r[i]!, cpu.r[lo2(a)]!);
  }),
  def('alr', 0x1e, 'RR', 'r:R1,r:R2', (cpu, a) => {
    const i = lo1(a);
    logicalAdd32(cpu, i, cpu.r[i]!, cpu.r[lo2(a)]!);
  }),
  def('slr', 0x1f, 'RR', 'r:R1,r:R2', (cpu, a) => {
    const i = lo1(a);
    logicalSub32(cpu, i, cpu.r[i]!, cpu.r[lo2(a)]!);
  }),
  def('ark', 0xb9f8, 'RRF-a', 'r:R1,r:R2,r:R3', (cpu, a) => {
    signedAdd32(cpu, f1(a) + 1, cpu.r[f2(a) + 1]!, cpu.r[f3(a) + 1]!);
  }),
  def('srk', 0xb9f9, 'RRF-a', 'r:R1,r:R2,r:R3', (cpu, a) => {
    signedSub32(cpu, f1(a) + 1, cpu.r[f2(a) + 1]!, cpu.r[f3(a) + 1]!);
  }),
  def('alrk', 0xb9fa, 'RRF-a', 'r:R1,r:R2,r:R3', (cpu, a) => {
    logicalAdd32(cpu, f1(a) + 1, cpu.r[f2(a) + 1]!, cpu.r[f3(a) + 1]!);
  }),
  def('slrk', 0xb9fb, 'RRF-a', 'r:R1,r:R2,r:R3', (cpu, a) => {
    logicalSub32(cpu, f1(a) + 1, cpu.r[f2(a) + 1]!, cpu.r[f3(a) + 1]!);
  }),
  def('agr', 0xb908, 'RRE', 'r:R1,r:R2', (cpu, a) => signedAdd64(cpu, f1(a), f1(a), f2(a))),
  def('sgr', 0xb909, 'RRE', 'r:R1,r:R2', (cpu, a) => signedSub64(cpu, f1(a), f1(a), f2(a))),
  def('algr', 0xb90a, 'RRE', 'r:R1,r:R2', (cpu, a) => logicalAdd64(cpu, f1(a), f1(a), f2(a))),
  def('agrk', 0xb9e8, 'RRF-a', 'r:R1,r:R2,r:R3', (cpu, a) => signedAdd64(cpu, f1(a), f2(a), f3(a))),
  def('sgrk', 0xb9e9, 'RRF-a', 'r:R1,r:R2,r:R3', (cpu, a) => signedSub64(cpu, f1(a), f2(a), f3(a))),
  def('algrk', 0xb9ea, 'RRF-a', 'r:R1,r:R2,r:R3', (cpu, a) => logicalAdd64(cpu, f1(a), f2(a), f3(a))),
  def('rll', 0xeb1d, 'RSY-a', 'r:R1,r:R3,db:2', (cpu, a, b) => {
    // The amount is the low 5 bits of the second-operand address (with B2 = 0, of D2 itself).
    const b2 = fB2(a);
    const n = (b2 === 0 ? fD20(a, b) : (cpu.ea(0, b2, fD20(a, b)), cpu.eaLo)) & 31;
    const v = cpu.r[2 * fR3(a) + 1]!;
    cpu.r[lo1(a)] = n === 0 ? v : ((v << n) | (v >>> (32 - n))) >>> 0;
  }),
];
