// The non-floating-point vector instructions beyond the state-saving ones (PoO chapters 21–23 for
// the vector facility, vector-enhancements facilities 1 and 2): one group per file.

import type { InstructionDef } from '../types.js';
import { vectorIntegerInstructions } from './integer-basic.js';
import { vectorIntegerArithmeticInstructions } from './integer-arithmetic.js';
import { vectorLogicalShiftInstructions } from './integer-logical-shift.js';
import { vectorLoadStoreInstructions } from './load-store.js';
import { vectorStringInstructions } from './string.js';

export const VECTOR_INTEGER_INSTRUCTIONS: readonly InstructionDef[] = [...vectorIntegerInstructions, ...vectorLoadStoreInstructions, ...vectorIntegerArithmeticInstructions, ...vectorLogicalShiftInstructions, ...vectorStringInstructions];
