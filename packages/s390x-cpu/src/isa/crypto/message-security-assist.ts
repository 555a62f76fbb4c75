// The message-security assist and its extensions 3, 4 and 5 (PoO chapter 7, "Message-Security
// Assist"; facilities 17, 76, 77, 57): the CPACF instructions KM, KMC, KMAC, KIMD, KLMD, PCKMO,
// KMF, KMO, PCC, KMCTR and PRNO. GR0 bits 56–63 hold the modifier bit (56) and the function code
// (57–63); GR1 addresses the parameter block.
//
// [E] Only function 0, query, is installed for each instruction: it stores the 128-bit mask of
// installed function codes (bit 0 = query). Which cipher and digest functions a model installs is
// model-dependent; software asks by query before it uses one, so with none installed it takes
// its own implementation. Every other function code is a specification exception, as the
// architecture gives for a code that is not installed.

import { PGM_OPERATION } from '../../core/exceptions.js';
import type { CpuCore } from '../../core/cpu-core.js';
import { defPriv, def } from '../define.js';
import { fRreR1, fRreR2, fRrfR3 } from '../fields.js';
import type { InstructionDef, Semantics } from '../types.js';

const FUNCTION_QUERY = 0;
/** Bytes the query function stores: a 128-bit mask of installed function codes. */
const QUERY_BLOCK_BYTES = 16;

/** Which register fields designate an even-odd pair (an odd or zero field is a specification exception). */
interface RegisterPairs {
  r1?: boolean;
  r2?: boolean;
  r3?: boolean;
}

interface CpacfInstruction {
  facility: number;
  /** GR0 bit 56 is the modifier (decipher, or for PRNO ignored); elsewhere it must be zero. */
  modifierAllowed: boolean;
  pairs: RegisterPairs;
}

function requirePair(cpu: CpuCore, r: number): void {
  cpu.requireSpec(r !== 0 && (r & 1) === 0);
}

/**
 * The common checks and the query function, in the architecture's order: the register fields,
 * the modifier bit, the function code, then the access exceptions of storing the parameter block.
 */
function cpacf(cpu: CpuCore, spec: CpacfInstruction, r1: number, r2: number, r3: number): void {
  if (!cpu.hasFacility(spec.facility)) cpu.programException(PGM_OPERATION);
  if (spec.pairs.r1 === true) requirePair(cpu, r1);
  if (spec.pairs.r3 === true) requirePair(cpu, r3);
  if (spec.pairs.r2 === true) requirePair(cpu, r2);
  const gr0 = cpu.r[1]!;
  if (!spec.modifierAllowed) cpu.requireSpec((gr0 & 0x80) === 0);
  cpu.requireSpec((gr0 & 0x7f) === FUNCTION_QUERY);
  const block = cpu.gprAddress(1);
  cpu.probe(block, QUERY_BLOCK_BYTES, true);
  cpu.writeU8(block, 0x80);
  for (let i = 1; i < QUERY_BLOCK_BYTES; i++) cpu.writeU8(cpu.step(block, i), 0);
  cpu.cc = 0;
}

const rreSemantics =
  (spec: CpacfInstruction): Semantics<'RRE'> =>
  (cpu, a) =>
    cpacf(cpu, spec, fRreR1(a), fRreR2(a), 0);

const MSA = 17;
const MSA3 = 76;
const MSA4 = 77;
const MSA5 = 57;

function rre(mnemonic: string, opcode: number, operands: string, spec: CpacfInstruction): InstructionDef {
  return def(mnemonic, opcode, 'RRE', operands, rreSemantics(spec));
}

export const messageSecurityInstructions: InstructionDef[] = [
  rre('km', 0xb92e, 'r:R1,r:R2', { facility: MSA, modifierAllowed: true, pairs: { r1: true, r2: true } }),
  rre('kmc', 0xb92f, 'r:R1,r:R2', { facility: MSA, modifierAllowed: true, pairs: { r1: true, r2: true } }),
  rre('kmac', 0xb91e, 'r:R1,r:R2', { facility: MSA, modifierAllowed: false, pairs: { r2: true } }),
  rre('kimd', 0xb93e, 'r:R1,r:R2', { facility: MSA, modifierAllowed: false, pairs: { r2: true } }),
  rre('klmd', 0xb93f, 'r:R1,r:R2', { facility: MSA, modifierAllowed: false, pairs: { r2: true } }),
  defPriv('pckmo', 0xb928, 'RRE', '', rreSemantics({ facility: MSA3, modifierAllowed: false, pairs: {} })),
  rre('kmf', 0xb92a, 'r:R1,r:R2', { facility: MSA4, modifierAllowed: true, pairs: { r1: true, r2: true } }),
  rre('kmo', 0xb92b, 'r:R1,r:R2', { facility: MSA4, modifierAllowed: true, pairs: { r1: true, r2: true } }),
  rre('pcc', 0xb92c, '', { facility: MSA4, modifierAllowed: false, pairs: {} }),
  def('kmctr', 0xb92d, 'RRF-b', 'r:R1,r:R3,r:R2', (cpu, a) => cpacf(cpu, { facility: MSA4, modifierAllowed: true, pairs: { r1: true, r2: true, r3: true } }, fRreR1(a), fRreR2(a), fRrfR3(a))),
  rre('prno', 0xb93c, 'r:R1,r:R2', { facility: MSA5, modifierAllowed: true, pairs: { r1: true, r2: true } }),
];
