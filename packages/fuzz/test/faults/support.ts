// Shared steps of the fault-injection tests: a private folder holding a copy of the real PV dump,
// `pvdump decrypt` spawned with a fault, and the checks every failed run must pass.
import { copyFileSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturePath, gunzipFixture } from '@pvdump/test-support';
import { expect } from 'vitest';
import type { CliRun } from '../../src/outcome.ts';
import type { Fault } from '../../src/faults/inject.ts';

export const INPUT = 'input.elf';
export const OUTPUT = 'decrypted.elf';

/** A fresh folder (0700) with the real PV dump copied in as `input.elf`. */
export async function workFolder(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'pvdump-fault-'));
  copyFileSync(await gunzipFixture('pv-zgetdump/pv-dump.elf.gz'), join(dir, INPUT));
  return dir;
}

export const cckPath = (): string => fixturePath('pv-zgetdump/cck.bin');

export function decryptArgs(dir: string, outDir = dir, extra: string[] = []): string[] {
  return ['decrypt', '-k', cckPath(), ...extra, join(dir, INPUT), join(outDir, OUTPUT)];
}

export function fault(f: Fault): Fault {
  return f;
}

/** Files in `dir` besides the input and the probe's RSS reports. */
export function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((f) => f !== INPUT && !f.startsWith('.rss.'));
}

/** A failed run: the exit status, a one-line message matching `message` and no stack trace, nothing left in `outDir`. */
export function expectCleanFailure(r: CliRun, outDir: string, message: RegExp, status = 1): void {
  expect(r.timedOut).toBe(false);
  expect(r.status, r.stderr).toBe(status);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/internal error|^\s+at .+:\d+:\d+\)?$/m);
  expect(leftovers(outDir), 'no output or temporary file may be left after an error').toEqual([]);
}

/** Mode bits of a file (e.g. 0o600). */
export const modeOf = (path: string): number => statSync(path).mode & 0o777;
