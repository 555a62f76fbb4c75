/**
 * `decryptDump`: the whole of `zgetdump -k` (spec pv-dump-crypto.md §9, elf-core-format.md §11).
 * A PV dump is checked, its completion data and CPU notes opened, every page state validated,
 * then memory streams through XTS (worker threads with the node:crypto backend, in page order)
 * into an ELF core in zgetdump's layout. A non-PV dump is copied through the writer unchanged in
 * content. Only a few MiB are ever in memory, whatever the dump size.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Writable } from 'node:stream';
import { DumpWriter, openDump, writeDump, type CpuState, type DumpReader, type WriteTarget } from '@pvdump/dump-format';
import { createPageCipher, defaultBackend, type CryptoBackend, type PageCipher } from './crypto/page-cipher.js';
import { PvDecryptError } from './errors.js';
import { decryptPagesInPlace, scanPageStates } from './memory/pages.js';
import { PageWorkerPool, REGIONS_PER_WORKER } from './memory/worker-pool.js';
import { checkShstrtab, openPvContext, type PvContext } from './pv/context.js';
import type { PvCpuState } from './pv/cpu-data.js';
import { PV_PAGE_SIZE, STORAGE_ENTRY_BYTES } from './pv/layout.js';
import type { PageCensus } from './pv/page-state.js';
import { findVmcoreinfo } from './vmcoreinfo.js';

export interface DecryptOptions {
  /** Add NT_AUXV (AT_HWCAP with vector registers) so gdb shows V0–V31; zgetdump writes none. Default false. */
  auxv?: boolean;
  /** `node` (batched OpenSSL, the default where available), `node-xts` (OpenSSL XTS per page) or `noble` (pure JS). */
  backend?: CryptoBackend;
  /**
   * Worker threads (node backend only): a number, or `auto` (default) = one per core when the
   * dump has at least 64 MiB of memory, none for smaller dumps. 0 decrypts on the calling thread.
   */
  workers?: number | 'auto';
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
  workers: number;
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
    if (!reader.isPv) return await copyPlainDump(reader, target);
    if (cck === undefined) {
      throw new PvDecryptError('no-key', `No key for dump decryption provided: ${input} is a protected-guest (PV) dump; give the customer communication key (32 bytes) with -k`);
    }
    const ctx = await openPvContext(reader, cck);
    try {
      return await writeDecrypted(reader, ctx, target, opts);
    } finally {
      ctx.wipe();
    }
  } finally {
    await reader.close();
  }
}

