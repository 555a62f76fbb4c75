/**
 * Worker threads for bulk page decryption (the batched `node` backend): each worker opens the dump
 * itself and reads the runs of pages (and their storage-state entries) it is given straight into
 * one of its `REGIONS_PER_WORKER` run regions of its (shared) WebAssembly memory, where they are
 * decrypted in place; the main thread writes them from there, without a copy or transfer.
 * Results are handed out in submission order so the output stays in page order.
 *
 * A region is reused for the run submitted to the same worker `REGIONS_PER_WORKER` runs later:
 * the caller keeps at most that many runs per worker in flight and has written a run before it
 * submits the next, so a region is never refilled while its run is still being written.
 *
 * Each worker starts from the module `page-worker.js` (`helperEntry`). It trusts the entries:
 * `scanPageStates` has already validated every one before any run is submitted.
 */
import { Worker } from 'node:worker_threads';
import { PvDecryptError } from '../errors.js';
import { helperEntry } from './helper-entry.js';
import type { PageWorkerInit, RunRequest, WorkerMessage } from './helper-protocol.js';

export type { RunRequest } from './helper-protocol.js';

/** Run regions per worker: how many of its runs may be in flight (decrypting or being written). */
export const REGIONS_PER_WORKER = 3;

/** A pool of page-decryption workers; `submit` resolves with the decrypted run. */
export class PageWorkerPool {
  readonly #workers: Worker[] = [];
  /** Each worker's memory (its run regions), known once the worker has started. */
  readonly #memories: (ArrayBufferLike | undefined)[] = [];
  readonly #runsSubmitted: number[] = [];
  readonly #pending = new Map<number, { worker: number; resolve: (b: Uint8Array) => void; reject: (e: Error) => void }>();
  #nextId = 0;
  #nextWorker = 0;
  /** Set when a worker died: later submits fail at once instead of waiting for it. */
  #failure: PvDecryptError | undefined;

  /** `runBytes`: the largest run (pages × 4096) that will be submitted. */
  constructor(count: number, path: string, xtsKey: Uint8Array, nonce: Uint8Array, runBytes: number) {
    const entry = helperEntry('page-worker');
    for (let i = 0; i < count; i++) {
      // Each worker gets its own copy of the key (structured clone) and wipes it after import;
      // ours is wiped once the constructor has cloned it.
      const key = xtsKey.slice();
      const nonceCopy = nonce.slice();
      const init: PageWorkerInit = { key, nonce: nonceCopy, path, runBytes, regions: REGIONS_PER_WORKER };
      const w = new Worker(entry, {
        workerData: init,
        // A small heap makes V8 collect the per-call OpenSSL output buffers promptly.
        resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 32 },
      });
      key.fill(0);
      nonceCopy.fill(0);
      w.on('message', (r: WorkerMessage) => this.#settle(i, r));
      w.on('error', (e) => this.#failAll(e));
      this.#workers.push(w);
      this.#memories.push(undefined);
      this.#runsSubmitted.push(0);
    }
  }

  get size(): number {
    return this.#workers.length;
  }

  /**
   * Submits a run; resolves with a view of its decrypted pages in the worker's memory, valid
   * until `REGIONS_PER_WORKER × size` further runs have been submitted.
   */
  submit(run: Omit<RunRequest, 'id' | 'region'>): Promise<Uint8Array> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    const worker = this.#nextWorker;
    this.#nextWorker = (this.#nextWorker + 1) % this.#workers.length;
    const region = this.#runsSubmitted[worker]! % REGIONS_PER_WORKER;
    this.#runsSubmitted[worker] = this.#runsSubmitted[worker]! + 1;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { worker, resolve, reject });
      const req: RunRequest = { id, ...run, region };
      this.#workers[worker]!.postMessage(req);
    });
  }

  #settle(worker: number, r: WorkerMessage): void {
    if (r.memory !== undefined) {
      this.#memories[worker] = r.memory;
      return;
    }
    const p = r.id === undefined ? undefined : this.#pending.get(r.id);
    if (p === undefined || r.id === undefined) return;
    this.#pending.delete(r.id);
    const memory = this.#memories[worker];
    if (r.error === undefined && memory !== undefined && r.at !== undefined && r.bytes !== undefined) p.resolve(new Uint8Array(memory, r.at, r.bytes));
    else p.reject(new PvDecryptError('io', `page decryption worker failed: ${r.error ?? 'no memory from the worker'}`));
  }

  #failAll(e: Error): void {
    this.#failure ??= new PvDecryptError('io', `page decryption worker died: ${e.message}`);
    for (const p of this.#pending.values()) p.reject(this.#failure);
    this.#pending.clear();
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
    this.#workers.length = 0;
  }
}
