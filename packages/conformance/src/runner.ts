// Runs the planned entries, `jobs` at a time, each in its own process (entry-process.ts) so that
// entries use every core and one past its time limit is killed (the runner's `timeout -k`); the
// verdict comes from the console text and how the machine ended (outcome.ts).
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { interpret, type MachineEnd, type Outcome } from './outcome.js';
import type { EntryReply, EntryRequest } from './entry-process.js';
import type { Plan } from './plan.js';
import type { RunHostKey } from './secure-image.js';

export interface EntryReport extends Outcome {
  name: string;
  seconds: number;
  /** The guest's console text (empty for a skipped entry). */
  log: string;
}

export interface RunOptions {
  jobs: number;
  /** Per-entry time limit in seconds. */
  timeoutSeconds: (plan: Extract<Plan, { kind: 'run' }>) => number;
  /** Called as each entry finishes. */
  onReport?: (report: EntryReport) => void;
  /** The run's host key, sent to the process of each secure entry. */
  hostKey?: RunHostKey;
}

/** Grace after the limit before the process is killed (the machine stops itself at the limit). */
const KILL_GRACE_MS = 5_000;

const ENTRY_PROCESS = fileURLToPath(new URL('./entry-process.js', import.meta.url));

function runInProcess(plan: Extract<Plan, { kind: 'run' }>, timeoutSeconds: number, hostKey: RunHostKey | undefined): Promise<{ log: string; end: MachineEnd }> {
  return new Promise((resolveRun) => {
    const child = fork(ENTRY_PROCESS, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'json' });
    const chunks: Buffer[] = [];
    const errors: Buffer[] = [];
    let end: MachineEnd | undefined;
    child.stdout!.on('data', (c: Buffer) => chunks.push(c));
    child.stderr!.on('data', (c: Buffer) => errors.push(c));
    const killer = setTimeout(
      () => {
        end ??= { kind: 'timeout', seconds: timeoutSeconds };
        child.kill('SIGKILL');
      },
      timeoutSeconds * 1000 + KILL_GRACE_MS,
    );
    child.on('message', (reply: EntryReply) => {
      end ??= reply.end;
    });
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      const stderr = Buffer.concat(errors).toString('utf8').trim();
      const why = stderr === '' ? (signal !== null ? `killed by ${signal}` : `exit code ${code}`) : stderr.split('\n').slice(-1)[0]!;
      resolveRun({ log: Buffer.concat(chunks).toString('latin1'), end: end ?? { kind: 'machine-error', message: `the entry's process ended without a result (${why})` } });
    });
    const request: EntryRequest = { spec: plan.spec, timeoutSeconds, ...(plan.spec.secure === true && hostKey !== undefined ? { hostKey } : {}) };
    child.send(request);
  });
}

/** Runs every plan (skips report at once) and returns the reports in the plans' order. */
export async function runPlans(plans: readonly { name: string; plan: Plan }[], options: RunOptions): Promise<EntryReport[]> {
  const reports = new Array<EntryReport>(plans.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= plans.length) return;
      const { name, plan } = plans[i]!;
      let report: EntryReport;
      if (plan.kind === 'skip') report = { name, result: 'SKIP', summary: undefined, status: undefined, reason: plan.reason, seconds: 0, log: '' };
      else {
        const started = performance.now();
        const { log, end } = await runInProcess(plan, options.timeoutSeconds(plan), options.hostKey);
        report = { name, ...interpret(log, end, plan.spec.expectPanic), seconds: (performance.now() - started) / 1000, log };
      }
      reports[i] = report;
      options.onReport?.(report);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.jobs) }, () => worker()));
  return reports;
}
