/**
 * Lazy reader for s390x ELF cores (spec elf-core-format.md §9): headers, notes decoded per CPU,
 * sections by name, and guest memory by absolute address. Opening reads only headers and notes;
 * memory is read on demand, so a dump of any size opens in milliseconds with little memory.
 */
import type { FileHandle } from 'node:fs/promises';
import { DumpFormatError, hx } from '../errors.js';
import type { ByteRange, CpuState, DumpWarning, MemorySegment, RawNote } from '../model.js';
import { emptyCpuState } from '../model.js';
import { applyCpuNote } from '../notes/cpu-notes.js';
import * as E from '@pvdump/elf';
import * as N from '../raw/notes.js';
import { FileSource } from './file-source.js';
import { notesOfSegment } from './note-segment.js';

/** Limits that keep a corrupt file from making us allocate or loop without bound. */
export const READER_LIMITS = {
  /** Program headers (PN_XNUM allows 2^32; real dumps have a handful). */
  maxProgramHeaders: 1 << 24,
  maxSections: 1 << 16,
  /** Total bytes of all PT_NOTE segments (a 4096-CPU PV dump has ~27 MiB). */
  maxNoteBytes: 256 << 20,
  maxNotes: 1 << 20,
  /** Largest single read of memory or a section that the reader allocates for a caller. */
  maxReadBytes: 1 << 30,
  maxStringTableBytes: 1 << 20,
} as const;

export interface SectionInfo {
  index: number;
  name: string;
  header: E.SectionHeader;
}

export interface MemoryChunk {
  /** Guest absolute address of `data[0]`. */
  address: bigint;
  data: Uint8Array;
}

const PV_MEM_META = 'pv_mem_meta';
const PV_COMPL = 'pv_compl';

/** Opens a dump by path or file handle. Call `close()` when done. */
export async function openDump(source: string | FileHandle): Promise<DumpReader> {
  const file = await FileSource.open(source);
  try {
    const reader = new DumpReader(file);
    await reader.load();
    return reader;
  } catch (e) {
    await file.close();
    throw e;
  }
}

export class DumpReader {
  header!: E.ElfHeader;
  programHeaders: E.ProgramHeader[] = [];
  sections: SectionInfo[] = [];
  /** Every note of every PT_NOTE segment, in file order. */
  notes: RawNote[] = [];
  /** Per-CPU state; a CPU starts at each NT_PRSTATUS. */
  cpus: CpuState[] = [];
  /** Notes that belong to no CPU (NT_PRPSINFO, NT_AUXV, VMCOREINFO, notes before the first CPU). */
  globalNotes: RawNote[] = [];
  /** PT_LOAD segments in file order. */
  memory: MemorySegment[] = [];
  warnings: DumpWarning[] = [];
  /** Sorted by start address, for lookups. */
  private byAddress: MemorySegment[] = [];

  constructor(private readonly file: FileSource) {}

  get path(): string | undefined {
    return this.file.path;
  }
  get fileSize(): number {
    return this.file.size;
  }
  /** A PV dump is one with a `pv_compl` section (zgetdump's test). */
  get isPv(): boolean {
    return this.section(PV_COMPL) !== undefined;
  }
  get pvMemMeta(): ByteRange | undefined {
    return this.range(PV_MEM_META);
  }
  get pvCompl(): ByteRange | undefined {
    return this.range(PV_COMPL);
  }

  section(name: string): SectionInfo | undefined {
    return this.sections.find((s) => s.name === name);
  }

  private range(name: string): ByteRange | undefined {
    const s = this.section(name);
    return s === undefined ? undefined : { offset: s.header.offset, size: s.header.size };
  }

  /** @internal */
  async load(): Promise<void> {
    await this.readElfHeader();
    const shdr0 = await this.readSectionHeaders();
    await this.readProgramHeaders(shdr0);
    await this.readNotes();
    this.indexMemory();
  }

  private warn(code: DumpWarning['code'], message: string, offset: number): void {
    this.warnings.push({ code, message, offset });
  }

