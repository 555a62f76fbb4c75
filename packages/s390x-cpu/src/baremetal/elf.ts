// Minimal ELF64 big-endian (s390x) executable reader for loading guests: the ELF header and
// PT_LOAD program headers (ELF gABI; s390x ABI: EM_S390 = 22, ELFCLASS64, ELFDATA2MSB). Reads
// only the headers and the segment bytes, with every offset and size checked against the file.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** A guest-loading error: bad or unsupported ELF file (the CLI prints it without a stack). */
export class ElfLoadError extends Error {
  readonly userError = true;
  constructor(message: string) {
    super(message);
    this.name = 'ElfLoadError';
  }
}

export const EM_S390 = 22;
export const PT_LOAD = 1;

/** ELF64 header offsets used here (size 64). */
const EH = { ident: 0, type: 16, machine: 18, entry: 24, phoff: 32, phentsize: 54, phnum: 56, size: 64 } as const;
/** ELF64 program header offsets (size 56). */
const PH = { type: 0, flags: 4, offset: 8, vaddr: 16, paddr: 24, filesz: 32, memsz: 40, size: 56 } as const;

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
    if (fileSize < EH.size) throw new ElfLoadError(`${path}: ${fileSize} bytes is too small for an ELF header (64 bytes); not an ELF file`);
    const h = readAt(fd, 0, EH.size, path);
    const dv = new DataView(h.buffer);
    if (dv.getUint32(0) !== 0x7f454c46) throw new ElfLoadError(`${path}: no ELF magic at offset 0; not an ELF file`);
    if (h[4] !== 2) throw new ElfLoadError(`${path}: ELF class ${h[4]} at offset 4 is not ELFCLASS64; s390x guests are 64-bit`);
    if (h[5] !== 2) throw new ElfLoadError(`${path}: ELF data encoding ${h[5]} at offset 5 is not big-endian; not an s390x file`);
    const machine = dv.getUint16(EH.machine);
    if (machine !== EM_S390) throw new ElfLoadError(`${path}: e_machine ${machine} at offset 18 is not EM_S390 (22); built for another architecture?`);
    const phoff = Number(dv.getBigUint64(EH.phoff));
    const phentsize = dv.getUint16(EH.phentsize);
    const phnum = dv.getUint16(EH.phnum);
    if (phnum > MAX_PROGRAM_HEADERS) throw new ElfLoadError(`${path}: e_phnum ${phnum} exceeds the limit of ${MAX_PROGRAM_HEADERS}`);
    if (phnum > 0 && phentsize < PH.size) throw new ElfLoadError(`${path}: e_phentsize ${phentsize} at offset 54 is smaller than 56`);
    if (phoff + phnum * phentsize > fileSize) {
      throw new ElfLoadError(`${path}: program headers at offset ${phoff} (${phnum} × ${phentsize} bytes) extend past the end of the ${fileSize}-byte file`);
    }
    const segments: ElfSegment[] = [];
    for (let i = 0; i < phnum; i++) {
      const at = phoff + i * phentsize;
      const p = new DataView(readAt(fd, at, PH.size, path).buffer);
      const seg: ElfSegment = {
        type: p.getUint32(PH.type),
        flags: p.getUint32(PH.flags),
        offset: Number(p.getBigUint64(PH.offset)),
        vaddr: p.getBigUint64(PH.vaddr),
        paddr: p.getBigUint64(PH.paddr),
        filesz: Number(p.getBigUint64(PH.filesz)),
        memsz: Number(p.getBigUint64(PH.memsz)),
      };
      if (seg.type === PT_LOAD) {
        if (seg.offset + seg.filesz > fileSize) {
          throw new ElfLoadError(`${path}: PT_LOAD ${i} (header at offset ${at}) has ${seg.filesz} bytes at offset ${seg.offset}, past the end of the ${fileSize}-byte file`);
        }
        if (seg.filesz > seg.memsz) throw new ElfLoadError(`${path}: PT_LOAD ${i} (header at offset ${at}) has p_filesz ${seg.filesz} > p_memsz ${seg.memsz}`);
      }
      segments.push(seg);
    }
    return { path, fileSize, type: dv.getUint16(EH.type), entry: dv.getBigUint64(EH.entry), segments };
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
