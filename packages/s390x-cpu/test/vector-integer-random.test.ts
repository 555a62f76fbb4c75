// Differential test of the vector support, integer and string instructions against qemu-s390x
// (`-cpu max`, which has the vector-enhancements facilities 1 and 2): random short sequences led
// by these entries only, so each leads about 23 cases beside the 20 or so the whole-table test
// gives it. The string instructions get V2 and V3 from nearby slices of the case buffer (equal
// elements, substrings, partial matches). PVDUMP_VECTOR_SEED and PVDUMP_VECTOR_CASES choose
// other runs. VCKSM is left out (qemu 7.2 deviates; test/vector-integer-semantics.test.ts).
import { describe, expect, it } from 'vitest';
import { requireTool } from '@pvdump/test-support';
import { VECTOR_INTEGER_INSTRUCTIONS } from '../src/isa/vector/integer-groups.ts';
import { runBatch } from './differential/compare.ts';
import { coveredInstructions, generateCases } from './differential/generator.ts';
import { Rng } from './differential/rng.ts';

const SEED = Number(process.env.PVDUMP_VECTOR_SEED ?? 20261205);
const CASES = Number(process.env.PVDUMP_VECTOR_CASES ?? 3000);

describe('random vector integer and string sequences: pvdump vs qemu-s390x', () => {
  it(`${CASES} cases from seed ${SEED} give identical registers, CC, VRs and memory`, () => {
    requireTool('qemu-s390x');
    requireTool('s390x-linux-gnu-gcc');
    const vector = new Set(VECTOR_INTEGER_INSTRUCTIONS.map((e) => e.mnemonic));
    const covered = coveredInstructions().filter((e) => vector.has(e.mnemonic));
    expect(covered.length).toBe(VECTOR_INTEGER_INSTRUCTIONS.length - 1);
    const r = runBatch(generateCases(new Rng(SEED), CASES, covered), 'vector-integer');
    expect(r.faults).toBeLessThan(CASES / 3);
    expect(r.mismatches.slice(0, 20).join('\n\n')).toBe('');
  }, 300_000);
});
