/**
 * Malformed input: every truncation of a small dump's headers and notes, hand-made corruptions of
 * each header field, and random corruptions (fast-check) must give a DumpFormatError, never a
 * hang, a crash, another exception, or an allocation the file does not justify.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tempPath } from '@pvdump/test-support';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DumpFormatError, elf, openDump, writeDump } from '../src/index.ts';
import { patternedCpu, patternMemory } from './helpers.ts';

let good: Buffer;
let memoryOffset: number;

beforeAll(async () => {
  const path = tempPath('small.elf');
  const layout = await writeDump(path, { cpus: [patternedCpu(0), patternedCpu(1)], memory: [{ start: 0n, size: 0x10000n }], pv: { memMetaSize: 0x100n, complSize: 0x120n } }, patternMemory(0x10000), {
    memMeta: new Uint8Array(0x100),
    compl: new Uint8Array(0x120),
  });
  good = readFileSync(path);
  memoryOffset = Number(layout.memoryOffset);
});

/** Opens `bytes` as a dump and touches everything; returns the error (if any). */
async function tryAll(bytes: Uint8Array, path: string): Promise<unknown> {
  writeFileSync(path, bytes);
  try {
    const d = await openDump(path);
    try {
      for (const m of d.memory) if (m.size > 0n) await d.readMemory(m.start, Number(m.size > 0x100000n ? 0x100000n : m.size));
      for (const s of d.sections) if (s.header.type !== 0 && s.header.size <= 0x100000n) await d.readSection(s.name);
    } finally {
      await d.close();
    }
    return undefined;
  } catch (e) {
    return e;
  }
}

describe('truncation', () => {
  it('at every byte of the headers and notes gives a typed error', async () => {
    const path = tempPath('trunc.elf');
    const fh = await open(path, 'w+');
    try {
      for (let len = 0; len < memoryOffset; len++) {
        await fh.truncate(0);
        await fh.write(good, 0, len, 0);
        const err = await openDump(fh).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err, `truncated to ${len} bytes`).toBeInstanceOf(DumpFormatError);
        const code = (err as DumpFormatError).code;
        expect(['not-elf', 'truncated', 'bad-note', 'bad-section-headers']).toContain(code);
      }
    } finally {
      await fh.close();
    }
  });

  it('inside memory or the sections gives an error that says the dump is truncated', async () => {
    for (const len of [memoryOffset + 1, memoryOffset + 0x8000, good.length - 1]) {
      const err = await tryAll(good.subarray(0, len), tempPath('trunc2.elf'));
      expect(err).toBeInstanceOf(DumpFormatError);
      // Section headers are read first, so a cut that loses .shstrtab is reported there.
      expect(['truncated', 'bad-section-headers']).toContain((err as DumpFormatError).code);
      expect((err as Error).message).toMatch(/truncated/);
    }
  });
});

