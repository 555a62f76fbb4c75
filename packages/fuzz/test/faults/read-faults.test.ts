// The input failing under `pvdump decrypt` and `pvdump info -k`: EIO from the source boundary
// (FileHandle.read) at several points, the dump shrinking mid-run, and its bytes changing
// mid-run. Every run ends with exit 1 and a message naming the problem (or, for a change that
// decryption cannot notice, exit 0 with a complete 0600 output), never a stack trace, and a
// failed run leaves no output.
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPvdump } from '../../src/outcome.ts';
import { INPUT, OUTPUT, cckPath, decryptArgs, expectCleanFailure, fault, modeOf, workFolder } from './support.ts';

/** Reads pvdump makes of the 2 MiB dump: magic, headers, notes, sections, then the memory run. */
const READ_POINTS = [0, 1, 2, 4, 6, 8];

describe('EIO while reading the dump', () => {
  for (const afterReads of READ_POINTS) {
    it(`decrypt: EIO from read ${afterReads + 1} on`, async () => {
      const dir = await workFolder();
      const r = runPvdump(decryptArgs(dir, dir, ['--workers', '0']), { cwd: dir, timeoutMs: 60_000, fault: fault({ kind: 'eio', path: INPUT, afterReads }) });
      expectCleanFailure(r, dir, /i\/o error|EIO/i);
      rmSync(dir, { recursive: true, force: true });
    });
  }

  it('info -k: EIO while reading the notes', async () => {
    const dir = await workFolder();
    const r = runPvdump(['info', '-k', cckPath(), join(dir, INPUT)], { cwd: dir, timeoutMs: 60_000, fault: fault({ kind: 'eio', path: INPUT, afterReads: 3 }) });
    expectCleanFailure(r, dir, /i\/o error|EIO/i);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('the dump shrinking or changing during decrypt', () => {
  for (const afterReads of [2, 4, 6]) {
    for (const length of [4096, 1 << 20]) {
      it(`shrinks to ${length} bytes before read ${afterReads + 1}`, async () => {
        const dir = await workFolder();
        const r = runPvdump(decryptArgs(dir, dir, ['--workers', '0']), { cwd: dir, timeoutMs: 60_000, fault: fault({ kind: 'truncate', path: INPUT, afterReads, length }) });
        expectCleanFailure(r, dir, /truncated|ended early|shrank|too short|beyond the end|needs file bytes/i);
        rmSync(dir, { recursive: true, force: true });
      });
    }
  }

  // The completion data (authenticated), a CPU note (authenticated), and an encrypted page (XTS: no integrity).
  const CHANGES = [
    { what: 'the completion data', at: 0x2037c8 + 100 },
    { what: "CPU 1's PV note", at: 4653 },
    { what: 'an encrypted page', at: 26574 },
  ];
  for (const c of CHANGES) {
    for (const afterReads of [1, 5]) {
      it(`${c.what} changes before read ${afterReads + 1}`, async () => {
        const dir = await workFolder();
        const r = runPvdump(decryptArgs(dir, dir, ['--workers', '0']), { cwd: dir, timeoutMs: 60_000, fault: fault({ kind: 'overwrite', path: INPUT, afterReads, at: c.at, hex: 'a5a5' }) });
        expect(r.timedOut).toBe(false);
        expect([0, 1], r.stderr).toContain(r.status);
        if (r.status === 0) {
          expect(modeOf(join(dir, OUTPUT))).toBe(0o600);
          expect(statSync(join(dir, OUTPUT)).size).toBeGreaterThan(2 * 2 ** 20);
        } else expectCleanFailure(r, dir, /authenticat|corrupt|damaged|tamper|modified/i);
        rmSync(dir, { recursive: true, force: true });
      });
    }
  }
});
