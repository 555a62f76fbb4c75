// SIGINT, SIGTERM and SIGKILL at random points of `pvdump decrypt` (reads slowed down, and
// writes of the output much more, so that a run lasts long enough to be interrupted anywhere:
// startup, reading, decrypting, writing). Afterwards there is never a file with the final name unless the run completed (a
// signal that arrives after the output was renamed into place finds it complete: zgetdump's bytes); after
// SIGINT/SIGTERM no temporary file either and the exit status is 130/143; after SIGKILL a
// leftover temporary file is readable by its owner only (0600), as the plaintext must never be
// readable by others.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gunzipFixture } from '@pvdump/test-support';
import { pvdumpCommand } from '../../src/outcome.ts';
import { OUTPUT, decryptArgs, fault, leftovers, modeOf, workFolder } from './support.ts';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGKILL'] as const;
/** How `pvdump` ends on each signal (tools/README.md; 128 + the signal number for the caught ones). */
const EXIT_ON = { SIGINT: 130, SIGTERM: 143 } as const;

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function decryptInterrupted(dir: string, signal: (typeof SIGNALS)[number], afterMs: number): Promise<Ended> {
  const env = { ...process.env, PVDUMP_RSS_FILE: join(dir, '.rss'), PVDUMP_FAULT: JSON.stringify(fault({ kind: 'slow', path: '.elf', readDelayMs: 150, writeDelayMs: 1500 })) };
  const child = spawn(process.execPath, pvdumpCommand(decryptArgs(dir, dir, ['--workers', '0', '--no-auxv']), true), { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill(signal), afterMs);
  return new Promise((resolve) => child.on('exit', (code, sig) => (clearTimeout(timer), resolve({ code, signal: sig, stderr }))));
}

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('pvdump decrypt interrupted by a signal', () => {
  it('leaves no file with the final name, and no plaintext readable by others, at any point', async () => {
    // What a complete output holds: zgetdump's decryption of the same dump (byte-identical with --no-auxv).
    const complete = sha256(await gunzipFixture('pv-zgetdump/zgetdump-out.elf.gz'));
    let completed = 0;
    let interrupted = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SIGNALS), fc.integer({ min: 0, max: 3500 }), async (signal, afterMs) => {
        const dir = await workFolder();
        try {
          const end = await decryptInterrupted(dir, signal, afterMs);
          const out = join(dir, OUTPUT);
          if (end.code === 0 || existsSync(out)) {
            // Finished before the signal, or the signal came between the rename and the exit:
            // the output is complete and private.
            completed++;
            expect(sha256(out), `${signal} after ${afterMs} ms: exit ${end.code}`).toBe(complete);
            expect(modeOf(out)).toBe(0o600);
            return;
          }
          interrupted++;
          expect(existsSync(out), `${signal} after ${afterMs} ms left ${OUTPUT}`).toBe(false);
          expect(end.stderr).not.toMatch(/internal error|^\s+at .+:\d+:\d+\)?$/m);
          if (signal === 'SIGKILL') {
            expect(end.signal).toBe('SIGKILL');
            for (const f of leftovers(dir)) expect(modeOf(join(dir, f)), `${f} after SIGKILL`).toBe(0o600);
          } else {
            // Caught: exit 130/143; before the handlers exist (node starting) the signal ends the
            // process itself, which a shell reports as the same 128 + signal number.
            expect(end.code === EXIT_ON[signal] || (end.code === null && end.signal === signal), `${signal} after ${afterMs} ms: exit ${end.code}, signal ${end.signal}`).toBe(true);
            expect(leftovers(dir), `${signal} after ${afterMs} ms`).toEqual([]);
          }
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 12, seed: 11 },
    );
    expect(completed + interrupted).toBe(12);
    expect(interrupted).toBeGreaterThan(6);
  });

  it('SIGKILL while the output is being written leaves only a 0600 temporary file', async () => {
    const dir = await workFolder();
    try {
      const env = { ...process.env, PVDUMP_FAULT: JSON.stringify(fault({ kind: 'slow', path: '.elf', readDelayMs: 0, writeDelayMs: 60_000 })) };
      const child = spawn(process.execPath, pvdumpCommand(decryptArgs(dir, dir, ['--workers', '0', '--no-auxv']), true), { cwd: dir, env, stdio: 'ignore' });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
      // Wait for the temporary file (made at the start of the run; the first write of plaintext into it is held for a minute).
      const started = Date.now();
      while (leftovers(dir).length === 0 && Date.now() - started < 60_000) await new Promise((r) => setTimeout(r, 50));
      const during = leftovers(dir);
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      expect(during).toHaveLength(1);
      expect(during[0]).toMatch(/^\.decrypted\.elf\..*\.part$/);
      expect(existsSync(join(dir, OUTPUT))).toBe(false);
      for (const f of leftovers(dir)) expect(modeOf(join(dir, f)), f).toBe(0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
