// COMPARE (signed and logical, every width and form) and the branches (PoO chapter 7): BRANCH
// ON CONDITION (BCR, BC, BRC, BRCL), BRANCH AND SAVE / LINK, BRANCH ON COUNT, BRANCH ON INDEX,
// COMPARE AND BRANCH (register/immediate, relative/storage target; they leave the CC alone) and
// COMPARE AND TRAP (a data exception with DXC 0xFF when the condition holds).
// Compare CC: 0 equal, 1 first operand low, 2 first operand high.

import type { CpuCore } from '../../core/cpu-core.js';
import { PGM_DATA } from '../../core/exceptions.js';
import { fB4, fD4, fI16, fI2InB, fI32, fI8, fM1, fM3, fM3InB, fR1, fR2, fR3, fRreR1, fRreR2, fRrfM3, fSilI2, fSilU2, fU16, fU32, type InsnA, type InsnB } from '../fields.js';
import type { InstructionDef } from '../types.js';
import { BRANCH_SUFFIX, cmpS32, cmpS64, cmpU32, cmpU64, compareAliases, def, eaRS, eaRSY, eaRX, eaRXY, eaSI, eaSIY, OUT_HI, OUT_LO, read64, setAddressReg, splitAddress, sx, TWO32 } from './alu.js';
import { condition } from './load-store.js';

type Cmp64 = (ah: number, al: number, bh: number, bl: number) => number;

/** 64-bit compares: RRE with 64- or extended 32-bit second operand, RXY likewise. */
function compare64(cmp: Cmp64, signed: boolean, n: { gr: [string, number]; gfr: [string, number]; g: [string, number]; gf: [string, number] }): InstructionDef[] {
  const ext = signed ? sx : (): number => 0;
  return [
    def(n.gr[0], n.gr[1], 'RRE', 'r:R1,r:R2', (cpu, a) => {
      const i = 2 * fRreR1(a);
      const j = 2 * fRreR2(a);
      cpu.cc = cmp(cpu.r[i]!, cpu.r[i + 1]!, cpu.r[j]!, cpu.r[j + 1]!);
    }),
    def(n.gfr[0], n.gfr[1], 'RRE', 'r:R1,r:R2', (cpu, a) => {
      const i = 2 * fRreR1(a);
      const y = cpu.r[2 * fRreR2(a) + 1]!;
      cpu.cc = cmp(cpu.r[i]!, cpu.r[i + 1]!, ext(y), y);
    }),
    def(n.g[0], n.g[1], 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
      const i = 2 * fR1(a);
      read64(cpu, eaRXY(cpu, a, b));
      cpu.cc = cmp(cpu.r[i]!, cpu.r[i + 1]!, OUT_HI, OUT_LO);
    }),
    def(n.gf[0], n.gf[1], 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
      const i = 2 * fR1(a);
      const y = cpu.readU32(eaRXY(cpu, a, b));
      cpu.cc = cmp(cpu.r[i]!, cpu.r[i + 1]!, ext(y), y);
    }),
  ];
}

const s16 = (v: number): number => (v << 16) >> 16;

/** Relative-long storage operand. */
const rel = (cpu: CpuCore, a: InsnA<'RIL-b'>, b: InsnB<'RIL-b'>): number => cpu.relative(fI32(a, b));
/** A word (4) or doubleword (8) relative-long operand, which must be aligned. */
const relAligned = (cpu: CpuCore, a: InsnA<'RIL-b'>, b: InsnB<'RIL-b'>, size: 4 | 8): number => cpu.relativeAligned(fI32(a, b), size);

/** Link information for BAS/BRAS/BASR: the next instruction's address in the current mode. */
function link(cpu: CpuCore, reg: number): void {
  splitAddress(cpu, cpu.nextIa);
  if (cpu.amode === 31) cpu.r[2 * reg + 1] = (OUT_LO | 0x80000000) >>> 0;
  else setAddressReg(cpu, reg, OUT_HI, OUT_LO);
}

