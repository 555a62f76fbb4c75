/**
 * Runs targets, each in its own fuzzing process, and watches it: an execution that burns more CPU
 * time than the target's hang bound without finishing is a hang (the process is killed; see
 * `isHung` for one that burns none), a process that dies without a
 * report is a crash, and a peak RSS past the target's bound is a memory failure. Every failure
 * is saved as a replayable input under `corpus/crashes/<target>/`.
 */
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildMessage } from './child.js';

const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const CHILD = join(PACKAGE_DIR, 'dist', 'child.js');
export const CRASHES_DIR = join(PACKAGE_DIR, 'corpus', 'crashes');
export const REGRESSIONS_DIR = join(PACKAGE_DIR, 'corpus', 'regressions');

/** The seed of CI runs: fixed, so a CI failure reproduces with the same command. */
export const CI_SEED = 20261204;

/** Silence in wall time that counts as a hang even without CPU use, as a multiple of the hang bound. */
const HANG_WALL_FACTOR = 6;

/**
 * What a process's main thread did since it started, from Linux's /proc/PID/schedstat: `cpuMs`
 * its CPU time, `waitMs` the time it was runnable but waited for a CPU (run-queue delay).
 * The main thread runs the target, so helper threads (the garbage collector's on a loaded
 * machine) do not count towards a hang. Undefined where /proc is absent or the process is gone.
 */
export interface ProcessTimes {
  cpuMs: number;
  waitMs: number;
}
export function processTimes(pid: number | undefined): ProcessTimes | undefined {
  if (pid === undefined) return undefined;
  try {
    const [run, wait] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
    return Number.isFinite(run) && Number.isFinite(wait) ? { cpuMs: run! / 1e6, waitMs: wait! / 1e6 } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The watchdog's verdict on one execution that has run `silentMs` of wall time since its last
 * message: a hang burns more than `hangMs` of CPU time without finishing; an execution that
 * burns none (blocked, e.g. on I/O) hangs once its wall time, less the time it only waited for a
 * CPU of a loaded machine, passes HANG_WALL_FACTOR × `hangMs`, stretched further by how many
 * runnable tasks share each core (the load average per core), since the run-queue delay of the
 * process's helper threads and children is not seen. Without /proc, wall time alone counts.
 */
export function isHung(silentMs: number, since: ProcessTimes | undefined, now: ProcessTimes | undefined, hangMs: number, loadPerCore: number): boolean {
  const busy = since !== undefined && now !== undefined ? now.cpuMs - since.cpuMs : undefined;
  const starved = since !== undefined && now !== undefined ? now.waitMs - since.waitMs : 0;
  if (busy !== undefined && busy > hangMs) return true;
  const blocked = silentMs - Math.max(0, starved);
  return blocked > hangMs * HANG_WALL_FACTOR * Math.max(1, loadPerCore);
}

export type Budget = { kind: 'time'; ms: number } | { kind: 'runs'; runs: number };

export interface TargetFailure {
  kind: 'crash' | 'memory' | 'hang' | 'died';
  message: string;
  input: unknown;
  /** Where the failing input was saved. */
  savedAs?: string;
}

export interface TargetReport {
  target: string;
  executions: number;
  seconds: number;
  peakRssMiB: number;
  failure: TargetFailure | null;
}

/** Parses `30s`, `2m`, `500ms` (time per target) or a plain count (executions per target). */
export function parseBudget(text: string): Budget {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (m === null) throw new Error(`budget '${text}' is neither a time (30s, 2m, 500ms) nor a number of executions`);
  const n = Number(m[1]);
  if (m[2] === undefined) return { kind: 'runs', runs: Math.max(1, Math.floor(n)) };
  return { kind: 'time', ms: n * (m[2] === 'ms' ? 1 : m[2] === 's' ? 1000 : 60_000) };
}

function save(target: string, failure: TargetFailure, seed: number): string {
  const dir = join(CRASHES_DIR, target);
  mkdirSync(dir, { recursive: true });
  const body = JSON.stringify({ target, kind: failure.kind, seed, message: failure.message, input: failure.input }, null, 1) + '\n';
  const file = join(dir, `${createHash('sha256').update(JSON.stringify(failure.input)).digest('hex').slice(0, 12)}.json`);
  writeFileSync(file, body);
  return file;
}

/** The regression inputs committed for a target. */
export function regressionFiles(target: string): string[] {
  const dir = join(REGRESSIONS_DIR, target);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(dir, f));
}

export interface RunOptions {
  budget: Budget;
  seed: number;
  /** The target's bounds (see `FuzzTarget`). */
  level: 'library' | 'cli';
  hangMs: number;
  memoryBoundMiB: number;
  /** Replay these saved inputs instead of fuzzing. */
  replay?: readonly string[];
  /** Save failing inputs under corpus/crashes (default true). */
  save?: boolean;
}

/** Runs one target in a fresh process and reports what happened. */
export function runTarget(target: string, opts: RunOptions): Promise<TargetReport> {
  const args = ['--target', target, '--seed', String(opts.seed)];
  if (opts.replay !== undefined) args.push('--replay', ...opts.replay);
  else if (opts.budget.kind === 'time') args.push('--time-ms', String(opts.budget.ms));
  else args.push('--runs', String(opts.budget.runs));
  const started = Date.now();
  return new Promise((resolve) => {
    const child = fork(CHILD, args, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    let lastInput: unknown;
    let result: Extract<ChildMessage, { type: 'result' }> | undefined;
    let hung = false;
    let silentSince = Date.now();
    let timesAtLastMessage = processTimes(child.pid);
    // Setup (fixtures, keys) gets extra time before the first input.
    let setup = true;
    const watchdog = setInterval(() => {
      const limit = setup ? opts.hangMs + 60_000 : opts.hangMs;
      const loadPerCore = loadavg()[0]! / availableParallelism();
      if (isHung(Date.now() - silentSince, timesAtLastMessage, processTimes(child.pid), limit, loadPerCore)) {
        hung = true;
        child.kill('SIGKILL');
      }
    }, 500);
    child.on('message', (m: ChildMessage) => {
      setup = false;
      silentSince = Date.now();
      timesAtLastMessage = processTimes(child.pid);
      if (m.type === 'input') lastInput = m.input;
      else result = m;
    });
    child.on('exit', (code, signal) => {
      clearInterval(watchdog);
      const seconds = (Date.now() - started) / 1000;
      let failure: TargetFailure | null = null;
      if (hung) failure = { kind: 'hang', message: `no progress for ${opts.hangMs} ms of CPU time (or ${HANG_WALL_FACTOR}× that blocked, beyond waiting for a CPU): the last input hangs`, input: lastInput };
      else if (result === undefined) failure = { kind: 'died', message: `the fuzzing process ended (exit ${code}, signal ${signal}) without a report:\n${stderr}`, input: lastInput };
      else if (result.failure !== null) failure = { ...result.failure };
      else if (opts.level === 'library' && result.peakRssMiB > opts.memoryBoundMiB) failure = { kind: 'memory', message: `peak RSS ${result.peakRssMiB.toFixed(0)} MiB exceeds the bound of ${opts.memoryBoundMiB} MiB`, input: lastInput };
      if (failure !== null && failure.input !== undefined && opts.save !== false && opts.replay === undefined) failure.savedAs = save(target, failure, opts.seed);
      resolve({ target, executions: result?.executions ?? 0, seconds, peakRssMiB: result?.peakRssMiB ?? 0, failure });
    });
  });
}
