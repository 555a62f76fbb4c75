// The ELF64 big-endian layouts: a real s390x executable decodes as readelf reads it, every
// structure round-trips through its encoder, and no decoder or encoder reads or writes past its buffer.
import { readFileSync } from 'node:fs';
import { fixturePath, requireTool, run } from '@pvdump/test-support';
import { describe, expect, it } from 'vitest';
import {
  EHDR_SIZE,
  EM_S390,
  ET_EXEC,
  NOTE_HEADER_SIZE,
  PHDR_SIZE,
  PT_LOAD,
  SHDR_SIZE,
  SHT_STRTAB,
  decodeEhdr,
  decodeNoteHeader,
  decodePhdr,
  decodeShdr,
  emptyShdr,
  encodeEhdr,
  encodeNoteHeader,
  encodePhdr,
  encodeShdr,
  isElf64BigEndian,
  pad4,
} from '../src/index.ts';

const GUEST = fixturePath('genprotimg-2.35/guest.elf');

/** The value readelf prints after `label:` (first field). */
function field(text: string, label: string): string {
  const line = text.split('\n').find((l) => l.trim().startsWith(`${label}:`));
  if (line === undefined) throw new Error(`readelf printed no '${label}'`);
  return line
    .slice(line.indexOf(':') + 1)
    .trim()
    .split(/\s+/)[0]!;
}

describe('ELF64 big-endian layouts', () => {
  it('decode the headers of a real s390x executable as readelf reads them', () => {
    requireTool('readelf');
    const file = new Uint8Array(readFileSync(GUEST));
    const text = run('readelf', ['-h', '-l', '-S', '-W', GUEST]);
    expect(isElf64BigEndian(file)).toBe(true);
    const h = decodeEhdr(file);
    expect(h.machine).toBe(EM_S390);
    expect(h.type).toBe(ET_EXEC);
    expect(h.entry).toBe(BigInt(field(text, 'Entry point address')));
    expect(h.phoff).toBe(BigInt(field(text, 'Start of program headers')));
    expect(h.shoff).toBe(BigInt(field(text, 'Start of section headers')));
    expect(h.phnum).toBe(Number(field(text, 'Number of program headers')));
    expect(h.shnum).toBe(Number(field(text, 'Number of section headers')));
    expect(h.shstrndx).toBe(Number(field(text, 'Section header string table index')));
    expect([h.ehsize, h.phentsize, h.shentsize]).toEqual([EHDR_SIZE, PHDR_SIZE, SHDR_SIZE]);
    // readelf -W prints each program header on one line: type offset vaddr paddr filesz memsz flags align.
    const loads = text.split('\n').filter((l) => l.trim().startsWith('LOAD'));
    expect(loads.length).toBe(h.phnum);
    loads.forEach((line, i) => {
      const [, offset, vaddr, paddr, filesz, memsz] = line.trim().split(/\s+/);
      const p = decodePhdr(file, Number(h.phoff) + i * PHDR_SIZE);
      expect(p.type).toBe(PT_LOAD);
      expect([p.offset, p.vaddr, p.paddr, p.filesz, p.memsz]).toEqual([offset, vaddr, paddr, filesz, memsz].map((x) => BigInt(x!)));
    });
    const strtab = decodeShdr(file, Number(h.shoff) + h.shstrndx * SHDR_SIZE);
    expect(strtab.type).toBe(SHT_STRTAB);
    // Re-encoding the decoded headers gives the file's bytes back.
    expect(Buffer.from(encodeEhdr(h)).equals(Buffer.from(file.subarray(0, EHDR_SIZE)))).toBe(true);
    const ph = new Uint8Array(PHDR_SIZE);
    encodePhdr(decodePhdr(file, Number(h.phoff)), ph);
    expect(Buffer.from(ph).equals(Buffer.from(file.subarray(Number(h.phoff), Number(h.phoff) + PHDR_SIZE)))).toBe(true);
    const sh = new Uint8Array(SHDR_SIZE * h.shnum);
    for (let i = 0; i < h.shnum; i++) encodeShdr(decodeShdr(file, Number(h.shoff) + i * SHDR_SIZE), sh, i * SHDR_SIZE);
    expect(Buffer.from(sh).equals(Buffer.from(file.subarray(Number(h.shoff), Number(h.shoff) + sh.length)))).toBe(true);
  });

  it('section headers round-trip in both byte orders; note headers round-trip', () => {
    const s = { ...emptyShdr(), name: 7, type: SHT_STRTAB, offset: 0x1234n, size: 99n };
    const out = new Uint8Array(SHDR_SIZE);
    encodeShdr(s, out, 0, true);
    expect(out[4]).toBe(SHT_STRTAB); // sh_type little-endian: the low byte first
    expect(decodeShdr(out, 0, true)).toEqual(s);
    const note = new Uint8Array(NOTE_HEADER_SIZE + 4);
    encodeNoteHeader({ namesz: 5, descsz: 336, type: 1 }, note, 4);
    expect([...note.subarray(4, 8)]).toEqual([0, 0, 0, 5]);
    expect(decodeNoteHeader(note, 4)).toEqual({ namesz: 5, descsz: 336, type: 1 });
    expect([pad4(0), pad4(5), pad4(8)]).toEqual([0, 8, 8]);
  });

  it('refuse to read or write a structure that does not fit in its buffer', () => {
    expect(() => decodeEhdr(new Uint8Array(EHDR_SIZE - 1))).toThrow(/ELF header at byte 0 needs 64 bytes, but the buffer holds 63/);
    expect(() => decodePhdr(new Uint8Array(100), 50)).toThrow(RangeError);
    expect(() => decodeShdr(new Uint8Array(SHDR_SIZE), 1)).toThrow(/section header at byte 1/);
    expect(() => decodeNoteHeader(new Uint8Array(NOTE_HEADER_SIZE), -1)).toThrow(RangeError);
    expect(() => encodePhdr(decodePhdr(new Uint8Array(PHDR_SIZE)), new Uint8Array(PHDR_SIZE), 8)).toThrow(RangeError);
    expect(() => encodeNoteHeader({ namesz: 0, descsz: 0, type: 0 }, new Uint8Array(11))).toThrow(/note header/);
    expect(isElf64BigEndian(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1]))).toBe(false);
  });
});
