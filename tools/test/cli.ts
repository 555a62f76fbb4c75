/** Runs the built `pvdump` command line (tools/dist/cli.js) for the CLI tests. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runStatus } from '@pvdump/test-support';

export const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');

export function pvdump(args: readonly string[], opts: { input?: string | Uint8Array; env?: NodeJS.ProcessEnv } = {}): { status: number; stdout: string; stderr: string } {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build the tools package first (turbo builds it before testing)`);
  return runStatus(process.execPath, [CLI, ...args], opts);
}

/**
 * Runs the built CLI without blocking this worker (a guest run takes seconds; a synchronous spawn
 * would stall the test runner's own messages).
 */
export function pvdumpAsync(args: readonly string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}
