// @pvdump/s390x-cpu/baremetal: ELF guests started on bare CPUs like QEMU's `-kernel`
// (docs/s390x-cpu.md §9): the ELF loader, the machine of CPUs on one storage, and the IPL PSW.

export { ElfLoadError, readElfImage, loadElfSegments, EM_S390, PT_LOAD, type ElfImage, type ElfSegment, type LoadTarget } from './elf.js';
export { createBareMetalMachine, runBareMetal, IPL_PSW_MASK, DEFAULT_BARE_METAL_MEMORY, DEFAULT_BARE_METAL_BUDGET, type BareMetalMachine, type BareMetalOptions, type BareMetalRunOptions } from './machine.js';
