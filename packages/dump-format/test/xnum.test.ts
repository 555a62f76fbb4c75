/** PN_XNUM: 65535 or more program headers, the real count in sh_info of section header 0. */
import { readFileSync } from 'node:fs';
import { requireTool, runStatus, tempPath } from '@pvdump/test-support';
import { describe, expect, it } from 'vitest';
import { elf, openDump, writeDump } from '../src/index.ts';
import { patternedCpu } from './helpers.ts';

describe('PN_XNUM', () => {
  it('round-trips 70,000 PT_LOAD segments in both layouts', async () => {
    const count = 70_000;
    // One 16-byte piece of each 4 KiB page; the rest of the page reads as zeros (p_memsz > p_filesz).
    const memory = Array.from({ length: count }, (_, i) => ({ start: BigInt(i) * 0x1000n, size: 0x1000n, fileSize: 16n }));
    function* data(): Generator<Uint8Array> {
      for (let i = 0; i < count; i++) {
        const b = new Uint8Array(16);
        new DataView(b.buffer).setUint32(0, i);
        yield b;
      }
    }
    for (const style of ['qemu', 'zgetdump'] as const) {
      const path = tempPath(`xnum-${style}.elf`);
      await writeDump(path, { cpus: [patternedCpu(0, false)], memory, style }, data());
      const raw = readFileSync(path);
      expect(raw.readUInt16BE(elf.Ehdr.phnum)).toBe(elf.PN_XNUM);
      const d = await openDump(path);
      try {
        const loads = style === 'qemu' ? count : 2 * count; // zgetdump splits each zero tail into its own PT_LOAD
        expect(d.programHeaders).toHaveLength(loads + 1);
        expect(d.sections[0]!.header.info).toBe(loads + 1);
        expect(d.memory.filter((m) => m.fileSize > 0n)).toHaveLength(count);
        for (const i of [0, 1, 4242, 65534, 65535, count - 1]) {
          const bytes = await d.readMemory(BigInt(i) * 0x1000n, 32);
          expect(new DataView(bytes.buffer).getUint32(0)).toBe(i);
          expect(bytes.subarray(16).every((x) => x === 0)).toBe(true);
        }
        expect(d.cpus[0]!.gprs).toEqual(patternedCpu(0, false).gprs);
      } finally {
        await d.close();
      }
      const r = runStatus(requireTool('readelf'), ['-h', path]);
      expect(r.stdout).toMatch(new RegExp(`Number of program headers:\\s+65535 \\(${style === 'qemu' ? count + 1 : 2 * count + 1}\\)`));
    }
  });
});
