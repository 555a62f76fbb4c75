// @pvdump/s390x-cpu/linux: the Linux problem-state runner (docs/s390x-cpu.md §9, README in this
// folder): a static s390x ELF run as a process with its initial stack, the system calls it
// needs and the signal a program interruption would raise.

export { LinuxProcess, LinuxRunError, runLinuxProgram, LINUX_USER_PSW_MASK, LINUX_USER_CR0, DEFAULT_LINUX_MEMORY, type LinuxRunOptions, type CompiledBlocksMode, type LinuxRunResult } from './process.js';
export { signalForProgramInterruption, signalDescription } from './signals.js';
