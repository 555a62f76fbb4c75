// Miscellaneous-instruction-extensions facility 2 (facility 58, z14; PoO chapter 7): multiplies
// that set the condition code (MSRKC, MSGRKC, MSC, MSGC: 0 zero / 1 negative / 2 positive /
// 3 overflow, with a fixed-point-overflow interruption when the program mask enables it), signed
// 64 × 64 → 128 multiplies into an even/odd pair (MGRK, MG), halfword operands in 64 bits (MGH,
// AGH, SGH) and BRANCH INDIRECT ON CONDITION (BIC), whose target is a doubleword in storage.

import type { CpuCore } from '../../core/cpu-core.js';
import { fM1, fR1, fRreR1, fRreR2, fRrfR3 } from '../fields.js';
import type { InstructionDef } from '../types.js';
import { add64, BRANCH_SUFFIX, big64s, ccSigned32, ccSigned64, def, eaRXY, mulLow64, OUT_HI, OUT_LO, overflow, read64, setGprBig, sub64, sx } from './alu.js';
import { condition } from './load-store.js';

const half = (v: number): number => (v << 16) >> 16;

/** Signed 32 × 32 into GPR `r1`'s low word (low 32 bits of the product), CC and overflow. */
function mulSingle32(cpu: CpuCore, r1: number, x: number, y: number): void {
  // Doubles round monotonically and ±2^31 are exact, so the range check is exact too.
  const p = (x | 0) * (y | 0);
  cpu.r[2 * r1 + 1] = Math.imul(x, y) >>> 0;
  if (p < -2147483648 || p > 2147483647) overflow(cpu);
  else ccSigned32(cpu, p);
}

/** Signed 64 × 64 into GPR `r1` (low 64 bits of the product), CC and overflow. */
function mulSingle64(cpu: CpuCore, r1: number, ah: number, al: number, bh: number, bl: number): void {
  const i = 2 * r1;
  // Factors that fit in 32 signed bits have a product below 2^62: no overflow.
  if (ah === sx(al) && bh === sx(bl)) {
    mulLow64(ah, al, bh, bl);
    cpu.r[i] = OUT_HI;
    cpu.r[i + 1] = OUT_LO;
    ccSigned64(cpu, OUT_HI, OUT_LO);
    return;
  }
  const p = big64s(ah, al) * big64s(bh, bl);
  setGprBig(cpu, r1, p);
  if (p !== BigInt.asIntN(64, p)) overflow(cpu);
  else ccSigned64(cpu, cpu.r[i]!, cpu.r[i + 1]!);
}

/** Signed 64 × 64 → 128 into the even/odd pair `r1`, `r1`+1; no CC. */
function mulPairSigned64(cpu: CpuCore, r1: number, ah: number, al: number, bh: number, bl: number): void {
  cpu.requireSpec((r1 & 1) === 0);
  const p = big64s(ah, al) * big64s(bh, bl);
  setGprBig(cpu, r1, p >> 64n);
  setGprBig(cpu, r1 + 1, p);
}

/** AGH/SGH: GPR `r1` ± the sign-extended halfword at the operand address. */
function addHalf64(cpu: CpuCore, r1: number, y: number, subtract: boolean): void {
  const i = 2 * r1;
  const ovf = subtract ? sub64(cpu, cpu.r[i]!, cpu.r[i + 1]!, sx(y), y >>> 0) : add64(cpu, cpu.r[i]!, cpu.r[i + 1]!, sx(y), y >>> 0);
  cpu.r[i] = OUT_HI;
  cpu.r[i + 1] = OUT_LO;
  if (ovf) overflow(cpu);
}

/** objdump's names for BIC: `bi` + the branch suffix for masks 1–15, `bic M1,…` for mask 0. */
const branchIndirectAliases = Array.from({ length: 15 }, (_, k) => ({ mnemonic: 'bi' + BRANCH_SUFFIX[k + 1]!, when: { M1: k + 1 }, operands: 'dxb:2' }));

export const z14ExtensionInstructions: InstructionDef[] = [
  def('msrkc', 0xb9fd, 'RRF-a', 'r:R1,r:R2,r:R3', (cpu, a) => mulSingle32(cpu, fRreR1(a), cpu.r[2 * fRreR2(a) + 1]!, cpu.r[2 * fRrfR3(a) + 1]!)),
  def('msgrkc', 0xb9ed, 'RRF-a', 'r:R1,r:R2,r:R3', (cpu, a) => {
    const j = 2 * fRreR2(a);
    const k = 2 * fRrfR3(a);
    mulSingle64(cpu, fRreR1(a), cpu.r[j]!, cpu.r[j + 1]!, cpu.r[k]!, cpu.r[k + 1]!);
  }),
  def('msc', 0xe353, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    const r1 = fR1(a);
    mulSingle32(cpu, r1, cpu.r[2 * r1 + 1]!, cpu.readU32(eaRXY(cpu, a, b)));
  }),
  def('msgc', 0xe383, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    const r1 = fR1(a);
    read64(cpu, eaRXY(cpu, a, b));
    mulSingle64(cpu, r1, cpu.r[2 * r1]!, cpu.r[2 * r1 + 1]!, OUT_HI, OUT_LO);
  }),
  def('mgrk', 0xb9ec, 'RRF-a', 'r:R1,r:R2,r:R3', (cpu, a) => {
    const j = 2 * fRreR2(a);
    const k = 2 * fRrfR3(a);
    mulPairSigned64(cpu, fRreR1(a), cpu.r[j]!, cpu.r[j + 1]!, cpu.r[k]!, cpu.r[k + 1]!);
  }),
  def('mg', 0xe384, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    const r1 = fR1(a);
    const addr = eaRXY(cpu, a, b);
    cpu.requireSpec((r1 & 1) === 0);
    read64(cpu, addr);
    mulPairSigned64(cpu, r1, cpu.r[2 * r1 + 2]!, cpu.r[2 * r1 + 3]!, OUT_HI, OUT_LO);
  }),
  def('mgh', 0xe33c, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    const y = half(cpu.readU16(eaRXY(cpu, a, b)));
    const i = 2 * fR1(a);
    mulLow64(cpu.r[i]!, cpu.r[i + 1]!, sx(y), y >>> 0);
    cpu.r[i] = OUT_HI;
    cpu.r[i + 1] = OUT_LO;
  }),
  def('agh', 0xe338, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => addHalf64(cpu, fR1(a), half(cpu.readU16(eaRXY(cpu, a, b))), false)),
  def('sgh', 0xe339, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => addHalf64(cpu, fR1(a), half(cpu.readU16(eaRXY(cpu, a, b))), true)),
  def(
    'bic',
    0xe347,
    'RXY-b',
    'm:M1,dxb:2',
    (cpu, a, b) => {
      // The doubleword is fetched whether or not the branch is taken.
      read64(cpu, eaRXY(cpu, a, b));
      if (condition(cpu, fM1(a))) cpu.branchTo(cpu.addressOf(OUT_HI, OUT_LO));
    },
    branchIndirectAliases,
  ),
];
