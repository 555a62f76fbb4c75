// The committed seed corpus matches the fixtures (rebuilding it changes nothing), and mutating a
// seed in place in its working file gives exactly the bytes the recipe describes.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyOps, resolveValue } from '../src/mutate.ts';
import { SeedFiles, loadSeededContext, materialize, seededInputs } from '../src/seeded.ts';
import { buildSeeds, seedJson } from '../src/seeds/build.ts';
import { SEEDS_DIR } from '../src/seeds/corpus.ts';
import { scratchFolder } from '../src/outcome.ts';

describe('seed corpus', () => {
  it('is what the fixtures give today (pnpm --filter @pvdump/fuzz seeds rebuilds it)', async () => {
    for (const seed of await buildSeeds()) {
      expect(readFileSync(join(SEEDS_DIR, `${seed.name}.json`), 'utf8'), seed.name).toBe(seedJson(seed));
      expect(seed.fields.length + seed.regions.length, seed.name).toBeGreaterThan(2);
    }
  });

  it('aims at the length and count fields of a dump', async () => {
    const ctx = await loadSeededContext(['pv-dump']);
    const names = ctx.seeds.get('pv-dump')!.fields.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['e_phnum', 'e_shnum', 'shdr[1].sh_size', 'note[0].n_descsz', 'phdr[1].p_filesz', 'pv_compl.len', 'pv_mem_meta[0].state']));
  });
});

describe('mutations', () => {
  it('resolve boundary values against the original field and the file size', () => {
    expect(resolveValue('0xffff', 5n, 100)).toBe(0xffffn);
    expect(resolveValue('orig+1', 5n, 100)).toBe(6n);
    expect(resolveValue('size-8', 5n, 100)).toBe(92n);
    const out = applyOps(new Uint8Array(8), [{ name: 'n', at: 2, width: 2 }], [{ op: 'set', field: 'n', value: '0x12345' }]);
    expect([...out]).toEqual([0, 0, 0x23, 0x45, 0, 0, 0, 0]);
  });

  it('in place in a working file equal the recipe applied to a copy', async () => {
    const ctx = await loadSeededContext(['pv-dump', 's390-tools-se-header', 'ibm-host-key-document']);
    const dir = scratchFolder('pvdump-fuzz-test-');
    const files = new SeedFiles(ctx, dir);
    try {
      fc.assert(
        fc.property(seededInputs(ctx), (input) => {
          const path = files.write(input);
          expect(Buffer.compare(readFileSync(path), Buffer.from(materialize(ctx, input)))).toBe(0);
        }),
        { numRuns: 150, seed: 4 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
