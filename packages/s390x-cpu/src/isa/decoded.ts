// Decoding one instruction from its bytes (docs/s390x-cpu.md §8): its table entry and every
// operand field of its format by name. Hosts use it to interpret the instruction of an
// interception; the run loop decodes through the opcode tables directly.

import { opcodeKey } from './decoder.js';
import { DECODE_TABLE } from './dispatch.js';
import { decodeFields, instructionLength, type Format, type OperandFields } from './formats.js';
import type { InstructionDef } from './types.js';

/** One decoded instruction of format `F`. */
export interface DecodedInstruction<F extends Format = Format> {
  /** Its table entry (mnemonic, opcode, format, operand syntax). */
  entry: InstructionDef;
  format: F;
  length: 2 | 4 | 6;
  /** The instruction bytes (a copy). */
  bytes: Uint8Array;
  /** Every operand field of the format. */
  fields: OperandFields<F>;
}

/**
 * Decodes the instruction at the start of `bytes`; undefined when the opcode is not in the table
 * or `bytes` is shorter than the instruction.
 */
export function decodeInstruction(bytes: Uint8Array): DecodedInstruction | undefined {
  if (bytes.length < 2) return undefined;
  const length = instructionLength(bytes[0]!);
  if (bytes.length < length) return undefined;
  const a = ((bytes[0]! << 24) | (bytes[1]! << 16) | (length >= 4 ? (bytes[2]! << 8) | bytes[3]! : 0)) >>> 0;
  const b = length === 6 ? (bytes[4]! << 8) | bytes[5]! : 0;
  const entry = DECODE_TABLE[opcodeKey(a, b)];
  if (entry === undefined) return undefined;
  return { entry, format: entry.format, length, bytes: bytes.slice(0, length), fields: decodeFields(entry.format, a, b) };
}
