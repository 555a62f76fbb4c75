// DAT-related control instructions (PoO chapter 10): PURGE TLB and INVALIDATE PAGE TABLE ENTRY
// (single entry, no ranges or TLB-clearing options) for guests that run with DAT on.

import { fRreR1, fRreR2 } from '../formats.js';
import type { InstructionDef } from '../types.js';

/** Page-table-entry invalid bit (bit 53) in the entry's low word. */
const PTE_INVALID = 0x400;

export const datInstructions: InstructionDef[] = [
  {
    mnemonic: 'ptlb',
    opcode: 0xb20d,
    format: 'S',
    operands: '',
    privileged: true,
    exec: (cpu) => cpu.purgeTlb(),
  },
  {
    mnemonic: 'ipte',
    opcode: 0xb221,
    format: 'RRF-a',
    operands: 'r:R1,r:R2',
    privileged: true,
    exec: (cpu, a) => {
      // R1: page-table origin (bits 0–52), R2: virtual address whose bits 44–51 index the table.
      const r1 = fRreR1(a);
      const r2 = fRreR2(a);
      const origin = cpu.r[2 * r1]! * 4294967296 + ((cpu.r[2 * r1 + 1]! & 0xfffff800) >>> 0);
      const index = (cpu.r[2 * r2 + 1]! >>> 12) & 0xff;
      const entry = origin + index * 8;
      // The page table is addressed by real address; the entry's low word holds the invalid bit.
      const low = cpu.readRealU32(entry + 4);
      cpu.writeRealU32(entry + 4, low | PTE_INVALID);
      cpu.purgeTlb();
    },
  },
];
