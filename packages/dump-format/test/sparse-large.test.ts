/** A 64 GiB dump (a sparse file: headers written, memory a hole) opens lazily and reads anywhere. */
import { open } from 'node:fs/promises';
import { tempPath } from '@pvdump/test-support';
import { expect, it } from 'vitest';
import { openDump, planDump } from '../src/index.ts';
import { patternedCpu } from './helpers.ts';

it('opens a 64 GiB dump reading only headers and notes, and reads its last page', async () => {
  const size = 64n << 30n;
  const layout = planDump({ cpus: [patternedCpu(0), patternedCpu(1)], memory: [{ start: 0n, size }], pv: { memMetaSize: (size >> 20n) * 0x1000n, complSize: 0x1000n } });
  const path = tempPath('64g.elf');
  const fh = await open(path, 'w');
  try {
    await fh.write(layout.head, 0, layout.head.length, 0);
    const tail = new Uint8Array([0xca, 0xfe]);
    await fh.write(tail, 0, 2, Number(layout.memoryOffset + size - 2n));
    await fh.write(layout.shstrtab!.bytes, 0, layout.shstrtab!.bytes.length, Number(layout.shstrtab!.offset));
  } finally {
    await fh.close();
  }
  const rssBefore = process.memoryUsage().rss;
  const d = await openDump(path);
  try {
    expect(BigInt(d.fileSize)).toBe(layout.fileSize);
    expect(d.isPv).toBe(true);
    expect(d.memory[0]!.size).toBe(size);
    const last = await d.readMemory(size - 4096n, 4096);
    expect([...last.subarray(4094)]).toEqual([0xca, 0xfe]);
    expect(d.cpus[1]!.gprs).toEqual(patternedCpu(1).gprs);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(32 * 2 ** 20);
  } finally {
    await d.close();
  }
});
