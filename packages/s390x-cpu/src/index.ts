// @pvdump/s390x-cpu: one z/Architecture CPU on guest absolute storage (docs/s390x-cpu.md
// §1–§5): the CPU with its run loop and interruptions, the storage it shares with other CPUs,
// the TOD clock, and the interruption codes and interception reports it produces. The state,
// ISA, Linux runner and bare-metal machine have their own subpaths (see the README).

export { Cpu, type StopReason, type TraceHook } from './cpu/cpu.js';
export type { CpuCore, CpuOptions } from './core/cpu-core.js';
export { FACILITY_BITS, CONFIGURATION_TOPOLOGY_FACILITY } from './core/facilities.js';
export * from './memory/guest-memory.js';
export * from './core/exceptions.js';
export * from './core/clock.js';
