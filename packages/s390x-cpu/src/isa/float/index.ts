// Floating-point register loads, stores and moves, and the FPC instructions (PoO chapters 9 and
// 19; spec s390x-cpu.md §1, §4): FPR i is the left doubleword of vector register i. Every FPR
// operand is checked against AFP-register control (CR0 bit 45): without it only FPRs 0, 2, 4, 6
// exist and others raise a data exception with DXC 1.

import type { CpuCore } from '../../core/cpu-core.js';
import { def } from '../define.js';
import { fR1, fR2, fRreR1, fRreR2, fRrfR3, type InsnA } from '../fields.js';
import { eaRS, eaRX, eaRXY } from '../general/alu.js';
import type { InstructionDef } from '../types.js';
import { bfpArithmeticInstructions } from './bfp-arithmetic.js';
import { bfpConvertInstructions } from './bfp-convert.js';
import { bfpDivideToIntegerInstructions } from './bfp-divide-to-integer.js';
import { PGM_DATA } from '../../core/exceptions.js';

/** Byte offset of FPR i in `cpu.vr`. */
const fpr = (i: number): number => 16 * i;

/** FPC bits that must be zero (QEMU `sfpc`): 6–7, 14–15, 24, 28. */
const FPC_RESERVED = 0x03030088;

/** Checks an FPC value for SFPC/LFPC: reserved bits and BFP rounding modes 4–6 are invalid. */
function checkFpc(cpu: CpuCore, v: number): void {
  const rounding = v & 7;
  cpu.requireSpec((v & FPC_RESERVED) === 0 && (rounding < 4 || rounding === 7));
}

function loadShort(cpu: CpuCore, r1: number, addr: number): void {
  cpu.checkFpr(r1);
  cpu.vrView.setUint32(fpr(r1), cpu.readU32(addr));
}
function loadLong(cpu: CpuCore, r1: number, addr: number): void {
  cpu.checkFpr(r1);
  cpu.readDoubleword(addr);
  cpu.vrView.setUint32(fpr(r1), cpu.dwHi);
  cpu.vrView.setUint32(fpr(r1) + 4, cpu.dwLo);
}
function storeShort(cpu: CpuCore, r1: number, addr: number): void {
  cpu.checkFpr(r1);
  cpu.writeU32(addr, cpu.vrView.getUint32(fpr(r1)));
}
function storeLong(cpu: CpuCore, r1: number, addr: number): void {
  cpu.checkFpr(r1);
  cpu.writeU64(addr, cpu.vrView.getUint32(fpr(r1)), cpu.vrView.getUint32(fpr(r1) + 4));
}

/** Copies the leftmost `bytes` of FPR r2 to FPR r1. */
function move(cpu: CpuCore, r1: number, r2: number, bytes: 4 | 8): void {
  cpu.checkFpr(r1);
  cpu.checkFpr(r2);
  cpu.vr.copyWithin(fpr(r1), fpr(r2), fpr(r2) + bytes);
}

/**
 * Stores FPR r2 in FPR r1 with its sign word changed to `((hi & keep) | set) ^ flip`: LPDFR, LNDFR,
 * LCDFR and CPSDR as masks, so the hot path builds no closure per instruction.
 */
function signOp(cpu: CpuCore, r1: number, r2: number, keep: number, set: number, flip: number): void {
  cpu.checkFpr(r1);
  cpu.checkFpr(r2);
  const hi = cpu.vrView.getUint32(fpr(r2));
  const lo = cpu.vrView.getUint32(fpr(r2) + 4);
  cpu.vrView.setUint32(fpr(r1), (((hi & keep) | set) ^ flip) >>> 0);
  cpu.vrView.setUint32(fpr(r1) + 4, lo);
}

/** CPSDR: the sign of FPR r3 with the rest of FPR r2. */
function copySign(cpu: CpuCore, a: InsnA<'RRF-b'>): void {
  const r3 = fRrfR3(a);
  cpu.checkFpr(r3);
  const sign = cpu.vrView.getUint32(fpr(r3)) & 0x80000000;
  signOp(cpu, fRreR1(a), fRreR2(a), 0x7fffffff, sign, 0);
}

