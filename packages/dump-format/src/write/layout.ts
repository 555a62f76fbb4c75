/**
 * Plans a dump file before anything is written (spec elf-core-format.md §2, §7, §11): every region
 * (headers, notes, memory, PV sections, string table) gets its offset and size first, so the writer
 * then streams the regions in order and never seeks back.
 *
 * Styles:
 * - `qemu`: QEMU ≥ 7.2's layout: Ehdr, section headers, program headers, notes, memory, PV section
 *   data, `.shstrtab`; with `qemuQuirks`, also QEMU's little-endian-host bugs, byte for byte.
 * - `zgetdump`: the layout of `zgetdump -k` output: no sections, NT_PRPSINFO first, zgetdump's
 *   per-CPU note order, PT_LOAD flags RWX and alignment 0x1000.
 */
import { DumpFormatError, hx } from '../errors.js';
import type { CpuState, RawNote } from '../model.js';
import { encodeAuxv, encodeCpuNotes, encodeNoteRecord, encodePrpsinfo, noteRecordSize } from '../notes/cpu-notes.js';
import * as E from '@pvdump/elf';
import * as N from '../raw/notes.js';

export type DumpStyle = 'qemu' | 'zgetdump';

/** One guest memory range to write as a PT_LOAD. */
export interface MemoryRangeSpec {
  /** Guest absolute start address. */
  start: bigint;
  /** Size in memory (p_memsz). */
  size: bigint;
  /** Bytes present in the file (p_filesz); defaults to `size`. */
  fileSize?: bigint;
}

/** Sizes of the PV sections to reserve (their bytes come after memory). */
export interface PvSectionSizes {
  /** `pv_mem_meta`: QEMU writes (RAM / 1 MiB) × dump_config_mem_buffer_per_1m bytes. */
  memMetaSize: bigint;
  /** `pv_compl`: dump_config_finalize_len bytes. */
  complSize: bigint;
}

export interface DumpSpec {
  cpus: readonly CpuState[];
  memory: readonly MemoryRangeSpec[];
  /** Notes after all CPU notes (e.g. a VMCOREINFO note). */
  notes?: readonly RawNote[];
  /** Reserve the PV sections `pv_mem_meta` and `pv_compl` (QEMU style only). */
  pv?: PvSectionSizes;
  /** Add NT_AUXV with this AT_HWCAP (true: ZARCH|STFLE|HIGH_GPRS|VXRS) so gdb shows vector registers. */
  auxv?: boolean | number;
  /** Default `qemu`. */
  style?: DumpStyle;
  /** QEMU style only: reproduce QEMU 7.2's little-endian-host bugs (e_ehsize 8, LE pr_pid and section headers). */
  qemuQuirks?: boolean;
}

export interface DumpLayout {
  style: DumpStyle;
  /** Bytes before memory: ELF header, section headers (QEMU), program headers, notes. */
  head: Uint8Array;
  /** Program headers, PT_NOTE first. */
  programHeaders: E.ProgramHeader[];
  noteOffset: bigint;
  noteSize: bigint;
  memoryOffset: bigint;
  /** Total file bytes of memory. */
  memorySize: bigint;
  /** Offsets of the PV sections and the string table (QEMU style). */
  pvMemMeta?: { offset: bigint; size: bigint };
  pvCompl?: { offset: bigint; size: bigint };
  /** `.shstrtab` bytes written after the PV data (QEMU style), and where. */
  shstrtab?: { offset: bigint; bytes: Uint8Array };
  fileSize: bigint;
}

/** `.shstrtab` of QEMU: each architecture section name sits in a 12-byte NUL-padded slot. */
function qemuShstrtab(pv: boolean): { bytes: Uint8Array; names: { memMeta: number; compl: number; shstrtab: number } } {
  const enc = new TextEncoder();
  if (!pv) {
    const b = new Uint8Array(11);
    b.set(enc.encode('.shstrtab'), 1);
    return { bytes: b, names: { memMeta: 0, compl: 0, shstrtab: 1 } };
  }
  const b = new Uint8Array(35);
  b.set(enc.encode('pv_mem_meta'), 1);
  b.set(enc.encode('pv_compl'), 13);
  b.set(enc.encode('.shstrtab'), 25);
  return { bytes: b, names: { memMeta: 1, compl: 13, shstrtab: 25 } };
}

function buildNotes(spec: DumpSpec, style: DumpStyle): RawNote[] {
  const notes: RawNote[] = [];
  if (style === 'zgetdump') notes.push(encodePrpsinfo());
  if (spec.auxv !== undefined && spec.auxv !== false) notes.push(encodeAuxv(spec.auxv === true ? N.DEFAULT_HWCAP : spec.auxv));
  const pidLittleEndian = style === 'qemu' && spec.qemuQuirks === true;
  spec.cpus.forEach((cpu, i) => {
    const pid = style === 'zgetdump' ? i + 1 : cpu.pid > 0 ? cpu.pid : i + 1;
    notes.push(...encodeCpuNotes(cpu, pid, style, { pidLittleEndian }));
  });
  notes.push(...(spec.notes ?? []));
  return notes;
}

