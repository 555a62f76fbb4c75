// Differential test of every problem-state instruction in the table against qemu-s390x: random
// short sequences with random operands (PVDUMP_DIFF_CASES cases, default 20,000, from seed
// PVDUMP_DIFF_SEED, default fixed) are assembled into one static program that runs them in turn
// and writes GPRs, CC, FPC, V0–V31 (so F0–F15) and its memory buffer after each (or the signal a
// fault raised). The same binary runs under qemu-s390x and under our Linux runner; every record
// must match (r15, the stack pointer, is excluded: the two place the stack differently).
import { describe, expect, it } from 'vitest';
import { requireTool } from '@pvdump/test-support';
import { runBatch } from './differential/compare.ts';
import { coveredInstructions, generateCases } from './differential/generator.ts';
import { Rng } from './differential/rng.ts';

const SEED = Number(process.env.PVDUMP_DIFF_SEED ?? 20261126);
const CASES = Number(process.env.PVDUMP_DIFF_CASES ?? 20000);
const BATCH = 5000;

describe('random instruction sequences: pvdump vs qemu-s390x', () => {
  it(`${CASES} cases from seed ${SEED} give identical registers, CC, FPRs/VRs and memory`, () => {
    requireTool('qemu-s390x');
    requireTool('s390x-linux-gnu-gcc');
    const covered = coveredInstructions();
    const rng = new Rng(SEED);
    const all = generateCases(rng, CASES, covered);
    const firsts = new Set(all.map((c) => c.title.split(';')[0]));
    expect(firsts.size).toBeGreaterThan(0);
    const mismatches: string[] = [];
    let faults = 0;
    for (let start = 0; start < all.length; start += BATCH) {
      const r = runBatch(all.slice(start, start + BATCH), `seq${start / BATCH}`);
      mismatches.push(...r.mismatches.map((m) => m.replace(/case (\d+)/, (_, k: string) => `case ${start + Number(k)}`)));
      faults += r.faults;
    }
    // Every covered instruction led at least one case; faults stay a minority.
    expect(covered.length).toBeGreaterThan(350);
    expect(faults).toBeLessThan(CASES / 4);
    expect(mismatches.slice(0, 30).join('\n\n')).toBe('');
    // Bounded work (four batches of compile + two runs) that a loaded machine slows down.
  }, 600_000);
});
