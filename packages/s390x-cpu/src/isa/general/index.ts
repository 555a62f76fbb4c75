// General (problem-state integer, logical, branch and storage-to-storage) instructions: PoO
// chapter 7, everything gcc -march=z13 emits for freestanding C (including the vector integer
// instructions of its auto-vectoriser). Each file is one group.

import type { InstructionDef } from '../types.js';
import { arithmeticInstructions } from './arithmetic.js';
import { compareBranchInstructions, compareTrapInstructions } from './compare-branch.js';
import { interlockedInstructions } from './interlocked.js';
import { loadStoreInstructions } from './load-store.js';
import { logicalInstructions } from './logical.js';
import { multiplyDivideInstructions } from './multiply-divide.js';
import { shiftRotateInstructions } from './shift-rotate.js';
import { storageInstructions } from './storage.js';
import { vectorIntegerInstructions } from './vector-integer.js';

export const generalInstructions: InstructionDef[] = [
  ...loadStoreInstructions,
  ...arithmeticInstructions,
  ...logicalInstructions,
  ...compareBranchInstructions,
  ...compareTrapInstructions,
  ...shiftRotateInstructions,
  ...multiplyDivideInstructions,
  ...storageInstructions,
  ...interlockedInstructions,
  ...vectorIntegerInstructions,
];
