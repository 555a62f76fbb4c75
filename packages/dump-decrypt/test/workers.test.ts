// Worker-thread policy and failure handling: `auto` picks the worker count from the dump size and
// the cores this process may use; a pool whose worker died fails every run instead of hanging.
import { tempPath } from '@pvdump/test-support';
import { describe, expect, it } from 'vitest';
import { autoWorkers } from '../src/decrypt.ts';
import { PageWorkerPool } from '../src/memory/worker-pool.ts';

describe('auto worker count', () => {
  const MiB = 1 << 20;
  it('uses one worker per core but one (the calling thread decrypts too) for dumps of 64 MiB and more', () => {
    expect(autoWorkers(64 * MiB, 2)).toBe(1);
    expect(autoWorkers(2048 * MiB, 8)).toBe(7);
  });
  it('uses none for small dumps (start-up would cost more than it saves)', () => {
    expect(autoWorkers(64 * MiB - 4096, 2)).toBe(0);
  });
  it('uses none on a single core, where a worker only adds a hand-off', () => {
    expect(autoWorkers(2048 * MiB, 1)).toBe(0);
  });
});

describe('worker pool failures', () => {
  it('rejects the runs of a worker that died, and every later run at once', async () => {
    const missing = tempPath('no-such-dump.elf');
    const pool = new PageWorkerPool(1, missing, new Uint8Array(64).fill(1), new Uint8Array(16), 4096);
    try {
      const run = { pages: 1, metaOffset: 0, dataOffset: 0 };
      await expect(pool.submit(run)).rejects.toThrow(/page decryption worker died: .*ENOENT/);
      await expect(pool.submit(run)).rejects.toThrow(/page decryption worker died/);
    } finally {
      await pool.close();
    }
  });
});
