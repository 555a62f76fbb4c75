// Instructions the host (hypervisor) completes (spec s390x-cpu.md): DIAGNOSE, SIGP,
// SERVC, STSI, STHYI, the channel-subsystem I/O instructions and UVC stop the CPU with an interception
// that names the instruction and its decoded operands. The PSW is already past the instruction;
// the host sets registers, condition code and storage, then resumes. For MSCH, SSCH, STSCH, TSCH,
// STCRW, STCPS and CHSC the CPU first recognises the operand's alignment and access exceptions
// itself; for TPI the alignment.

import { def, defPriv } from '../define.js';
import type { Format } from '../formats.js';
import type { CpuCore } from '../../core/cpu-core.js';
import { fB2, fD2, fRreR1, type InsnA, type InsnB } from '../fields.js';
import type { BaseFormats } from '../general/alu.js';
import type { InstructionDef } from '../types.js';
import { PGM_OPERATION, ProgramException } from '../../core/exceptions.js';

/**
 * An instruction whose second-operand address the host needs: DIAGNOSE's function code, SIGP's
 * order code (bits 56–63) and the storage operand of the S-format ones, all computed like an address.
 */
function withAddress(mnemonic: string, opcode: number, format: BaseFormats, operands: string): InstructionDef {
  return defPriv(mnemonic, opcode, format, operands, (cpu, a, b) => cpu.intercept(mnemonic, format, a, b, cpu.ea(0, fB2(a), fD2(a))));
}

/**
 * A channel-subsystem instruction whose storage operand the CPU checks before the host completes
 * it [E]: alignment (specification exception), then every access exception of the operand
 * (translation, addressing, key-controlled protection) for `length` bytes fetched and/or stored,
 * as the access with the PSW key would recognise them.
 */
function withOperand(mnemonic: string, opcode: number, length: number, align: number, fetch: boolean, store: boolean): InstructionDef {
  return defPriv(mnemonic, opcode, 'S', 'db:2', (cpu, a, b) => {
    const addr = cpu.ea(0, fB2(a), fD2(a));
    checkOperand(cpu, addr, length, align, fetch, store);
    cpu.intercept(mnemonic, 'S', a, b, addr);
  });
}

function checkOperand(cpu: CpuCore, addr: number, length: number, align: number, fetch: boolean, store: boolean): void {
  cpu.requireSpec(addr % align === 0);
  if (fetch) cpu.probe(addr, length, false);
  if (store) cpu.probe(addr, length, true);
}

/** CHSC: the 4 KiB command block R1 designates is fetched and updated (request, then response). */
function channelSubsystemCall(cpu: CpuCore, a: InsnA<'RRE'>, b: InsnB<'RRE'>): void {
  const addr = cpu.gprAddress(fRreR1(a));
  checkOperand(cpu, addr, 4096, 4096, true, true);
  cpu.intercept('chsc', 'RRE', a, b, addr);
}

/**
 * TEST PENDING INTERRUPTION: a non-zero second operand receives two words of interruption code, so
 * it must be on a word boundary (specification exception); the host checks its access when it
 * stores (address 0: three words into the lowcore).
 */
function testPendingInterruption(cpu: CpuCore, a: InsnA<'S'>, b: InsnB<'S'>): void {
  const addr = cpu.ea(0, fB2(a), fD2(a));
  cpu.requireSpec(addr % 4 === 0);
  cpu.intercept('tpi', 'S', a, b, addr);
}

/** An instruction the host completes from its register fields alone. */
function plain(mnemonic: string, opcode: number, format: Format, operands: string): InstructionDef {
  return defPriv(mnemonic, opcode, format, operands, (cpu, a, b) => cpu.intercept(mnemonic, format, a, b));
}

/**
 * STORE HYPERVISOR INFORMATION (facility 74; not privileged): the hypervisor answers it (KVM in
 * the kernel). Without the facility in the CPU's list it is an operation exception.
 */
function storeHypervisorInformation(cpu: CpuCore, a: InsnA<'RRE'>, b: InsnB<'RRE'>): void {
  if (!cpu.hasFacility(74)) throw new ProgramException(PGM_OPERATION);
  cpu.intercept('sthyi', 'RRE', a, b);
}

export const interceptedInstructions: InstructionDef[] = [
  def('sthyi', 0xb256, 'RRE', 'r:R1,r:R2', storeHypervisorInformation),
  withAddress('diag', 0x83, 'RS-a', 'r:R1,r:R3,db:2'),
  withAddress('sigp', 0xae, 'RS-a', 'r:R1,r:R3,db:2'),
  plain('servc', 0xb220, 'RRE', 'r:R1,r:R2'),
  withAddress('stsi', 0xb27d, 'S', 'db:2'),
  plain('uvc', 0xb9a4, 'RRF-c', 'r:R1,r:R2,m:M3'),
  plain('csch', 0xb230, 'S', ''),
  plain('hsch', 0xb231, 'S', ''),
  // SCHIB (52 bytes) fetched / stored; the ORB's first 3 words fetched.
  withOperand('msch', 0xb232, 52, 4, true, false),
  withOperand('ssch', 0xb233, 12, 4, true, false),
  withOperand('stsch', 0xb234, 52, 4, false, true),
  // The IRB (64 bytes: no extended-I/O-measurement word) stored.
  withOperand('tsch', 0xb235, 64, 4, false, true),
  defPriv('tpi', 0xb236, 'S', 'db:2', testPendingInterruption),
  plain('sal', 0xb237, 'S', ''),
  plain('rsch', 0xb238, 'S', ''),
  // The channel-report word stored.
  withOperand('stcrw', 0xb239, 4, 4, false, true),
  // The channel-path-status word (256 bits) stored on a 32-byte boundary.
  withOperand('stcps', 0xb23a, 32, 32, false, true),
  plain('rchp', 0xb23b, 'S', ''),
  plain('schm', 0xb23c, 'S', ''),
  plain('xsch', 0xb276, 'S', ''),
  defPriv('chsc', 0xb25f, 'RRE', 'r:R1,r:R2', channelSubsystemCall),
];
