/**
 * Raw ELF64 definitions for s390x (System V gABI; s390x ELF ABI: EM_S390, ELFCLASS64,
 * ELFDATA2MSB; docs/elf-core-format.md): constants, and the byte layouts of the ELF header,
 * program headers, section headers and note headers with their decoders and encoders. Every
 * decoder and encoder checks that the whole structure lies inside the buffer. Fields are
 * big-endian; a few QEMU 7.2 core fields are little-endian by mistake, so the section header
 * codecs take that byte order as an option.
 */

export const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46] as const;
export const ELFCLASS64 = 2;
export const ELFDATA2MSB = 2;
export const EV_CURRENT = 1;
export const ET_EXEC = 2;
export const ET_CORE = 4;
export const EM_S390 = 22;

export const EHDR_SIZE = 64;
export const PHDR_SIZE = 56;
export const SHDR_SIZE = 64;
export const NOTE_HEADER_SIZE = 12;

export const PT_LOAD = 1;
export const PT_NOTE = 4;
/** e_phnum value meaning "the real count is in sh_info of section header 0". */
export const PN_XNUM = 0xffff;
/** e_shstrndx value meaning "the real index is in sh_link of section header 0". */
export const SHN_XINDEX = 0xffff;
/** Sections numbered at or above this cannot be stored in e_shnum. */
export const SHN_LORESERVE = 0xff00;

export const SHT_NULL = 0;
export const SHT_PROGBITS = 1;
export const SHT_STRTAB = 3;

/** Byte offsets in the 64-byte ELF header. */
export const Ehdr = {
  ident: 0,
  class: 4,
  data: 5,
  identVersion: 6,
  osabi: 7,
  type: 16,
  machine: 18,
  version: 20,
  entry: 24,
  phoff: 32,
  shoff: 40,
  flags: 48,
  ehsize: 52,
  phentsize: 54,
  phnum: 56,
  shentsize: 58,
  shnum: 60,
  shstrndx: 62,
} as const;

/** Byte offsets in a 56-byte program header. */
export const Phdr = { type: 0, flags: 4, offset: 8, vaddr: 16, paddr: 24, filesz: 32, memsz: 40, align: 48 } as const;

/** Byte offsets in a 64-byte section header. */
export const Shdr = {
  name: 0,
  type: 4,
  flags: 8,
  addr: 16,
  offset: 24,
  size: 32,
  link: 40,
  info: 44,
  addralign: 48,
  entsize: 56,
} as const;

/** Byte offsets in a note header; name and descriptor follow, each padded to 4 bytes. */
export const NoteHdr = { namesz: 0, descsz: 4, type: 8 } as const;

export interface ElfHeader {
  osabi: number;
  type: number;
  machine: number;
  version: number;
  entry: bigint;
  phoff: bigint;
  shoff: bigint;
  flags: number;
  ehsize: number;
  phentsize: number;
  /** e_phnum as stored (0xFFFF for PN_XNUM). */
  phnum: number;
  shentsize: number;
  /** e_shnum as stored (0 when the count is in section header 0). */
  shnum: number;
  shstrndx: number;
}

export interface ProgramHeader {
  type: number;
  flags: number;
  offset: bigint;
  vaddr: bigint;
  paddr: bigint;
  filesz: bigint;
  memsz: bigint;
  align: bigint;
}

export interface SectionHeader {
  name: number;
  type: number;
  flags: bigint;
  addr: bigint;
  offset: bigint;
  size: bigint;
  link: number;
  info: number;
  addralign: bigint;
  entsize: bigint;
}

/** Rounds up to a multiple of 4 (note name and descriptor padding). */
export const pad4 = (n: number): number => (n + 3) & ~3;