describe('corrupt fields', () => {
  const put = (mut: (b: Buffer) => void): Buffer => {
    const b = Buffer.from(good);
    mut(b);
    return b;
  };
  const phdr1 = (): number => Number(good.readBigUInt64BE(elf.Ehdr.phoff)) + elf.PHDR_SIZE;
  const cases: [string, () => Buffer, string, RegExp][] = [
    ['not ELF', () => put((b) => b.write('MZ', 0)), 'not-elf', /not an ELF file/],
    ['32-bit', () => put((b) => (b[4] = 1)), 'unsupported-elf', /ELFCLASS64/],
    ['little-endian', () => put((b) => (b[5] = 1)), 'unsupported-elf', /big-endian/],
    ['x86-64', () => put((b) => b.writeUInt16BE(62, elf.Ehdr.machine)), 'unsupported-elf', /EM_S390/],
    ['executable', () => put((b) => b.writeUInt16BE(2, elf.Ehdr.type)), 'unsupported-elf', /executable, not a dump/],
    ['phoff past the end', () => put((b) => b.writeBigUInt64BE(1n << 40n, elf.Ehdr.phoff)), 'truncated', /program headers/],
    [
      'absurd phnum via PN_XNUM',
      () =>
        put((b) => {
          b.writeUInt16BE(0xffff, elf.Ehdr.phnum);
          b.writeUInt32BE(0xffffffff, 64 + elf.Shdr.info);
        }),
      'too-large',
      /program headers/,
    ],
    ['phentsize', () => put((b) => b.writeUInt16BE(32, elf.Ehdr.phentsize)), 'bad-program-headers', /e_phentsize/],
    ['shstrndx out of range', () => put((b) => b.writeUInt16BE(9, elf.Ehdr.shstrndx)), 'bad-section-headers', /e_shstrndx/],
    ['PT_LOAD past the end', () => put((b) => b.writeBigUInt64BE(1n << 33n, phdr1() + elf.Phdr.filesz)), 'truncated', /PT_LOAD 0/],
    ['p_filesz > p_memsz', () => put((b) => b.writeBigUInt64BE(0x10n, phdr1() + elf.Phdr.memsz)), 'bad-program-headers', /larger than p_memsz/],
    ['note descsz overrun', () => put((b) => b.writeUInt32BE(0x7fffffff, Number(b.readBigUInt64BE(Number(b.readBigUInt64BE(elf.Ehdr.phoff)) + elf.Phdr.offset)) + 4)), 'bad-note', /overruns its PT_NOTE segment/],
    [
      'PRSTATUS of the wrong size',
      () =>
        put((b) => {
          const n = Number(b.readBigUInt64BE(Number(b.readBigUInt64BE(elf.Ehdr.phoff)) + elf.Phdr.offset));
          b.writeUInt32BE(332, n + 4);
        }),
      'bad-note',
      /NT_PRSTATUS has 332 bytes, expected 336|overruns/,
    ],
    ['note segment of 1 TiB', () => put((b) => b.writeBigUInt64BE(1n << 40n, Number(b.readBigUInt64BE(elf.Ehdr.phoff)) + elf.Phdr.filesz)), 'too-large', /PT_NOTE/],
  ];
  it.each(cases)('%s', async (_name, make, code, message) => {
    const err = await tryAll(make(), tempPath('corrupt.elf'));
    expect(err).toBeInstanceOf(DumpFormatError);
    expect((err as DumpFormatError).code).toBe(code);
    expect((err as Error).message).toMatch(message);
  });

  it('overlapping PT_LOAD segments are refused', async () => {
    const path = tempPath('overlap.elf');
    await writeDump(
      path,
      {
        cpus: [patternedCpu(0)],
        memory: [
          { start: 0n, size: 0x2000n },
          { start: 0x4000n, size: 0x2000n },
        ],
      },
      patternMemory(0x4000),
    );
    const b = readFileSync(path);
    const ph2 = Number(b.readBigUInt64BE(elf.Ehdr.phoff)) + 2 * elf.PHDR_SIZE;
    b.writeBigUInt64BE(0x1000n, ph2 + elf.Phdr.paddr);
    const err = await tryAll(b, path);
    expect((err as DumpFormatError).code).toBe('overlapping-segments');
  });
});

describe('random corruption (property)', () => {
  it('either reads or fails with DumpFormatError, quickly and within bounded memory', async () => {
    const path = tempPath('fuzz.elf');
    const headEnd = memoryOffset + 0x10000 + 0x100 + 0x120 + 35;
    const edit = fc.record({
      at: fc.nat({ max: headEnd - 1 }),
      kind: fc.constantFrom('byte', 'u32', 'u64', 'max'),
      value: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    });
    const heapBefore = process.memoryUsage().rss;
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 6 }), fc.nat({ max: 3 }), async (edits, truncateKind) => {
        const b = Buffer.from(good);
        for (const e of edits) {
          if (e.kind === 'byte') b[e.at] = Number(e.value & 0xffn);
          else if (e.kind === 'u32' && e.at + 4 <= b.length) b.writeUInt32BE(Number(e.value & 0xffffffffn), e.at);
          else if (e.kind === 'u64' && e.at + 8 <= b.length) b.writeBigUInt64BE(e.value, e.at);
          else if (e.at + 8 <= b.length) b.writeBigUInt64BE((1n << 64n) - 1n, e.at);
        }
        const bytes = truncateKind === 0 ? b.subarray(0, edits[0]!.at) : b;
        const started = Date.now();
        const err = await tryAll(bytes, path);
        expect(Date.now() - started).toBeLessThan(5000);
        if (err !== undefined) expect(err, err instanceof Error ? err.message : 'a non-Error was thrown').toBeInstanceOf(DumpFormatError);
      }),
      { numRuns: 1500, seed: 0x5390 },
    );
    expect(process.memoryUsage().rss - heapBefore).toBeLessThan(512 * 2 ** 20);
  });
});

describe('a failing read', () => {
  it('is a DumpFormatError naming what was read, not the raw EIO', async () => {
    const path = tempPath('eio.elf');
    writeFileSync(path, good);
    const fh = await open(path, 'r');
    let reads = 0;
    // The file handle fails as a dying disk does, after the ELF header was read.
    const failing = new Proxy(fh, {
      get(target, prop) {
        if (prop === 'read') {
          return async (...args: Parameters<typeof fh.read>) => {
            if (reads++ >= 1) throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO', errno: -5, syscall: 'read' });
            return target.read(...args);
          };
        }
        const v = Reflect.get(target, prop) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const err = await openDump(failing).catch((e: unknown) => e);
    await fh.close();
    expect(err).toBeInstanceOf(DumpFormatError);
    expect((err as DumpFormatError).code).toBe('io');
    expect((err as Error).message).toMatch(/section header 0: reading the dump failed: input\/output error \(EIO/);
  });
});
