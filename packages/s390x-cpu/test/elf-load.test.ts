// Loading ELF guests: bad files are rejected with user errors that name the offset and cause.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath, tempPath } from '@pvdump/test-support';
import { ElfLoadError, readElfImage, runBareMetal, createBareMetalMachine } from '../src/baremetal/index.ts';

describe('ELF loading', () => {
  it('loads the fixture guest at its physical addresses and starts at the entry with the IPL PSW', () => {
    const m = createBareMetalMachine(fixturePath('qemu-7.2-crash/guest.elf'));
    const elf = readFileSync(fixturePath('qemu-7.2-crash/guest.elf'));
    expect(Buffer.from(m.memory.read(0, 0x2e8)).equals(elf.subarray(0x1000, 0x12e8))).toBe(true);
    expect(m.cpus[0]!.getPsw()).toEqual({ mask: 0x0000000180000000n, addr: 0x200n });
    expect(m.image.entry).toBe(0x200n);
  });
});

describe('ELF loading errors', () => {
  it('rejects a file that is not ELF with a user error naming the offset', () => {
    const path = fixturePath('qemu-7.2-crash/guest.S');
    expect(() => readElfImage(path)).toThrow(ElfLoadError);
    expect(() => readElfImage(path)).toThrow(/no ELF magic at offset 0/);
  });
  /** guest.elf with its PT_LOAD header (at file offset 64) patched by `patch`. */
  function patchedGuest(patch: (ph: DataView) => void): string {
    const bytes = Uint8Array.from(readFileSync(fixturePath('qemu-7.2-crash/guest.elf')));
    patch(new DataView(bytes.buffer, 64, 56));
    const path = tempPath('guest.elf');
    writeFileSync(path, bytes);
    return path;
  }
  it('rejects a guest that does not fit in memory', () => {
    const path = patchedGuest((ph) => ph.setBigUint64(24, 0x100000n));
    expect(() => runBareMetal(path, { memorySize: 0x10000 })).toThrow(/PT_LOAD 0 at 0x100000 .* does not fit/);
  });
  it('rejects a segment that extends past the end of the file', () => {
    const path = patchedGuest((ph) => ph.setBigUint64(32, 0x100000n));
    expect(() => readElfImage(path)).toThrow(/PT_LOAD 0 \(header at offset 64\) has 1048576 bytes at offset 4096, past the end/);
  });
});
