// @pvdump/s390x-cpu public API: architected CPU state and snapshots, PSW helpers, guest
// absolute storage, the CPU with its run loop, interruptions, the instruction table, decoder,
// formats and disassembler.

export * from './state/psw.js';
export * from './state/snapshot.js';
export * from './memory/guest-memory.js';
export * from './cpu/exceptions.js';
export * from './cpu/clock.js';
export { Cpu, LC, type CpuOptions, type StopReason, type TraceHook } from './cpu/cpu.js';
export * from './isa/formats.js';
export * from './isa/types.js';
export { instructionLength, opcodeKey, keyOfOpcode, extensionKind, ExtensionKind } from './isa/decoder.js';
export { INSTRUCTIONS } from './isa/table.js';
export { DECODE_TABLE } from './isa/dispatch.js';
export { CONDITION_SUFFIXES, conditionAliases } from './isa/mnemonics.js';
export { disassemble, disassembleBlock, renderOperands, type Disassembly } from './isa/disassembler.js';
// ISA engineer exports (general instructions, Linux runner) follow below.
