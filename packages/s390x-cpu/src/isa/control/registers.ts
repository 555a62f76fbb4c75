// Control, access and CPU-identification register instructions (PoO chapter 10; spec
// s390x-cpu.md §1, §3, §4): LCTL, LCTLG, STCTL, STCTG, LAM(Y), STAM(Y), SAR, EAR, SPX, STPX,
// STAP, STIDP, STFL, STFLE.

import type { CpuCore } from '../../core/cpu-core.js';
import { FACILITY_DOUBLEWORDS } from '../../core/facilities.js';
import { PGM_ADDRESSING } from '../../core/exceptions.js';
import { def, defPriv } from '../define.js';
import { fR1, fR3, fRreR1, fRreR2, type InsnA } from '../fields.js';
import { eaRS, eaRSY } from '../general/alu.js';
import type { InstructionDef } from '../types.js';

export { FACILITY_BITS, FACILITY_DOUBLEWORDS, facilityListBytes } from '../../core/facilities.js';

/** [E] CPU identification stored by STIDP: version 0, CPU id = CPU address, type 0x2964 (z13), format 1. */
export function cpuIdentification(cpuAddress: number): bigint {
  return (BigInt(cpuAddress & 0xffffff) << 32n) | (0x2964n << 16n) | 0x8000n;
}

/**
 * Checks and probes the operand of registers r1, r1+1, …, r3 (wrapping from 15 to 0), `size`
 * bytes each and aligned to `size`; returns the register count.
 */
function alignedRegisterRange(cpu: CpuCore, r1: number, r3: number, addr: number, size: number, write: boolean): number {
  cpu.requireSpec(addr % size === 0);
  const n = ((r3 - r1) & 15) + 1;
  cpu.probe(addr, n * size, write);
  return n;
}

function loadControl(cpu: CpuCore, r1: number, r3: number, addr: number, wide: boolean): void {
  const size = wide ? 8 : 4;
  const n = alignedRegisterRange(cpu, r1, r3, addr, size, false);
  let changed = false;
  for (let k = 0; k < n; k++) {
    const reg = (r1 + k) & 15;
    const at = cpu.step(addr, k * size);
    const hi = wide ? cpu.readU32(at) : cpu.cr[2 * reg]!;
    const lo = cpu.readU32(wide ? cpu.step(at, 4) : at);
    changed ||= hi !== cpu.cr[2 * reg] || lo !== cpu.cr[2 * reg + 1];
    cpu.cr[2 * reg] = hi;
    cpu.cr[2 * reg + 1] = lo;
  }
  // Unchanged control registers leave translations and enabled interruptions as they were.
  if (changed) cpu.controlRegistersChanged();
}

function storeControl(cpu: CpuCore, r1: number, r3: number, addr: number, wide: boolean): void {
  const size = wide ? 8 : 4;
  const n = alignedRegisterRange(cpu, r1, r3, addr, size, true);
  for (let k = 0; k < n; k++) {
    const reg = (r1 + k) & 15;
    const at = cpu.step(addr, k * size);
    if (wide) cpu.writeU64(at, cpu.cr[2 * reg]!, cpu.cr[2 * reg + 1]!);
    else cpu.writeU32(at, cpu.cr[2 * reg + 1]!);
  }
}

function loadAccess(cpu: CpuCore, r1: number, r3: number, addr: number): void {
  const n = alignedRegisterRange(cpu, r1, r3, addr, 4, false);
  for (let k = 0; k < n; k++) cpu.acr[(r1 + k) & 15] = cpu.readU32(cpu.step(addr, 4 * k));
}

function storeAccess(cpu: CpuCore, r1: number, r3: number, addr: number): void {
  const n = alignedRegisterRange(cpu, r1, r3, addr, 4, true);
  for (let k = 0; k < n; k++) cpu.writeU32(cpu.step(addr, 4 * k), cpu.acr[(r1 + k) & 15]!);
}

/** SPX: the new prefix (bits 1–18 of the word) must leave its 8 KiB area inside absolute storage. */
function setPrefix(cpu: CpuCore, a: InsnA<'S'>): void {
  const addr = eaRS(cpu, a);
  cpu.requireSpec((addr & 3) === 0);
  const prefix = cpu.readU32(addr) & 0x7fffe000;
  if (prefix + 0x2000 > cpu.mem.size) cpu.programException(PGM_ADDRESSING);
  cpu.setPrefix(prefix);
}

