/**
 * `decryptDump`: the whole of `zgetdump -k` (spec pv-dump-crypto.md §9, elf-core-format.md §11).
 * A PV dump is checked, its completion data and CPU notes opened, every page state validated,
 * then memory streams through XTS into an ELF core in zgetdump's layout: with the node:crypto
 * backend, helper processes write their runs straight into a file target, helper threads hand
 * theirs back in page order for a stream. A non-PV dump is copied through the writer unchanged in
 * content. Only a few MiB are ever in memory, whatever the dump size.
 */
import { closeSync, constants, openSync, readSync, writeSync } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Writable } from 'node:stream';
import { DumpWriter, openDump, writeDump, type CpuState, type DumpReader, type WriteTarget } from '@pvdump/dump-format';
import { createPageCipher, defaultBackend, type CryptoBackend, type PageCipher } from './crypto/page-cipher.js';
import { isProtectedGuestDumpWithoutPvData, noKeyError, noPvDataError, PvDecryptError } from './errors.js';
import { decryptPagesInPlace, scanPageStates } from './memory/pages.js';
import { PageProcessPool } from './memory/process-pool.js';
import { PageWorkerPool, REGIONS_PER_WORKER } from './memory/worker-pool.js';
import { checkShstrtab, openPvContext, type PvContext } from './pv/context.js';
import type { PvCpuState } from './pv/cpu-data.js';
import { PV_PAGE_SIZE, TWEAK_COMPONENT_SIZE } from '@pvdump/pv-format';
import type { PageCensus } from './pv/page-state.js';
import { findVmcoreinfo } from './vmcoreinfo.js';

export interface DecryptOptions {
  /** Add NT_AUXV (AT_HWCAP with vector registers) so gdb shows V0–V31; zgetdump writes none. Default false. */
  auxv?: boolean;
  /** `node` (batched OpenSSL, the default where available), `node-xts` (OpenSSL XTS per page) or `noble` (pure JS). */
  backend?: CryptoBackend;
  /**
   * Helpers that decrypt beside the calling thread (node backend only): a number, or `auto`
   * (default) = one per core but one when the dump has at least 64 MiB of memory, none for
   * smaller dumps or on a single core. 0 decrypts on the calling thread alone.
   */
  workers?: number | 'auto';
  /**
   * What the helpers are: `processes` (child processes that write their runs straight into the
   * output file; file targets only), `threads` (worker threads whose runs the calling thread
   * writes in order; any target). `auto` (default): processes for a path or FileHandle target,
   * threads for a stream such as stdout.
   */
  helpers?: 'auto' | 'threads' | 'processes';
  /**
   * Whether the calling thread decrypts runs too (default true). With false only the helpers
   * decrypt and the calling thread's event loop stays free (it hands out runs and, for streams,
   * writes them); `auto` then starts at least one helper.
   */
  callingThread?: boolean;
  /** Pages per read/decrypt run (default 1088 = 4.25 MiB: just above the file sink's 4 MiB buffer, so it writes runs without copying them, and small enough to keep peak RSS low). */
  runPages?: number;
  /** Called after each run with the memory bytes done and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Called for each warning (e.g. a CPU with partial instruction results) as soon as it is known. */
  onWarning?: (message: string) => void;
}

export interface DecryptReport {
  /** False when the input was not a PV dump and was copied. */
  pv: boolean;
  /** Decrypted CPU states (PV) or the copied CPU states. */
  cpus: (PvCpuState | CpuState)[];
  /** PV only: the hypervisor's unencrypted view of each PV CPU, same order as `cpus`. */
  hypervisorCpus: (CpuState | undefined)[];
  census?: PageCensus;
  warnings: string[];
  backend?: CryptoBackend;
  /** Helpers that decrypted beside the calling thread, and what they were. */
  workers: number;
  helpers: 'threads' | 'processes' | 'none';
  /** Guest memory bytes written. */
  memoryBytes: number;
  vmcoreinfo: boolean;
}

const AUTO_WORKER_THRESHOLD = 64 << 20;

