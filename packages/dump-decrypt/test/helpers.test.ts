// Helpers (worker threads or child processes) beside the calling thread: `auto` picks their count
// from the dump size and the cores this process may use; file targets get processes that write
// their runs themselves, streams get threads; a helper that dies fails the run at once (no hang,
// no output file, no process left behind).
import { existsSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { openDump } from '@pvdump/dump-format';
import { tempPath } from '@pvdump/test-support';
import { describe, expect, it } from 'vitest';
import { autoWorkers } from '../src/decrypt.ts';
import { decryptDump, PvDecryptError } from '../src/index.ts';
import { PageProcessPool } from '../src/memory/process-pool.ts';
import { PageWorkerPool } from '../src/memory/worker-pool.ts';
import { buildPvDump, mixedStates, type BuiltDump } from '@pvdump/test-pv-dumps';

describe('auto worker count', () => {
  const MiB = 1 << 20;
  it('uses one worker per core but one (the calling thread decrypts too) for dumps of 64 MiB and more', () => {
    expect(autoWorkers(64 * MiB, 2)).toBe(1);
    expect(autoWorkers(2048 * MiB, 8)).toBe(7);
  });
  it('uses none for small dumps (start-up would cost more than it saves)', () => {
    expect(autoWorkers(64 * MiB - 4096, 2)).toBe(0);
  });
  it('uses none on a single core, where a worker only adds a hand-off', () => {
    expect(autoWorkers(2048 * MiB, 1)).toBe(0);
  });
});

describe('worker pool failures', () => {
  it('rejects the runs of a worker that died, and every later run at once', async () => {
    const missing = tempPath('no-such-dump.elf');
    const pool = new PageWorkerPool(1, missing, new Uint8Array(64).fill(1), new Uint8Array(16), 4096);
    try {
      const run = { pages: 1, metaOffset: 0, dataOffset: 0 };
      await expect(pool.submit(run)).rejects.toThrow(/page decryption worker died: .*ENOENT/);
      await expect(pool.submit(run)).rejects.toThrow(/page decryption worker died/);
    } finally {
      await pool.close();
    }
  });
});

/** Our child processes that run the helper body (found in /proc by parent pid and command line). */
function helperProcesses(): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('page-process.js')) pids.push(Number(name));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

async function build(): Promise<BuiltDump> {
  return buildPvDump(tempPath('pv.elf'), { cpus: 2, states: mixedStates(640) });
}

describe('helper processes (file targets) and helper threads (streams)', () => {
  it('write their runs into a FileHandle target, which stays open and ours', async () => {
    const d = await build();
    const out = tempPath('handle.elf');
    const fh = await open(out, 'w');
    try {
      const r = await decryptDump(d.path, d.cck, fh, { workers: 2, runPages: 16 });
      expect(r.helpers).toBe('processes');
      expect(r.workers).toBe(2);
      await fh.write(new Uint8Array(0)); // still open
    } finally {
      await fh.close();
    }
    const dump = await openDump(out);
    try {
      expect(Buffer.from(await dump.readMemory(0n, d.plaintext.length)).equals(d.plaintext)).toBe(true);
    } finally {
      await dump.close();
    }
    expect(helperProcesses()).toEqual([]);
  });

  it('a stream target gets helper threads, in page order; processes are refused for it', async () => {
    const d = await build();
    const stream = new PassThrough();
    const parts: Buffer[] = [];
    stream.on('data', (b: Buffer) => parts.push(b));
    const r = await decryptDump(d.path, d.cck, stream, { workers: 2, runPages: 16 });
    expect(r.helpers).toBe('threads');
    const file = tempPath('from-stream.elf');
    writeFileSync(file, Buffer.concat(parts));
    const dump = await openDump(file);
    try {
      expect(Buffer.from(await dump.readMemory(0n, d.plaintext.length)).equals(d.plaintext)).toBe(true);
    } finally {
      await dump.close();
    }
    await expect(decryptDump(d.path, d.cck, new PassThrough(), { workers: 2, helpers: 'processes' })).rejects.toThrow(/need a path or FileHandle target, not a stream/);
  });

  it('a path target is created readable by its owner only, with helper processes and without', async () => {
    const d = await build();
    for (const workers of [2, 0]) {
      const out = tempPath(`mode-${workers}.elf`);
      await decryptDump(d.path, d.cck, out, { workers, runPages: 16 });
      expect(statSync(out).mode & 0o777).toBe(0o600);
    }
  });

  it('callingThread: false leaves all runs to the helpers, and needs one', async () => {
    const d = await build();
    const r = await decryptDump(d.path, d.cck, tempPath('alone.elf'), { callingThread: false });
    expect(r.workers).toBe(1); // auto gives none for 2.5 MiB, but at least one here
    expect(r.helpers).toBe('processes');
    await expect(decryptDump(d.path, d.cck, tempPath('none.elf'), { callingThread: false, workers: 0 })).rejects.toThrow(/callingThread: false needs helpers: workers must be at least 1/);
    await expect(decryptDump(d.path, d.cck, tempPath('noble.elf'), { callingThread: false, backend: 'noble' })).rejects.toThrow(/need the node backend, not noble/);
  });

  it('a wrong key: the helper processes started early end, and no output file is left', async () => {
    const d = await build();
    const out = tempPath('wrong-key.elf');
    const err = await decryptDump(d.path, new Uint8Array(32).fill(7), out, { workers: 2 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as PvDecryptError).code).toBe('completion-auth');
    expect(existsSync(out)).toBe(false);
    expect(helperProcesses()).toEqual([]);
  });

  it('a helper process killed during the run: an io error naming it, no output file, no process left', async () => {
    const d = await build();
    const out = tempPath('killed.elf');
    const killed: number[] = [];
    const err = await decryptDump(d.path, d.cck, out, {
      workers: 1,
      // Only the helper decrypts, so at the first progress it is surely running (and found by its
      // command line), and with 160 runs it has more queued when it is killed.
      callingThread: false,
      runPages: 4,
      onProgress: () => {
        if (killed.length > 0) return;
        for (const pid of helperProcesses()) {
          process.kill(pid, 'SIGKILL');
          killed.push(pid);
        }
      },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(killed).toHaveLength(1);
    expect(err).toBeInstanceOf(PvDecryptError);
    expect((err as PvDecryptError).code).toBe('io');
    expect((err as PvDecryptError).message).toMatch(new RegExp(`page decryption process ${killed[0]} ended \\(SIGKILL\\)`));
    expect(existsSync(out)).toBe(false);
    expect(helperProcesses()).toEqual([]);
  });

  it('a helper that cannot open the dump ends with that reason, and every later run fails at once', async () => {
    const pool = new PageProcessPool(1, openSync('/dev/null', 'w'));
    try {
      pool.start(tempPath('no-such-dump.elf'), new Uint8Array(64).fill(1), new Uint8Array(16), 4096);
      const run = { pages: 1, metaOffset: 0, dataOffset: 0, outOffset: 0 };
      await expect(pool.submit(run)).rejects.toThrow(/page decryption process \d+ ended \(exit code 1\): ENOENT/);
      await expect(pool.submit(run)).rejects.toThrow(/page decryption process \d+ ended/);
      expect(pool.canTake).toBe(false);
    } finally {
      await pool.close();
    }
    expect(helperProcesses()).toEqual([]);
  });
});
