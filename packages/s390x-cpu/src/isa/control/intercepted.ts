// Instructions the host (hypervisor) completes (spec s390x-cpu.md): DIAGNOSE, SIGP,
// SERVC, STSI, the channel-subsystem I/O instructions and UVC stop the CPU with an interception
// that names the instruction and its decoded operands. The PSW is already past the instruction;
// the host sets registers, condition code and storage, then resumes.

import { defPriv } from '../define.js';
import type { Format } from '../formats.js';
import { fB2, fD2 } from '../formats.js';
import type { InstructionDef } from '../types.js';

/**
 * An instruction whose second-operand address the host needs: DIAGNOSE's function code, SIGP's
 * order code (bits 56–63) and the storage operand of the S-format ones, all computed like an address.
 */
function withAddress(mnemonic: string, opcode: number, format: Format, operands: string): InstructionDef {
  return defPriv(mnemonic, opcode, format, operands, (cpu, a) => cpu.intercept(mnemonic, format, a, 0, cpu.ea(0, fB2(a), fD2(a))));
}

/** An instruction the host completes from its register fields alone. */
function plain(mnemonic: string, opcode: number, format: Format, operands: string): InstructionDef {
  return defPriv(mnemonic, opcode, format, operands, (cpu, a, b) => cpu.intercept(mnemonic, format, a, b));
}

export const interceptedInstructions: InstructionDef[] = [
  withAddress('diag', 0x83, 'RS-a', 'r:R1,r:R3,db:2'),
  withAddress('sigp', 0xae, 'RS-a', 'r:R1,r:R3,db:2'),
  plain('servc', 0xb220, 'RRE', 'r:R1,r:R2'),
  withAddress('stsi', 0xb27d, 'S', 'db:2'),
  plain('uvc', 0xb9a4, 'RRF-c', 'r:R1,r:R2,m:M3'),
  plain('csch', 0xb230, 'S', ''),
  plain('hsch', 0xb231, 'S', ''),
  withAddress('msch', 0xb232, 'S', 'db:2'),
  withAddress('ssch', 0xb233, 'S', 'db:2'),
  withAddress('stsch', 0xb234, 'S', 'db:2'),
  withAddress('tsch', 0xb235, 'S', 'db:2'),
  withAddress('tpi', 0xb236, 'S', 'db:2'),
  plain('sal', 0xb237, 'S', ''),
  plain('rsch', 0xb238, 'S', ''),
  withAddress('stcrw', 0xb239, 'S', 'db:2'),
  withAddress('stcps', 0xb23a, 'S', 'db:2'),
  plain('rchp', 0xb23b, 'S', ''),
  plain('schm', 0xb23c, 'S', ''),
  plain('xsch', 0xb276, 'S', ''),
  plain('chsc', 0xb25f, 'RRE', 'r:R1,r:R2'),
];
