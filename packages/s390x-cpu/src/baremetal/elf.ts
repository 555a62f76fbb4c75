// Minimal ELF64 big-endian (s390x) executable reader for loading guests: the ELF header and
// PT_LOAD program headers (ELF gABI; s390x ABI: EM_S390 = 22, ELFCLASS64, ELFDATA2MSB), decoded
// with @pvdump/elf's layouts. Reads only the headers and the segment bytes, with every offset and
// size checked against the file.

import { EHDR_SIZE, ELFCLASS64, ELFDATA2MSB, ELF_MAGIC, EM_S390, Ehdr, PHDR_SIZE, PT_LOAD, decodeEhdr, decodePhdr } from '@pvdump/elf';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** A guest-loading error: bad or unsupported ELF file (the CLI prints it without a stack). */
export class ElfLoadError extends Error {
  readonly userError = true;
  constructor(message: string) {
    super(message);
    this.name = 'ElfLoadError';
  }
}

export { EM_S390, PT_LOAD };

/** Sanity limit on program headers. */
const MAX_PROGRAM_HEADERS = 4096;

export interface ElfSegment {
  type: number;
  flags: number;
  offset: number;
  vaddr: bigint;
  paddr: bigint;
  filesz: number;
  memsz: number;
}

export interface ElfImage {
  path: string;
  fileSize: number;
  /** e_type: 2 executable, 3 shared object, 4 core. */
  type: number;
  entry: bigint;
  segments: ElfSegment[];
}

function readAt(fd: number, offset: number, length: number, path: string): Uint8Array {
  const buf = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, offset + done);
    if (n === 0) throw new ElfLoadError(`${path}: file ends at offset ${offset + done}, expected ${length} bytes at offset ${offset} (truncated file?)`);
    done += n;
  }
  return buf;
}

/** Reads the ELF header and program headers of an s390x ELF64 file. */
export function readElfImage(path: string): ElfImage {
  const fd = openSync(path, 'r');
  try {
    const fileSize = fstatSync(fd).size;
    if (fileSize < EHDR_SIZE) throw new ElfLoadError(`${path}: ${fileSize} bytes is too small for an ELF header (64 bytes); not an ELF file`);
    const h = readAt(fd, 0, EHDR_SIZE, path);
    if (ELF_MAGIC.some((m, i) => h[i] !== m)) throw new ElfLoadError(`${path}: no ELF magic at offset 0; not an ELF file`);
    if (h[Ehdr.class] !== ELFCLASS64) throw new ElfLoadError(`${path}: ELF class ${h[Ehdr.class]} at offset 4 is not ELFCLASS64; s390x guests are 64-bit`);
    if (h[Ehdr.data] !== ELFDATA2MSB) throw new ElfLoadError(`${path}: ELF data encoding ${h[Ehdr.data]} at offset 5 is not big-endian; not an s390x file`);
    const header = decodeEhdr(h);
    if (header.machine !== EM_S390) throw new ElfLoadError(`${path}: e_machine ${header.machine} at offset 18 is not EM_S390 (22); built for another architecture?`);
    const phoff = Number(header.phoff);
    const { phentsize, phnum } = header;
    if (phnum > MAX_PROGRAM_HEADERS) throw new ElfLoadError(`${path}: e_phnum ${phnum} exceeds the limit of ${MAX_PROGRAM_HEADERS}`);
    if (phnum > 0 && phentsize < PHDR_SIZE) throw new ElfLoadError(`${path}: e_phentsize ${phentsize} at offset 54 is smaller than 56`);
    if (phoff + phnum * phentsize > fileSize) {
      throw new ElfLoadError(`${path}: program headers at offset ${phoff} (${phnum} × ${phentsize} bytes) extend past the end of the ${fileSize}-byte file`);
    }
    const segments: ElfSegment[] = [];
    for (let i = 0; i < phnum; i++) {
      const at = phoff + i * phentsize;
      const p = decodePhdr(readAt(fd, at, PHDR_SIZE, path));
      const seg: ElfSegment = {
        type: p.type,
        flags: p.flags,
        offset: Number(p.offset),
        vaddr: p.vaddr,
        paddr: p.paddr,
        filesz: Number(p.filesz),
        memsz: Number(p.memsz),
      };
      if (seg.type === PT_LOAD) {
        if (seg.offset + seg.filesz > fileSize) {
          throw new ElfLoadError(`${path}: PT_LOAD ${i} (header at offset ${at}) has ${seg.filesz} bytes at offset ${seg.offset}, past the end of the ${fileSize}-byte file`);
        }
        if (seg.filesz > seg.memsz) throw new ElfLoadError(`${path}: PT_LOAD ${i} (header at offset ${at}) has p_filesz ${seg.filesz} > p_memsz ${seg.memsz}`);
      }
      segments.push(seg);
    }
    return { path, fileSize, type: header.type, entry: header.entry, segments };
  } finally {
    closeSync(fd);
  }
}

/** Copy target for `loadElfSegments`: absolute storage of a given size. */
export interface LoadTarget {
  readonly size: number;
  write(address: number, data: Uint8Array): void;
}

/**
 * Copies every PT_LOAD segment to `target` at its physical (`p_paddr`) or virtual address,
 * zero-filling up to p_memsz, reading the file in chunks of at most 1 MiB.
 */
export function loadElfSegments(image: ElfImage, target: LoadTarget, useVirtual = false): void {
  const fd = openSync(image.path, 'r');
  try {
    image.segments.forEach((seg, i) => {
      if (seg.type !== PT_LOAD) return;
      const start = useVirtual ? seg.vaddr : seg.paddr;
      if (start + BigInt(seg.memsz) > BigInt(target.size)) {
        throw new ElfLoadError(`${image.path}: PT_LOAD ${i} at 0x${start.toString(16)} (+0x${seg.memsz.toString(16)} bytes) does not fit in 0x${target.size.toString(16)} bytes of guest memory; give the guest more memory`);
      }
      const base = Number(start);
      const chunk = 1 << 20;
      for (let done = 0; done < seg.filesz; done += chunk) {
        const n = Math.min(chunk, seg.filesz - done);
        target.write(base + done, readAt(fd, seg.offset + done, n, image.path));
      }
      const zeros = new Uint8Array(Math.min(chunk, seg.memsz - seg.filesz));
      for (let done = seg.filesz; done < seg.memsz; done += chunk) {
        target.write(base + done, zeros.subarray(0, Math.min(chunk, seg.memsz - done)));
      }
    });
  } finally {
    closeSync(fd);
  }
}
