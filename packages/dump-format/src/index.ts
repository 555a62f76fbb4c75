/**
 * @pvdump/dump-format: read and write s390x ELF core dumps as QEMU's `dump-guest-memory` writes
 * them (including the Protected Virtualization notes and sections), and as `zgetdump -k` writes
 * decrypted ones. Spec: docs/elf-core-format.md.
 */
export { DumpFormatError, type DumpErrorCode } from './errors.js';
export { emptyCpuState, type ByteRange, type CpuState, type DumpWarning, type MemorySegment, type Psw, type RawNote } from './model.js';
export { openDump, DumpReader, READER_LIMITS, type MemoryChunk, type SectionInfo } from './read/reader.js';
export { probeDumpHead, type DumpHeadProbe } from './read/head.js';
export { planDump, type DumpLayout, type DumpSpec, type DumpStyle, type MemoryRangeSpec, type PvSectionSizes } from './write/layout.js';
export { DumpWriter, writeDump, type PvSectionData, type SectionData, type WriteTarget } from './write/writer.js';
export { encodeAuxv, encodeCpuNotes, encodePrpsinfo, type NoteStyle } from './notes/cpu-notes.js';
export { extraRegisters, type ExtraRegisters } from './notes/extra-registers.js';
export * as elf from '@pvdump/elf';
export * as notes from './raw/notes.js';