async function copyPlainDump(reader: DumpReader, target: WriteTarget): Promise<DecryptReport> {
  const memory = reader.memory.map((m) => ({ start: m.start, size: m.size, fileSize: m.fileSize }));
  const layout = await writeDump(target, { cpus: reader.cpus, memory, notes: reader.globalNotes, style: 'qemu' }, fileBytesOfSegments(reader));
  return { pv: false, cpus: reader.cpus, hypervisorCpus: [], warnings: [], workers: 0, memoryBytes: Number(layout.memorySize), vmcoreinfo: false };
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

async function writeDecrypted(reader: DumpReader, ctx: PvContext, target: WriteTarget, opts: DecryptOptions): Promise<DecryptReport> {
  for (const w of ctx.warnings) opts.onWarning?.(w);
  const backend = opts.backend ?? defaultBackend();
  const total = ctx.pages * PV_PAGE_SIZE;
  const workers = backend !== 'node' ? 0 : opts.workers === undefined || opts.workers === 'auto' ? autoWorkers(total) : opts.workers;
  if (!Number.isInteger(workers) || workers < 0 || workers > 256) throw new RangeError(`workers must be 'auto' or 0..256, got ${String(opts.workers)}`);
  const runPages = opts.runPages ?? 1088;
  if (!Number.isInteger(runPages) || runPages < 1 || runPages > 16384) throw new RangeError(`runPages must be 1..16384, got ${runPages}`);
  // The workers start now, so their start-up (40-70 ms) overlaps the page-state scan.
  const pool = workers > 0 ? startPool(reader, ctx, workers, runPages) : undefined;
  try {
    return await scanAndWrite(reader, ctx, target, opts, backend, pool, runPages);
  } finally {
    await pool?.close();
  }
}

/** `auto`: for dumps of at least 64 MiB one worker per core but one (the calling thread decrypts too), none below or on a single core. */
export function autoWorkers(memoryBytes: number, cores = availableParallelism()): number {
  return memoryBytes >= AUTO_WORKER_THRESHOLD && cores > 1 ? cores - 1 : 0;
}

function startPool(reader: DumpReader, ctx: PvContext, workers: number, runPages: number): PageWorkerPool {
  const path = reader.path;
  if (path === undefined) throw new PvDecryptError('io', 'worker threads need the dump opened by path');
  return new PageWorkerPool(workers, path, ctx.secrets.xtsKey, ctx.secrets.tweakNonce, runPages * PV_PAGE_SIZE);
}

async function scanAndWrite(reader: DumpReader, ctx: PvContext, target: WriteTarget, opts: DecryptOptions, backend: CryptoBackend, pool: PageWorkerPool | undefined, runPages: number): Promise<DecryptReport> {
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
    // A file target (path or FileHandle) has written or copied each run when writeMemory
    // resolves, and so has process.stdout (the writer waits for 'drain' after every run larger
    // than its buffer, i.e. until the run went to the kernel), so the run's buffer (or worker
    // memory region) can be filled again. Any other stream may keep the chunk (a collector, a
    // transform), so it gets a copy; their garbage adds some 64 MiB to the peak RSS until V8
    // collects it.
    const reuse = !(target instanceof Writable) || target === process.stdout;
    // One write in flight while the next run is decrypted: `decryptedRuns` reuses a run's memory
    // only after the following run was handed out, by which time its write has completed.
    let writing: Promise<void> | undefined;
    // Created here, not in decryptedRuns: its memory holds the last run until that run's write has
    // completed, which is after decryptedRuns has ended.
    const cipher = createPageCipher(ctx.secrets.xtsKey, backend);
    try {
      for await (const run of decryptedRuns(reader, ctx, cipher, pool, runPages, reuse)) {
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
async function* decryptedRuns(reader: DumpReader, ctx: PvContext, cipher: PageCipher, pool: PageWorkerPool | undefined, runPages: number, reuse: boolean): AsyncGenerator<Uint8Array> {
  const path = reader.path;
  if (path === undefined) throw new PvDecryptError('io', 'decryption needs the dump opened by path');
  const fd = ioCall(path, 'open', () => openSync(path, 'r'));
  const runBytes = runPages * PV_PAGE_SIZE;
  const workers = pool?.size ?? 0;
  // The batched cipher decrypts in buffers of its own memory without copies. Our runs wait behind
  // the workers' queued ones before they are written, so we need about as many buffers as the
  // workers have regions to keep busy meanwhile (capped: memory); alone, one being written and one
  // being decrypted. Other ciphers get plain buffers, made as needed.
  const own = cipher.runBuffers?.(Math.min(workers * REGIONS_PER_WORKER + 2, 8), runBytes) ?? [];
  const ownMemory = own[0]?.buffer;
  const free = [...own];
  const spare = (): Uint8Array | undefined => free.pop() ?? (own.length === 0 ? ownedBuffer(runBytes) : undefined);
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
      const slot: RunSlot = { by: 'worker', result: pool.submit({ pages: n, metaOffset: metaAt + first * STORAGE_ENTRY_BYTES, dataOffset: dataAt + first * PV_PAGE_SIZE }) };
      slot.result.then((d) => (slot.data = d), () => undefined); // observed when awaited in order below
      queue.push(slot);
      workerRuns++;
    }
  };
  const readFully = (into: Uint8Array, at: number): void => {
    for (let done = 0; done < into.length; ) {
      const got = ioCall(path, `read at file offset ${at + done} of`, () => readSync(fd, into, done, into.length - done, at + done));
      if (got === 0) throw new PvDecryptError('io', `${path} ended early at file offset ${at + done} (did it shrink while being read?)`);
      done += got;
    }
  };
  /** Decrypts the next run on this thread into `buffer`, reading it piece by piece. */
  const toCaller = (buffer: Uint8Array): void => {
    const first = next;
    const n = take();
    const meta = new Uint8Array(n * STORAGE_ENTRY_BYTES);
    readFully(meta, metaAt + first * STORAGE_ENTRY_BYTES);
    const data = buffer.subarray(0, n * PV_PAGE_SIZE);
    decryptPagesInPlace(cipher, ctx.secrets.tweakNonce, meta, data, first, ctx.load.start, metaAt, (view, page) => readFully(view, dataAt + (first + page) * PV_PAGE_SIZE));
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
