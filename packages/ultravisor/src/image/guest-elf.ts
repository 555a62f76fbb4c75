/**
 * Loads a bare-metal s390x guest from its ELF executable (ELF64, big-endian, EM_S390; headers
 * decoded with @pvdump/elf's layouts): the PT_LOAD segments placed at their physical addresses
 * (p_paddr, guest absolute) and cut into 4 KiB pages, plus the entry point. Bytes past p_filesz
 * read as zero; pages that hold no file bytes at all are left out, because a secure page that was
 * never imported reads as zero anyway.
 */
import { EHDR_SIZE, ELFCLASS64, ELFDATA2MSB, ELF_MAGIC, EM_S390, ET_EXEC, Ehdr, PHDR_SIZE, PT_LOAD, decodeEhdr, decodePhdr } from '@pvdump/elf';
import { ImageError } from './errors.js';

export const PAGE_SIZE = 4096;
/** Largest guest the image builder takes: 1 GiB of loaded pages. */
export const MAX_GUEST_PAGES = 1 << 18;

export interface GuestPage {
  /** Guest absolute address, 4 KiB aligned. */
  readonly address: bigint;
  /** 4096 plaintext bytes. */
  readonly data: Uint8Array;
}

export interface GuestMemoryImage {
  /** e_entry: the start address for the PSW. */
  readonly entry: bigint;
  /** The loaded pages in ascending address order. */
  readonly pages: readonly GuestPage[];
  /** End of the file bytes: the highest p_paddr + p_filesz. */
  readonly end: bigint;
}

export interface LoadGuestElfOptions {
  /** At most this many pages. Default MAX_GUEST_PAGES. */
  readonly maxPages?: number;
  /**
   * Leave out the ELF header and program header table when a PT_LOAD maps them (linkers put
   * them in front of the first segment): they are file structure, not guest content, and
   * `objcopy -O binary` leaves them out too.
   */
  readonly withoutFileHeaders?: boolean;
}

/** Reads the loadable contents of a guest ELF executable (at most `maxPages` pages). */
export function loadGuestElf(elf: Uint8Array, options: LoadGuestElfOptions = {}): GuestMemoryImage {
  const maxPages = options.maxPages ?? MAX_GUEST_PAGES;
  const bad = (msg: string): ImageError => new ImageError('bad-guest-elf', `guest ELF: ${msg}`);
  if (elf.length < EHDR_SIZE) throw bad(`only ${elf.length} bytes, less than an ELF64 header`);
  if (ELF_MAGIC.some((m, i) => elf[i] !== m)) throw bad('no ELF magic at offset 0 (not an ELF file)');
  if (elf[Ehdr.class] !== ELFCLASS64) throw bad(`EI_CLASS ${elf[Ehdr.class]} at offset 4 is not ELFCLASS64 (s390x guests are 64-bit)`);
  if (elf[Ehdr.data] !== ELFDATA2MSB) throw bad(`EI_DATA ${elf[Ehdr.data]} at offset 5 is not big-endian (s390x is big-endian)`);
  const header = decodeEhdr(elf);
  if (header.machine !== EM_S390) throw bad(`e_machine ${header.machine} at offset 18 is not EM_S390 (22)`);
  if (header.type !== ET_EXEC) throw bad(`e_type ${header.type} at offset 16 is not ET_EXEC (2); build the guest as a static executable`);
  const { phoff, phentsize, phnum } = header;
  if (phentsize !== PHDR_SIZE) throw bad(`e_phentsize ${phentsize} at offset 54 is not ${PHDR_SIZE}`);
  if (phnum === 0) throw bad('no program headers (e_phnum = 0): nothing to load');
  if (phoff + BigInt(phnum * PHDR_SIZE) > BigInt(elf.length)) {
    throw bad(`program headers at offset ${phoff} (${phnum} × ${PHDR_SIZE} bytes) run past the end of the ${elf.length}-byte file`);
  }
  const pages = new Map<bigint, Uint8Array>();
  const pageSize = BigInt(PAGE_SIZE);
  let contentEnd = 0n;
  const programHeadersEnd = phoff + BigInt(phnum * PHDR_SIZE);
  const headersEnd = programHeadersEnd > BigInt(EHDR_SIZE) ? programHeadersEnd : BigInt(EHDR_SIZE);
  for (let i = 0; i < phnum; i++) {
    const programHeader = decodePhdr(elf, Number(phoff) + i * PHDR_SIZE);
    if (programHeader.type !== PT_LOAD) continue;
    let { offset, paddr, filesz } = programHeader;
    const { memsz } = programHeader;
    if (filesz > memsz) throw bad(`program header ${i}: p_filesz ${filesz} exceeds p_memsz ${memsz}`);
    if (offset + filesz > BigInt(elf.length)) throw bad(`program header ${i}: file bytes ${offset}+${filesz} run past the end of the ${elf.length}-byte file`);
    if (paddr + memsz > 1n << 64n) throw bad(`program header ${i}: segment at 0x${paddr.toString(16)} wraps around the address space`);
    if (options.withoutFileHeaders === true && offset < headersEnd) {
      const skip = headersEnd - offset < filesz ? headersEnd - offset : filesz;
      offset += skip;
      paddr += skip;
      filesz -= skip;
    }
    if (filesz === 0n) continue;
    const first = (paddr / pageSize) * pageSize;
    const end = paddr + filesz;
    if (end > contentEnd) contentEnd = end;
    const newPages = (end - first + pageSize - 1n) / pageSize;
    if (BigInt(pages.size) + newPages > BigInt(maxPages)) {
      throw new ImageError('guest-too-large', `guest ELF: program header ${i} brings the guest to more than ${maxPages} pages (${maxPages * 4} KiB), the image builder's limit`);
    }
    const src = elf.subarray(Number(offset), Number(offset + filesz));
    for (let page = first; page < end; page += pageSize) {
      let data = pages.get(page);
      if (data === undefined) {
        data = new Uint8Array(PAGE_SIZE);
        pages.set(page, data);
      }
      // Copy the part of the segment that falls into this page; later segments win on overlap.
      const from = page > paddr ? page - paddr : 0n;
      const to = page + pageSize - paddr < filesz ? page + pageSize - paddr : filesz;
      data.set(src.subarray(Number(from), Number(to)), Number(paddr + from - page));
    }
  }
  if (pages.size === 0) throw bad('no PT_LOAD segment holds any bytes: nothing to load');
  const sorted = [...pages.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { entry: header.entry, pages: sorted.map(([address, data]) => ({ address, data })), end: contentEnd };
}
