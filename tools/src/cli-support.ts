/**
 * The small contract every `pvdump` command follows:
 * exit 0 on success, 1 on bad input (a clear message, no stack trace), 2 on bad usage.
 * Output files are written to a temporary file beside the target (mode 0600 from the start) and
 * renamed at the end, so a failed or interrupted run never leaves a partial file.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, mkdirSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Bad command-line usage: exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A problem with the user's input (a bad dump, a wrong key, a missing file): exit code 1. */
export class UserError extends Error {
  override readonly name = 'UserError';
}

export interface Command {
  /** One line for `pvdump --help`. */
  readonly summary: string;
  /** Full usage text for `pvdump CMD --help`. */
  readonly usage: string;
  /**
   * The command answers --help itself (e.g. `exec`, whose arguments after PROGRAM belong to the
   * program, so a `--help` there must reach it).
   */
  readonly ownsHelp?: boolean;
  /**
   * The command's work runs without yielding to the event loop (the interpreter), where a signal
   * handler would never run: signals keep their default action, so Ctrl-C ends it at once (as
   * under qemu-s390x) instead of after the program.
   */
  readonly runsSynchronously?: boolean;
  /** Runs the command; resolves to the exit code. */
  run(argv: string[]): Promise<number>;
}

/**
 * Why a file operation failed, in words (no errno names): for messages that say which path and
 * what to do about it.
 */
export function fsReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a folder';
    case 'ENOTDIR':
      return 'a part of the path is not a folder';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EROFS':
      return 'the file system is read-only';
    case 'EEXIST':
      return 'it already exists';
    default:
      return err.message;
  }
}

/** What is at `path`, for messages: a folder, a file, or something else (a device, a pipe). */
export function kindOf(path: string): 'folder' | 'file' | 'special file' | undefined {
  try {
    const st = statSync(path);
    return st.isDirectory() ? 'folder' : st.isFile() ? 'file' : 'special file';
  } catch {
    return undefined;
  }
}

/**
 * Output files in progress: removed when the process ends before they are complete. 'exit' runs
 * on every way out but SIGKILL: the command line ends signals and closed pipes with process.exit.
 */
const pending = new Set<string>();
process.on('exit', () => {
  for (const p of pending) rmSync(p, { force: true });
  pending.clear();
});

/**
 * Creates `dir` and the folders above it that are missing, one by one (Node 20's recursive
 * mkdir loops forever where the kernel answers ENOENT for a parent that exists, as in /proc).
 */
export function makeFolder(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; kindOf(d) === undefined; d = dirname(d)) {
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (e) {
      throw new UserError(`cannot create the folder ${d}: ${fsReason(e)}`);
    }
  }
  const kind = kindOf(dir);
  if (kind !== 'folder') throw new UserError(`${dir} is a ${kind ?? 'missing path'}, not a folder`);
}

/** A UserError unless `folder` exists and is a folder: where an output file is to be made. */
export function checkOutputFolder(target: string): void {
  const folder = dirname(target);
  const kind = kindOf(folder);
  if (kind === undefined) throw new UserError(`cannot write ${target}: the folder ${folder} does not exist (create it first, or choose another output path)`);
  if (kind !== 'folder') throw new UserError(`cannot write ${target}: ${folder} is a ${kind}, not a folder`);
  if (kindOf(target) === 'folder') throw new UserError(`cannot write ${target}: it is a folder; give the name of the file to write, e.g. ${join(target, 'out')}`);
}

/** Replaces every mention of `internal` (a temporary path) in the error's message by `shown`. */
export function renamePathInError(e: unknown, internal: string, shown: string): unknown {
  if (e instanceof Error && internal !== shown && e.message.includes(internal)) e.message = e.message.split(internal).join(shown);
  return e;
}

/**
 * Writes `target` atomically: `produce` receives the path of a temporary file in the same folder,
 * already created (exclusively, so no other file is written through) with `mode` (default 0600:
 * only the owner can read what is written, also while it is written and when the process is
 * killed), and the file is renamed to `target` only if `produce` resolves. On any failure the
 * temporary file is removed, and a message naming it names `target` instead.
 */
export async function writeAtomically<T>(target: string, produce: (tmpPath: string) => Promise<T>, opts: { mode?: number } = {}): Promise<T> {
  checkOutputFolder(target);
  const tmp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.part`);
  try {
    closeSync(openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, opts.mode ?? 0o600));
  } catch (e) {
    throw new UserError(`cannot write ${target}: ${fsReason(e)}`);
  }
  pending.add(tmp);
  try {
    const result = await produce(tmp);
    try {
      renameSync(tmp, target);
    } catch (e) {
      throw new UserError(`cannot write ${target}: ${fsReason(e)}`);
    }
    return result;
  } catch (e) {
    throw renamePathInError(e, tmp, target);
  } finally {
    pending.delete(tmp);
    rmSync(tmp, { force: true });
  }
}

/** True when progress may be drawn on stderr (a terminal, and not asked to be quiet). */
export function progressAllowed(json: boolean): boolean {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-boolean-literal-compare -- undefined at run time when stderr is no terminal
  return !json && process.stderr.isTTY === true;
}

/** A throttled one-line progress meter on stderr; silent unless stderr is a terminal. */
export function progressMeter(label: string, total: number, enabled: boolean): { update(done: number): void; finish(): void } {
  let last = 0;
  const draw = (done: number): void => {
    const pct = total > 0 ? Math.min(100, (done / total) * 100) : 100;
    process.stderr.write(`\r${label}: ${pct.toFixed(1)}% (${(done / 2 ** 20).toFixed(0)} of ${(total / 2 ** 20).toFixed(0)} MiB)`);
  };
  return {
    update(done) {
      if (!enabled) return;
      const now = Date.now();
      if (now - last < 200) return;
      last = now;
      draw(done);
    },
    finish() {
      if (!enabled) return;
      draw(total);
      process.stderr.write('\n');
    },
  };
}

/** `0x` + lowercase hex, zero-padded to `digits` (16 for 64-bit, 8 for 32-bit values). */
export function hex(value: bigint | number, digits: number): string {
  return '0x' + value.toString(16).padStart(digits, '0');
}