/** Decrypts `input` (a path) with the 32-byte CCK into `target` (path, file handle or stream). */
export async function decryptDump(input: string, cck: Uint8Array | undefined, target: WriteTarget, opts: DecryptOptions = {}): Promise<DecryptReport> {
  const reader = await openDump(input);
  try {
    checkShstrtab(reader);
    if (!reader.isPv) {
      // A key asks for decryption: a protected guest's dump without PV data has nothing it could decrypt.
      if (cck !== undefined && isProtectedGuestDumpWithoutPvData(reader)) throw noPvDataError(input);
      return await copyPlainDump(reader, target);
    }
    if (cck === undefined) {
      throw noKeyError(input);
    }
    const plan = planDecryption(reader, target, opts);
    // Helper processes boot (Node's start-up, some 70 ms) while the key is checked and the page
    // states are scanned; they write into the output, so it is opened now (and removed again if
    // anything fails, a wrong key included).
    const early = plan.helpers === 'processes' ? await startProcesses(target as string | FileHandle, plan.workers) : undefined;
    let ok = false;
    try {
      const ctx = await openPvContext(reader, cck);
      try {
        const report = await writeDecrypted(reader, ctx, early?.out ?? target, opts, plan, early?.pool);
        ok = true;
        return report;
      } finally {
        ctx.wipe();
      }
    } finally {
      if (early !== undefined) await early.finish(ok);
    }
  } finally {
    await reader.close();
  }
}

/** What `decryptDump` will use, from the options and the dump (before the key is checked). */
interface DecryptionPlan {
  backend: CryptoBackend;
  workers: number;
  helpers: 'threads' | 'processes' | 'none';
  runPages: number;
  callingThread: boolean;
}

function planDecryption(reader: DumpReader, target: WriteTarget, opts: DecryptOptions): DecryptionPlan {
  const backend = opts.backend ?? defaultBackend();
  const memoryBytes = reader.memory.reduce((n, m) => n + Number(m.size), 0);
  const callingThread = opts.callingThread ?? true;
  const atLeast = callingThread ? 0 : 1;
  const workers = backend !== 'node' ? 0 : opts.workers === undefined || opts.workers === 'auto' ? Math.max(atLeast, autoWorkers(memoryBytes)) : opts.workers;
  if (!Number.isInteger(workers) || workers < 0 || workers > 256) throw new RangeError(`workers must be 'auto' or 0..256, got ${String(opts.workers)}`);
  if (!callingThread && workers === 0) throw new RangeError(`callingThread: false needs helpers: workers ${backend === 'node' ? 'must be at least 1' : `need the node backend, not ${backend}`}`);
  const runPages = opts.runPages ?? 1088;
  if (!Number.isInteger(runPages) || runPages < 1 || runPages > 16384) throw new RangeError(`runPages must be 1..16384, got ${runPages}`);
  const helpers = opts.helpers ?? 'auto';
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JavaScript callers may pass anything
  if (helpers !== 'auto' && helpers !== 'threads' && helpers !== 'processes') throw new RangeError(`helpers must be 'auto', 'threads' or 'processes', got ${String(helpers)}`);
  const file = typeof target === 'string' || isFileHandle(target);
  if (helpers === 'processes' && !file) throw new RangeError("helper processes write into the output file: they need a path or FileHandle target, not a stream (use helpers 'threads')");
  return { backend, workers, runPages, callingThread, helpers: workers === 0 ? 'none' : file && helpers !== 'threads' ? 'processes' : 'threads' };
}

async function copyPlainDump(reader: DumpReader, target: WriteTarget): Promise<DecryptReport> {
  const memory = reader.memory.map((m) => ({ start: m.start, size: m.size, fileSize: m.fileSize }));
  const layout = await writeDump(target, { cpus: reader.cpus, memory, notes: reader.globalNotes, style: 'qemu' }, fileBytesOfSegments(reader));
  return { pv: false, cpus: reader.cpus, hypervisorCpus: [], warnings: [], workers: 0, helpers: 'none', memoryBytes: Number(layout.memorySize), vmcoreinfo: false };
}