  private async readElfHeader(): Promise<void> {
    const f = this.file;
    if (f.size === 0) throw new DumpFormatError('not-elf', 'the file is empty (0 bytes): not a dump (an interrupted copy or a failed dump-guest-memory?)', 0);
    const avail = Math.min(f.size, E.EHDR_SIZE);
    const b = avail > 0 ? await f.read(0, avail, 'ELF header') : new Uint8Array(0);
    if (avail < 4 || E.ELF_MAGIC.some((m, i) => b[i] !== m)) {
      throw new DumpFormatError('not-elf', `not an ELF file (no 7F 45 4C 46 magic): is this a dump made with 'dump-guest-memory' in ELF format?`, 0);
    }
    f.need(0, E.EHDR_SIZE, 'ELF header');
    if (b[E.Ehdr.class] !== E.ELFCLASS64) {
      throw new DumpFormatError('unsupported-elf', `ELF class ${b[E.Ehdr.class]} is not ELFCLASS64: s390x dumps are 64-bit`, E.Ehdr.class);
    }
    if (b[E.Ehdr.data] !== E.ELFDATA2MSB) {
      throw new DumpFormatError('unsupported-elf', `ELF data encoding ${b[E.Ehdr.data]} is not big-endian (ELFDATA2MSB): not an s390x dump`, E.Ehdr.data);
    }
    const h = E.decodeEhdr(b);
    if (h.machine !== E.EM_S390) {
      throw new DumpFormatError('unsupported-elf', `e_machine ${h.machine} is not EM_S390 (22): this dump is of another architecture`, E.Ehdr.machine);
    }
    if (h.type !== E.ET_CORE) {
      throw new DumpFormatError('unsupported-elf', `e_type ${h.type} is not ET_CORE (4): this is an s390x ${h.type === 2 ? 'executable' : h.type === 3 ? 'shared object' : 'ELF file'}, not a dump`, E.Ehdr.type);
    }
    if (h.version !== E.EV_CURRENT) {
      throw new DumpFormatError('unsupported-elf', `e_version ${h.version} is not 1`, E.Ehdr.version);
    }
    if (h.ehsize !== E.EHDR_SIZE) {
      this.warn('ehsize', `e_ehsize is ${h.ehsize}, not 64 (QEMU 7.2 writes 8); assumed 64`, E.Ehdr.ehsize);
    }
    this.header = h;
  }

  /** Reads section headers and names; returns section header 0 (needed for PN_XNUM) if present. */
  private async readSectionHeaders(): Promise<E.SectionHeader | undefined> {
    const h = this.header;
    if (h.shoff === 0n) {
      if (h.shnum !== 0) throw new DumpFormatError('bad-section-headers', `e_shnum is ${h.shnum} but e_shoff is 0`, E.Ehdr.shnum);
      return undefined;
    }
    const f = this.file;
    if (h.shentsize !== E.SHDR_SIZE) {
      throw new DumpFormatError('bad-section-headers', `e_shentsize is ${h.shentsize}, expected 64 for ELF64 section headers`, E.Ehdr.shentsize);
    }
    const first = await f.read(h.shoff, E.SHDR_SIZE, 'section header 0');
    const shdr0 = E.decodeShdr(first);
    let count = h.shnum === 0 ? shdr0.size : BigInt(h.shnum);
    if (count > BigInt(READER_LIMITS.maxSections)) {
      throw new DumpFormatError('too-large', `${count} section headers is more than the ${READER_LIMITS.maxSections} this reader accepts`, Number(h.shoff));
    }
    if (count === 0n) count = 1n;
    const n = Number(count);
    const raw = await f.read(h.shoff, n * E.SHDR_SIZE, `${n} section headers at e_shoff`);
    const headers: E.SectionHeader[] = [];
    for (let i = 0; i < n; i++) headers.push(this.decodeSectionHeader(raw, i, Number(h.shoff) + i * E.SHDR_SIZE));
    let strndx = h.shstrndx === E.SHN_XINDEX ? shdr0.link : h.shstrndx;
    if (strndx === 0 && n === 1) strndx = -1;
    let names: Uint8Array | undefined;
    if (strndx >= 0) {
      const strtab = headers[strndx];
      if (strtab === undefined) {
        throw new DumpFormatError('bad-section-headers', `e_shstrndx ${strndx} is not a section (there are ${n}): section names cannot be found`, E.Ehdr.shstrndx);
      }
      if (strtab.size > BigInt(READER_LIMITS.maxStringTableBytes)) {
        throw new DumpFormatError('too-large', `section name table of ${strtab.size} bytes is implausibly large`, Number(h.shoff) + strndx * E.SHDR_SIZE);
      }
      names = await f.read(strtab.offset, Number(strtab.size), 'section name table (.shstrtab)');
    }
    this.sections = headers.map((header, index) => ({ index, header, name: names === undefined ? '' : sectionName(names, header.name, Number(h.shoff) + index * E.SHDR_SIZE) }));
    return shdr0;
  }

