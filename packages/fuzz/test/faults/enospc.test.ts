// A full disk during `pvdump decrypt`: a real 1 MiB tmpfs (mounted as root) and, where mounting
// is not permitted or in any case, ENOSPC injected at the sink boundary (FileHandle.write). The
// run fails with exit 1 and "no space left", and no output or temporary file remains.
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { releaseTinyTmpfs, tinyTmpfs as mountTinyTmpfs } from '@pvdump/test-support';
import { runPvdump } from '../../src/outcome.ts';
import { OUTPUT, decryptArgs, expectCleanFailure, fault, workFolder } from './support.ts';

const NO_SPACE = /no space left/i;
const mounted: string[] = [];
afterAll(() => mounted.forEach(releaseTinyTmpfs));

/** A 1 MiB tmpfs, or undefined when this process may not mount one. */
function tinyTmpfs(): string | undefined {
  const dir = mountTinyTmpfs(1 << 20);
  if (dir !== undefined) mounted.push(dir);
  return dir;
}

describe('ENOSPC during pvdump decrypt', () => {
  for (const workers of ['0', '1']) {
    it(`on a full file system (1 MiB tmpfs, or the sink stub where mounting is refused), ${workers} helper(s)`, async () => {
      const dir = await workFolder();
      const small = tinyTmpfs();
      // The 2 MiB dump's plaintext does not fit into 1 MiB: the write fails midway.
      const r =
        small === undefined
          ? runPvdump(decryptArgs(dir, dir, ['--workers', workers]), { cwd: dir, timeoutMs: 60_000, fault: fault({ kind: 'enospc', path: OUTPUT, afterBytes: 1 << 20 }) })
          : runPvdump(decryptArgs(dir, small, ['--workers', workers]), { cwd: dir, timeoutMs: 60_000 });
      expectCleanFailure(r, small ?? dir, NO_SPACE);
      rmSync(dir, { recursive: true, force: true });
    });
  }

  for (const afterBytes of [0, 4096, 1 << 20]) {
    it(`from the sink stub after ${afterBytes} bytes`, async () => {
      const dir = await workFolder();
      const r = runPvdump(decryptArgs(dir, dir, ['--workers', '0']), { cwd: dir, timeoutMs: 60_000, fault: fault({ kind: 'enospc', path: OUTPUT, afterBytes }) });
      expectCleanFailure(r, dir, NO_SPACE);
      expect(
        r.stderr
          .trim()
          .split('\n')
          .filter((l) => !l.includes('warning')).length,
      ).toBe(1);
      rmSync(dir, { recursive: true, force: true });
    });
  }
});
