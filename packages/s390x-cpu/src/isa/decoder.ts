// Decoder (spec s390x-cpu.md §8): instruction length from the first opcode byte, the location
// of the opcode extension, and the precomputed 64K-entry lookup table from opcode key to entry.

import { instructionLength } from './formats.js';
import type { InstructionDef } from './types.js';

export { instructionLength };

/** Where the opcode extension sits, per first byte. */
export const ExtensionKind = {
  None: 0,
  /** bits 8–15 */
  Byte1: 1,
  /** bits 12–15 */
  Nibble: 2,
  /** bits 40–47 */
  Byte5: 3,
} as const;
export type ExtensionKind = (typeof ExtensionKind)[keyof typeof ExtensionKind];

const EXTENSION = new Uint8Array(256);
for (const op of [0x01, 0x80, 0x82, 0x93, 0xb2, 0xb3, 0xb9, 0xe5]) EXTENSION[op] = ExtensionKind.Byte1;
for (const op of [0xa5, 0xa7, 0xc0, 0xc2, 0xc4, 0xc6, 0xc8, 0xcc]) EXTENSION[op] = ExtensionKind.Nibble;
for (const op of [0xe3, 0xe6, 0xe7, 0xeb, 0xec, 0xed]) EXTENSION[op] = ExtensionKind.Byte5;
// 0xA5 is RI (4-byte) and 0xA7 likewise; everything else keeps None.

export function extensionKind(firstByte: number): ExtensionKind {
  return (EXTENSION[firstByte] ?? 0) as ExtensionKind;
}

/**
 * The 16-bit lookup key of an instruction: first byte << 8 | extension (0 when there is none).
 * `a` = bytes 0–3, `b` = bytes 4–5.
 */
export function opcodeKey(a: number, b: number): number {
  const op = a >>> 24;
  switch (EXTENSION[op]) {
    case ExtensionKind.Byte1:
      return (a >>> 16) & 0xffff;
    case ExtensionKind.Nibble:
      return (op << 8) | ((a >>> 16) & 15);
    case ExtensionKind.Byte5:
      return (op << 8) | (b & 0xff);
    default:
      return op << 8;
  }
}

/**
 * Lookup key of a table entry's `opcode`: QEMU notation (one byte, or byte << 8 | extension, so
 * 0xa708 for LHI) or the three-digit form byte << 4 | nibble (0xa78) for first bytes with a 4-bit extension (0x01xx stays QEMU notation).
 */
export function keyOfOpcode(opcode: number): number {
  if (opcode < 0x100) return opcode << 8;
  if (opcode < 0x1000 && EXTENSION[opcode >>> 4] === ExtensionKind.Nibble) return ((opcode >>> 4) << 8) | (opcode & 15);
  return opcode;
}

/** Builds the 64K-entry table; throws on duplicate opcodes or a format/length mismatch. */
export function buildDecodeTable(entries: readonly InstructionDef[], lengthOfFormat: (e: InstructionDef) => number): (InstructionDef | undefined)[] {
  const table = new Array<InstructionDef | undefined>(65536).fill(undefined);
  for (const e of entries) {
    const key = keyOfOpcode(e.opcode);
    const first = key >>> 8;
    const kind = extensionKind(first);
    if (kind === ExtensionKind.None && (key & 0xff) !== 0) {
      throw new Error(`instruction table: ${e.mnemonic} opcode 0x${e.opcode.toString(16)} has an extension but first byte 0x${first.toString(16)} takes none`);
    }
    if (kind === ExtensionKind.Nibble && (key & 0xf0) !== 0) {
      throw new Error(`instruction table: ${e.mnemonic} opcode 0x${e.opcode.toString(16)} has an extension wider than 4 bits`);
    }
    if (lengthOfFormat(e) !== instructionLength(first)) {
      throw new Error(`instruction table: ${e.mnemonic} format ${e.format} does not match the length of opcode 0x${first.toString(16)}`);
    }
    const existing = table[key];
    if (existing !== undefined) {
      throw new Error(`instruction table: ${e.mnemonic} and ${existing.mnemonic} share opcode 0x${e.opcode.toString(16)}`);
    }
    table[key] = e;
  }
  return table;
}