/** The file bytes of every PT_LOAD in file order (what the writer expects), 4 MiB at a time. */
async function* fileBytesOfSegments(reader: DumpReader): AsyncGenerator<Uint8Array> {
  const step = 4n << 20n;
  for (const seg of reader.memory) {
    for (let off = 0n; off < seg.fileSize; off += step) {
      const n = seg.fileSize - off < step ? seg.fileSize - off : step;
      yield await reader.readFile(seg.fileOffset + off, Number(n));
    }
  }
}

async function writeDecrypted(reader: DumpReader, ctx: PvContext, target: WriteTarget, opts: DecryptOptions, plan: DecryptionPlan, processes: PageProcessPool | undefined): Promise<DecryptReport> {
  for (const w of ctx.warnings) opts.onWarning?.(w);
  const { workers, runPages } = plan;
  if (processes !== undefined) {
    const path = reader.path;
    if (path === undefined) throw new PvDecryptError('io', 'helper processes need the dump opened by path');
    processes.start(path, ctx.secrets.xtsKey, ctx.secrets.tweakNonce, runPages * PV_PAGE_SIZE);
    return await scanAndWrite(reader, ctx, target, opts, plan, processes);
  }
  // The workers start now, so their start-up (40-70 ms) overlaps the page-state scan.
  const pool = workers > 0 ? startPool(reader, ctx, workers, runPages) : undefined;
  try {
    return await scanAndWrite(reader, ctx, target, opts, plan, pool);
  } finally {
    await pool?.close();
  }
}

function isFileHandle(target: WriteTarget): target is FileHandle {
  return typeof target === 'object' && 'fd' in target && typeof target.stat === 'function' && typeof target.write === 'function';
}

/**
 * Opens the output (a path; a FileHandle is used as it is) and starts the helper processes that
 * will write into it. `finish(ok)` ends them and closes the output, removing a path we created
 * unless the dump was written.
 */
async function startProcesses(target: string | FileHandle, count: number): Promise<{ pool: PageProcessPool; out: FileHandle; finish(ok: boolean): Promise<void> }> {
  const out = typeof target === 'string' ? await openOutput(target) : target;
  let pool: PageProcessPool;
  try {
    pool = new PageProcessPool(count, out.fd);
  } catch (e) {
    if (typeof target === 'string') {
      await out.close().catch(() => undefined);
      await rm(target, { force: true });
    }
    throw e;
  }
  return {
    pool,
    out,
    async finish(ok: boolean): Promise<void> {
      await pool.close(!ok);
      if (typeof target !== 'string') return;
      await out.close().catch(() => undefined);
      if (!ok) await rm(target, { force: true });
    },
  };
}

