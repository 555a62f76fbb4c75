// A run's result as the suite's runner decides it (scripts/arch-run.bash run_test_status,
// scripts/runtime.bash run): the guest ends by printing `EXIT: STATUS=S` and stopping every CPU
// (QEMU then exits); the first EXIT line decides: S = 1 PASS, S = 77 SKIP (all checks skipped),
// any other S FAIL. No EXIT line (a disabled wait, i.e. a crash, or a machine that stopped
// without one) is FAIL; running past the time limit is FAIL ("timeout"); the machine failing
// (QEMU aborting) is FAIL; QEMU refusing its configuration at start-up is SKIP with its message
// (scripts/runtime.bash premature_failure). The SUMMARY shown is the `SUMMARY:` line among the
// output's last five.

export type Result = 'PASS' | 'FAIL' | 'SKIP';

/** How the machine run ended. */
export type MachineEnd =
  | { kind: 'stopped' }
  | { kind: 'disabled-wait'; cpu: number; pswMask: string; pswAddr: string }
  | { kind: 'timeout'; seconds: number }
  | { kind: 'machine-error'; message: string }
  /** The machine refused its configuration before the guest started (QEMU exiting at start-up). */
  | { kind: 'refused'; message: string };

export interface Outcome {
  result: Result;
  /** The SUMMARY line's text after `SUMMARY: `, absent when there is none. */
  summary: string | undefined;
  /** The EXIT status, absent without an EXIT line. */
  status: number | undefined;
  /** Why, when the result is not simply the EXIT status (crash, timeout, machine error, skip). */
  reason: string | undefined;
}

/** Counts in a SUMMARY line (`N tests, M unexpected failures, K known failures, X expected failures, S skipped`). */
export interface SummaryCounts {
  tests: number;
  failures: number;
  knownFailures: number;
  expectedFailures: number;
  skipped: number;
}

export function parseSummary(summary: string): SummaryCounts | undefined {
  const tests = /^(\d+) tests/.exec(summary);
  if (tests === null) return undefined;
  const count = (label: string): number => Number(new RegExp(`(\\d+) ${label}`).exec(summary)?.[1] ?? 0);
  return { tests: Number(tests[1]), failures: count('unexpected failures'), knownFailures: count('known failures'), expectedFailures: count('expected failures'), skipped: count('skipped') };
}

export function exitStatus(output: string): number | undefined {
  const m = /^EXIT: .*?STATUS=(\d+)/m.exec(output);
  return m === null ? undefined : Number(m[1]);
}

export function summaryLine(output: string): string | undefined {
  const lines = output.replace(/\n+$/, '').split('\n').slice(-5);
  const line = lines.find((l) => l.startsWith('SUMMARY: '));
  return line?.slice('SUMMARY: '.length).replace(/\r$/, '');
}

/** The runner's verdict on one run. `expectPanic`: a `panic` group entry (run_panic). */
export function interpret(output: string, end: MachineEnd, expectPanic = false): Outcome {
  const summary = summaryLine(output);
  if (end.kind === 'timeout') return { result: 'FAIL', summary: undefined, status: undefined, reason: `timeout; duration=${end.seconds}s` };
  if (end.kind === 'machine-error') return { result: 'FAIL', summary, status: undefined, reason: `machine error: ${end.message}` };
  if (end.kind === 'refused') return { result: 'SKIP', summary: undefined, status: undefined, reason: end.message };
  if (expectPanic) {
    return end.kind === 'disabled-wait' ? { result: 'PASS', summary, status: undefined, reason: 'guest panicked' } : { result: 'FAIL', summary, status: undefined, reason: 'guest did not panic' };
  }
  const status = exitStatus(output);
  if (status === undefined) {
    const reason = end.kind === 'disabled-wait' ? `crash: disabled wait on CPU ${end.cpu}, PSW ${end.pswMask} ${end.pswAddr}` : 'no EXIT line';
    return { result: 'FAIL', summary, status, reason };
  }
  const result: Result = status === 1 ? 'PASS' : status === 77 ? 'SKIP' : 'FAIL';
  return { result, summary, status, reason: undefined };
}
