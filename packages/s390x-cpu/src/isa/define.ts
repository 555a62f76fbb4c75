// Table-line helpers (QEMU `insn-data.h.inc` style): every instruction group builds its
// entries with one call per instruction, so the table stays one line per instruction and every
// entry object has the same shape.

import type { Format } from './formats.js';
import type { ExecFn, InstructionAlias, InstructionDef } from './types.js';

function entry(
  mnemonic: string,
  opcode: number,
  format: Format,
  operands: string,
  privileged: boolean,
  exec: ExecFn,
  facility: string | undefined,
  aliases: readonly InstructionAlias[] | undefined,
): InstructionDef {
  const d: InstructionDef = { mnemonic, opcode, format, operands, privileged, exec };
  // Optional keys are left out, not set to undefined, when an entry has none.
  if (facility !== undefined) d.facility = facility;
  if (aliases !== undefined) d.aliases = aliases;
  return d;
}

/** One problem-state table entry. */
export function def(mnemonic: string, opcode: number, format: Format, operands: string, exec: ExecFn, aliases?: readonly InstructionAlias[]): InstructionDef {
  return entry(mnemonic, opcode, format, operands, false, exec, undefined, aliases);
}

/** One privileged table entry: a privileged-operation exception in problem state. */
export function defPriv(mnemonic: string, opcode: number, format: Format, operands: string, exec: ExecFn, aliases?: readonly InstructionAlias[]): InstructionDef {
  return entry(mnemonic, opcode, format, operands, true, exec, undefined, aliases);
}

/** One problem-state table entry that needs `facility` (e.g. 'vector'). */
export function defFacility(
  facility: string,
  mnemonic: string,
  opcode: number,
  format: Format,
  operands: string,
  exec: ExecFn,
  aliases?: readonly InstructionAlias[],
): InstructionDef {
  return entry(mnemonic, opcode, format, operands, false, exec, facility, aliases);
}