async function openOutput(path: string): Promise<FileHandle> {
  try {
    // Decrypted guest memory: readable by the owner only, from the first byte on. The file is
    // created synchronously and then opened without O_CREAT: an open still on libuv's thread
    // pool when a signal ends the process would create it again after the exit handlers removed it.
    closeSync(openSync(path, 'w', 0o600));
    return await open(path, constants.O_WRONLY);
  } catch (e) {
    throw new PvDecryptError('io', `could not create ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** `auto`: for dumps of at least 64 MiB one helper per core but one (the calling thread decrypts too), none below or on a single core. */
export function autoWorkers(memoryBytes: number, cores = availableParallelism()): number {
  return memoryBytes >= AUTO_WORKER_THRESHOLD && cores > 1 ? cores - 1 : 0;
}

function startPool(reader: DumpReader, ctx: PvContext, workers: number, runPages: number): PageWorkerPool {
  const path = reader.path;
  if (path === undefined) throw new PvDecryptError('io', 'worker threads need the dump opened by path');
  return new PageWorkerPool(workers, path, ctx.secrets.xtsKey, ctx.secrets.tweakNonce, runPages * PV_PAGE_SIZE);
}

async function scanAndWrite(reader: DumpReader, ctx: PvContext, target: WriteTarget, opts: DecryptOptions, plan: DecryptionPlan, pool: PageWorkerPool | PageProcessPool | undefined): Promise<DecryptReport> {
  const { backend, runPages, callingThread } = plan;
  const total = ctx.pages * PV_PAGE_SIZE;
  const census = await scanPageStates(reader, ctx);
  const vmcoreinfo = await findVmcoreinfo(reader, ctx, backend);
  const writer = await DumpWriter.create(target, {
    cpus: ctx.cpus,
    memory: [{ start: ctx.load.start, size: ctx.load.size, fileSize: ctx.load.fileSize }],
    notes: vmcoreinfo === undefined ? [] : [vmcoreinfo],
    style: 'zgetdump',
    auxv: opts.auxv === true,
  });
  try {
    let done = 0;
    // Created here, not in the run loops: its memory holds the last run until that run's write
    // has completed, which is after the loop has ended.
    const cipher = createPageCipher(ctx.secrets.xtsKey, backend);
    try {
      if (pool instanceof PageProcessPool) {
        // Memory is ours to write, with positional writes, by the helpers and this thread.
        const reserved = await writer.reserveMemory();
        if (reserved === undefined) throw new PvDecryptError('io', 'helper processes need a file target');
        await decryptIntoFile(reader, ctx, cipher, pool, runPages, callingThread, reserved, (bytes) => {
          done += bytes;
          if (done < total) opts.onProgress?.(done, total);
        });
      } else {
        // A file target (path or FileHandle) has written or copied each run when writeMemory
        // resolves, and so has process.stdout (the writer waits for 'drain' after every run
        // larger than its buffer, i.e. until the run went to the kernel), so the run's buffer
        // (or worker memory region) can be filled again. Any other stream may keep the chunk (a
        // collector, a transform), so it gets a copy; their garbage adds some 64 MiB to the peak
        // RSS until V8 collects it.
        const reuse = !(target instanceof Writable) || target === process.stdout;
        // One write in flight while the next run is decrypted: `decryptedRuns` reuses a run's
        // memory only after the following run was handed out, by which time its write has completed.
        let writing: Promise<void> | undefined;
        try {
          for await (const run of decryptedRuns(reader, ctx, cipher, pool, runPages, callingThread, reuse)) {
            if (writing !== undefined) {
              await writing;
              opts.onProgress?.(done, total);
            }
            writing = writer.writeMemory(run);
            writing.catch(() => undefined); // awaited before the next write or below
            done += run.length;
          }
          await writing;
        } finally {
          await writing?.catch(() => undefined);
        }
      }
    } finally {
      cipher.dispose();
    }
    opts.onProgress?.(done, total);
    await writer.finish();
  } catch (e) {
    await writer.abort();
    throw e;
  }
  return {
    pv: true,
    cpus: ctx.cpus,
    hypervisorCpus: ctx.cpuNotes.map((n) => n.hypervisor),
    census,
    warnings: ctx.warnings,
    backend,
    workers: pool?.size ?? 0,
    helpers: pool === undefined ? 'none' : pool instanceof PageProcessPool ? 'processes' : 'threads',
    memoryBytes: total,
    vmcoreinfo: vmcoreinfo !== undefined,
  };
}

/** An uninitialised run buffer for ciphers that have none of their own (`PageCipher.runBuffers`). */
function ownedBuffer(size: number): Uint8Array {
  const b = Buffer.allocUnsafeSlow(size);
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/**
 * Decrypted memory in page order, one run at a time, from the workers (if any) and the calling
 * thread together. Every worker is kept busy with `REGIONS_PER_WORKER` runs (one per region of
 * its memory); whenever the oldest run is not ready (or there are no workers), the calling thread
 * decrypts the next run itself, into one of its own buffers, reading it a megabyte at a time and
 * decrypting each megabyte while it is in the CPU cache, as the workers do. So with `cores − 1`
 * workers every core decrypts, and each thread's share follows its speed. A worker's region is
 * refilled only by the run submitted `depth` worker runs later, i.e. after it was written, and
 * our buffers are reused once written: results are written without a copy. A stream that may
 * keep its chunks (`reuse` false) gets copies.
 */
async function* decryptedRuns(reader: DumpReader, ctx: PvContext, cipher: PageCipher, pool: PageWorkerPool | undefined, runPages: number, callerDecrypts: boolean, reuse: boolean): AsyncGenerator<Uint8Array> {
  const path = reader.path;
  if (path === undefined) throw new PvDecryptError('io', 'decryption needs the dump opened by path');
  const fd = ioCall(path, 'open', () => openSync(path, 'r'));
  const runBytes = runPages * PV_PAGE_SIZE;
  const workers = pool?.size ?? 0;
  // The batched cipher decrypts in buffers of its own memory without copies. Our runs wait behind
  // the workers' queued ones before they are written, so we need about as many buffers as the
  // workers have regions to keep busy meanwhile (capped: memory); alone, one being written and one
  // being decrypted. Other ciphers get plain buffers, made as needed.
  const own = callerDecrypts ? (cipher.runBuffers?.(Math.min(workers * REGIONS_PER_WORKER + 2, 8), runBytes) ?? []) : [];
  const ownMemory = own[0]?.buffer;
  const free = [...own];
  const spare = (): Uint8Array | undefined => (callerDecrypts ? (free.pop() ?? (own.length === 0 ? ownedBuffer(runBytes) : undefined)) : undefined);
  const metaAt = Number(ctx.memMeta.offset);
  const dataAt = Number(ctx.load.fileOffset);
  const depth = workers * REGIONS_PER_WORKER;
  const queue: RunSlot[] = [];
  let workerRuns = 0; // worker runs submitted and not yet written
  let release: (() => void) | undefined; // frees the memory of the run handed out last
  let next = 0; // first page not yet given to a thread
  const take = (): number => {
    const n = Math.min(runPages, ctx.pages - next);
    next += n;
    return n;
  };
  const toWorkers = (): void => {
    while (pool !== undefined && next < ctx.pages && workerRuns < depth) {
      const first = next;
      const n = take();
      const slot: RunSlot = { by: 'worker', result: pool.submit({ pages: n, metaOffset: metaAt + first * TWEAK_COMPONENT_SIZE, dataOffset: dataAt + first * PV_PAGE_SIZE }) };
      slot.result.then(
        (d) => (slot.data = d),
        () => undefined,
      ); // observed when awaited in order below
      queue.push(slot);
      workerRuns++;
    }
  };
  const readFully = fullReader(path, fd);
  /** Decrypts the next run on this thread into `buffer`, reading it piece by piece. */
  const toCaller = (buffer: Uint8Array): void => {
    const first = next;
    const n = take();
    const data = buffer.subarray(0, n * PV_PAGE_SIZE);
    decryptRunHere(ctx, cipher, readFully, first, data);
    queue.push({ by: 'caller', data });
  };
  try {
    for (;;) {
      toWorkers();
      const head = queue[0];
      if (head?.data !== undefined) {
        queue.shift();
        const data = head.data;
        const owned = data.buffer === ownMemory;
        yield reuse || (head.by === 'caller' && !owned) ? data : data.slice();
        // The consumer may still be writing this run: its memory is released after the next one.
        release?.();
        release = head.by === 'worker' ? () => workerRuns-- : owned || reuse ? () => free.push(data) : undefined;
        continue;
      }
      // The oldest run is still with a worker (or there is none): decrypt the next one here, or
      // wait when all our buffers are full.
      const buffer = next < ctx.pages ? spare() : undefined;
      if (buffer !== undefined) {
        toCaller(buffer);
        // Let the event loop deliver finished worker runs, so the workers get new ones at once.
        if (pool !== undefined) await new Promise((resolve) => setImmediate(resolve));
      } else if (head?.by === 'worker') await head.result;
      else break;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Decrypted memory straight into the file range `out` that the writer reserved, by the helper
 * processes and the calling thread together, in whatever order the runs finish: every helper is
 * kept `RUNS_PER_PROCESS` runs busy, and meanwhile the calling thread decrypts the next run
 * itself and writes it with a positional write. `progress` gets the bytes of each finished run.
 */
async function decryptIntoFile(
  reader: DumpReader,
  ctx: PvContext,
  cipher: PageCipher,
  pool: PageProcessPool,
  runPages: number,
  callerDecrypts: boolean,
  out: { fd: number; offset: number },
  progress: (bytes: number) => void,
): Promise<void> {
  const path = reader.path;
  if (path === undefined) throw new PvDecryptError('io', 'decryption needs the dump opened by path');
  const fd = ioCall(path, 'open', () => openSync(path, 'r'));
  const readFully = fullReader(path, fd);
  const runBytes = runPages * PV_PAGE_SIZE;
  const buffer = callerDecrypts ? (cipher.runBuffers?.(1, runBytes)[0] ?? ownedBuffer(runBytes)) : undefined;
  const metaAt = Number(ctx.memMeta.offset);
  const dataAt = Number(ctx.load.fileOffset);
  const running = new Set<Promise<void>>();
  let next = 0;
  try {
    // A failed run fails the pool (`pool.failure`); its rejection is rethrown below.
    while (next < ctx.pages && pool.failure === undefined) {
      while (pool.canTake && next < ctx.pages) {
        const first = next;
        const n = Math.min(runPages, ctx.pages - first);
        next += n;
        const run = pool.submit({ pages: n, metaOffset: metaAt + first * TWEAK_COMPONENT_SIZE, dataOffset: dataAt + first * PV_PAGE_SIZE, outOffset: out.offset + first * PV_PAGE_SIZE });
        running.add(run);
        run.then(
          () => {
            running.delete(run);
            progress(n * PV_PAGE_SIZE);
          },
          () => running.delete(run),
        );
      }
      if (buffer === undefined) {
        // Only the helpers decrypt: wait until one of them has finished a run.
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a helper's exit sets the failure while this awaits
        if (running.size === 0) throw pool.failure ?? new PvDecryptError('io', 'no helper process took the run');
        await Promise.race(running).catch(() => undefined);
        continue;
      }
      if (next < ctx.pages) {
        const first = next;
        const n = Math.min(runPages, ctx.pages - first);
        next += n;
        const data = buffer.subarray(0, n * PV_PAGE_SIZE);
        decryptRunHere(ctx, cipher, readFully, first, data);
        const at = out.offset + first * PV_PAGE_SIZE;
        for (let done = 0; done < data.length;) {
          done += ioCall('the output', `write at file offset ${at + done} of`, () => writeSync(out.fd, data, done, data.length - done, at + done));
        }
        progress(n * PV_PAGE_SIZE);
      }
      // Let the event loop deliver finished runs, so the helpers get new ones at once.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(running);
    if (pool.failure !== undefined) throw pool.failure;
  } finally {
    closeSync(fd);
  }
}

/** Decrypts pages `first…` on this thread into `data` (whole pages), reading their entries and then the pages piece by piece. */
function decryptRunHere(ctx: PvContext, cipher: PageCipher, readFully: (into: Uint8Array, at: number) => void, first: number, data: Uint8Array): void {
  const metaAt = Number(ctx.memMeta.offset);
  const dataAt = Number(ctx.load.fileOffset);
  const meta = new Uint8Array((data.length / PV_PAGE_SIZE) * TWEAK_COMPONENT_SIZE);
  readFully(meta, metaAt + first * TWEAK_COMPONENT_SIZE);
  decryptPagesInPlace(cipher, ctx.secrets.tweakNonce, meta, data, first, ctx.load.start, metaAt, (view, page) => readFully(view, dataAt + (first + page) * PV_PAGE_SIZE));
}

/** `readFully(into, at)`: fills `into` from file offset `at` of the open dump; errors name the file and offset. */
function fullReader(path: string, fd: number): (into: Uint8Array, at: number) => void {
  return (into, at) => {
    for (let done = 0; done < into.length;) {
      const got = ioCall(path, `read at file offset ${at + done} of`, () => readSync(fd, into, done, into.length - done, at + done));
      if (got === 0) throw new PvDecryptError('io', `${path} ended early at file offset ${at + done} (did it shrink while being read?)`);
      done += got;
    }
  };
}

/** Runs a file system call; a failure becomes a PvDecryptError that names the file and the call. */
function ioCall<T>(path: string, what: string, call: () => T): T {
  try {
    return call();
  } catch (e) {
    throw new PvDecryptError('io', `could not ${what} ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** A run in the output queue: decrypted by a worker (in its memory) or by the calling thread (in one of its buffers). */
type RunSlot = { by: 'worker'; result: Promise<Uint8Array>; data?: Uint8Array } | { by: 'caller'; data: Uint8Array };
