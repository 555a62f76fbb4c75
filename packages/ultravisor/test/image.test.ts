// Guest ELF loading for protected images (checked against objcopy) and its refusals; the images
// themselves are genprotimg-build.test.ts's.
import { readFileSync, writeFileSync } from 'node:fs';
import { fixturePath, requireTool, run, tempPath } from '@pvdump/test-support';
import { describe, expect, it } from 'vitest';
import { ImageError, PAGE_SIZE, loadGuestElf, type GuestMemoryImage, type ImageErrorReason } from '../src/image/index.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function reasonOf(fn: () => unknown): ImageErrorReason | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof ImageError) {
      expect(err.userError).toBe(true);
      return err.reason;
    }
    throw err;
  }
  return undefined;
}

/** Assembles and links a guest with two loadable ranges: two pages at 0 and three at 0x20000. */
function twoRangeGuest(): Uint8Array {
  requireTool('s390x-linux-gnu-gcc');
  const src = tempPath('two.S');
  const ld = tempPath('two.ld');
  const out = tempPath('two.elf');
  writeFileSync(
    src,
    [
      '    .section .head, "ax"',
      '    .globl _start',
      '    .org 0x300',
      '_start: j _start',
      '    .org 0x1ff0',
      '    .ascii "end of page one"',
      '    .org 0x1800 + 0x1000',
      '    .section .data, "aw"',
      '    .ascii "DATA-START"',
      '    .fill 0x2400, 1, 0x5a',
      '    .ascii "DATA-END"',
      '',
    ].join('\n'),
  );
  writeFileSync(ld, 'ENTRY(_start)\nSECTIONS {\n  .head 0 : AT(0) { *(.head) }\n  .data 0x20000 : AT(0x20000) { *(.data) }\n}\n');
  run('s390x-linux-gnu-gcc', ['-nostdlib', '-static', '-Wl,--build-id=none', `-Wl,-T,${ld}`, '-o', out, src]);
  return new Uint8Array(readFileSync(out));
}

/** The loaded bytes as objcopy sees them: a flat binary from the lowest address. */
function objcopyFlat(elf: Uint8Array): Uint8Array {
  requireTool('s390x-linux-gnu-objcopy');
  const inPath = tempPath('in.elf');
  const outPath = tempPath('flat.bin');
  writeFileSync(inPath, elf);
  run('s390x-linux-gnu-objcopy', ['-O', 'binary', inPath, outPath]);
  return new Uint8Array(readFileSync(outPath));
}

function flatten(guest: GuestMemoryImage, length: number): Uint8Array {
  const flat = new Uint8Array(length);
  for (const p of guest.pages) {
    const at = Number(p.address);
    if (at < length) flat.set(p.data.subarray(0, Math.min(PAGE_SIZE, length - at)), at);
  }
  return flat;
}

describe('loadGuestElf', () => {
  it('loads the crash fixture guest as objcopy does', () => {
    const elf = new Uint8Array(readFileSync(fixturePath('qemu-7.2-crash/guest.elf')));
    const guest = loadGuestElf(elf);
    expect(guest.entry).toBe(0x200n);
    expect(guest.pages.map((p) => p.address)).toEqual([0n]);
    const flat = objcopyFlat(elf);
    expect(flat.length).toBe(0x2e8);
    expect(hex(guest.pages[0]!.data.subarray(0, flat.length))).toBe(hex(flat));
    expect(guest.pages[0]!.data.subarray(flat.length).every((b) => b === 0)).toBe(true);
  });

  it('loads a guest with two address ranges as objcopy does', () => {
    const elf = twoRangeGuest();
    const guest = loadGuestElf(elf);
    expect(guest.entry).toBe(0x300n);
    expect(guest.pages.map((p) => p.address)).toEqual([0n, 0x1000n, 0x2000n, 0x20000n, 0x21000n, 0x22000n]);
    const flat = objcopyFlat(elf);
    expect(hex(flatten(guest, flat.length))).toBe(hex(flat));
  });

  it('refuses files that are not big-endian s390x executables', () => {
    const elf = new Uint8Array(readFileSync(fixturePath('qemu-7.2-crash/guest.elf')));
    const edit = (f: (b: Uint8Array, v: DataView) => void): Uint8Array => {
      const b = elf.slice();
      f(b, new DataView(b.buffer));
      return b;
    };
    expect(reasonOf(() => loadGuestElf(new Uint8Array(readFileSync('/bin/sh'))))).toBe('bad-guest-elf');
    expect(reasonOf(() => loadGuestElf(new Uint8Array(10)))).toBe('bad-guest-elf');
    expect(reasonOf(() => loadGuestElf(edit((b) => (b[5] = 1))))).toBe('bad-guest-elf');
    expect(reasonOf(() => loadGuestElf(edit((_, v) => v.setUint16(18, 62))))).toBe('bad-guest-elf');
    expect(reasonOf(() => loadGuestElf(edit((_, v) => v.setUint16(16, 4))))).toBe('bad-guest-elf');
    expect(reasonOf(() => loadGuestElf(edit((_, v) => v.setBigUint64(32, 0xffffn))))).toBe('bad-guest-elf');
    // p_filesz (and p_memsz) of the first PT_LOAD run past the end of the file.
    const pastEnd = edit((_, v) => {
      v.setBigUint64(64 + 32, 0x100000n);
      v.setBigUint64(64 + 40, 0x100000n);
    });
    expect(reasonOf(() => loadGuestElf(pastEnd))).toBe('bad-guest-elf');
    expect(() => loadGuestElf(pastEnd)).toThrow(/program header 0: file bytes 4096\+1048576 run past the end of the 5504-byte file/);
    expect(reasonOf(() => loadGuestElf(edit((_, v) => v.setBigUint64(64 + 32, 0x1000n))))).toBe('bad-guest-elf');
    expect(() => loadGuestElf(edit((_, v) => v.setBigUint64(64 + 32, 0x1000n)))).toThrow(/p_filesz 4096 exceeds p_memsz 744/);
    // The page limit is checked before pages are allocated.
    expect(reasonOf(() => loadGuestElf(twoRangeGuest(), { maxPages: 4 }))).toBe('guest-too-large');
  });
});
