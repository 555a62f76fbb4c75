// The C corpus under qemu-s390x (`-cpu max`) and under our Linux runner: every program in every
// variant (-O0, -O2 and -O3 for -march=z13, z14 and z15) must print the same bytes and exit with
// the same status, with the compiling tier forced on from the first execution and off
// (`support/tiers.ts`).
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '@pvdump/test-support';
import { runLinuxProgram, type CompiledBlocksMode } from '../src/linux/index.ts';
import { TIER_MODES } from './support/tiers.ts';
import { buildCorpus, corpusPrograms, CORPUS_VARIANTS, variantName, type CorpusBinary } from '@pvdump/test-support/corpus';

let binaries: CorpusBinary[] = [];

beforeAll(async () => {
  requireTool('qemu-s390x');
  binaries = await buildCorpus();
}, 600_000);

/** Runs `path` under qemu-s390x: stdout bytes and the exit status (128 + signal when killed). */
function underQemu(bin: CorpusBinary): { stdout: Buffer; status: number } {
  const r = spawnSync('qemu-s390x', ['-cpu', 'max', bin.path, ...bin.args], { maxBuffer: 1 << 28 });
  if (r.error) throw r.error;
  const status = r.status ?? 128 + (r.signal === 'SIGILL' ? 4 : r.signal === 'SIGFPE' ? 8 : r.signal === 'SIGSEGV' ? 11 : 0);
  return { stdout: r.stdout, status };
}

function underPvdump(bin: CorpusBinary, mode: CompiledBlocksMode): { stdout: Buffer; status: number; instructions: number } {
  const chunks: Uint8Array[] = [];
  const result = runLinuxProgram(bin.path, { args: bin.args, stdout: (d) => chunks.push(d), budget: 2_000_000_000, compiledBlocks: mode });
  return { stdout: Buffer.concat(chunks), status: result.status, instructions: result.instructions };
}

describe('C corpus: pvdump runner vs qemu-s390x', () => {
  it('has at least 15 programs', () => {
    expect(corpusPrograms().length).toBeGreaterThanOrEqual(15);
  });
  for (const program of corpusPrograms()) {
    describe(program, () => {
      for (const variant of CORPUS_VARIANTS) {
        const name = `${program} ${variantName(variant)}`;
        it(`${name} prints the same output and exit status`, () => {
          const bin = binaries.find((b) => b.name === name);
          if (bin === undefined) throw new Error(`${name} was not built`);
          const ref = underQemu(bin);
          expect(ref.stdout.length, `${name}: qemu printed nothing`).toBeGreaterThan(0);
          const counts = new Set<number>();
          for (const mode of TIER_MODES) {
            const ours = underPvdump(bin, mode);
            counts.add(ours.instructions);
            expect({ program: `${name} (blocks ${mode})`, stdout: ours.stdout.toString('latin1'), status: ours.status }).toEqual({
              program: `${name} (blocks ${mode})`,
              stdout: ref.stdout.toString('latin1'),
              status: ref.status,
            });
          }
          // Every mode executes exactly the same instructions.
          expect(counts.size, `${name}: instruction counts per mode`).toBe(1);
        });
      }
    });
  }
});