/** STPX / STAP: the prefix word or the CPU-address halfword at an aligned operand. */
function storePrefix(cpu: CpuCore, a: InsnA<'S'>): void {
  const addr = eaRS(cpu, a);
  cpu.requireSpec((addr & 3) === 0);
  cpu.writeU32(addr, cpu.prefix);
}
function storeCpuAddress(cpu: CpuCore, a: InsnA<'S'>): void {
  const addr = eaRS(cpu, a);
  cpu.requireSpec((addr & 1) === 0);
  cpu.writeU16(addr, cpu.cpuAddress);
}

function storeCpuId(cpu: CpuCore, a: InsnA<'S'>): void {
  const addr = eaRS(cpu, a);
  cpu.requireSpec((addr & 7) === 0);
  const id = cpuIdentification(cpu.cpuAddress);
  cpu.writeU64(addr, Number(id >> 32n), Number(id & 0xffffffffn));
}

/** STFL: the first 4 bytes of the list go to real address 0xC8 of the lowcore. */
function storeFacilityList(cpu: CpuCore): void {
  const list = cpu.facilityList;
  const first = ((list[0]! << 24) | (list[1]! << 16) | (list[2]! << 8) | list[3]!) >>> 0;
  cpu.writeRealU32(0xc8, first);
}

/** STFLE: up to GR0 bits 56–63 + 1 doublewords; GR0 gets the count - 1, CC 3 if the list was cut. */
function storeFacilityListExtended(cpu: CpuCore, a: InsnA<'S'>): void {
  const addr = eaRS(cpu, a);
  cpu.requireSpec((addr & 7) === 0);
  const asked = (cpu.r[1]! & 0xff) + 1;
  const count = Math.min(asked, FACILITY_DOUBLEWORDS);
  cpu.probe(addr, count * 8, true);
  for (let i = 0; i < count * 8; i++) cpu.writeU8(cpu.step(addr, i), cpu.facilityList[i]!);
  cpu.r[1] = ((cpu.r[1]! & 0xffffff00) | (FACILITY_DOUBLEWORDS - 1)) >>> 0;
  cpu.cc = asked >= FACILITY_DOUBLEWORDS ? 0 : 3;
}

export const registerInstructions: InstructionDef[] = [
  defPriv('lctl', 0xb7, 'RS-a', 'c:R1,c:R3,db:2', (cpu, a) => loadControl(cpu, fR1(a), fR3(a), eaRS(cpu, a), false)),
  defPriv('lctlg', 0xeb2f, 'RSY-a', 'c:R1,c:R3,db:2', (cpu, a, b) => loadControl(cpu, fR1(a), fR3(a), eaRSY(cpu, a, b), true)),
  defPriv('stctl', 0xb6, 'RS-a', 'c:R1,c:R3,db:2', (cpu, a) => storeControl(cpu, fR1(a), fR3(a), eaRS(cpu, a), false)),
  defPriv('stctg', 0xeb25, 'RSY-a', 'c:R1,c:R3,db:2', (cpu, a, b) => storeControl(cpu, fR1(a), fR3(a), eaRSY(cpu, a, b), true)),
  def('lam', 0x9a, 'RS-a', 'a:R1,a:R3,db:2', (cpu, a) => loadAccess(cpu, fR1(a), fR3(a), eaRS(cpu, a))),
  def('lamy', 0xeb9a, 'RSY-a', 'a:R1,a:R3,db:2', (cpu, a, b) => loadAccess(cpu, fR1(a), fR3(a), eaRSY(cpu, a, b))),
  def('stam', 0x9b, 'RS-a', 'a:R1,a:R3,db:2', (cpu, a) => storeAccess(cpu, fR1(a), fR3(a), eaRS(cpu, a))),
  def('stamy', 0xeb9b, 'RSY-a', 'a:R1,a:R3,db:2', (cpu, a, b) => storeAccess(cpu, fR1(a), fR3(a), eaRSY(cpu, a, b))),
  def('sar', 0xb24e, 'RRE', 'a:R1,r:R2', (cpu, a) => {
    cpu.acr[fRreR1(a)] = cpu.r[2 * fRreR2(a) + 1]!;
  }),
  def('ear', 0xb24f, 'RRE', 'r:R1,a:R2', (cpu, a) => {
    cpu.r[2 * fRreR1(a) + 1] = cpu.acr[fRreR2(a)]!;
  }),
  defPriv('spx', 0xb210, 'S', 'db:2', setPrefix),
  defPriv('stpx', 0xb211, 'S', 'db:2', storePrefix),
  defPriv('stap', 0xb212, 'S', 'db:2', storeCpuAddress),
  defPriv('stidp', 0xb202, 'S', 'db:2', storeCpuId),
  defPriv('stfl', 0xb2b1, 'S', 'db:2', storeFacilityList),
  def('stfle', 0xb2b0, 'S', 'db:2', storeFacilityListExtended),
];
