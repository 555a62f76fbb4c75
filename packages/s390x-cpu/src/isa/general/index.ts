// General (problem-state integer, logical, branch and storage-to-storage) instructions: PoO
// chapter 7. Owned by the ISA engineer; the entries here show the pattern (see README "How to
// add an instruction").

import type { Cpu } from '../../cpu/cpu.js';
import { PGM_FIXED_POINT_OVERFLOW } from '../../cpu/exceptions.js';
import { fR1, fR2 } from '../formats.js';
import type { InstructionDef } from '../types.js';

/** Sets CC 0/1/2 for a signed 32-bit result (zero, negative, positive). */
function ccSigned32(cpu: Cpu, v: number): void {
  cpu.cc = v === 0 ? 0 : v < 0 ? 1 : 2;
}

/** Program mask bit 20 (fixed-point overflow mask) of the PSW. */
function fixedPointOverflowEnabled(cpu: Cpu): boolean {
  return (cpu.maskHi & 0x00000800) !== 0;
}

export const generalInstructions: InstructionDef[] = [
  {
    mnemonic: 'lr',
    opcode: 0x18,
    format: 'RR',
    operands: 'r:R1,r:R2',
    privileged: false,
    exec: (cpu, a) => {
      cpu.r[2 * fR1(a) + 1] = cpu.r[2 * fR2(a) + 1]!;
    },
  },
  {
    mnemonic: 'ar',
    opcode: 0x1a,
    format: 'RR',
    operands: 'r:R1,r:R2',
    privileged: false,
    exec: (cpu, a) => {
      const i = 2 * fR1(a) + 1;
      const x = cpu.r[i]! | 0;
      const y = cpu.r[2 * fR2(a) + 1]! | 0;
      const sum = x + y;
      const result = sum | 0;
      cpu.r[i] = result;
      if (sum !== result) {
        cpu.cc = 3;
        if (fixedPointOverflowEnabled(cpu)) cpu.programException(PGM_FIXED_POINT_OVERFLOW);
      } else ccSigned32(cpu, result);
    },
  },
  {
    mnemonic: 'bcr',
    opcode: 0x07,
    format: 'RR',
    operands: 'm:M1,r:R2',
    privileged: false,
    aliases: [
      { mnemonic: 'nopr', when: { M1: 0, R2: 0 }, operands: '' },
      { mnemonic: 'nopr', when: { M1: 0 }, operands: 'r:R2' },
      { mnemonic: 'br', when: { M1: 15 }, operands: 'r:R2' },
    ],
    exec: (cpu, a) => {
      const mask = fR1(a);
      const r2 = fR2(a);
      // Mask bit 8 >> cc selects CC 0..3; R2 = 0 means no branch.
      if (r2 !== 0 && ((mask << cpu.cc) & 8) !== 0) cpu.branchTo(cpu.gprAddress(r2));
    },
  },
];