/** BAL/BALR link information: in 24-bit mode ILC, CC and program mask in bits 32–39. */
function linkBal(cpu: CpuCore, reg: number): void {
  if (cpu.amode !== 24) return link(cpu, reg);
  const ilc = cpu.ilen >>> 1;
  const pm = (cpu.maskHi >>> 8) & 15;
  cpu.r[2 * reg + 1] = ((ilc << 30) | (cpu.cc << 28) | (pm << 24) | (cpu.nextIa & 0xffffff)) >>> 0;
}

/** Branch-condition aliases of a branch instruction (mask field M1). */
function branchAliases(prefix: string, suffix: string, operands: string, nopName: string): { mnemonic: string; when: Record<string, number>; operands: string }[] {
  const out = [{ mnemonic: nopName, when: { M1: 0 }, operands }];
  for (let m = 1; m <= 15; m++) out.push({ mnemonic: prefix + BRANCH_SUFFIX[m]! + suffix, when: { M1: m }, operands });
  return out;
}

/** Decrements the low word of GPR `r`; returns true if it became nonzero. */
function count32(cpu: CpuCore, r: number): boolean {
  const v = (cpu.r[2 * r + 1]! - 1) >>> 0;
  cpu.r[2 * r + 1] = v;
  return v !== 0;
}
function count64(cpu: CpuCore, r: number): boolean {
  const i = 2 * r;
  const lo = cpu.r[i + 1]!;
  if (lo === 0) cpu.r[i] = (cpu.r[i]! - 1) >>> 0;
  cpu.r[i + 1] = (lo - 1) >>> 0;
  return (cpu.r[i]! | cpu.r[i + 1]!) !== 0;
}

/**
 * BRANCH ON INDEX: R1 += R3; compare with R3|1 (read before the add). `high`: branch if the sum is
 * greater, else if it is less or equal.
 */
function index32(cpu: CpuCore, r1: number, r3: number, high: boolean): boolean {
  const inc = cpu.r[2 * r3 + 1]! | 0;
  const limit = cpu.r[2 * (r3 | 1) + 1]! | 0;
  const sum = (cpu.r[2 * r1 + 1]! + inc) | 0;
  cpu.r[2 * r1 + 1] = sum >>> 0;
  return high ? sum > limit : sum <= limit;
}
function index64(cpu: CpuCore, r1: number, r3: number, high: boolean): boolean {
  const ih = cpu.r[2 * r3]!;
  const il = cpu.r[2 * r3 + 1]!;
  const lh = cpu.r[2 * (r3 | 1)]!;
  const ll = cpu.r[2 * (r3 | 1) + 1]!;
  let lo = cpu.r[2 * r1 + 1]! + il;
  let c = 0;
  if (lo >= TWO32) {
    lo -= TWO32;
    c = 1;
  }
  const hi = (cpu.r[2 * r1]! + ih + c) >>> 0;
  cpu.r[2 * r1] = hi;
  cpu.r[2 * r1 + 1] = lo;
  const cmp = cmpS64(hi, lo, lh, ll);
  return high ? cmp === 2 : cmp !== 2;
}

/** Compare-and-branch: branch when mask bit (8 >> compare result) is set; CC unchanged. */
const taken = (mask: number, cmp: number): boolean => ((mask << cmp) & 8) !== 0;

