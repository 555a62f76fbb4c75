// PSW-changing control instructions (PoO chapter 10; spec s390x-cpu.md §2): LPSW, LPSWE, SSM,
// STNSM, STOSM, SAM24/31/64, IPM, SPM, EPSW, SVC.

import type { CpuCore } from '../../core/cpu-core.js';
import { PGM_SPECIFICATION } from '../../core/exceptions.js';
import { shortPswHasFormatBit, shortPswToPsw } from '../../state/psw.js';
import { fB1, fB2, fD1, fD2, fI1, fI8, fR1, fRreR1, fRreR2, type InsnA, type InsnB } from '../fields.js';
import { def, defPriv } from '../define.js';
import type { InstructionDef } from '../types.js';
import { requireKeyZeroWithoutStorageKeys } from './storage-key-removal.js';

/** Loads a new PSW mask while keeping the address at the next instruction (SSM/STOSM/STNSM). */
function replaceSystemMask(cpu: CpuCore, systemMask: number): void {
  // The same system mask leaves the PSW as it is (valid, since this instruction runs).
  if ((systemMask & 0xff) === cpu.maskHi >>> 24) return;
  const psw = cpu.getPsw();
  const mask = (psw.mask & 0x00ffffffffffffffn) | (BigInt(systemMask & 0xff) << 56n);
  cpu.setPsw({ mask, addr: cpu.addressBig(cpu.nextIa) }, cpu.ilen);
  cpu.nextIa = cpu.ia;
}

/** The doubleword-aligned PSW operand of LPSW/LPSWE, probed whole before any of it is used. */
function pswOperand(cpu: CpuCore, a: InsnA<'S'>, length: number): number {
  const addr = cpu.ea(0, fB2(a), fD2(a));
  cpu.requireSpec((addr & 7) === 0);
  cpu.probe(addr, length, false);
  return addr;
}

/** LPSW: loads a short (ESA/390-format) PSW, which must have its format bit set. */
function loadShortPsw(cpu: CpuCore, a: InsnA<'S'>): void {
  const addr = pswOperand(cpu, a, 8);
  const w0 = cpu.readU32(addr);
  const w1 = cpu.readU32(cpu.step(addr, 4));
  if (!shortPswHasFormatBit(w0)) cpu.programException(PGM_SPECIFICATION);
  requireKeyZeroWithoutStorageKeys(cpu, (w0 >>> 20) & 15);
  cpu.recordBreakingEvent();
  cpu.loadPswFromInstruction(shortPswToPsw(w0, w1));
}

/** LPSWE: loads a 16-byte z/Architecture PSW. */
function loadExtendedPsw(cpu: CpuCore, a: InsnA<'S'>): void {
  const addr = pswOperand(cpu, a, 16);
  const mask = cpu.readU64(addr);
  const target = cpu.readU64(cpu.step(addr, 8));
  requireKeyZeroWithoutStorageKeys(cpu, Number((mask >> 52n) & 0xfn));
  cpu.recordBreakingEvent();
  cpu.loadPswFromInstruction({ mask, addr: target });
}

/** STNSM (AND) / STOSM (OR): stores the old system mask, then combines it with I2. */
function storeThenCombineSystemMask(cpu: CpuCore, a: InsnA<'SI'>, useOr: boolean): void {
  const old = cpu.maskHi >>> 24;
  cpu.writeU8(cpu.ea(0, fB1(a), fD1(a)), old);
  replaceSystemMask(cpu, useOr ? old | fI8(a) : old & fI8(a));
}

/** SAM24/SAM31: the updated instruction address must fit the new mode. */
function setAddressing24(cpu: CpuCore): void {
  cpu.requireSpec(cpu.nextIa <= 0xffffff);
  cpu.setAddressingMode(24);
}
function setAddressing31(cpu: CpuCore): void {
  cpu.requireSpec(cpu.nextIa <= 0x7fffffff);
  cpu.setAddressingMode(31);
}

/** IPM: CC and program mask into bits 34–39 of R1, bits 32–33 zero. */
function insertProgramMask(cpu: CpuCore, a: InsnA<'RRE'>): void {
  const i = 2 * fRreR1(a) + 1;
  const programMask = (cpu.maskHi >>> 8) & 15;
  cpu.r[i] = ((cpu.r[i]! & 0x00ffffff) | (((cpu.cc << 4) | programMask) << 24)) >>> 0;
}

/** SPM: CC and program mask from bits 34–39 of R1. */
function setProgramMask(cpu: CpuCore, a: InsnA<'RR'>): void {
  const v = cpu.r[2 * fR1(a) + 1]!;
  cpu.cc = (v >>> 28) & 3;
  cpu.maskHi = ((cpu.maskHi & ~0x0f00) | (((v >>> 24) & 15) << 8)) >>> 0;
}

/** EPSW: PSW bits 0–31 (with the CC) into bits 32–63 of R1, PSW bits 32–63 into R2 unless R2 is 0. */
function extractPsw(cpu: CpuCore, a: InsnA<'RRE'>): void {
  const r1 = fRreR1(a);
  const r2 = fRreR2(a);
  cpu.r[2 * r1 + 1] = (cpu.maskHi | (cpu.cc << 12)) >>> 0;
  if (r2 !== 0) cpu.r[2 * r2 + 1] = cpu.maskLo >>> 0;
}

function supervisorCall(cpu: CpuCore, a: InsnA<'I'>, b: InsnB<'I'>): void {
  if (cpu.interceptSvc) cpu.intercept('svc', 'I', a, b);
  else cpu.deliverSvcInterruption(fI1(a));
}

export const pswInstructions: InstructionDef[] = [
  defPriv('lpsw', 0x82, 'S', 'db:2', loadShortPsw),
  defPriv('lpswe', 0xb2b2, 'S', 'db:2', loadExtendedPsw),
  defPriv('ssm', 0x80, 'S', 'db:2', (cpu, a) => replaceSystemMask(cpu, cpu.readU8(cpu.ea(0, fB2(a), fD2(a))))),
  defPriv('stnsm', 0xac, 'SI', 'db:1,u:I2', (cpu, a) => storeThenCombineSystemMask(cpu, a, false)),
  defPriv('stosm', 0xad, 'SI', 'db:1,u:I2', (cpu, a) => storeThenCombineSystemMask(cpu, a, true)),
  def('sam24', 0x010c, 'E', '', setAddressing24),
  def('sam31', 0x010d, 'E', '', setAddressing31),
  def('sam64', 0x010e, 'E', '', (cpu) => cpu.setAddressingMode(64)),
  def('ipm', 0xb222, 'RRE', 'r:R1', insertProgramMask),
  def('spm', 0x04, 'RR', 'r:R1', setProgramMask),
  def('epsw', 0xb98d, 'RRE', 'r:R1,r:R2', extractPsw),
  def('svc', 0x0a, 'I', 'u:I1', supervisorCall),
];