export interface NoteHeader {
  namesz: number;
  descsz: number;
  type: number;
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** Throws a RangeError naming the structure unless `size` bytes lie at `at` in `b`. */
function need(b: Uint8Array, at: number, size: number, what: string): void {
  if (!Number.isSafeInteger(at) || at < 0 || at + size > b.length) {
    throw new RangeError(`${what} at byte ${at} needs ${size} bytes, but the buffer holds ${b.length}`);
  }
}

/** True when `b` starts with the identification of an ELF64 big-endian file (magic, class, data). */
export function isElf64BigEndian(b: Uint8Array): boolean {
  return b.length >= 6 && ELF_MAGIC.every((m, i) => b[i] === m) && b[Ehdr.class] === ELFCLASS64 && b[Ehdr.data] === ELFDATA2MSB;
}

export function decodeEhdr(b: Uint8Array): ElfHeader {
  need(b, 0, EHDR_SIZE, 'ELF header');
  const v = view(b);
  return {
    osabi: b[Ehdr.osabi] ?? 0,
    type: v.getUint16(Ehdr.type),
    machine: v.getUint16(Ehdr.machine),
    version: v.getUint32(Ehdr.version),
    entry: v.getBigUint64(Ehdr.entry),
    phoff: v.getBigUint64(Ehdr.phoff),
    shoff: v.getBigUint64(Ehdr.shoff),
    flags: v.getUint32(Ehdr.flags),
    ehsize: v.getUint16(Ehdr.ehsize),
    phentsize: v.getUint16(Ehdr.phentsize),
    phnum: v.getUint16(Ehdr.phnum),
    shentsize: v.getUint16(Ehdr.shentsize),
    shnum: v.getUint16(Ehdr.shnum),
    shstrndx: v.getUint16(Ehdr.shstrndx),
  };
}

/** Encodes a big-endian ELF64 s390x header into `out` (64 bytes). */
export function encodeEhdr(h: ElfHeader, out: Uint8Array = new Uint8Array(EHDR_SIZE)): Uint8Array {
  need(out, 0, EHDR_SIZE, 'ELF header');
  const v = view(out);
  out.set(ELF_MAGIC, 0);
  out[Ehdr.class] = ELFCLASS64;
  out[Ehdr.data] = ELFDATA2MSB;
  out[Ehdr.identVersion] = EV_CURRENT;
  out[Ehdr.osabi] = h.osabi;
  v.setUint16(Ehdr.type, h.type);
  v.setUint16(Ehdr.machine, h.machine);
  v.setUint32(Ehdr.version, h.version);
  v.setBigUint64(Ehdr.entry, h.entry);
  v.setBigUint64(Ehdr.phoff, h.phoff);
  v.setBigUint64(Ehdr.shoff, h.shoff);
  v.setUint32(Ehdr.flags, h.flags);
  v.setUint16(Ehdr.ehsize, h.ehsize);
  v.setUint16(Ehdr.phentsize, h.phentsize);
  v.setUint16(Ehdr.phnum, h.phnum);
  v.setUint16(Ehdr.shentsize, h.shentsize);
  v.setUint16(Ehdr.shnum, h.shnum);
  v.setUint16(Ehdr.shstrndx, h.shstrndx);
  return out;
}

export function decodePhdr(b: Uint8Array, at = 0): ProgramHeader {
  need(b, at, PHDR_SIZE, 'program header');
  const v = view(b);
  return {
    type: v.getUint32(at + Phdr.type),
    flags: v.getUint32(at + Phdr.flags),
    offset: v.getBigUint64(at + Phdr.offset),
    vaddr: v.getBigUint64(at + Phdr.vaddr),
    paddr: v.getBigUint64(at + Phdr.paddr),
    filesz: v.getBigUint64(at + Phdr.filesz),
    memsz: v.getBigUint64(at + Phdr.memsz),
    align: v.getBigUint64(at + Phdr.align),
  };
}

export function encodePhdr(p: ProgramHeader, out: Uint8Array, at = 0): void {
  need(out, at, PHDR_SIZE, 'program header');
  const v = view(out);
  v.setUint32(at + Phdr.type, p.type);
  v.setUint32(at + Phdr.flags, p.flags);
  v.setBigUint64(at + Phdr.offset, p.offset);
  v.setBigUint64(at + Phdr.vaddr, p.vaddr);
  v.setBigUint64(at + Phdr.paddr, p.paddr);
  v.setBigUint64(at + Phdr.filesz, p.filesz);
  v.setBigUint64(at + Phdr.memsz, p.memsz);
  v.setBigUint64(at + Phdr.align, p.align);
}

export function decodeShdr(b: Uint8Array, at = 0, littleEndian = false): SectionHeader {
  need(b, at, SHDR_SIZE, 'section header');
  const v = view(b);
  return {
    name: v.getUint32(at + Shdr.name, littleEndian),
    type: v.getUint32(at + Shdr.type, littleEndian),
    flags: v.getBigUint64(at + Shdr.flags, littleEndian),
    addr: v.getBigUint64(at + Shdr.addr, littleEndian),
    offset: v.getBigUint64(at + Shdr.offset, littleEndian),
    size: v.getBigUint64(at + Shdr.size, littleEndian),
    link: v.getUint32(at + Shdr.link, littleEndian),
    info: v.getUint32(at + Shdr.info, littleEndian),
    addralign: v.getBigUint64(at + Shdr.addralign, littleEndian),
    entsize: v.getBigUint64(at + Shdr.entsize, littleEndian),
  };
}

/**
 * Encodes a section header. `quirkLittleEndian` reproduces QEMU 7.2 on a little-endian host,
 * which leaves sh_name, sh_type, sh_offset and sh_size in host order.
 */
export function encodeShdr(s: SectionHeader, out: Uint8Array, at = 0, quirkLittleEndian = false): void {
  need(out, at, SHDR_SIZE, 'section header');
  const v = view(out);
  const le = quirkLittleEndian;
  v.setUint32(at + Shdr.name, s.name, le);
  v.setUint32(at + Shdr.type, s.type, le);
  v.setBigUint64(at + Shdr.flags, s.flags);
  v.setBigUint64(at + Shdr.addr, s.addr);
  v.setBigUint64(at + Shdr.offset, s.offset, le);
  v.setBigUint64(at + Shdr.size, s.size, le);
  v.setUint32(at + Shdr.link, s.link);
  v.setUint32(at + Shdr.info, s.info);
  v.setBigUint64(at + Shdr.addralign, s.addralign);
  v.setBigUint64(at + Shdr.entsize, s.entsize);
}

export function emptyShdr(): SectionHeader {
  return { name: 0, type: SHT_NULL, flags: 0n, addr: 0n, offset: 0n, size: 0n, link: 0, info: 0, addralign: 0n, entsize: 0n };
}

export function decodeNoteHeader(b: Uint8Array, at = 0): NoteHeader {
  need(b, at, NOTE_HEADER_SIZE, 'note header');
  const v = view(b);
  return { namesz: v.getUint32(at + NoteHdr.namesz), descsz: v.getUint32(at + NoteHdr.descsz), type: v.getUint32(at + NoteHdr.type) };
}

export function encodeNoteHeader(n: NoteHeader, out: Uint8Array, at = 0): void {
  need(out, at, NOTE_HEADER_SIZE, 'note header');
  const v = view(out);
  v.setUint32(at + NoteHdr.namesz, n.namesz);
  v.setUint32(at + NoteHdr.descsz, n.descsz);
  v.setUint32(at + NoteHdr.type, n.type);
}