export const compareBranchInstructions: InstructionDef[] = [
  // 32-bit compares.
  def('cr', 0x19, 'RR', 'r:R1,r:R2', (cpu, a) => {
    cpu.cc = cmpS32(cpu.r[2 * fR1(a) + 1]!, cpu.r[2 * fR2(a) + 1]!);
  }),
  def('clr', 0x15, 'RR', 'r:R1,r:R2', (cpu, a) => {
    cpu.cc = cmpU32(cpu.r[2 * fR1(a) + 1]!, cpu.r[2 * fR2(a) + 1]!);
  }),
  def('c', 0x59, 'RX-a', 'r:R1,dxb:2', (cpu, a) => {
    cpu.cc = cmpS32(cpu.r[2 * fR1(a) + 1]!, cpu.readU32(eaRX(cpu, a)));
  }),
  def('cy', 0xe359, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    cpu.cc = cmpS32(cpu.r[2 * fR1(a) + 1]!, cpu.readU32(eaRXY(cpu, a, b)));
  }),
  def('cl', 0x55, 'RX-a', 'r:R1,dxb:2', (cpu, a) => {
    cpu.cc = cmpU32(cpu.r[2 * fR1(a) + 1]!, cpu.readU32(eaRX(cpu, a)));
  }),
  def('cly', 0xe355, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    cpu.cc = cmpU32(cpu.r[2 * fR1(a) + 1]!, cpu.readU32(eaRXY(cpu, a, b)));
  }),
  def('ch', 0x49, 'RX-a', 'r:R1,dxb:2', (cpu, a) => {
    cpu.cc = cmpS32(cpu.r[2 * fR1(a) + 1]!, s16(cpu.readU16(eaRX(cpu, a))));
  }),
  def('chy', 0xe379, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    cpu.cc = cmpS32(cpu.r[2 * fR1(a) + 1]!, s16(cpu.readU16(eaRXY(cpu, a, b))));
  }),
  def('chi', 0xa7e, 'RI-a', 'r:R1,s:I2', (cpu, a) => {
    cpu.cc = cmpS32(cpu.r[2 * fR1(a) + 1]!, fI16(a));
  }),
  def('cfi', 0xc2d, 'RIL-a', 'r:R1,s:I2', (cpu, a, b) => {
    cpu.cc = cmpS32(cpu.r[2 * fR1(a) + 1]!, fI32(a, b));
  }),
  def('clfi', 0xc2f, 'RIL-a', 'r:R1,u:I2', (cpu, a, b) => {
    cpu.cc = cmpU32(cpu.r[2 * fR1(a) + 1]!, fU32(a, b));
  }),
  def('crl', 0xc6d, 'RIL-b', 'r:R1,rel:RI2', (cpu, a, b) => {
    cpu.cc = cmpS32(cpu.r[2 * fR1(a) + 1]!, cpu.readU32(relAligned(cpu, a, b, 4)));
  }),
  def('clrl', 0xc6f, 'RIL-b', 'r:R1,rel:RI2', (cpu, a, b) => {
    cpu.cc = cmpU32(cpu.r[2 * fR1(a) + 1]!, cpu.readU32(relAligned(cpu, a, b, 4)));
  }),
  def('chrl', 0xc65, 'RIL-b', 'r:R1,rel:RI2', (cpu, a, b) => {
    cpu.cc = cmpS32(cpu.r[2 * fR1(a) + 1]!, s16(cpu.readU16(rel(cpu, a, b))));
  }),
  def('clhrl', 0xc67, 'RIL-b', 'r:R1,rel:RI2', (cpu, a, b) => {
    cpu.cc = cmpU32(cpu.r[2 * fR1(a) + 1]!, cpu.readU16(rel(cpu, a, b)));
  }),
  // 64-bit compares.
  ...compare64(cmpS64, true, { gr: ['cgr', 0xb920], gfr: ['cgfr', 0xb930], g: ['cg', 0xe320], gf: ['cgf', 0xe330] }),
  ...compare64(cmpU64, false, { gr: ['clgr', 0xb921], gfr: ['clgfr', 0xb931], g: ['clg', 0xe321], gf: ['clgf', 0xe331] }),
  def('cgh', 0xe334, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    const y = s16(cpu.readU16(eaRXY(cpu, a, b)));
    const i = 2 * fR1(a);
    cpu.cc = cmpS64(cpu.r[i]!, cpu.r[i + 1]!, sx(y), y >>> 0);
  }),
  def('cghi', 0xa7f, 'RI-a', 'r:R1,s:I2', (cpu, a) => {
    const y = fI16(a);
    const i = 2 * fR1(a);
    cpu.cc = cmpS64(cpu.r[i]!, cpu.r[i + 1]!, sx(y), y >>> 0);
  }),
  def('cgfi', 0xc2c, 'RIL-a', 'r:R1,s:I2', (cpu, a, b) => {
    const y = fI32(a, b);
    const i = 2 * fR1(a);
    cpu.cc = cmpS64(cpu.r[i]!, cpu.r[i + 1]!, sx(y), y >>> 0);
  }),
  def('clgfi', 0xc2e, 'RIL-a', 'r:R1,u:I2', (cpu, a, b) => {
    const i = 2 * fR1(a);
    cpu.cc = cmpU64(cpu.r[i]!, cpu.r[i + 1]!, 0, fU32(a, b));
  }),
  def('cgrl', 0xc68, 'RIL-b', 'r:R1,rel:RI2', (cpu, a, b) => {
    read64(cpu, relAligned(cpu, a, b, 8));
    const i = 2 * fR1(a);
    cpu.cc = cmpS64(cpu.r[i]!, cpu.r[i + 1]!, OUT_HI, OUT_LO);
  }),
  def('clgrl', 0xc6a, 'RIL-b', 'r:R1,rel:RI2', (cpu, a, b) => {
    read64(cpu, relAligned(cpu, a, b, 8));
    const i = 2 * fR1(a);
    cpu.cc = cmpU64(cpu.r[i]!, cpu.r[i + 1]!, OUT_HI, OUT_LO);
  }),
  ...(
    [
      ['cgfrl', 0xc6c, 32, true],
      ['clgfrl', 0xc6e, 32, false],
      ['cghrl', 0xc64, 16, true],
      ['clghrl', 0xc66, 16, false],
    ] as const
  ).map(([mn, op, width, signed]) =>
    def(mn, op, 'RIL-b', 'r:R1,rel:RI2', (cpu, a, b) => {
      const addr = width === 32 ? relAligned(cpu, a, b, 4) : rel(cpu, a, b);
      const raw = width === 32 ? cpu.readU32(addr) : cpu.readU16(addr);
      const y = signed && width === 16 ? s16(raw) : raw;
      const i = 2 * fR1(a);
      cpu.cc = signed ? cmpS64(cpu.r[i]!, cpu.r[i + 1]!, sx(y), y >>> 0) : cmpU64(cpu.r[i]!, cpu.r[i + 1]!, 0, y >>> 0);
    }),
  ),
  // Storage-immediate compares (SIL: I2 is 16 bits).
  def('chhsi', 0xe554, 'SIL', 'db:1,s:I2', (cpu, a, b) => {
    cpu.cc = cmpS32(s16(cpu.readU16(eaSI(cpu, a))), fSilI2(b));
  }),
  def('clhhsi', 0xe555, 'SIL', 'db:1,u:I2', (cpu, a, b) => {
    cpu.cc = cmpU32(cpu.readU16(eaSI(cpu, a)), fSilU2(b));
  }),
  def('chsi', 0xe55c, 'SIL', 'db:1,s:I2', (cpu, a, b) => {
    cpu.cc = cmpS32(cpu.readU32(eaSI(cpu, a)), fSilI2(b));
  }),
  def('clfhsi', 0xe55d, 'SIL', 'db:1,u:I2', (cpu, a, b) => {
    cpu.cc = cmpU32(cpu.readU32(eaSI(cpu, a)), fSilU2(b));
  }),
  def('cghsi', 0xe558, 'SIL', 'db:1,s:I2', (cpu, a, b) => {
    read64(cpu, eaSI(cpu, a));
    const y = fSilI2(b);
    cpu.cc = cmpS64(OUT_HI, OUT_LO, sx(y), y >>> 0);
  }),
  def('clghsi', 0xe559, 'SIL', 'db:1,u:I2', (cpu, a, b) => {
    read64(cpu, eaSI(cpu, a));
    cpu.cc = cmpU64(OUT_HI, OUT_LO, 0, fSilU2(b));
  }),
  def('cli', 0x95, 'SI', 'db:1,u:I2', (cpu, a) => {
    cpu.cc = cmpU32(cpu.readU8(eaSI(cpu, a)), fI8(a));
  }),
  def('cliy', 0xeb55, 'SIY', 'db:1,u:I2', (cpu, a, b) => {
    cpu.cc = cmpU32(cpu.readU8(eaSIY(cpu, a, b)), fI8(a));
  }),
  // COMPARE LOGICAL CHARACTERS UNDER MASK.
  def('clm', 0xbd, 'RS-b', 'r:R1,m:M3,db:2', (cpu, a) => compareUnderMask(cpu, cpu.r[2 * fR1(a) + 1]!, fM3(a), eaRS(cpu, a))),
  def('clmy', 0xeb21, 'RSY-b', 'r:R1,m:M3,db:2', (cpu, a, b) => compareUnderMask(cpu, cpu.r[2 * fR1(a) + 1]!, fM3(a), eaRSY(cpu, a, b))),
  def('clmh', 0xeb20, 'RSY-b', 'r:R1,m:M3,db:2', (cpu, a, b) => compareUnderMask(cpu, cpu.r[2 * fR1(a)]!, fM3(a), eaRSY(cpu, a, b))),

  // Branch on condition.
  def(
    'bcr',
    0x07,
    'RR',
    'm:M1,r:R2',
    (cpu, a) => {
      const r2 = fR2(a);
      if (r2 !== 0 && condition(cpu, fM1(a))) cpu.branchTo(cpu.gprAddress(r2));
    },
    [{ mnemonic: 'nopr', when: { M1: 0, R2: 0 }, operands: '' }, ...branchAliases('b', 'r', 'r:R2', 'nopr')],
  ),
  def(
    'bc',
    0x47,
    'RX-b',
    'm:M1,dxb:2',
    (cpu, a) => {
      const target = eaRX(cpu, a);
      if (condition(cpu, fM1(a))) cpu.branchTo(target);
    },
    branchAliases('b', '', 'dxb:2', 'nop'),
  ),
  def(
    'brc',
    0xa74,
    'RI-c',
    'm:M1,rel:RI2',
    (cpu, a) => {
      if (condition(cpu, fM1(a))) cpu.branchTo(cpu.relative(fI16(a)));
    },
    branchAliases('j', '', 'rel:RI2', 'jnop'),
  ),
  def(
    'brcl',
    0xc04,
    'RIL-c',
    'm:M1,rel:RI2',
    (cpu, a, b) => {
      if (condition(cpu, fM1(a))) cpu.branchTo(cpu.relative(fI32(a, b)));
    },
    branchAliases('jg', '', 'rel:RI2', 'jgnop'),
  ),
  // Branch and save / link.
  def('basr', 0x0d, 'RR', 'r:R1,r:R2', (cpu, a) => {
    const r2 = fR2(a);
    const target = r2 !== 0 ? cpu.gprAddress(r2) : -1;
    link(cpu, fR1(a));
    if (target >= 0) cpu.branchTo(target);
  }),
  def('bas', 0x4d, 'RX-a', 'r:R1,dxb:2', (cpu, a) => {
    const target = eaRX(cpu, a);
    link(cpu, fR1(a));
    cpu.branchTo(target);
  }),
  def('balr', 0x05, 'RR', 'r:R1,r:R2', (cpu, a) => {
    const r2 = fR2(a);
    const target = r2 !== 0 ? cpu.gprAddress(r2) : -1;
    linkBal(cpu, fR1(a));
    if (target >= 0) cpu.branchTo(target);
  }),
  def('bal', 0x45, 'RX-a', 'r:R1,dxb:2', (cpu, a) => {
    const target = eaRX(cpu, a);
    linkBal(cpu, fR1(a));
    cpu.branchTo(target);
  }),
  def('bras', 0xa75, 'RI-b', 'r:R1,rel:RI2', (cpu, a) => {
    const target = cpu.relative(fI16(a));
    link(cpu, fR1(a));
    cpu.branchTo(target);
  }),
  def('brasl', 0xc05, 'RIL-b', 'r:R1,rel:RI2', (cpu, a, b) => {
    const target = cpu.relative(fI32(a, b));
    link(cpu, fR1(a));
    cpu.branchTo(target);
  }),
  // Branch on count.
  def('bctr', 0x06, 'RR', 'r:R1,r:R2', (cpu, a) => {
    const r2 = fR2(a);
    const target = r2 !== 0 ? cpu.gprAddress(r2) : -1;
    if (count32(cpu, fR1(a)) && target >= 0) cpu.branchTo(target);
  }),
  def('bctgr', 0xb946, 'RRE', 'r:R1,r:R2', (cpu, a) => {
    const r2 = fRreR2(a);
    const target = r2 !== 0 ? cpu.gprAddress(r2) : -1;
    if (count64(cpu, fRreR1(a)) && target >= 0) cpu.branchTo(target);
  }),
  def('bct', 0x46, 'RX-a', 'r:R1,dxb:2', (cpu, a) => {
    const target = eaRX(cpu, a);
    if (count32(cpu, fR1(a))) cpu.branchTo(target);
  }),
  def('bctg', 0xe346, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    const target = eaRXY(cpu, a, b);
    if (count64(cpu, fR1(a))) cpu.branchTo(target);
  }),
  def('brct', 0xa76, 'RI-b', 'r:R1,rel:RI2', (cpu, a) => {
    if (count32(cpu, fR1(a))) cpu.branchTo(cpu.relative(fI16(a)));
  }),
  def('brctg', 0xa77, 'RI-b', 'r:R1,rel:RI2', (cpu, a) => {
    if (count64(cpu, fR1(a))) cpu.branchTo(cpu.relative(fI16(a)));
  }),
  // Branch on index.
  def('bxh', 0x86, 'RS-a', 'r:R1,r:R3,db:2', (cpu, a) => {
    const target = eaRS(cpu, a);
    if (index32(cpu, fR1(a), fR3(a), true)) cpu.branchTo(target);
  }),
  def('bxle', 0x87, 'RS-a', 'r:R1,r:R3,db:2', (cpu, a) => {
    const target = eaRS(cpu, a);
    if (index32(cpu, fR1(a), fR3(a), false)) cpu.branchTo(target);
  }),
  def('bxhg', 0xeb44, 'RSY-a', 'r:R1,r:R3,db:2', (cpu, a, b) => {
    const target = eaRSY(cpu, a, b);
    if (index64(cpu, fR1(a), fR3(a), true)) cpu.branchTo(target);
  }),
  def('bxleg', 0xeb45, 'RSY-a', 'r:R1,r:R3,db:2', (cpu, a, b) => {
    const target = eaRSY(cpu, a, b);
    if (index64(cpu, fR1(a), fR3(a), false)) cpu.branchTo(target);
  }),
  def('brxh', 0x84, 'RSI', 'r:R1,r:R3,rel:RI2', (cpu, a) => {
    if (index32(cpu, fR1(a), fR3(a), true)) cpu.branchTo(cpu.relative(fI16(a)));
  }),
  def('brxle', 0x85, 'RSI', 'r:R1,r:R3,rel:RI2', (cpu, a) => {
    if (index32(cpu, fR1(a), fR3(a), false)) cpu.branchTo(cpu.relative(fI16(a)));
  }),
  def('brxhg', 0xec44, 'RIE-e', 'r:R1,r:R3,rel:RI2', (cpu, a) => {
    if (index64(cpu, fR1(a), fR3(a), true)) cpu.branchTo(cpu.relative(fI16(a)));
  }),
  def('brxlg', 0xec45, 'RIE-e', 'r:R1,r:R3,rel:RI2', (cpu, a) => {
    if (index64(cpu, fR1(a), fR3(a), false)) cpu.branchTo(cpu.relative(fI16(a)));
  }),

  // Compare and branch, relative (RIE-b register, RIE-c immediate).
  ...(
    [
      ['crj', 0xec76, (cpu: CpuCore, i: number, j: number) => cmpS32(cpu.r[i + 1]!, cpu.r[j + 1]!)],
      ['clrj', 0xec77, (cpu: CpuCore, i: number, j: number) => cmpU32(cpu.r[i + 1]!, cpu.r[j + 1]!)],
      ['cgrj', 0xec64, (cpu: CpuCore, i: number, j: number) => cmpS64(cpu.r[i]!, cpu.r[i + 1]!, cpu.r[j]!, cpu.r[j + 1]!)],
      ['clgrj', 0xec65, (cpu: CpuCore, i: number, j: number) => cmpU64(cpu.r[i]!, cpu.r[i + 1]!, cpu.r[j]!, cpu.r[j + 1]!)],
    ] as const
  ).map(([mn, op, cmp]) =>
    def(
      mn,
      op,
      'RIE-b',
      'r:R1,r:R2,m:M3,rel:RI4',
      (cpu, a, b) => {
        if (taken(fM3InB(b), cmp(cpu, 2 * fR1(a), 2 * fR2(a)))) cpu.branchTo(cpu.relative(fI16(a)));
      },
      compareAliases(mn, 'M3', 'r:R1,r:R2,rel:RI4'),
    ),
  ),
  ...(
    [
      ['cij', 0xec7e, (cpu: CpuCore, i: number, y: number) => cmpS32(cpu.r[i + 1]!, (y << 24) >> 24), 's'],
      ['clij', 0xec7f, (cpu: CpuCore, i: number, y: number) => cmpU32(cpu.r[i + 1]!, y), 'u'],
      [
        'cgij',
        0xec7c,
        (cpu: CpuCore, i: number, y: number) => {
          const v = (y << 24) >> 24;
          return cmpS64(cpu.r[i]!, cpu.r[i + 1]!, sx(v), v >>> 0);
        },
        's',
      ],
      ['clgij', 0xec7d, (cpu: CpuCore, i: number, y: number) => cmpU64(cpu.r[i]!, cpu.r[i + 1]!, 0, y), 'u'],
    ] as const
  ).map(([mn, op, cmp, kind]) =>
    def(
      mn,
      op,
      'RIE-c',
      `r:R1,${kind}:I2,m:M3,rel:RI4`,
      (cpu, a, b) => {
        if (taken(fM3(a), cmp(cpu, 2 * fR1(a), fI2InB(b)))) cpu.branchTo(cpu.relative(fI16(a)));
      },
      compareAliases(mn, 'M3', `r:R1,${kind}:I2,rel:RI4`),
    ),
  ),
  // Compare and branch to a storage address (RRS register, RIS immediate).
  ...(
    [
      ['crb', 0xecf6, (cpu: CpuCore, i: number, j: number) => cmpS32(cpu.r[i + 1]!, cpu.r[j + 1]!)],
      ['clrb', 0xecf7, (cpu: CpuCore, i: number, j: number) => cmpU32(cpu.r[i + 1]!, cpu.r[j + 1]!)],
      ['cgrb', 0xece4, (cpu: CpuCore, i: number, j: number) => cmpS64(cpu.r[i]!, cpu.r[i + 1]!, cpu.r[j]!, cpu.r[j + 1]!)],
      ['clgrb', 0xece5, (cpu: CpuCore, i: number, j: number) => cmpU64(cpu.r[i]!, cpu.r[i + 1]!, cpu.r[j]!, cpu.r[j + 1]!)],
    ] as const
  ).map(([mn, op, cmp]) =>
    def(
      mn,
      op,
      'RRS',
      'r:R1,r:R2,m:M3,db:4',
      (cpu, a, b) => {
        const target = cpu.ea(0, fB4(a), fD4(a));
        if (taken(fM3InB(b), cmp(cpu, 2 * fR1(a), 2 * fR2(a)))) cpu.branchTo(target);
      },
      compareAliases(mn, 'M3', 'r:R1,r:R2,db:4'),
    ),
  ),
  ...(
    [
      ['cib', 0xecfe, (cpu: CpuCore, i: number, y: number) => cmpS32(cpu.r[i + 1]!, (y << 24) >> 24), 's'],
      ['clib', 0xecff, (cpu: CpuCore, i: number, y: number) => cmpU32(cpu.r[i + 1]!, y), 'u'],
      [
        'cgib',
        0xecfc,
        (cpu: CpuCore, i: number, y: number) => {
          const v = (y << 24) >> 24;
          return cmpS64(cpu.r[i]!, cpu.r[i + 1]!, sx(v), v >>> 0);
        },
        's',
      ],
      ['clgib', 0xecfd, (cpu: CpuCore, i: number, y: number) => cmpU64(cpu.r[i]!, cpu.r[i + 1]!, 0, y), 'u'],
    ] as const
  ).map(([mn, op, cmp, kind]) =>
    def(
      mn,
      op,
      'RIS',
      `r:R1,${kind}:I2,m:M3,db:4`,
      (cpu, a, b) => {
        const target = cpu.ea(0, fB4(a), fD4(a));
        if (taken(fM3(a), cmp(cpu, 2 * fR1(a), fI2InB(b)))) cpu.branchTo(target);
      },
      compareAliases(mn, 'M3', `r:R1,${kind}:I2,db:4`),
    ),
  ),
];

