// Vector instruction group: composed into the instruction table by `../table.ts`.

import type { InstructionDef } from '../types.js';

export const vectorInstructions: InstructionDef[] = [];
