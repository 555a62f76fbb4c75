// Every crash the fuzzer found is a committed input under corpus/regressions/<target>/, replayed
// here against the fixed code.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REGRESSIONS_DIR, regressionFiles, runTarget } from '../src/runner.ts';
import { loadTargets } from '../src/target.ts';

const targets = await loadTargets();
const dirs = readdirSync(REGRESSIONS_DIR).sort();

describe('fuzz regression inputs', () => {
  it('are stored only for registered targets, each naming its target and what it found', () => {
    expect(dirs.length).toBeGreaterThan(0);
    for (const d of dirs) {
      expect(targets.has(d), `corpus/regressions/${d} is no target`).toBe(true);
      for (const f of regressionFiles(d)) {
        const saved = JSON.parse(readFileSync(f, 'utf8')) as { target: string; message: string; input: unknown };
        expect(saved.target, f).toBe(d);
        expect(saved.message.length, f).toBeGreaterThan(10);
        expect(saved.input, f).toBeDefined();
      }
    }
  });

  for (const d of dirs) {
    it(`${d}: ${regressionFiles(d).length} input(s) replay without a failure`, async () => {
      const t = targets.get(d)!;
      const files = regressionFiles(d);
      const r = await runTarget(d, { budget: { kind: 'runs', runs: files.length }, seed: 1, level: t.level, hangMs: t.hangMs, memoryBoundMiB: t.memoryBoundMiB, replay: files });
      expect(r.failure, r.failure?.message).toBeNull();
      expect(r.executions).toBe(files.length);
    });
  }
});