/** COMPARE AND TRAP: a data exception with DXC 0xFF when the mask selects the comparison result. */
function trapIf(cpu: CpuCore, mask: number, cmp: number): void {
  if (taken(mask, cmp)) cpu.programException(PGM_DATA, DXC_COMPARE_AND_TRAP);
}
const DXC_COMPARE_AND_TRAP = 0xff;

/** Compare-and-trap entries: register (RRF-c), immediate (RIE-a) and storage (RSY-b) forms. */
export const compareTrapInstructions: InstructionDef[] = [
  ...(
    [
      ['crt', 0xb972, (cpu: CpuCore, i: number, j: number) => cmpS32(cpu.r[i + 1]!, cpu.r[j + 1]!)],
      ['clrt', 0xb973, (cpu: CpuCore, i: number, j: number) => cmpU32(cpu.r[i + 1]!, cpu.r[j + 1]!)],
      ['cgrt', 0xb960, (cpu: CpuCore, i: number, j: number) => cmpS64(cpu.r[i]!, cpu.r[i + 1]!, cpu.r[j]!, cpu.r[j + 1]!)],
      ['clgrt', 0xb961, (cpu: CpuCore, i: number, j: number) => cmpU64(cpu.r[i]!, cpu.r[i + 1]!, cpu.r[j]!, cpu.r[j + 1]!)],
    ] as const
  ).map(([mn, op, cmp]) => def(mn, op, 'RRF-c', 'r:R1,r:R2,m:M3', (cpu, a) => trapIf(cpu, fRrfM3(a), cmp(cpu, 2 * fRreR1(a), 2 * fRreR2(a))), compareAliases(mn, 'M3', 'r:R1,r:R2'))),
  ...(
    [
      ['cit', 0xec72, (cpu: CpuCore, i: number, y: number) => cmpS32(cpu.r[i + 1]!, (y << 16) >> 16), 's'],
      ['clfit', 0xec73, (cpu: CpuCore, i: number, y: number) => cmpU32(cpu.r[i + 1]!, y), 'u'],
      [
        'cgit',
        0xec70,
        (cpu: CpuCore, i: number, y: number) => {
          const v = (y << 16) >> 16;
          return cmpS64(cpu.r[i]!, cpu.r[i + 1]!, sx(v), v >>> 0);
        },
        's',
      ],
      ['clgit', 0xec71, (cpu: CpuCore, i: number, y: number) => cmpU64(cpu.r[i]!, cpu.r[i + 1]!, 0, y), 'u'],
    ] as const
  ).map(([mn, op, cmp, kind]) => def(mn, op, 'RIE-a', `r:R1,${kind}:I2,m:M3`, (cpu, a, b) => trapIf(cpu, fM3InB(b), cmp(cpu, 2 * fR1(a), fU16(a))), compareAliases(mn, 'M3', `r:R1,${kind}:I2`))),
  def(
    'clt',
    0xeb23,
    'RSY-b',
    'r:R1,m:M3,db:2',
    (cpu, a, b) => {
      trapIf(cpu, fM3(a), cmpU32(cpu.r[2 * fR1(a) + 1]!, cpu.readU32(eaRSY(cpu, a, b))));
    },
    compareAliases('clt', 'M3', 'r:R1,db:2'),
  ),
  def(
    'clgt',
    0xeb2b,
    'RSY-b',
    'r:R1,m:M3,db:2',
    (cpu, a, b) => {
      read64(cpu, eaRSY(cpu, a, b));
      const i = 2 * fR1(a);
      trapIf(cpu, fM3(a), cmpU64(cpu.r[i]!, cpu.r[i + 1]!, OUT_HI, OUT_LO));
    },
    compareAliases('clgt', 'M3', 'r:R1,db:2'),
  ),
];

function compareUnderMask(cpu: CpuCore, word: number, mask: number, addr: number): void {
  let k = 0;
  for (let p = 0; p < 4; p++) {
    if ((mask & (8 >>> p)) === 0) continue;
    const mine = (word >>> (24 - 8 * p)) & 0xff;
    const theirs = cpu.readU8(cpu.step(addr, k));
    k++;
    if (mine !== theirs) {
      cpu.cc = mine < theirs ? 1 : 2;
      return;
    }
  }
  cpu.cc = 0;
}