/** LXR: extended operands are register pairs n, n+2 with n in 0,1,4,5,8,9,12,13. */
function moveExtended(cpu: CpuCore, a: InsnA<'RRE'>): void {
  const r1 = fRreR1(a);
  const r2 = fRreR2(a);
  cpu.requireSpec((r1 & 2) === 0 && (r2 & 2) === 0);
  cpu.checkFpr(r1);
  cpu.checkFpr(r1 + 2);
  cpu.checkFpr(r2);
  cpu.checkFpr(r2 + 2);
  const high = cpu.getFprBits(r2);
  const low = cpu.getFprBits(r2 + 2);
  cpu.setFprBits(r1, high);
  cpu.setFprBits(r1 + 2, low);
}

/** LZER / LZDR: zeroes the leftmost `bytes` of FPR R1. */
function loadZero(cpu: CpuCore, a: InsnA<'RRE'>, bytes: 4 | 8): void {
  const r1 = fRreR1(a);
  cpu.checkFpr(r1);
  cpu.vr.fill(0, fpr(r1), fpr(r1) + bytes);
}

/** LZXR: zeroes the register pair R1, R1+2. */
function loadZeroExtended(cpu: CpuCore, a: InsnA<'RRE'>): void {
  const r1 = fRreR1(a);
  cpu.requireSpec((r1 & 2) === 0);
  cpu.checkFpr(r1);
  cpu.checkFpr(r1 + 2);
  cpu.vr.fill(0, fpr(r1), fpr(r1) + 8);
  cpu.vr.fill(0, fpr(r1 + 2), fpr(r1 + 2) + 8);
}

/** LDGR: GPR R2 bit-for-bit into FPR R1. */
function loadFprFromGpr(cpu: CpuCore, a: InsnA<'RRE'>): void {
  const r1 = fRreR1(a);
  const r2 = fRreR2(a);
  cpu.checkFpr(r1);
  cpu.vrView.setUint32(fpr(r1), cpu.r[2 * r2]!);
  cpu.vrView.setUint32(fpr(r1) + 4, cpu.r[2 * r2 + 1]!);
}

/** LGDR: FPR R2 bit-for-bit into GPR R1. */
function loadGprFromFpr(cpu: CpuCore, a: InsnA<'RRE'>): void {
  const r1 = fRreR1(a);
  const r2 = fRreR2(a);
  cpu.checkFpr(r2);
  cpu.r[2 * r1] = cpu.vrView.getUint32(fpr(r2));
  cpu.r[2 * r1 + 1] = cpu.vrView.getUint32(fpr(r2) + 4);
}

function setFpc(cpu: CpuCore, a: InsnA<'RRE'>): void {
  const v = cpu.r[2 * fRreR1(a) + 1]!;
  checkFpc(cpu, v);
  cpu.fpc = v >>> 0;
}

/** LFPC / STFPC: the FPC from / to a word-aligned operand. */
function loadFpc(cpu: CpuCore, a: InsnA<'S'>): void {
  const addr = eaRS(cpu, a);
  cpu.requireSpec((addr & 3) === 0);
  const v = cpu.readU32(addr);
  checkFpc(cpu, v);
  cpu.fpc = v >>> 0;
}
function storeFpc(cpu: CpuCore, a: InsnA<'S'>): void {
  const addr = eaRS(cpu, a);
  cpu.requireSpec((addr & 3) === 0);
  cpu.writeU32(addr, cpu.fpc >>> 0);
}

/** SRNM: bits 62–63 of the second-operand address become the BFP rounding mode. */
function setRoundingMode(cpu: CpuCore, a: InsnA<'S'>): void {
  const mode = eaRS(cpu, a) & 3;
  cpu.fpc = ((cpu.fpc & ~7) | mode) >>> 0;
}

/** SRNMB: bits 56–63 of the second-operand address become the BFP rounding mode (4–6 and above 7 invalid). */
function setRoundingModeB(cpu: CpuCore, a: InsnA<'S'>): void {
  const mode = eaRS(cpu, a) & 0xff;
  cpu.requireSpec(mode < 4 || mode === 7);
  cpu.fpc = ((cpu.fpc & ~7) | mode) >>> 0;
}

/**
 * SFASR: the FPC from GPR R1 bits 32–63 with the old flags ORed in; a flag whose mask the new
 * value enables is a simulated IEEE exception: a data exception with the DXC of the highest
 * priority such flag (invalid, divide, overflow, underflow, inexact) and 3 in its low bits.
 */
