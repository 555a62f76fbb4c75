// The compiling tier's generators by table entry: every generator names the mnemonic and opcode of
// the instruction-table entry it compiles, and the pairing is checked when this module loads (a
// renamed or re-encoded entry fails loudly instead of compiling wrong code). Entries without a
// generator (privileged, vector, floating point, new ones) are compiled as calls of their semantics.

import { DECODE_TABLE } from '../../isa/dispatch.js';
import type { InstructionDef } from '../../isa/types.js';
import { arithmeticGenerators } from './generators/arithmetic.js';
import { compareBranchGenerators } from './generators/compare-branch.js';
import { loadStoreGenerators } from './generators/load-store.js';
import { logicalGenerators } from './generators/logical.js';
import { shiftRotateGenerators } from './generators/shift-rotate.js';
import { storageImmediateGenerators } from './generators/storage-immediate.js';
import type { Generator } from './generators/types.js';

export type { Generator } from './generators/types.js';

const ALL: readonly Generator[] = [...loadStoreGenerators, ...arithmeticGenerators, ...logicalGenerators, ...compareBranchGenerators, ...shiftRotateGenerators, ...storageImmediateGenerators];

function byEntry(): Map<InstructionDef, Generator> {
  const entries = new Map<string, InstructionDef>();
  for (const e of DECODE_TABLE) if (e !== undefined) entries.set(`${e.mnemonic}/${e.opcode}`, e);
  const out = new Map<InstructionDef, Generator>();
  for (const g of ALL) {
    const entry = entries.get(`${g.mnemonic}/${g.opcode}`);
    if (entry === undefined) throw new Error(`compiled blocks: no instruction-table entry ${g.mnemonic} with opcode 0x${g.opcode.toString(16)} for its generator`);
    if (entry.privileged) throw new Error(`compiled blocks: ${g.mnemonic} is privileged; privileged entries run their semantics`);
    if (out.has(entry)) throw new Error(`compiled blocks: two generators for ${g.mnemonic}`);
    out.set(entry, g);
  }
  return out;
}

/** The generator of each table entry that has one. */
export const GENERATORS: ReadonlyMap<InstructionDef, Generator> = byEntry();