export function planDump(spec: DumpSpec): DumpLayout {
  const style = spec.style ?? 'qemu';
  if (style === 'zgetdump' && spec.pv !== undefined) {
    throw new DumpFormatError('bad-write', 'the zgetdump layout has no sections: PV sections cannot be written in it');
  }
  for (const [i, m] of spec.memory.entries()) {
    const fs = m.fileSize ?? m.size;
    if (m.size < 0n || fs < 0n || fs > m.size) throw new DumpFormatError('bad-write', `memory range ${i}: file size ${hx(fs)} must be between 0 and its size ${hx(m.size)}`);
    if (m.start + m.size > 1n << 64n) throw new DumpFormatError('bad-write', `memory range ${i} at ${hx(m.start)} wraps past 2^64`);
  }
  const sorted = [...spec.memory].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    const p = sorted[i - 1]!;
    if (p.start + p.size > sorted[i]!.start) throw new DumpFormatError('bad-write', `memory ranges overlap at ${hx(sorted[i]!.start)}`);
  }

  const notes = buildNotes(spec, style);
  const noteSize = notes.reduce((n, note) => n + noteRecordSize(note.owner, note.desc.length), 0);
  const zg = style === 'zgetdump';
  const memory = zg ? splitZeroTails(spec.memory) : spec.memory;
  const phnum = 1 + memory.length;
  const xnum = phnum >= E.PN_XNUM;
  const pv = style === 'qemu' && spec.pv !== undefined;
  const strtab = qemuShstrtab(pv);
  // QEMU always writes section headers; zgetdump only needs one (header 0) to hold a PN_XNUM count.
  const shnum = style === 'qemu' ? (pv ? 4 : 2) : xnum ? 1 : 0;
  const shoff = shnum > 0 ? BigInt(E.EHDR_SIZE) : 0n;
  const phoff = BigInt(E.EHDR_SIZE + E.SHDR_SIZE * shnum);
  const noteOffset = phoff + BigInt(E.PHDR_SIZE * phnum);
  const memoryOffset = noteOffset + BigInt(noteSize);

  const programHeaders: E.ProgramHeader[] = [];
  programHeaders.push({ type: E.PT_NOTE, flags: 0, offset: noteOffset, vaddr: 0n, paddr: 0n, filesz: BigInt(noteSize), memsz: zg ? 0n : BigInt(noteSize), align: 0n });
  let off = memoryOffset;
  for (const m of memory) {
    const filesz = m.fileSize ?? m.size;
    programHeaders.push({ type: E.PT_LOAD, flags: zg ? 7 : 0, offset: off, vaddr: m.start, paddr: m.start, filesz, memsz: m.size, align: zg ? 0x1000n : 0n });
    off += filesz;
  }
  const memorySize = off - memoryOffset;

  let cursor = off;
  let pvMemMeta: DumpLayout['pvMemMeta'];
  let pvCompl: DumpLayout['pvCompl'];
  if (pv && spec.pv !== undefined) {
    pvMemMeta = { offset: cursor, size: spec.pv.memMetaSize };
    cursor += spec.pv.memMetaSize;
    pvCompl = { offset: cursor, size: spec.pv.complSize };
    cursor += spec.pv.complSize;
  }
  const shstrtab = style === 'qemu' ? { offset: cursor, bytes: strtab.bytes } : undefined;
  if (shstrtab) cursor += BigInt(shstrtab.bytes.length);

  const quirks = style === 'qemu' && spec.qemuQuirks === true;
  const head = new Uint8Array(Number(memoryOffset));
  E.encodeEhdr(
    {
      osabi: 0,
      type: E.ET_CORE,
      machine: E.EM_S390,
      version: E.EV_CURRENT,
      entry: 0n,
      phoff,
      shoff,
      flags: 0,
      ehsize: quirks ? 8 : E.EHDR_SIZE,
      phentsize: E.PHDR_SIZE,
      phnum: xnum ? E.PN_XNUM : phnum,
      shentsize: shnum > 0 ? E.SHDR_SIZE : 0,
      shnum,
      shstrndx: style === 'qemu' ? shnum - 1 : 0,
    },
    head,
  );
  if (shnum > 0) {
    const sh0 = E.emptyShdr();
    if (xnum) sh0.info = phnum;
    E.encodeShdr(sh0, head, E.EHDR_SIZE);
  }
  if (style === 'qemu') {
    let i = 1;
    const put = (name: number, type: number, offset: bigint, size: bigint): void => {
      E.encodeShdr({ ...E.emptyShdr(), name, type, offset, size }, head, E.EHDR_SIZE + E.SHDR_SIZE * i, quirks);
      i += 1;
    };
    if (pvMemMeta && pvCompl) {
      put(strtab.names.memMeta, E.SHT_PROGBITS, pvMemMeta.offset, pvMemMeta.size);
      put(strtab.names.compl, E.SHT_PROGBITS, pvCompl.offset, pvCompl.size);
    }
    put(strtab.names.shstrtab, E.SHT_STRTAB, shstrtab!.offset, BigInt(strtab.bytes.length));
  }
  programHeaders.forEach((p, i) => E.encodePhdr(p, head, Number(phoff) + E.PHDR_SIZE * i));
  let p = Number(noteOffset);
  for (const note of notes) p = encodeNoteRecord(note, head, p);

  return {
    style,
    head,
    programHeaders,
    noteOffset,
    noteSize: BigInt(noteSize),
    memoryOffset,
    memorySize,
    ...(pvMemMeta ? { pvMemMeta } : {}),
    ...(pvCompl ? { pvCompl } : {}),
    ...(shstrtab ? { shstrtab } : {}),
    fileSize: cursor,
  };
}

/** zgetdump turns the zero tail of a range (p_memsz > p_filesz) into its own PT_LOAD without file bytes. */
function splitZeroTails(memory: readonly MemoryRangeSpec[]): MemoryRangeSpec[] {
  return memory.flatMap((m) => {
    const fs = m.fileSize ?? m.size;
    return fs < m.size
      ? [
          { start: m.start, size: fs },
          { start: m.start + fs, size: m.size - fs, fileSize: 0n },
        ]
      : [m];
  });
}
