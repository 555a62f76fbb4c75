/**
 * The allowed outcomes, checked the same way for every target. Library: a result, or an error
 * the library marks as bad input (`userError: true`); anything else is a crash. CLI: exit status
 * 0, 1 or 2, no stack trace or internal error on stderr, no output file left behind after an
 * error, and a peak RSS within the target's bound.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '@pvdump/test-support';
import { FuzzFailure } from './target.js';

/** Describes an error for a failure report: its name, message and first stack frames. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return `non-Error thrown: ${String(err)}`;
  const frames = (err.stack ?? '')
    .split('\n')
    .filter((l) => /^\s+at /.test(l))
    .slice(0, 6);
  return [`${err.name}: ${err.message}`, ...frames].join('\n');
}

/** True for the libraries' bad-input errors (the CLI prints these without a stack, exit 1). */
export function isUserError(err: unknown): boolean {
  return err instanceof Error && (err as { userError?: unknown }).userError === true;
}

/**
 * Runs `fn`; a result or a user error is fine, anything else throws `FuzzFailure`. Returns the
 * result, or undefined when the input was refused.
 */
export async function expectResultOrUserError<T>(what: string, fn: () => T | Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof FuzzFailure) throw err;
    if (isUserError(err)) return undefined;
    throw new FuzzFailure(`${what} threw an error that is not a bad-input error:\n${describeError(err)}`);
  }
}

/** A private scratch folder on tmpfs where there is one (mutated dumps are written for every run). */
export function scratchFolder(prefix: string): string {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  return mkdtempSync(join(base, prefix));
}

/** Preloads run from the build (`dist/`), also when this module runs from its source under vitest. */
const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const PROBE = join(DIST, 'rss-probe.js');
export const CLI_PATH = join(repoRoot(), 'tools', 'dist', 'cli.js');

export interface CliRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Peak resident set size of the `pvdump` process (or of its largest helper process), MiB. */
  peakRssMiB: number;
  timedOut: boolean;
}

/** The fault-injection preload (see faults/inject.ts). */
export const FAULT_INJECTION = join(DIST, 'faults', 'inject.js');

/** Node arguments that start `pvdump` with the RSS probe (and fault injection when asked for). */
export function pvdumpCommand(args: readonly string[], faults = false): string[] {
  return ['--import', PROBE, ...(faults ? ['--import', FAULT_INJECTION] : []), CLI_PATH, ...args];
}

/** Peak RSS (MiB) written by the probe into `dir` (the largest of the processes), files removed. */
export function collectPeakRss(dir: string): number {
  let peakKiB = 0;
  for (const f of readdirSync(dir).filter((n) => n.startsWith('.rss.'))) {
    peakKiB = Math.max(peakKiB, Number(readFileSync(join(dir, f), 'utf8')));
    rmSync(join(dir, f), { force: true });
  }
  return peakKiB / 1024;
}

/** Spawns `pvdump ARGS` with the RSS probe preloaded (and `$PVDUMP_FAULT` injected when given). */
export function runPvdump(args: readonly string[], opts: { cwd: string; timeoutMs: number; env?: NodeJS.ProcessEnv; fault?: object }): CliRun {
  const rssFile = join(opts.cwd, '.rss');
  const faultEnv = opts.fault === undefined ? {} : { PVDUMP_FAULT: JSON.stringify(opts.fault) };
  const r = spawnSync(process.execPath, pvdumpCommand(args, opts.fault !== undefined), {
    cwd: opts.cwd,
    encoding: 'utf8',
    timeout: opts.timeoutMs,
    killSignal: 'SIGKILL',
    maxBuffer: 64 << 20,
    env: { ...process.env, ...opts.env, ...faultEnv, PVDUMP_RSS_FILE: rssFile },
  });
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- the build (tsconfig.build.json) types spawnSync's error as Error
  const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  if (r.error && !timedOut) throw r.error;
  const peakRssMiB = collectPeakRss(opts.cwd);
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- null at run time when the process could not be spawned
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '', peakRssMiB, timedOut };
}

/** A Node stack frame, as an uncaught error prints them. */
const STACK_FRAME = /^\s+at .+(:\d+:\d+\)?|\(native\)|\(<anonymous>\))$/m;

/** Checks the contract every `pvdump` command keeps; throws `FuzzFailure` naming what broke. */
export function checkCliRun(what: string, r: CliRun, bounds: { memoryBoundMiB: number; hangMs: number }): void {
  const tail = `\n--- stderr ---\n${r.stderr.slice(0, 2000)}`;
  if (r.timedOut) throw new FuzzFailure(`${what}: no exit within ${bounds.hangMs} ms (a hang)${tail}`);
  if (r.status === null) throw new FuzzFailure(`${what}: killed by ${r.signal}${tail}`);
  if (![0, 1, 2].includes(r.status)) throw new FuzzFailure(`${what}: exit status ${r.status}, not 0, 1 or 2${tail}`);
  if (/internal error/i.test(r.stderr) || STACK_FRAME.test(r.stderr)) throw new FuzzFailure(`${what}: stack trace or internal error on stderr${tail}`);
  if (r.status !== 0 && r.stderr.trim() === '') throw new FuzzFailure(`${what}: exit status ${r.status} without a message on stderr`);
  if (r.peakRssMiB > bounds.memoryBoundMiB) throw new FuzzFailure(`${what}: peak RSS ${r.peakRssMiB.toFixed(0)} MiB exceeds the bound of ${bounds.memoryBoundMiB} MiB${tail}`);
}

/** Files in `dir` other than `allowed` (an output left behind, a stray temporary file). */
export function strayFiles(dir: string, allowed: readonly string[]): string[] {
  return readdirSync(dir).filter((f) => !allowed.includes(f) && !f.startsWith('.rss.'));
}
