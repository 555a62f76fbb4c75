/**
 * The PV decryptor (`@pvdump/dump-decrypt`, spec pv-dump-crypto.md) on mutated PV dumps: notes,
 * PV sections, storage state, completion data and page runs. `decryptDump` and `inspectPvDump`
 * with the right key (so that mutations reach past authentication), a wrong key and a short one,
 * with the OpenSSL and the pure-JavaScript crypto. Allowed: a result or a bad-input error.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { decryptDump, inspectPvDump } from '@pvdump/dump-decrypt';
import { fixturePath } from '@pvdump/test-support';
import { expectResultOrUserError, scratchFolder } from '../outcome.js';
import { loadSeededContext, SeedFiles, seededInputs, type SeededContext, type SeededInput } from '../seeded.js';
import { defineTarget } from '../target.js';

interface Context extends SeededContext {
  dir: string;
  files: SeedFiles;
  keys: Record<'right' | 'wrong' | 'short', Uint8Array>;
}

interface Input {
  dump: SeededInput;
  key: 'right' | 'wrong' | 'short';
  call: 'decrypt' | 'inspect';
  backend: 'node' | 'noble';
}

export const target = defineTarget<Input, Context>({
  name: 'pv-decrypt',
  summary: 'decryptDump / inspectPvDump on mutated PV dumps (right, wrong, short key; node and noble crypto); only bad-input errors',
  level: 'library',
  memoryBoundMiB: 400,
  hangMs: 15_000,
  ciRuns: 400,
  async prepare() {
    const seeds = await loadSeededContext(['pv-dump']);
    const dir = scratchFolder('pvdump-fuzz-decrypt-');
    const right = new Uint8Array(readFileSync(fixturePath('pv-zgetdump/cck.bin')));
    const wrong = new Uint8Array(readFileSync(fixturePath('pv-zgetdump/wrong-cck.bin')));
    return { ...seeds, dir, files: new SeedFiles(seeds, dir), keys: { right, wrong, short: right.subarray(0, 31) } };
  },
  inputs: (ctx) =>
    fc.record({
      dump: seededInputs(ctx),
      key: fc.constantFrom('right', 'right', 'right', 'wrong', 'short'),
      call: fc.constantFrom('decrypt', 'inspect'),
      backend: fc.constantFrom('node', 'node', 'noble'),
    }),
  async execute(input, ctx) {
    const path = ctx.files.write(input.dump);
    const key = ctx.keys[input.key].slice();
    if (input.call === 'inspect') {
      await expectResultOrUserError('inspectPvDump', () => inspectPvDump(path, key));
      return;
    }
    const out = join(ctx.dir, 'decrypted.elf');
    try {
      await expectResultOrUserError('decryptDump', () => decryptDump(path, key, out, { workers: 0, backend: input.backend }));
    } finally {
      rmSync(out, { force: true });
    }
  },
  async dispose(ctx) {
    rmSync(ctx.dir, { recursive: true, force: true });
  },
});
