// The one instruction table: composed from the instruction groups. Each group file
// exports an array of InstructionDef; the decoder, disassembler and tests all read INSTRUCTIONS.

import { controlInstructions } from './control/index.js';
import { messageSecurityInstructions } from './crypto/message-security-assist.js';
import { floatInstructions } from './float/index.js';
import { generalInstructions } from './general/index.js';
import type { InstructionDef } from './types.js';
import { vectorInstructions } from './vector/index.js';

export const INSTRUCTIONS: readonly InstructionDef[] = [...generalInstructions, ...controlInstructions, ...floatInstructions, ...vectorInstructions, ...messageSecurityInstructions];
