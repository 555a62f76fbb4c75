// The precomputed opcode lookup the run loop uses: 64K entries indexed by `opcodeKey`.

import { buildDecodeTable } from './decoder.js';
import { FORMAT_FIELDS } from './formats.js';
import { INSTRUCTIONS } from './table.js';
import type { InstructionDef } from './types.js';

export const DECODE_TABLE: readonly (InstructionDef | undefined)[] = buildDecodeTable(INSTRUCTIONS, (e) => FORMAT_FIELDS[e.format].length);

/** The table entry for an instruction given as bytes 0–3 / 4–5, or undefined. */
export { opcodeKey } from './decoder.js';
