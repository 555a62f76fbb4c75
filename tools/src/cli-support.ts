/**
 * The small contract every `pvdump` command follows:
 * exit 0 on success, 1 on bad input (a clear message, no stack trace), 2 on bad usage.
 * Output files are written to a temporary file beside the target and renamed at the end,
 * so a failed or interrupted run never leaves a partial file.
 */
import { randomBytes } from 'node:crypto';
import { rmSync, renameSync } from 'node:fs';
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
  /** Runs the command; resolves to the exit code. */
  run(argv: string[]): Promise<number>;
}

const pending = new Set<string>();
let hooked = false;

/** Removes temporary outputs of an interrupted run. */
function hookSignals(): void {
  if (hooked) return;
  hooked = true;
  const cleanup = (): void => {
    for (const p of pending) rmSync(p, { force: true });
    pending.clear();
  };
  process.on('exit', cleanup);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      cleanup();
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
}

/**
 * Writes `target` atomically: `produce` receives a temporary path in the same folder, and the
 * file is renamed to `target` only if `produce` resolves. On any failure the temporary file is removed.
 */
export async function writeAtomically<T>(target: string, produce: (tmpPath: string) => Promise<T>): Promise<T> {
  hookSignals();
  const tmp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.part`);
  pending.add(tmp);
  try {
    const result = await produce(tmp);
    renameSync(tmp, target);
    return result;
  } finally {
    pending.delete(tmp);
    rmSync(tmp, { force: true });
  }
}

/** True when progress may be drawn on stderr (a terminal, and not asked to be quiet). */
export function progressAllowed(json: boolean): boolean {
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
