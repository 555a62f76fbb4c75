// The precomputed opcode lookups the run loop uses, 64K entries indexed by `opcodeKey`:
// DECODE_TABLE maps to table entries; the two dispatch tables map straight to semantics, one for
// the supervisor state and one for the problem state (where privileged entries raise a
// privileged-operation exception), with unknown opcodes raising an operation exception. The run
// loop therefore needs no per-instruction checks for either case.

import { PGM_OPERATION, PGM_PRIVILEGED, ProgramException } from '../core/exceptions.js';
import { buildDecodeTable } from './decoder.js';
import { FORMAT_FIELDS } from './formats.js';
import { INSTRUCTIONS } from './table.js';
import type { ExecFn, InstructionDef } from './types.js';

export const DECODE_TABLE: readonly (InstructionDef | undefined)[] = buildDecodeTable(INSTRUCTIONS, (e) => FORMAT_FIELDS[e.format].length);

const operationException: ExecFn = () => {
  throw new ProgramException(PGM_OPERATION);
};
const privilegedOperationException: ExecFn = () => {
  throw new ProgramException(PGM_PRIVILEGED);
};

/** Semantics by opcode key in the supervisor state. */
export const SUPERVISOR_DISPATCH: readonly ExecFn[] = DECODE_TABLE.map((e) => e?.exec ?? operationException);
/** Semantics by opcode key in the problem state. */
export const PROBLEM_DISPATCH: readonly ExecFn[] = DECODE_TABLE.map((e) => (e === undefined ? operationException : e.privileged ? privilegedOperationException : e.exec));
