// DAT-related control instructions (PoO chapter 10): PURGE TLB and INVALIDATE PAGE TABLE ENTRY
// (single entry, no ranges or TLB-clearing options) for guests that run with DAT on.

import type { CpuCore } from '../../core/cpu-core.js';
import { PGM_ADDRESSING } from '../../core/exceptions.js';
import { defPriv } from '../define.js';
import { fRreR1, fRreR2 } from '../formats.js';
import type { InstructionDef } from '../types.js';

/** Page-table-entry invalid bit (bit 53) in the entry's low word. */
const PTE_INVALID = 0x400;

/** IPTE: R1 is the page-table origin (bits 0–52), R2 a virtual address whose bits 44–51 index the table. */
function invalidatePageTableEntry(cpu: CpuCore, a: number): void {
  const r1 = fRreR1(a);
  const r2 = fRreR2(a);
  const origin = cpu.r[2 * r1]! * 4294967296 + ((cpu.r[2 * r1 + 1]! & 0xfffff800) >>> 0);
  const index = (cpu.r[2 * r2 + 1]! >>> 12) & 0xff;
  const entry = origin + index * 8;
  // A page-table entry beyond the configuration's storage is an addressing exception (suppressing).
  if (entry + 8 > cpu.mem.size) cpu.programException(PGM_ADDRESSING);
  // The page table is addressed by real address; the entry's low word holds the invalid bit.
  const low = cpu.readRealU32(entry + 4);
  cpu.writeRealU32(entry + 4, low | PTE_INVALID);
  cpu.purgeTlb();
}

export const datInstructions: InstructionDef[] = [
  defPriv('ptlb', 0xb20d, 'S', '', (cpu) => cpu.purgeTlb()),
  defPriv('ipte', 0xb221, 'RRF-a', 'r:R1,r:R2', invalidatePageTableEntry),
];
