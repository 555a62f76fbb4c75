/**
 * `DumpWriter.reserveMemory`: a file target hands memory to the caller for positional writes (in
 * any order, from anywhere); the result must equal the same dump written in order. A stream
 * target keeps the in-order path.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { tempPath } from '@pvdump/test-support';
import { describe, expect, it } from 'vitest';
import { DumpWriter, writeDump, type DumpSpec } from '../src/index.ts';
import { patternedCpu, patternMemory } from './helpers.ts';

const SIZE = 0x30000;
const memory = Buffer.concat([...patternMemory(SIZE)]);

function spec(style: 'qemu' | 'zgetdump'): DumpSpec {
  return style === 'qemu'
    ? { cpus: [patternedCpu(0), patternedCpu(1)], memory: [{ start: 0n, size: BigInt(SIZE) }], pv: { memMetaSize: 0x100n, complSize: 0x120n } }
    : { cpus: [patternedCpu(0)], memory: [{ start: 0n, size: BigInt(SIZE) }], style: 'zgetdump' };
}
const pvData = (style: 'qemu' | 'zgetdump') => (style === 'qemu' ? { memMeta: new Uint8Array(0x100).fill(7), compl: new Uint8Array(0x120).fill(9) } : undefined);

describe('DumpWriter.reserveMemory', () => {
  for (const style of ['qemu', 'zgetdump'] as const) {
    it(`positional writes in reverse order give the same file as in-order writes (${style} style)`, async () => {
      const inOrder = tempPath(`in-order-${style}.elf`);
      await writeDump(inOrder, spec(style), [memory.subarray(0, 0x1000), memory.subarray(0x1000)], pvData(style));

      const positional = tempPath(`positional-${style}.elf`);
      const w = await DumpWriter.create(positional, spec(style));
      await w.writeMemory(memory.subarray(0, 0x1000)); // some memory in order first
      const at = await w.reserveMemory();
      expect(at).toBeDefined();
      expect(at!.bytes).toBe(SIZE - 0x1000);
      expect(at!.offset).toBe(Number(w.layout.memoryOffset) + 0x1000);
      expect(w.memoryRemaining).toBe(0n);
      // Another descriptor of the same file, as a child process would have: chunks from the end.
      const fd = openSync(positional, 'r+');
      const step = 0x7000; // does not divide the reserved bytes: the last chunk is short
      for (let off = Math.floor((at!.bytes - 1) / step) * step; off >= 0; off -= step) {
        const n = Math.min(step, at!.bytes - off);
        expect(writeSync(fd, memory, 0x1000 + off, n, at!.offset + off)).toBe(n);
      }
      closeSync(fd);
      await w.finish(pvData(style));
      expect(readFileSync(positional).equals(readFileSync(inOrder))).toBe(true);
    });
  }

  it('is undefined for a stream target, which still takes memory in order', async () => {
    const stream = new PassThrough();
    const parts: Buffer[] = [];
    stream.on('data', (b: Buffer) => parts.push(b));
    const w = await DumpWriter.create(stream, spec('zgetdump'));
    expect(await w.reserveMemory()).toBeUndefined();
    expect(w.memoryRemaining).toBe(BigInt(SIZE));
    await w.writeMemory(memory);
    await w.finish();
    const inOrder = tempPath('stream-ref.elf');
    await writeDump(inOrder, spec('zgetdump'), [memory]);
    expect(Buffer.concat(parts).equals(readFileSync(inOrder))).toBe(true);
  });
});
