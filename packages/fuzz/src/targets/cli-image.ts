/**
 * `pvdump info IMAGE` (text, `--json`, `--host-key`) and `pvdump run --host-key KEY IMAGE` spawned
 * on mutated Secure Execution images (IBM genprotimg 2.35's se.img and se-nodump.img, our
 * builder's image): info exits 0, 1 or 2 with a message and no stack trace; run boots the image
 * through stage3a and DIAGNOSE 0x308 on 16 MiB and exits 0 (power-off), 1 (a refused image or a
 * machine error, with a message) or 3 (the guest panicked: a crash, or stage3a's disabled wait
 * after a refused switch), never 70; a guest still running after the run budget is stopped and
 * counts as running, not as a hang. Bounded memory for both.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { fixturePath } from '@pvdump/test-support';
import { encodeHostPrivateKeyPem } from '@pvdump/ultravisor';
import { checkCliRun, runPvdump, scratchFolder } from '../outcome.js';
import { generatedHostKey } from '../seeds/generated.js';
import { loadSeededContext, SeedFiles, seededInputs, type SeededContext, type SeededInput } from '../seeded.js';
import { defineTarget, FuzzFailure } from '../target.js';

interface Context extends SeededContext {
  dir: string;
  files: SeedFiles;
}

interface Input {
  image: SeededInput;
  command: 'info' | 'info --json' | 'info --host-key' | 'run';
}

/** How long a mutated guest may run before it is stopped [E]: the unmutated images crash within about 2 s on a loaded machine. */
const RUN_BUDGET_MS = 8000;

/** `pvdump run`'s exit statuses for a guest that ended (tools/README.md). */
const RUN_STATUSES = [0, 1, 3];

export const target = defineTarget<Input, Context>({
  name: 'cli-image',
  summary: 'pvdump info [--json] [--host-key] IMAGE and pvdump run --host-key IMAGE on mutated SE images: info 0/1/2, run 0/1/3 (or still running after its budget), no stack trace',
  level: 'cli',
  memoryBoundMiB: 300,
  hangMs: 30_000,
  ciRuns: 5,
  async prepare() {
    const seeds = await loadSeededContext(['genprotimg-se-image', 'genprotimg-se-nodump-image', 'pvdump-se-image']);
    const dir = scratchFolder('pvdump-fuzz-cli-image-');
    writeFileSync(join(dir, 'genprotimg-host-key.pem'), readFileSync(fixturePath('genprotimg-2.35/host-key.pem')));
    writeFileSync(join(dir, 'pvdump-host-key.pem'), encodeHostPrivateKeyPem(generatedHostKey()), { mode: 0o600 });
    return { ...seeds, dir, files: new SeedFiles(seeds, dir) };
  },
  inputs: (ctx) => fc.record({ image: seededInputs(ctx), command: fc.constantFrom('info', 'info --json', 'info --host-key', 'run', 'run') }),
  async execute(input, ctx) {
    const path = ctx.files.write(input.image);
    const key = join(ctx.dir, input.image.seed === 'pvdump-se-image' ? 'pvdump-host-key.pem' : 'genprotimg-host-key.pem');
    if (input.command !== 'run') {
      const args = ['info', ...(input.command === 'info --json' ? ['--json'] : []), ...(input.command === 'info --host-key' ? ['--host-key', key] : []), path];
      const r = runPvdump(args, { cwd: ctx.dir, timeoutMs: this.hangMs });
      checkCliRun(`pvdump ${args.join(' ')}`, r, this);
      if (input.command === 'info --json' && r.status === 0) {
        try {
          JSON.parse(r.stdout);
        } catch {
          throw new FuzzFailure(`pvdump info --json exited 0 but stdout is not one JSON object: ${r.stdout.slice(0, 200)}`);
        }
      }
      return;
    }
    const args = ['run', '--host-key', key, '--memory', '16M', path];
    const r = runPvdump(args, { cwd: ctx.dir, timeoutMs: RUN_BUDGET_MS });
    const what = `pvdump ${args.join(' ')}`;
    // Still running at the budget: a guest that loops (e.g. a mutated stage3a) is the guest's business.
    if (r.timedOut) return;
    const tail = `\n--- stderr ---\n${r.stderr.slice(0, 2000)}`;
    if (r.status === null) throw new FuzzFailure(`${what}: killed by ${r.signal}${tail}`);
    if (!RUN_STATUSES.includes(r.status)) throw new FuzzFailure(`${what}: exit status ${r.status}, not 0, 1 or 3${tail}`);
    checkCliRun(what, { ...r, status: r.status === 3 ? 0 : r.status }, this);
  },
  async dispose(ctx) {
    rmSync(ctx.dir, { recursive: true, force: true });
  },
});
