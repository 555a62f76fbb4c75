/**
 * `pvdump info -k` and `pvdump decrypt -k` spawned on mutated PV dumps: exit 0, 1 or 2, a message
 * and no stack trace on failure, no output file (nor temporary file) left after an error, a
 * decrypted file of mode 0600 after success, bounded memory.
 */
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { fixturePath } from '@pvdump/test-support';
import { checkCliRun, runPvdump, scratchFolder, strayFiles } from '../outcome.js';
import { loadSeededContext, SeedFiles, seededInputs, type SeededContext, type SeededInput } from '../seeded.js';
import { defineTarget, FuzzFailure } from '../target.js';

interface Context extends SeededContext {
  dir: string;
  files: SeedFiles;
}

interface Input {
  dump: SeededInput;
  command: 'decrypt' | 'info -k' | 'info -k --json';
  key: 'right' | 'wrong';
}

export const target = defineTarget<Input, Context>({
  name: 'cli-decrypt',
  summary: 'pvdump decrypt -k / info -k on mutated PV dumps: exit 0/1/2, no stack trace, no output left after an error, 0600 output',
  level: 'cli',
  memoryBoundMiB: 200,
  hangMs: 30_000,
  ciRuns: 6,
  async prepare() {
    const seeds = await loadSeededContext(['pv-dump']);
    const dir = scratchFolder('pvdump-fuzz-cli-decrypt-');
    writeFileSync(join(dir, 'right.key'), readFileSync(fixturePath('pv-zgetdump/cck.bin')));
    writeFileSync(join(dir, 'wrong.key'), readFileSync(fixturePath('pv-zgetdump/wrong-cck.bin')));
    return { ...seeds, dir, files: new SeedFiles(seeds, dir) };
  },
  inputs: (ctx) => fc.record({ dump: seededInputs(ctx), command: fc.constantFrom('decrypt', 'decrypt', 'info -k', 'info -k --json'), key: fc.constantFrom('right', 'right', 'right', 'wrong') }),
  async execute(input, ctx) {
    const dump = ctx.files.write(input.dump);
    const key = join(ctx.dir, `${input.key}.key`);
    const out = join(ctx.dir, 'decrypted.elf');
    const args = input.command === 'decrypt' ? ['decrypt', '-k', key, dump, out] : [...input.command.split(' '), key, dump];
    const r = runPvdump(args, { cwd: ctx.dir, timeoutMs: this.hangMs });
    try {
      checkCliRun(`pvdump ${args.join(' ')}`, r, this);
      const allowed = ['right.key', 'wrong.key', 'pv-dump.bin', ...(input.command === 'decrypt' && r.status === 0 ? ['decrypted.elf'] : [])];
      const stray = strayFiles(ctx.dir, allowed);
      if (stray.length > 0) throw new FuzzFailure(`pvdump ${args.join(' ')} exited ${r.status} and left ${stray.join(', ')} behind`);
      if (input.command === 'decrypt' && r.status === 0) {
        const mode = statSync(out).mode & 0o777;
        if (mode !== 0o600) throw new FuzzFailure(`pvdump decrypt wrote its output with mode ${mode.toString(8)}, not 600`);
      }
    } finally {
      rmSync(out, { force: true });
    }
  },
  async dispose(ctx) {
    rmSync(ctx.dir, { recursive: true, force: true });
  },
});
