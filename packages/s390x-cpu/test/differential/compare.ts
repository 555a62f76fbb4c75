/**
 * Runs one batch of random-sequence cases under qemu-s390x and under our Linux runner (one static
 * binary, see sequence-program.ts) and lists the records that differ: GPRs r0–r14, CC, FPC,
 * V0–V31 (so F0–F15) and the memory buffer, or the signal a fault raised.
 */
import { spawnSync } from 'node:child_process';
import { expect } from 'vitest';
import { run, tempPath } from '@pvdump/test-support';
import { runLinuxProgram } from '../../src/linux/index.ts';
import { TIER_MODES } from '../support/tiers.ts';
import { FAULT_MARK_HIGH, RECORD_SIZE, parseRecords, writeSequenceSources, type CaseState, type SequenceCase } from './sequence-program.ts';

const hex = (v: bigint): string => '0x' + v.toString(16).padStart(16, '0');

export const isFault = (s: CaseState): boolean => s.gprs[0]! >> 32n === BigInt(FAULT_MARK_HIGH);

function describeState(s: CaseState): string {
  if (isFault(s)) return `signal ${s.gprs[0]! & 0xffn}`;
  return `cc ${s.cc}`;
}

/** Human-readable differences between two records (empty when equal). */
export function differences(ours: CaseState, ref: CaseState): string[] {
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

export interface BatchResult {
  mismatches: string[];
  faults: number;
  /** Both sides' records, for tests that look closer. */
  ours: CaseState[];
  ref: CaseState[];
}

/** Builds and runs `cases` on both sides; `name` prefixes the scratch files and messages. */
export function runBatch(cases: SequenceCase[], name: string): BatchResult {
  const prefix = tempPath(name);
  const src = writeSequenceSources(cases, prefix);
  run('s390x-linux-gnu-gcc', ['-nostdlib', '-static', '-march=z15', '-o', prefix, src]);
  // qemu's most capable model: every facility through z15 the table implements.
  const q = spawnSync('qemu-s390x', ['-cpu', 'max', prefix], { maxBuffer: 1 << 30 });
  if (q.error) throw q.error;
  const done = Math.floor(q.stdout.length / RECORD_SIZE);
  expect(q.status, `qemu-s390x exit (signal ${q.signal}) after ${done} cases, next: ${cases[done]?.title}: ${q.stderr.toString()}`).toBe(0);
  const ref = parseRecords(q.stdout);
  expect(ref.length).toBe(cases.length);
  const mismatches: string[] = [];
  let faults = 0;
  let ours: CaseState[] = [];
  // Our side runs once per run-loop mode (compiled from the first execution, interpreted): each must match.
  TIER_MODES.forEach((mode, m) => {
    const chunks: Uint8Array[] = [];
    const result = runLinuxProgram(prefix, { stdout: (d) => chunks.push(d), compiledBlocks: mode });
    expect(result.message ?? '', `blocks ${mode}`).toBe('');
    expect(result.status, `blocks ${mode}`).toBe(0);
    const records = parseRecords(Buffer.concat(chunks));
    expect(records.length, `blocks ${mode}`).toBe(cases.length);
    if (m === 0) ours = records;
    cases.forEach((c, i) => {
      if (m === 0 && isFault(ref[i]!)) faults++;
      const diff = differences(records[i]!, ref[i]!);
      if (diff.length > 0) mismatches.push(`${name} case ${i} (blocks ${mode}): ${c.title}\n  (${describeState(records[i]!)} vs qemu ${describeState(ref[i]!)})\n  ${diff.join('\n  ')}`);
    });
  });
  return { mismatches, faults, ours, ref };
}