  /**
   * Decodes one section header; tolerates QEMU 7.2's little-endian name/type/offset/size
   * (spec §8): a big-endian decode that is out of range or of an unknown type is retried as LE.
   */
  private decodeSectionHeader(raw: Uint8Array, i: number, at: number): E.SectionHeader {
    const be = E.decodeShdr(raw, i * E.SHDR_SIZE);
    const fits = (s: E.SectionHeader): boolean => s.type === E.SHT_NULL || s.offset + s.size <= BigInt(this.file.size);
    const qemuType = (s: E.SectionHeader): boolean => s.type === E.SHT_NULL || s.type === E.SHT_PROGBITS || s.type === E.SHT_STRTAB;
    if (fits(be) && qemuType(be)) return be;
    const le = E.decodeShdr(raw, i * E.SHDR_SIZE, true);
    const mixed: E.SectionHeader = { ...be, name: le.name, type: le.type, offset: le.offset, size: le.size };
    if (fits(mixed) && qemuType(mixed)) {
      this.warn('section-header-byte-order', `section header ${i} has sh_name, sh_type, sh_offset and sh_size in little-endian order (QEMU 7.2 on a little-endian host); read them so`, at);
      return mixed;
    }
    if (fits(be)) return be;
    throw new DumpFormatError('bad-section-headers', `section header ${i} points at file bytes ${hx(be.offset)}..${hx(be.offset + be.size)} beyond the end of the file (${hx(this.file.size)} bytes): truncated or corrupt dump`, at);
  }

  private async readProgramHeaders(shdr0: E.SectionHeader | undefined): Promise<void> {
    const h = this.header;
    let count = h.phnum;
    if (h.phnum === E.PN_XNUM) {
      if (shdr0 === undefined) {
        throw new DumpFormatError('bad-program-headers', `e_phnum is 0xFFFF (PN_XNUM) but there is no section header 0 holding the real count`, E.Ehdr.phnum);
      }
      count = shdr0.info;
    }
    if (count === 0) return;
    if (count > READER_LIMITS.maxProgramHeaders) {
      throw new DumpFormatError('too-large', `${count} program headers is more than the ${READER_LIMITS.maxProgramHeaders} this reader accepts`, Number(h.shoff));
    }
    if (h.phentsize !== E.PHDR_SIZE) {
      throw new DumpFormatError('bad-program-headers', `e_phentsize is ${h.phentsize}, expected 56 for ELF64 program headers`, E.Ehdr.phentsize);
    }
    const raw = await this.file.read(h.phoff, count * E.PHDR_SIZE, `${count} program headers at e_phoff`);
    for (let i = 0; i < count; i++) this.programHeaders.push(E.decodePhdr(raw, i * E.PHDR_SIZE));
  }

