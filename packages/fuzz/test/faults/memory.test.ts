// Files that claim huge sizes or counts (a PT_NOTE of 2^64−1 bytes, PN_XNUM with 2^32−1 program
// headers, 2^32−1 sections, a 2 GiB name table, a 1 TiB PT_LOAD, notes and PV data of 2^32−1
// bytes) never make `pvdump` allocate beyond the bound stated per command in the README: the
// peak RSS of the spawned command is measured (getrusage), and each run ends with exit 0 or 1.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Op } from '../../src/mutate.ts';
import { runPvdump, scratchFolder } from '../../src/outcome.ts';
import { SeedFiles, loadSeededContext } from '../../src/seeded.ts';
import { cckPath } from './support.ts';

/** Peak RSS bounds per command, MiB (README "Reliability"); `info --json` shares `info`'s reader and bound (the cli-info fuzz target checks it). */
export const MEMORY_BOUNDS_MIB = { info: 160, 'info -k': 200, decrypt: 200 } as const;

const CLAIMS: { what: string; seed: string; ops: Op[] }[] = [
  { what: 'a PT_NOTE of 2^64−1 bytes', seed: 'pv-dump', ops: [{ op: 'set', field: 'phdr[0].p_filesz', value: '0xffffffffffffffff' }] },
  {
    what: 'PN_XNUM with 2^32−1 program headers',
    seed: 'pv-dump',
    ops: [
      { op: 'set', field: 'e_phnum', value: '0xffff' },
      { op: 'set', field: 'shdr[0].sh_info', value: '0xffffffff' },
    ],
  },
  {
    what: 'e_shnum 0 with 2^32−1 sections in section header 0',
    seed: 'pv-dump',
    ops: [
      { op: 'set', field: 'e_shnum', value: '0x0' },
      { op: 'set', field: 'shdr[0].sh_size', value: '0xffffffff' },
    ],
  },
  { what: 'a section name table of 2 GiB', seed: 'pv-dump', ops: [{ op: 'set', field: 'shdr[3].sh_size', value: '0x80000000' }] },
  { what: 'a PT_LOAD of 1 TiB (p_memsz)', seed: 'pv-dump', ops: [{ op: 'set', field: 'phdr[1].p_memsz', value: '0x10000000000' }] },
  { what: 'pv_mem_meta of 2^32−1 bytes', seed: 'pv-dump', ops: [{ op: 'set', field: 'shdr[1].sh_size', value: '0xffffffff' }] },
  { what: 'a note descriptor of 2^32−1 bytes', seed: 'pv-dump', ops: [{ op: 'set', field: 'note[0].n_descsz', value: '0xffffffff' }] },
  {
    what: 'completion data and CPU data claiming 2^31 bytes',
    seed: 'pv-dump',
    ops: [
      { op: 'set', field: 'pv_compl.len', value: '0x80000000' },
      { op: 'set', field: 'note[10].pv_cpu_data.len', value: '0xffffffff' },
    ],
  },
];

describe('memory stays bounded on files that claim huge sizes or counts', async () => {
  const ctx = await loadSeededContext(['pv-dump']);
  for (const claim of CLAIMS) {
    it(claim.what, () => {
      const dir = scratchFolder('pvdump-memory-');
      try {
        const dump = new SeedFiles(ctx, dir).write({ seed: claim.seed, ops: claim.ops });
        const commands: [keyof typeof MEMORY_BOUNDS_MIB, string[]][] = [
          ['info', ['info', dump]],
          ['info -k', ['info', '-k', cckPath(), dump]],
          ['decrypt', ['decrypt', '-k', cckPath(), dump, join(dir, 'out.elf')]],
        ];
        for (const [name, args] of commands) {
          const r = runPvdump(args, { cwd: dir, timeoutMs: 60_000 });
          expect(r.timedOut, `${name}: ${claim.what}`).toBe(false);
          expect([0, 1], `${name}: ${r.stderr}`).toContain(r.status);
          expect(r.stderr).not.toMatch(/internal error/);
          expect(r.peakRssMiB, `${name}: peak RSS`).toBeGreaterThan(0);
          expect(r.peakRssMiB, `${name}: peak RSS on ${claim.what}`).toBeLessThanOrEqual(MEMORY_BOUNDS_MIB[name]);
          rmSync(join(dir, 'out.elf'), { force: true });
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
