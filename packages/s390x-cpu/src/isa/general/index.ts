// General (problem-state integer, logical, branch and storage-to-storage) instructions: PoO
// chapter 7, everything gcc -march=z13, z14 and z15 emits for freestanding C (its vector
// instructions are in ../vector/) and the rest of each facility reported in
// `core/facilities.ts`. Each file is one group.

import type { InstructionDef } from '../types.js';
import { arithmeticInstructions } from './arithmetic.js';
import { compareBranchInstructions, compareTrapInstructions } from './compare-branch.js';
import { z10ExtensionInstructions } from './extensions-z10.js';
import { zec12ExtensionInstructions } from './extensions-zec12.js';
import { z14ExtensionInstructions } from './extensions-z14.js';
import { z15ExtensionInstructions } from './extensions-z15.js';
import { guardedStorageInstructions } from './guarded-storage.js';
import { highWordInstructions } from './high-word.js';
import { hotInstructions } from './hot.js';
import { interlockedInstructions } from './interlocked.js';
import { loadStoreInstructions } from './load-store.js';
import { logicalInstructions } from './logical.js';
import { longStorageInstructions } from './long-storage.js';
import { multiplyDivideInstructions } from './multiply-divide.js';
import { shiftRotateInstructions } from './shift-rotate.js';
import { storageInstructions } from './storage.js';

const groups: InstructionDef[] = [
  ...loadStoreInstructions,
  ...arithmeticInstructions,
  ...logicalInstructions,
  ...compareBranchInstructions,
  ...compareTrapInstructions,
  ...shiftRotateInstructions,
  ...multiplyDivideInstructions,
  ...storageInstructions,
  ...longStorageInstructions,
  ...interlockedInstructions,
  ...z10ExtensionInstructions,
  ...highWordInstructions,
  ...zec12ExtensionInstructions,
  ...z14ExtensionInstructions,
  ...z15ExtensionInstructions,
  ...guardedStorageInstructions,
];

/** The hand-specialised hot entries replace the family-generated ones of the same mnemonic. */
const hot = new Map(hotInstructions.map((e) => [e.mnemonic, e]));
export const generalInstructions: InstructionDef[] = groups.map((e) => {
  const h = hot.get(e.mnemonic);
  if (h !== undefined && (h.opcode !== e.opcode || h.format !== e.format || h.operands !== e.operands)) {
    throw new Error(`general instructions: the specialised ${e.mnemonic} does not match its family entry`);
  }
  return h ?? e;
});
for (const h of hotInstructions) {
  if (!groups.some((e) => e.mnemonic === h.mnemonic)) throw new Error(`general instructions: the specialised ${h.mnemonic} has no family entry`);
}
