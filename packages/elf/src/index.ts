/**
 * ELF64 big-endian (s390x) raw definitions: the one layout of the ELF header, program, section
 * and note headers that the guest loaders and the core reader and writer build on.
 */
export * from './elf64.js';
