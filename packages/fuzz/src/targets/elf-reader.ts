/**
 * The ELF core reader (`@pvdump/dump-format`, spec elf-core-format.md): headers, notes, CPUs,
 * sections and memory of mutated real dumps. Allowed: a reader, or a `DumpFormatError`.
 */
import { rmSync } from 'node:fs';
import { openDump } from '@pvdump/dump-format';
import { expectResultOrUserError, scratchFolder } from '../outcome.js';
import { loadSeededContext, SeedFiles, seededInputs, type SeededContext, type SeededInput } from '../seeded.js';
import { defineTarget } from '../target.js';

interface Context extends SeededContext {
  dir: string;
  files: SeedFiles;
}

export const target = defineTarget<SeededInput, Context>({
  name: 'elf-reader',
  summary: 'openDump + every accessor on mutated QEMU, PV and zgetdump cores; only DumpFormatError may be thrown',
  level: 'library',
  memoryBoundMiB: 400,
  hangMs: 10_000,
  ciRuns: 700,
  async prepare() {
    const seeds = await loadSeededContext(['qemu-7.2-crash-dump', 'pv-dump', 'zgetdump-decrypted-dump']);
    const dir = scratchFolder('pvdump-fuzz-elf-');
    return { ...seeds, dir, files: new SeedFiles(seeds, dir) };
  },
  inputs: (ctx) => seededInputs(ctx),
  async execute(input, ctx) {
    const path = ctx.files.write(input);
    const dump = await expectResultOrUserError('openDump', () => openDump(path));
    if (dump === undefined) return;
    try {
      await expectResultOrUserError('reading the opened dump', async () => {
        // eslint-disable-next-line @typescript-eslint/no-meaningless-void-operator -- reading the getters is what is fuzzed
        void [dump.isPv, dump.pvMemMeta, dump.pvCompl, dump.cpus.length, dump.globalNotes.length, dump.warnings.length, dump.fileSize];
        for (const s of dump.sections) if (s.header.size <= 1n << 20n) await expectResultOrUserError(`readSection ${s.name}`, () => dump.readSection(s.name));
        for (const m of dump.memory.slice(0, 4)) {
          await expectResultOrUserError('readMemory', () => dump.readMemory(m.start, Math.min(Number(m.size), 8192)));
          if (m.size > 4096n) await expectResultOrUserError('readMemory at the end', () => dump.readMemory(m.start + m.size - 4096n, 4096));
        }
        let chunks = 0;
        for await (const c of dump.memoryChunks(1 << 20)) {
          // eslint-disable-next-line @typescript-eslint/no-meaningless-void-operator -- the chunk is read, not used
          void c;
          if (++chunks >= 2) break;
        }
      });
    } finally {
      await dump.close();
    }
  },
  async dispose(ctx) {
    rmSync(ctx.dir, { recursive: true, force: true });
  },
});
