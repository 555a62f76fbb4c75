// Table-line helpers (QEMU `insn-data.h.inc` style): every instruction group builds its
// entries with one call per instruction, so the table stays one line per instruction and every
// entry object has the same shape.

import type { Format } from './formats.js';
import type { ExecFn, InstructionAlias, InstructionDef, Semantics } from './types.js';

/**
 * The semantics as the run loop calls them, with the words as numbers. The words a function of
 * format F receives are always those of an instruction of format F (the opcode chose it), which is
 * what its typed words claim; this is the one place they become numbers again.
 */
const dispatched = <F extends Format>(exec: Semantics<F>): ExecFn => exec as unknown as ExecFn;

function entry<F extends Format>(mnemonic: string, opcode: number, format: F, operands: string, privileged: boolean, semantics: Semantics<F>, facility: string | undefined, aliases: readonly InstructionAlias[] | undefined): InstructionDef {
  const d: InstructionDef = { mnemonic, opcode, format, operands, privileged, exec: dispatched(semantics) };
  // Optional keys are left out, not set to undefined, when an entry has none.
  if (facility !== undefined) d.facility = facility;
  if (aliases !== undefined) d.aliases = aliases;
  return d;
}

/** One problem-state table entry. */
export function def<F extends Format>(mnemonic: string, opcode: number, format: F, operands: string, exec: Semantics<NoInfer<F>>, aliases?: readonly InstructionAlias[]): InstructionDef {
  return entry(mnemonic, opcode, format, operands, false, exec, undefined, aliases);
}

/** One privileged table entry: a privileged-operation exception in problem state. */
export function defPriv<F extends Format>(mnemonic: string, opcode: number, format: F, operands: string, exec: Semantics<NoInfer<F>>, aliases?: readonly InstructionAlias[]): InstructionDef {
  return entry(mnemonic, opcode, format, operands, true, exec, undefined, aliases);
}

/** One problem-state table entry that needs `facility` (e.g. 'vector'). */
export function defFacility<F extends Format>(facility: string, mnemonic: string, opcode: number, format: F, operands: string, exec: Semantics<NoInfer<F>>, aliases?: readonly InstructionAlias[]): InstructionDef {
  return entry(mnemonic, opcode, format, operands, false, exec, facility, aliases);
}
