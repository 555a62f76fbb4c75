// DAT-related control instructions (PoO chapter 10): PURGE TLB, INVALIDATE PAGE TABLE ENTRY,
// INVALIDATE DAT TABLE ENTRY and COMPARE AND SWAP AND PURGE for guests that run with DAT on. Entries are invalidated in real
// storage (prefixing applies) and the whole TLB is purged [E]: the local-clearing and
// non-quiescing controls (M4) ask for less and are honoured by doing more.

import type { CpuCore } from '../../core/cpu-core.js';
import { PGM_ADDRESSING } from '../../core/exceptions.js';
import { defPriv } from '../define.js';
import { fRreR1, fRreR2, fRrfR3, type InsnA } from '../fields.js';
import type { InstructionDef } from '../types.js';

const TWO32 = 4294967296;
/** Page-table-entry invalid bit (bit 53) and region/segment-entry invalid bit (bit 58), low word. */
const PTE_INVALID = 0x400;
const TABLE_ENTRY_INVALID = 0x20;

/** Sets `bit` in the low word of the 8-byte entry at real address `entry`. */
function invalidateEntry(cpu: CpuCore, entry: number, bit: number): void {
  // An entry beyond the configuration's storage is an addressing exception (suppressing).
  const low = cpu.realToAbsoluteChecked(entry + 4);
  if (low + 4 > cpu.mem.size) cpu.programException(PGM_ADDRESSING);
  cpu.mem.view.setUint32(low, (cpu.mem.view.getUint32(low) | bit) >>> 0);
}

/** A 64-bit register as a number (exact below 2^53, which every real address is). */
function register64(cpu: CpuCore, r: number): number {
  return cpu.r[2 * r]! * TWO32 + cpu.r[2 * r + 1]!;
}

/**
 * IPTE R1,R2[,R3[,M4]]: R1 bits 0–52 are the page-table origin, R2 bits 44–51 the page index;
 * with R3 ≠ 0 (IPTE range) R3 bits 56–63 more entries follow and R2's index is advanced past
 * the last one.
 */
function invalidatePageTableEntry(cpu: CpuCore, a: InsnA<'RRF-a'>): void {
  const r1 = fRreR1(a);
  const r2 = fRreR2(a);
  const r3 = fRrfR3(a);
  const origin = register64(cpu, r1) - (cpu.r[2 * r1 + 1]! & 0x7ff);
  const index = (cpu.r[2 * r2 + 1]! >>> 12) & 0xff;
  const extra = r3 === 0 ? 0 : Math.min(cpu.r[2 * r3 + 1]! & 0xff, 255 - index);
  for (let i = 0; i <= extra; i++) invalidateEntry(cpu, origin + (index + i) * 8, PTE_INVALID);
  if (r3 !== 0) {
    const next = (index + extra + 1) * 4096;
    cpu.r[2 * r2 + 1] = ((cpu.r[2 * r2 + 1]! & 0xfff00fff) | (next & 0xff000)) >>> 0;
    if (next === 0x100000) cpu.r[2 * r2 + 1] = (cpu.r[2 * r2 + 1]! + 0x100000) >>> 0;
    cpu.r[2 * r3 + 1] = (cpu.r[2 * r3 + 1]! & 0xffffff00) >>> 0;
  }
  cpu.purgeTlb();
}

/** Index shift of each designation type's table: region-first 53, region-second 42, region-third 31, segment 20. */
const INDEX_SHIFT = [20, 31, 42, 53];

/**
 * IDTE R1,R3,R2[,M4]: with R2 bit 52 zero, invalidates entries of the region or segment table
 * R1 designates (origin bits 0–51, designation type bits 60–61): the one R2's index bits (0–43)
 * select for that table type, and R2 bits 53–63 more; with bit 52 one only clears the TLB.
 */
function invalidateDatTableEntry(cpu: CpuCore, a: InsnA<'RRF-b'>): void {
  const r1 = fRreR1(a);
  const r2 = fRreR2(a);
  const r2lo = cpu.r[2 * r2 + 1]!;
  if ((r2lo & 0x800) === 0) {
    const designation = cpu.r[2 * r1 + 1]!;
    const origin = register64(cpu, r1) - (designation & 0xfff);
    const dt = (designation >>> 2) & 3;
    const vaddr = register64(cpu, r2) - (r2lo & 0xfffff);
    const index = Math.floor(vaddr / 2 ** INDEX_SHIFT[dt]!) % 2048;
    const extra = Math.min(r2lo & 0x7ff, 2047 - index);
    for (let i = 0; i <= extra; i++) invalidateEntry(cpu, origin + (index + i) * 8, TABLE_ENTRY_INVALID);
  }
  cpu.purgeTlb();
}

/**
 * CSP / CSPG R1,R2: compares R1 (bits 32–63 / 0–63) with the word / doubleword R2 designates
 * (bits 0–61 / 0–60, aligned); equal: stores R1+1 there, purges the TLB when R2 bit 63 is one,
 * CC 0; unequal: loads the operand into R1, CC 1. R1 must be even.
 */
function compareAndSwapAndPurge(cpu: CpuCore, a: InsnA<'RRE'>, wide: boolean): void {
  const r1 = fRreR1(a);
  const r2 = fRreR2(a);
  cpu.requireSpec((r1 & 1) === 0);
  const purge = (cpu.r[2 * r2 + 1]! & 1) !== 0;
  const raw = cpu.gprAddress(r2);
  const addr = raw - (raw % (wide ? 8 : 4));
  cpu.probe(addr, wide ? 8 : 4, true);
  if (wide) {
    const hi = cpu.readU32(addr);
    const lo = cpu.readU32(cpu.step(addr, 4));
    if (hi === cpu.r[2 * r1] && lo === cpu.r[2 * r1 + 1]) {
      cpu.writeU64(addr, cpu.r[2 * r1 + 2]!, cpu.r[2 * r1 + 3]!);
      cpu.cc = 0;
    } else {
      cpu.r[2 * r1] = hi;
      cpu.r[2 * r1 + 1] = lo;
      cpu.cc = 1;
      return;
    }
  } else {
    const w = cpu.readU32(addr);
    if (w === cpu.r[2 * r1 + 1]) {
      cpu.writeU32(addr, cpu.r[2 * r1 + 3]!);
      cpu.cc = 0;
    } else {
      cpu.r[2 * r1 + 1] = w;
      cpu.cc = 1;
      return;
    }
  }
  if (purge) cpu.purgeTlb();
}

export const datInstructions: InstructionDef[] = [
  defPriv('ptlb', 0xb20d, 'S', '', (cpu) => cpu.purgeTlb()),
  defPriv('ipte', 0xb221, 'RRF-a', 'r:R1,r:R2,r:R3,m:M4', invalidatePageTableEntry, [
    { mnemonic: 'ipte', when: { R3: 0, M4: 0 }, operands: 'r:R1,r:R2' },
    { mnemonic: 'ipte', when: { M4: 0 }, operands: 'r:R1,r:R2,r:R3' },
  ]),
  defPriv('idte', 0xb98e, 'RRF-b', 'r:R1,r:R3,r:R2,m?:M4', invalidateDatTableEntry),
  defPriv('csp', 0xb250, 'RRE', 'r:R1,r:R2', (cpu, a) => compareAndSwapAndPurge(cpu, a, false)),
  defPriv('cspg', 0xb98a, 'RRE', 'r:R1,r:R2', (cpu, a) => compareAndSwapAndPurge(cpu, a, true)),
];
