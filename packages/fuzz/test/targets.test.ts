// Every registered fuzz target survives its CI budget (fixed seed): no crash, hang, stray output
// or memory past its bound. `pnpm fuzz` runs the same targets for longer.
import { describe, expect, it } from 'vitest';
import { CI_SEED, runTarget } from '../src/runner.ts';
import { loadTargets } from '../src/target.ts';

const targets = await loadTargets();

describe('fuzz targets (CI budget)', () => {
  it('registers a library and a CLI target for each input format', () => {
    expect([...targets.keys()].sort()).toEqual(['cli-decrypt', 'cli-image', 'cli-info', 'cpu', 'elf-reader', 'host-key-document', 'image-reader', 'kvm-ioctls', 'pv-decrypt', 'qmp', 'se-header', 'uv-calls']);
  });

  for (const t of targets.values()) {
    it(`${t.name}: ${t.ciRuns} executions without a failure`, async () => {
      const r = await runTarget(t.name, { budget: { kind: 'runs', runs: t.ciRuns }, seed: CI_SEED, level: t.level, hangMs: t.hangMs, memoryBoundMiB: t.memoryBoundMiB });
      expect(r.failure, r.failure?.message).toBeNull();
      expect(r.executions).toBe(t.ciRuns);
      if (t.level === 'library') expect(r.peakRssMiB).toBeLessThanOrEqual(t.memoryBoundMiB);
    });
  }
});
