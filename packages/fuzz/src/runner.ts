/**
 * Runs targets, each in its own fuzzing process, and watches it: an execution that burns more CPU
 * time than the target's hang bound without finishing is a hang (the process is killed), a process that dies without a
 * report is a crash, and a peak RSS past the target's bound is a memory failure. Every failure
 * is saved as a replayable input under `corpus/crashes/<target>/`.
 */
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
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

/** CPU time (user + system, ms) of a process so far, from /proc; wall-clock based where /proc is absent. */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // Fields 14 and 15 of stat (utime, stime) in clock ticks of 10 ms; index 0 here is field 3.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Date.now();
  }
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
    let cpuAtLastMessage = cpuMs(child.pid);
    // Setup (fixtures, keys) gets extra time before the first input.
    let setup = true;
    const watchdog = setInterval(() => {
      const silent = Date.now() - silentSince;
      const busy = cpuMs(child.pid) - cpuAtLastMessage;
      // A hang burns CPU without progress; a process starved by a loaded machine does not, so
      // wall time alone counts only past a generous cap (e.g. an input blocked on I/O).
      const limit = setup ? opts.hangMs + 60_000 : opts.hangMs;
      if (busy > limit || silent > limit * HANG_WALL_FACTOR) {
        hung = true;
        child.kill('SIGKILL');
      }
    }, 500);
    child.on('message', (m: ChildMessage) => {
      setup = false;
      silentSince = Date.now();
      cpuAtLastMessage = cpuMs(child.pid);
      if (m.type === 'input') lastInput = m.input;
      else result = m;
    });
    child.on('exit', (code, signal) => {
      clearInterval(watchdog);
      const seconds = (Date.now() - started) / 1000;
      let failure: TargetFailure | null = null;
      if (hung) failure = { kind: 'hang', message: `no progress for ${opts.hangMs} ms of CPU time: the last input hangs`, input: lastInput };
      else if (result === undefined) failure = { kind: 'died', message: `the fuzzing process ended (exit ${code}, signal ${signal}) without a report:\n${stderr}`, input: lastInput };
      else if (result.failure !== null) failure = { ...result.failure };
      else if (opts.level === 'library' && result.peakRssMiB > opts.memoryBoundMiB) failure = { kind: 'memory', message: `peak RSS ${result.peakRssMiB.toFixed(0)} MiB exceeds the bound of ${opts.memoryBoundMiB} MiB`, input: lastInput };
      if (failure !== null && failure.input !== undefined && opts.save !== false && opts.replay === undefined) failure.savedAs = save(target, failure, opts.seed);
      resolve({ target, executions: result?.executions ?? 0, seconds, peakRssMiB: result?.peakRssMiB ?? 0, failure });
    });
  });
}
