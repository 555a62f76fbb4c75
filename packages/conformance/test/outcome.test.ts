import { describe, expect, it } from 'vitest';
import { interpret, parseSummary } from '../src/outcome.ts';
import { compareWithBaseline, updatedBaseline } from '../src/baseline.ts';
import type { EntryReport } from '../src/runner.ts';

const log = (summary: string, status: number) => `PASS: a\nSKIP: b\n${summary}\n\nEXIT: STATUS=${status}\n`;
const stopped = { kind: 'stopped' } as const;

describe("the runner's verdict", () => {
  it('follows the EXIT status: 1 PASS, 77 SKIP, others FAIL; SUMMARY from the last five lines', () => {
    expect(interpret(log('SUMMARY: 2 tests, 1 skipped', 1), stopped)).toEqual({ result: 'PASS', summary: '2 tests, 1 skipped', status: 1, reason: undefined });
    expect(interpret(log('SUMMARY: 1 tests, 1 skipped', 77), stopped).result).toBe('SKIP');
    expect(interpret(log('SUMMARY: 5 tests, 2 unexpected failures', 3), stopped).result).toBe('FAIL');
    expect(interpret(`SUMMARY: 1 tests\n${'x\n'.repeat(6)}EXIT: STATUS=1\n`, stopped).summary).toBeUndefined();
  });

  it('a disabled wait without EXIT is a crash, a timeout or machine failure is FAIL', () => {
    expect(interpret('PASS: a\n', { kind: 'disabled-wait', cpu: 0, pswMask: '0002000180000000', pswAddr: '0000000000001234' })).toMatchObject({ result: 'FAIL', reason: expect.stringMatching(/crash: disabled wait on CPU 0/) });
    expect(interpret(log('SUMMARY: 1 tests', 1), { kind: 'timeout', seconds: 60 })).toMatchObject({ result: 'FAIL', reason: 'timeout; duration=60s' });
    expect(interpret('', { kind: 'machine-error', message: 'boom' })).toMatchObject({ result: 'FAIL', reason: 'machine error: boom' });
    expect(interpret('', stopped)).toMatchObject({ result: 'FAIL', reason: 'no EXIT line' });
  });

  it('a configuration the machine refuses before the guest starts is SKIP with its message (premature failure)', () => {
    expect(interpret('', { kind: 'refused', message: 'Protected VMs support a maximum of 247 CPUs' })).toEqual({ result: 'SKIP', summary: undefined, status: undefined, reason: 'Protected VMs support a maximum of 247 CPUs' });
  });

  it('reads SUMMARY counts', () => {
    expect(parseSummary('33 tests, 1 unexpected failures, 1 expected failures, 12 skipped')).toEqual({ tests: 33, failures: 1, knownFailures: 0, expectedFailures: 1, skipped: 12 });
    expect(parseSummary('nothing')).toBeUndefined();
  });
});

const report = (name: string, result: 'PASS' | 'FAIL' | 'SKIP', summary?: string): EntryReport => ({ name, result, summary, status: undefined, reason: undefined, seconds: 1, log: '' });

describe('the baseline ratchet', () => {
  const baseline = updatedBaseline(undefined, [report('a', 'PASS', '10 tests'), report('b', 'FAIL', '10 tests, 3 unexpected failures'), report('c', 'SKIP')]);

  it('holds: same results, or better', () => {
    expect(compareWithBaseline(baseline, [report('a', 'PASS', '10 tests'), report('b', 'FAIL', '10 tests, 3 unexpected failures')]).regressions).toEqual([]);
    const better = compareWithBaseline(baseline, [report('a', 'PASS', '11 tests'), report('b', 'PASS', '10 tests'), report('c', 'PASS', '1 tests')]);
    expect(better.regressions).toEqual([]);
    expect(better.improvements).toHaveLength(3);
  });

  it('fails when a pass is lost or a SUMMARY gets worse', () => {
    expect(compareWithBaseline(baseline, [report('a', 'FAIL', '10 tests, 1 unexpected failures')]).regressions[0]).toMatch(/^a: passed at the baseline/);
    expect(compareWithBaseline(baseline, [report('a', 'PASS', '10 tests, 2 skipped')]).regressions[0]).toMatch(/^a: SUMMARY got worse/);
    expect(compareWithBaseline(baseline, [report('b', 'FAIL', '10 tests, 4 unexpected failures')]).regressions[0]).toMatch(/^b: SUMMARY got worse/);
  });

  it('keeps entries not run when updated', () => {
    expect(Object.keys(updatedBaseline(baseline, [report('d', 'PASS', '1 tests')]).entries)).toEqual(['a', 'b', 'c', 'd']);
  });
});
