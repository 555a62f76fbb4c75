// The two problem-state instructions of the general-instructions-extension facility (facility 34,
// z10; PoO chapter 7) outside the compare, relative-long, multiply and rotate groups:
// LOAD ADDRESS EXTENDED (LAEY: LAY's address plus an access-register value naming the address
// space) and EXTRACT CPU ATTRIBUTE (ECAG).

import { fB2, fR1 } from '../fields.js';
import type { InstructionDef } from '../types.js';
import { def, eaRXY, setAddressReg } from './alu.js';

export const z10ExtensionInstructions: InstructionDef[] = [
  def('laey', 0xe375, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    eaRXY(cpu, a, b);
    const r1 = fR1(a);
    setAddressReg(cpu, r1, cpu.eaHi, cpu.eaLo);
    // PSW bits 16–17: primary 0, access-register 1, secondary 2, home 3. Access R1 gets 0, 1 or 2
    // for the primary, secondary and home spaces; in access-register mode, access register B2's
    // value (0 for B2 = 0).
    const asc = (cpu.maskHi >>> 14) & 3;
    const b2 = fB2(a);
    cpu.acr[r1] = asc === 1 ? (b2 === 0 ? 0 : cpu.acr[b2]!) : asc === 0 ? 0 : asc - 1;
  }),
  // [E] A model without cache information: every attribute reads as all ones, as on qemu-s390x.
  def('ecag', 0xeb4c, 'RSY-a', 'r:R1,r:R3,db:2', (cpu, a) => {
    const i = 2 * fR1(a);
    cpu.r[i] = 0xffffffff;
    cpu.r[i + 1] = 0xffffffff;
  }),
];
