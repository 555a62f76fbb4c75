// @pvdump/s390x-cpu/isa: the instruction set as data (docs/s390x-cpu.md §8): formats and their
// operand fields, the one instruction table, the decoder and the disassembler with objdump's
// syntax. The semantics in the table run on the CPU core; running them is the CPU's business.

export * from './formats.js';
export * from './fields.js';
export type { ExecFn, InstructionAlias, InstructionDef, Semantics } from './types.js';
export { instructionLength, opcodeKey, keyOfOpcode, extensionKind, ExtensionKind } from './decoder.js';
export { INSTRUCTIONS } from './table.js';
export { DECODE_TABLE } from './dispatch.js';
export { CONDITION_SUFFIXES, conditionAliases } from './mnemonics.js';
export { disassemble, disassembleBlock, renderOperands, type Disassembly } from './disassembler.js';
export { decodeInstruction, type DecodedInstruction } from './decoded.js';
