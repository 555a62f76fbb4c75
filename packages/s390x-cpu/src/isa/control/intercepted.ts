// Instructions the host (hypervisor) completes (spec s390x-cpu.md, issue #4): DIAGNOSE, SIGP,
// SERVC, STSI, the channel-subsystem I/O instructions and UVC stop the CPU with an interception
// that names the instruction and its decoded operands. The PSW is already past the instruction;
// the host sets registers, condition code and storage, then resumes.

import type { Format } from '../formats.js';
import { fB2, fD2 } from '../formats.js';
import type { InstructionDef } from '../types.js';

function sFormat(mnemonic: string, opcode: number, operands = 'db:2'): InstructionDef {
  return {
    mnemonic,
    opcode,
    format: 'S',
    operands,
    privileged: true,
    exec: (cpu, a) => cpu.intercept(mnemonic, 'S', a, 0, cpu.ea(0, fB2(a), fD2(a))),
  };
}

function plain(mnemonic: string, opcode: number, format: Format, operands: string): InstructionDef {
  return { mnemonic, opcode, format, operands, privileged: true, exec: (cpu, a, b) => cpu.intercept(mnemonic, format, a, b) };
}

export const interceptedInstructions: InstructionDef[] = [
  {
    mnemonic: 'diag',
    opcode: 0x83,
    format: 'RS-a',
    operands: 'r:R1,r:R3,db:2',
    privileged: true,
    // The second operand is a function code computed like an address.
    exec: (cpu, a) => cpu.intercept('diag', 'RS-a', a, 0, cpu.ea(0, fB2(a), fD2(a))),
  },
  {
    mnemonic: 'sigp',
    opcode: 0xae,
    format: 'RS-a',
    operands: 'r:R1,r:R3,db:2',
    privileged: true,
    // The second-operand address is the order code (bits 56–63) in the low bits.
    exec: (cpu, a) => cpu.intercept('sigp', 'RS-a', a, 0, cpu.ea(0, fB2(a), fD2(a))),
  },
  plain('servc', 0xb220, 'RRE', 'r:R1,r:R2'),
  sFormat('stsi', 0xb27d),
  plain('uvc', 0xb9a4, 'RRF-c', 'r:R1,r:R2,m:M3'),
  plain('csch', 0xb230, 'S', ''),
  plain('hsch', 0xb231, 'S', ''),
  sFormat('msch', 0xb232),
  sFormat('ssch', 0xb233),
  sFormat('stsch', 0xb234),
  sFormat('tsch', 0xb235),
  sFormat('tpi', 0xb236),
  plain('sal', 0xb237, 'S', ''),
  plain('rsch', 0xb238, 'S', ''),
  sFormat('stcrw', 0xb239),
  sFormat('stcps', 0xb23a),
  plain('rchp', 0xb23b, 'S', ''),
  plain('schm', 0xb23c, 'S', ''),
  plain('xsch', 0xb276, 'S', ''),
  plain('chsc', 0xb25f, 'RRE', 'r:R1,r:R2'),
];
