/** Runs the built `pvdump` command line (tools/dist/cli.js) for the CLI tests. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runStatus } from '@pvdump/test-support';

export const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');

export function pvdump(args: readonly string[], opts: { input?: string | Uint8Array; env?: NodeJS.ProcessEnv } = {}): { status: number; stdout: string; stderr: string } {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build the tools package first (turbo builds it before testing)`);
  return runStatus(process.execPath, [CLI, ...args], opts);
}
