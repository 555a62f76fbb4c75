/**
 * `pvdump info` and `pvdump info --json` spawned on mutated real dumps: exit 0, 1 or 2, a message
 * and no stack trace on failure, one JSON object on stdout for `--json` success, bounded memory.
 */
import { rmSync } from 'node:fs';
import fc from 'fast-check';
import { checkCliRun, runPvdump, scratchFolder } from '../outcome.js';
import { loadSeededContext, SeedFiles, seededInputs, type SeededContext, type SeededInput } from '../seeded.js';
import { defineTarget, FuzzFailure } from '../target.js';

interface Context extends SeededContext {
  dir: string;
  files: SeedFiles;
}

export const target = defineTarget<{ dump: SeededInput; json: boolean }, Context>({
  name: 'cli-info',
  summary: 'pvdump info [--json] on mutated QEMU, PV and zgetdump cores: exit 0/1/2, no stack trace, JSON parses',
  level: 'cli',
  memoryBoundMiB: 160,
  hangMs: 30_000,
  ciRuns: 5,
  async prepare() {
    const seeds = await loadSeededContext(['qemu-7.2-crash-dump', 'pv-dump', 'zgetdump-decrypted-dump']);
    const dir = scratchFolder('pvdump-fuzz-info-');
    return { ...seeds, dir, files: new SeedFiles(seeds, dir) };
  },
  inputs: (ctx) => fc.record({ dump: seededInputs(ctx), json: fc.boolean() }),
  async execute(input, ctx) {
    const path = ctx.files.write(input.dump);
    const args = ['info', ...(input.json ? ['--json'] : []), path];
    const r = runPvdump(args, { cwd: ctx.dir, timeoutMs: this.hangMs });
    checkCliRun(`pvdump ${args.join(' ')}`, r, this);
    if (input.json && r.status === 0) {
      try {
        JSON.parse(r.stdout);
      } catch {
        throw new FuzzFailure(`pvdump info --json exited 0 but stdout is not one JSON object: ${r.stdout.slice(0, 200)}`);
      }
    }
  },
  async dispose(ctx) {
    rmSync(ctx.dir, { recursive: true, force: true });
  },
});
