// Differential test of every problem-state instruction in the table against qemu-s390x: random
// short sequences with random operands (PVDUMP_DIFF_CASES cases, default 20,000, from seed
// PVDUMP_DIFF_SEED, default fixed) are assembled into one static program that runs them in turn
// and writes GPRs, CC, FPC, V0–V31 (so F0–F15) and its memory buffer after each (or the signal a
// fault raised). The same binary runs under qemu-s390x and under our Linux runner; every record
// must match (r15, the stack pointer, is excluded: the two place the stack differently).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { requireTool, run, tempPath } from '@pvdump/test-support';
import { runLinuxProgram } from '../src/linux/index.ts';
import { coveredInstructions, generateCases } from './differential/generator.ts';
import { Rng } from './differential/rng.ts';
import { FAULT_MARK_HIGH, RECORD_SIZE, parseRecords, writeSequenceSources, type CaseState, type SequenceCase } from './differential/sequence-program.ts';

const SEED = Number(process.env['PVDUMP_DIFF_SEED'] ?? 20261126);
const CASES = Number(process.env['PVDUMP_DIFF_CASES'] ?? 20000);
const BATCH = 5000;

const hex = (v: bigint): string => '0x' + v.toString(16).padStart(16, '0');

function describeState(s: CaseState): string {
  if (s.gprs[0]! >> 32n === BigInt(FAULT_MARK_HIGH)) return `signal ${s.gprs[0]! & 0xffn}`;
  return `cc ${s.cc}`;
}

/** Human-readable differences between two records (empty when equal). */
function differences(ours: CaseState, ref: CaseState): string[] {
  const out: string[] = [];
  for (let r = 0; r < 15; r++) if (ours.gprs[r] !== ref.gprs[r]) out.push(`r${r}: ours ${hex(ours.gprs[r]!)} qemu ${hex(ref.gprs[r]!)}`);
  if (ours.cc !== ref.cc) out.push(`cc: ours ${ours.cc} qemu ${ref.cc}`);
  if (ours.fpc !== ref.fpc) out.push(`fpc: ours 0x${ours.fpc.toString(16)} qemu 0x${ref.fpc.toString(16)}`);
  for (let v = 0; v < 32; v++) {
    const a = Buffer.from(ours.vrs.subarray(16 * v, 16 * v + 16)).toString('hex');
    const b = Buffer.from(ref.vrs.subarray(16 * v, 16 * v + 16)).toString('hex');
    if (a !== b) out.push(`v${v}: ours ${a} qemu ${b}`);
  }
  for (let i = 0; i < ours.mem.length; i++) {
    if (ours.mem[i] !== ref.mem[i]) {
      out.push(`mem+${i}: ours ${Buffer.from(ours.mem.subarray(i, i + 16)).toString('hex')} qemu ${Buffer.from(ref.mem.subarray(i, i + 16)).toString('hex')}`);
      break;
    }
  }
  return out;
}

function runBatch(cases: SequenceCase[], name: string): { mismatches: string[]; faults: number } {
  const prefix = tempPath(name);
  const src = writeSequenceSources(cases, prefix);
  run('s390x-linux-gnu-gcc', ['-nostdlib', '-static', '-march=z13', '-o', prefix, src]);
  const q = spawnSync('qemu-s390x', [prefix], { maxBuffer: 1 << 30 });
  if (q.error) throw q.error;
  const done = Math.floor(q.stdout.length / RECORD_SIZE);
  expect(q.status, `qemu-s390x exit (signal ${q.signal}) after ${done} cases, next: ${cases[done]?.title}: ${q.stderr.toString()}`).toBe(0);
  const chunks: Uint8Array[] = [];
  const ours = runLinuxProgram(prefix, { stdout: (d) => chunks.push(d) });
  expect(ours.message ?? '').toBe('');
  expect(ours.status).toBe(0);
  const refStates = parseRecords(q.stdout);
  const ourStates = parseRecords(Buffer.concat(chunks));
  expect(refStates.length).toBe(cases.length);
  expect(ourStates.length).toBe(cases.length);
  const mismatches: string[] = [];
  let faults = 0;
  cases.forEach((c, i) => {
    const ref = refStates[i]!;
    if (ref.gprs[0]! >> 32n === BigInt(FAULT_MARK_HIGH)) faults++;
    const diff = differences(ourStates[i]!, ref);
    if (diff.length > 0) mismatches.push(`${name} case ${i}: ${c.title}\n  (${describeState(ourStates[i]!)} vs qemu ${describeState(ref)})\n  ${diff.join('\n  ')}`);
  });
  return { mismatches, faults };
}

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
  });
});
