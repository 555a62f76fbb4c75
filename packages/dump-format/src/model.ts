/**
 * The decoded model of an s390x core dump: per-CPU architected state from the notes, memory
 * segments, PV byte ranges and warnings. Plain data, shared by the reader and the writer. The
 * registers are the register model of @pvdump/s390x-arch.
 */
import type { CpuRegisters, Psw } from '@pvdump/s390x-arch';

export type { Psw };

/** One ELF note as stored: owner name, type and descriptor bytes. */
export interface RawNote {
  owner: string;
  type: number;
  desc: Uint8Array;
  /** File offset of the note record (reader only). */
  offset?: number;
}

/**
 * One CPU's state as the dump's notes describe it: the register model of @pvdump/s390x-arch with
 * each register absent when its note is absent (NT_PRSTATUS, which every CPU has, gives `psw`,
 * `gprs` and `acrs`). `vrs` holds the 32 full 128-bit vector registers when a vector note exists:
 * V0–V15 are the FPRs (left halves) joined with NT_S390_VXRS_LOW (right halves); V16–V31 come
 * from NT_S390_VXRS_HIGH.
 */
export interface CpuState extends Pick<CpuRegisters, 'psw' | 'gprs' | 'acrs'>, Partial<Omit<CpuRegisters, 'psw' | 'gprs' | 'acrs'>> {
  /** The thread id from NT_PRSTATUS (`pr_pid`), byte-order quirk corrected. */
  pid: number;
  /** FPR0–15 as NT_FPREGSET holds them (absent without that note; V0–V15 hold them too when vector notes exist). */
  fprs?: bigint[];
  /** Encrypted Ultravisor CPU dump (NT_S390_PV_CPU_DATA), raw. */
  pvCpuData?: Uint8Array;
  /** Further notes of this CPU that the model does not decode, in file order, kept raw. */
  otherNotes: RawNote[];
}

/** A guest memory range backed by (part of) the file. */
export interface MemorySegment {
  /** Guest absolute start address (p_paddr). */
  start: bigint;
  /** Bytes in memory (p_memsz); the part past `fileSize` reads as zeros. */
  size: bigint;
  /** Bytes in the file (p_filesz). */
  fileSize: bigint;
  /** File offset of the first byte (p_offset). */
  fileOffset: bigint;
}

/** A byte range of the file, e.g. a PV section. */
export interface ByteRange {
  offset: bigint;
  size: bigint;
}

/** Something unusual the reader tolerated (a QEMU quirk, an unknown note). */
export interface DumpWarning {
  code: 'ehsize' | 'pid-byte-order' | 'section-header-byte-order' | 'unknown-note' | 'duplicate-note' | 'pid-duplicate' | 'memsz-exceeds-filesz';
  message: string;
  /** File offset the warning is about. */
  offset: number;
}

/** Fresh all-zero state for one CPU (the writer fills absent notes with these values). */
export function emptyCpuState(pid = 0): CpuState {
  return {
    pid,
    psw: { mask: 0n, addr: 0n },
    gprs: new Array<bigint>(16).fill(0n),
    acrs: new Array<number>(16).fill(0),
    otherNotes: [],
  };
}