function setFpcAndSignal(cpu: CpuCore, a: InsnA<'RRE'>): void {
  const v = cpu.r[2 * fRreR1(a) + 1]!;
  checkFpc(cpu, v);
  const oldFlags = (cpu.fpc >>> 16) & 0xff;
  cpu.fpc = (v | (oldFlags << 16)) >>> 0;
  const signalled = oldFlags & (v >>> 24);
  if (signalled === 0) return;
  let dxc: number;
  if (signalled & 0x80) dxc = 0x80;
  else if (signalled & 0x40) dxc = 0x40;
  else if (signalled & 0x20) dxc = signalled & 0x28;
  else if (signalled & 0x10) dxc = signalled & 0x18;
  else dxc = signalled & 0x0c;
  cpu.programException(PGM_DATA, dxc | 3);
}

export const floatInstructions: InstructionDef[] = [
  def('le', 0x78, 'RX-a', 'f:R1,dxb:2', (cpu, a) => loadShort(cpu, fR1(a), eaRX(cpu, a))),
  def('ld', 0x68, 'RX-a', 'f:R1,dxb:2', (cpu, a) => loadLong(cpu, fR1(a), eaRX(cpu, a))),
  def('ley', 0xed64, 'RXY-a', 'f:R1,dxb:2', (cpu, a, b) => loadShort(cpu, fR1(a), eaRXY(cpu, a, b))),
  def('ldy', 0xed65, 'RXY-a', 'f:R1,dxb:2', (cpu, a, b) => loadLong(cpu, fR1(a), eaRXY(cpu, a, b))),
  def('ste', 0x70, 'RX-a', 'f:R1,dxb:2', (cpu, a) => storeShort(cpu, fR1(a), eaRX(cpu, a))),
  def('std', 0x60, 'RX-a', 'f:R1,dxb:2', (cpu, a) => storeLong(cpu, fR1(a), eaRX(cpu, a))),
  def('stey', 0xed66, 'RXY-a', 'f:R1,dxb:2', (cpu, a, b) => storeShort(cpu, fR1(a), eaRXY(cpu, a, b))),
  def('stdy', 0xed67, 'RXY-a', 'f:R1,dxb:2', (cpu, a, b) => storeLong(cpu, fR1(a), eaRXY(cpu, a, b))),
  def('ler', 0x38, 'RR', 'f:R1,f:R2', (cpu, a) => move(cpu, fR1(a), fR2(a), 4)),
  def('ldr', 0x28, 'RR', 'f:R1,f:R2', (cpu, a) => move(cpu, fR1(a), fR2(a), 8)),
  def('lxr', 0xb365, 'RRE', 'f:R1,f:R2', moveExtended),
  def('lzer', 0xb374, 'RRE', 'f:R1', (cpu, a) => loadZero(cpu, a, 4)),
  def('lzdr', 0xb375, 'RRE', 'f:R1', (cpu, a) => loadZero(cpu, a, 8)),
  def('lzxr', 0xb376, 'RRE', 'f:R1', loadZeroExtended),
  def('ldgr', 0xb3c1, 'RRE', 'f:R1,r:R2', loadFprFromGpr),
  def('lgdr', 0xb3cd, 'RRE', 'r:R1,f:R2', loadGprFromFpr),
  def('lpdfr', 0xb370, 'RRE', 'f:R1,f:R2', (cpu, a) => signOp(cpu, fRreR1(a), fRreR2(a), 0x7fffffff, 0, 0)),
  def('lndfr', 0xb371, 'RRE', 'f:R1,f:R2', (cpu, a) => signOp(cpu, fRreR1(a), fRreR2(a), 0xffffffff, 0x80000000, 0)),
  def('lcdfr', 0xb373, 'RRE', 'f:R1,f:R2', (cpu, a) => signOp(cpu, fRreR1(a), fRreR2(a), 0xffffffff, 0, 0x80000000)),
  def('cpsdr', 0xb372, 'RRF-b', 'f:R1,f:R3,f:R2', copySign),
  def('sfpc', 0xb384, 'RRE', 'r:R1', setFpc),
  def('efpc', 0xb38c, 'RRE', 'r:R1', (cpu, a) => {
    cpu.r[2 * fRreR1(a) + 1] = cpu.fpc >>> 0;
  }),
  def('lfpc', 0xb29d, 'S', 'db:2', loadFpc),
  def('stfpc', 0xb29c, 'S', 'db:2', storeFpc),
  def('srnm', 0xb299, 'S', 'db:2', setRoundingMode),
  def('srnmb', 0xb2b8, 'S', 'db:2', setRoundingModeB),
  def('sfasr', 0xb385, 'RRE', 'r:R1', setFpcAndSignal),
  ...bfpArithmeticInstructions,
  ...bfpConvertInstructions,
  ...bfpDivideToIntegerInstructions,
];
