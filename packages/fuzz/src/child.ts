/**
 * One fuzzing process: runs one target in-process under fast-check for a time or execution
 * budget (or replays saved inputs), and reports to the parent runner over IPC. Before every
 * execution it sends the input, so a hang or a hard crash can be pinned on it.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { describeError } from './outcome.js';
import { FuzzFailure, loadTargets, type FuzzTarget } from './target.js';

export type ChildMessage = { type: 'input'; input: unknown } | { type: 'result'; executions: number; failure: { kind: 'crash' | 'memory'; message: string; input: unknown } | null; peakRssMiB: number; replayed?: number };

let lastSend: Promise<void> = Promise.resolve();
/** Sends to the parent; `flushed()` resolves once everything sent so far has left the process. */
function send(m: ChildMessage): void {
  if (process.send === undefined) return;
  lastSend = new Promise((resolve) => process.send!(m, undefined, {}, () => resolve()));
}
const flushed = (): Promise<void> => lastSend;

const peakRssMiB = (): number => process.resourceUsage().maxRSS / 1024;

async function fuzz(target: FuzzTarget, context: unknown, opts: { seed: number; timeMs?: number; runs?: number }): Promise<void> {
  let executions = 0;
  let memoryFailure: { input: unknown; message: string } | undefined;
  const property = fc.asyncProperty(target.inputs(context), async (input) => {
    if (memoryFailure !== undefined) return;
    send({ type: 'input', input });
    executions++;
    await target.execute(input, context);
    if (target.level === 'library' && peakRssMiB() > target.memoryBoundMiB) {
      memoryFailure = { input, message: `peak RSS ${peakRssMiB().toFixed(0)} MiB of the fuzzing process exceeds the bound of ${target.memoryBoundMiB} MiB after this input` };
    }
  });
  const details = await fc.check(property, {
    seed: opts.seed,
    numRuns: opts.runs ?? Number.MAX_SAFE_INTEGER,
    examples: (target.examples?.(context) ?? []).map((input) => [input] as [unknown]),
    plugins: opts.timeMs === undefined ? [] : [fc.interruptAfterTimeLimit(opts.timeMs)],
  });
  if (memoryFailure !== undefined) {
    send({ type: 'result', executions, failure: { kind: 'memory', ...memoryFailure }, peakRssMiB: peakRssMiB() });
    return;
  }
  if (details.failed && details.counterexample !== null) {
    const err = details.errorInstance;
    const message = err instanceof FuzzFailure ? err.message : `the harness itself failed: ${describeError(err)}`;
    send({ type: 'result', executions, failure: { kind: 'crash', message, input: (details.counterexample as readonly unknown[])[0] }, peakRssMiB: peakRssMiB() });
    return;
  }
  send({ type: 'result', executions, failure: null, peakRssMiB: peakRssMiB() });
}

async function replay(target: FuzzTarget, context: unknown, files: readonly string[]): Promise<void> {
  let executions = 0;
  for (const file of files) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { input: unknown };
    send({ type: 'input', input: saved.input });
    executions++;
    try {
      await target.execute(saved.input, context);
    } catch (err) {
      const message = `${file}: ${err instanceof FuzzFailure ? err.message : describeError(err)}`;
      send({ type: 'result', executions, failure: { kind: 'crash', message, input: saved.input }, peakRssMiB: peakRssMiB(), replayed: executions });
      return;
    }
  }
  send({ type: 'result', executions, failure: null, peakRssMiB: peakRssMiB(), replayed: executions });
}

const { values, positionals } = parseArgs({
  options: { target: { type: 'string' }, seed: { type: 'string' }, 'time-ms': { type: 'string' }, runs: { type: 'string' }, replay: { type: 'boolean', default: false } },
  allowPositionals: true,
});
const target = (await loadTargets()).get(values.target ?? '');
if (target === undefined) throw new Error(`no fuzz target named ${values.target}`);
const context = await target.prepare();
try {
  if (values.replay) await replay(target, context, positionals);
  else {
    await fuzz(target, context, {
      seed: Number(values.seed ?? '1'),
      ...(values['time-ms'] === undefined ? {} : { timeMs: Number(values['time-ms']) }),
      ...(values.runs === undefined ? {} : { runs: Number(values.runs) }),
    });
  }
} finally {
  await target.dispose?.(context);
}
// Disconnecting with messages still queued would drop the report.
await flushed();
// eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- undefined at run time when started without an IPC channel
process.disconnect?.();
