// @pvdump/s390x-cpu public API: architected CPU state and snapshots, PSW helpers, guest
// absolute storage, the CPU with its run loop, interruptions, the instruction table, decoder,
// formats and disassembler.

export * from './state/psw.js';
export * from './state/snapshot.js';
export * from './state/store-status.js';
export * from './memory/guest-memory.js';
export * from './core/exceptions.js';
export * from './core/clock.js';
export { Cpu, LC, type CpuOptions, type StopReason, type TraceHook } from './cpu/cpu.js';
export * from './isa/formats.js';
export * from './isa/types.js';
export { instructionLength, opcodeKey, keyOfOpcode, extensionKind, ExtensionKind } from './isa/decoder.js';
export { INSTRUCTIONS } from './isa/table.js';
export { DECODE_TABLE } from './isa/dispatch.js';
export { CONDITION_SUFFIXES, conditionAliases } from './isa/mnemonics.js';
export { disassemble, disassembleBlock, renderOperands, type Disassembly } from './isa/disassembler.js';
export { ElfLoadError, readElfImage, loadElfSegments, EM_S390, PT_LOAD, type ElfImage, type ElfSegment, type LoadTarget } from './baremetal/elf.js';
export {
  createBareMetalMachine,
  runBareMetal,
  IPL_PSW_MASK,
  DEFAULT_BARE_METAL_MEMORY,
  DEFAULT_BARE_METAL_BUDGET,
  type BareMetalMachine,
  type BareMetalOptions,
  type BareMetalRunOptions,
} from './baremetal/machine.js';
// ISA engineer exports (general instructions, Linux runner) follow below.
export { generalInstructions } from './isa/general/index.js';
export {
  LinuxProcess,
  LinuxRunError,
  runLinuxProgram,
  LINUX_USER_PSW_MASK,
  LINUX_USER_CR0,
  DEFAULT_LINUX_MEMORY,
  type LinuxRunOptions,
  type LinuxRunResult,
} from './linux/process.js';
export { signalForProgramInterruption, signalDescription } from './linux/signals.js';