  private async readNotes(): Promise<void> {
    const f = this.file;
    let total = 0;
    let cpu: CpuState | undefined;
    let seen = new Set<number>();
    for (const [i, ph] of this.programHeaders.entries()) {
      if (ph.type !== E.PT_NOTE) continue;
      const phAt = Number(this.header.phoff) + i * E.PHDR_SIZE;
      total += Number(ph.filesz);
      if (ph.filesz > BigInt(READER_LIMITS.maxNoteBytes) || total > READER_LIMITS.maxNoteBytes) {
        throw new DumpFormatError('too-large', `PT_NOTE segments of ${hx(ph.filesz)} bytes exceed the ${READER_LIMITS.maxNoteBytes >> 20} MiB this reader accepts: corrupt p_filesz?`, phAt);
      }
      const size = Number(ph.filesz);
      const base = Number(ph.offset);
      const seg = await f.read(ph.offset, size, `PT_NOTE segment (program header ${i})`);
      for (const note of notesOfSegment(seg, base)) {
        const { owner, type, desc, offset: at } = note;
        const descsz = desc.length;
        if (this.notes.length >= READER_LIMITS.maxNotes) throw new DumpFormatError('too-large', `more than ${READER_LIMITS.maxNotes} notes`, at);
        this.notes.push(note);

        if (isGlobalNote(owner, type)) {
          this.globalNotes.push(note);
          continue;
        }
        const fixed = N.NOTE_DESC_SIZE.get(type);
        const known = fixed !== undefined || type === N.NT_S390_PV_CPU_DATA;
        if (known && fixed !== undefined && descsz !== fixed) {
          throw new DumpFormatError('bad-note', `${N.noteTypeName(owner, type)} has ${descsz} bytes, expected ${fixed}: corrupt note${cpu ? ` of CPU ${this.cpus.length - 1}` : ''}`, at);
        }
        if (type === N.NT_PRSTATUS) {
          cpu = emptyCpuState();
          cpu.pid = new DataView(desc.buffer, desc.byteOffset).getUint32(N.Prstatus.pid);
          this.cpus.push(cpu);
          seen = new Set();
        }
        if (cpu === undefined) {
          if (!known) this.warn('unknown-note', `${N.noteTypeName(owner, type)} (owner "${owner}") before the first NT_PRSTATUS kept as a raw note`, at);
          this.globalNotes.push(note);
          continue;
        }
        if (seen.has(type) && type !== N.NT_PRSTATUS) {
          this.warn('duplicate-note', `CPU ${this.cpus.length - 1} has a second ${N.noteTypeName(owner, type)}; the later one wins`, at);
        }
        seen.add(type);
        if (!applyCpuNote(cpu, type, desc)) {
          if (!known) this.warn('unknown-note', `${N.noteTypeName(owner, type)} (owner "${owner}") of CPU ${this.cpus.length - 1} kept as a raw note`, at);
          cpu.otherNotes.push(note);
        }
      }
    }
    this.fixPids();
  }

  /** QEMU on a little-endian host stores pr_pid byte-swapped (spec §8): CPU 1 reads 0x01000000. */
  private fixPids(): void {
    const prstatus = this.notes.filter((n) => n.type === N.NT_PRSTATUS && !isGlobalNote(n.owner, n.type));
    const pids = new Set<number>();
    for (const [i, cpu] of this.cpus.entries()) {
      const swapped = bswap32(cpu.pid);
      const at = (prstatus[i]?.offset ?? 0) + 20 + N.Prstatus.pid;
      if (cpu.pid > 0xffffff && swapped <= 0xffff) {
        this.warn('pid-byte-order', `pr_pid of CPU ${i} is ${hx(cpu.pid)}, little-endian ${swapped} (QEMU on a little-endian host); read as ${swapped}`, at);
        cpu.pid = swapped;
      }
      if (pids.has(cpu.pid) || cpu.pid === 0) {
        this.warn('pid-duplicate', `pr_pid ${cpu.pid} of CPU ${i} is ${cpu.pid === 0 ? 'zero' : 'not unique'}: gdb will not show this CPU as its own thread`, at);
      }
      pids.add(cpu.pid);
    }
  }

  private indexMemory(): void {
    const size = BigInt(this.file.size);
    for (const [i, ph] of this.programHeaders.entries()) {
      if (ph.type !== E.PT_LOAD) continue;
      const at = Number(this.header.phoff) + i * E.PHDR_SIZE;
      if (ph.offset + ph.filesz > size) {
        throw new DumpFormatError('truncated', `PT_LOAD ${this.memory.length} (guest ${hx(ph.paddr)}) needs file bytes up to ${hx(ph.offset + ph.filesz)} but the file has ${hx(size)}: the dump is truncated (an incomplete copy?)`, at);
      }
      if (ph.filesz > ph.memsz) {
        throw new DumpFormatError('bad-program-headers', `PT_LOAD ${this.memory.length} has p_filesz ${hx(ph.filesz)} larger than p_memsz ${hx(ph.memsz)}`, at);
      }
      if (ph.paddr + ph.memsz > 1n << 64n) {
        throw new DumpFormatError('bad-program-headers', `PT_LOAD ${this.memory.length} at ${hx(ph.paddr)} with size ${hx(ph.memsz)} wraps past the end of the 64-bit address space`, at);
      }
      if (ph.memsz > ph.filesz) {
        this.warn('memsz-exceeds-filesz', `PT_LOAD ${this.memory.length} has ${hx(ph.memsz - ph.filesz)} bytes beyond its file data; they read as zeros`, at);
      }
      this.memory.push({ start: ph.paddr, size: ph.memsz, fileSize: ph.filesz, fileOffset: ph.offset });
    }
    this.byAddress = [...this.memory].filter((m) => m.size > 0n).sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    for (let i = 1; i < this.byAddress.length; i++) {
      const prev = this.byAddress[i - 1]!;
      const cur = this.byAddress[i]!;
      if (prev.start + prev.size > cur.start) {
        throw new DumpFormatError('overlapping-segments', `PT_LOAD segments overlap: guest ${hx(prev.start)}..${hx(prev.start + prev.size)} and ${hx(cur.start)}..${hx(cur.start + cur.size)}`, Number(this.header.phoff));
      }
    }
  }

  /** The segment holding guest address `addr`, or undefined. */
  segmentAt(addr: bigint): MemorySegment | undefined {
    const list = this.byAddress;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = list[mid]!;
      if (addr < s.start) hi = mid - 1;
      else if (addr >= s.start + s.size) lo = mid + 1;
      else return s;
    }
    return undefined;
  }

  /** Reads `length` bytes of guest memory at absolute address `addr`, across segments. */
  async readMemory(addr: bigint, length: number, out?: Uint8Array): Promise<Uint8Array> {
    if (length > READER_LIMITS.maxReadBytes) throw new DumpFormatError('too-large', `a single memory read of ${length} bytes is too large; read in pieces`);
    const buf = out ?? new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const a = addr + BigInt(done);
      const seg = this.segmentAt(a);
      if (seg === undefined) throw new DumpFormatError('address-not-in-dump', `guest address ${hx(a)} is not in any PT_LOAD segment of this dump`);
      const rel = a - seg.start;
      const inSeg = Number(seg.start + seg.size - a < BigInt(length - done) ? seg.start + seg.size - a : BigInt(length - done));
      const fromFile = rel < seg.fileSize ? Math.min(inSeg, Number(seg.fileSize - rel)) : 0;
      if (fromFile > 0) await this.file.read(seg.fileOffset + rel, fromFile, `memory at ${hx(a)}`, buf.subarray(done, done + fromFile));
      buf.fill(0, done + fromFile, done + inSeg);
      done += inSeg;
    }
    return buf;
  }

  /**
   * Streams the memory of every PT_LOAD (in file order), `chunkSize` bytes at a time, each chunk a
   * fresh buffer. Bytes past p_filesz are yielded as zeros.
   */
  async *memoryChunks(chunkSize = 1 << 20): AsyncGenerator<MemoryChunk> {
    for (const seg of this.memory) {
      for (let off = 0n; off < seg.size; off += BigInt(chunkSize)) {
        const n = Number(seg.size - off < BigInt(chunkSize) ? seg.size - off : BigInt(chunkSize));
        yield { address: seg.start + off, data: await this.readMemory(seg.start + off, n) };
      }
    }
  }

  /** Raw file bytes, bounds-checked. */
  async readFile(offset: bigint | number, length: number, out?: Uint8Array): Promise<Uint8Array> {
    if (length > READER_LIMITS.maxReadBytes) throw new DumpFormatError('too-large', `a single read of ${length} bytes is too large; read in pieces`);
    return this.file.read(offset, length, `file range at ${hx(offset)}`, out);
  }

  /** The bytes of a section by name (at most 1 GiB). */
  async readSection(name: string): Promise<Uint8Array> {
    const s = this.section(name);
    if (s === undefined) throw new DumpFormatError('no-such-section', `the dump has no section named ${name}`);
    if (s.header.size > BigInt(READER_LIMITS.maxReadBytes)) throw new DumpFormatError('too-large', `section ${name} of ${hx(s.header.size)} bytes is too large to read at once`);
    return this.file.read(s.header.offset, Number(s.header.size), `section ${name}`);
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}

function isGlobalNote(owner: string, type: number): boolean {
  return owner === N.OWNER_VMCOREINFO || type === N.NT_PRPSINFO || type === N.NT_AUXV;
}

function sectionName(table: Uint8Array, at: number, shdrOffset: number): string {
  if (at >= table.length) {
    throw new DumpFormatError('bad-section-headers', `section name offset ${at} is outside the ${table.length}-byte name table`, shdrOffset);
  }
  const end = table.indexOf(0, at);
  return new TextDecoder().decode(table.subarray(at, end < 0 ? table.length : end));
}

function bswap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}
