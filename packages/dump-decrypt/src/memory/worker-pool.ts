/**
 * Worker threads for bulk page decryption (the batched `node` backend): each worker opens the dump
 * itself, reads the runs of pages (and their storage-state entries) it is given straight into its
 * WebAssembly memory, decrypts them there and transfers the run's output buffer back; results are
 * handed out in submission order so the output stays in page order. The main thread only
 * schedules and writes, and hands written buffers back for reuse.
 *
 * The worker body is one self-contained function started with `eval: true`, so the same code runs
 * from the TypeScript sources (tests) and from `dist/`. It trusts the entries: `scanPageStates`
 * has already validated every one before any run is submitted.
 */
import { Worker } from 'node:worker_threads';
import { createBatchXts, whitenModuleBytes } from '../crypto/xts-batch.js';
import { PvDecryptError } from '../errors.js';

/** One run: `pages` whole pages at file offset `dataOffset`, their entries at `metaOffset`. */
export interface RunRequest {
  id: number;
  metaOffset: number;
  dataOffset: number;
  pages: number;
  /** A buffer to read the pages into, handed back for reuse (used when its size fits). */
  into?: ArrayBuffer;
}
interface RunResult {
  id: number;
  data?: ArrayBuffer;
  error?: string;
}

/**
 * Runs inside the worker (as source text, with `createBatchXts` passed in): keep it free of
 * outer references. The file bytes of each 1 MiB chunk are read straight into the
 * WebAssembly scratch memory, decrypted there 32 KiB at a time (in the CPU cache) and copied once into the
 * run's output buffer; the entry, tweak and kind buffers are allocated once and reused.
 */
function pageWorkerMain(makeBatch: typeof createBatchXts): void {
  const wt = require('node:worker_threads') as typeof import('node:worker_threads');
  const nc = require('node:crypto') as typeof import('node:crypto');
  const fs = require('node:fs') as typeof import('node:fs');
  const init = wt.workerData as { key: Uint8Array; nonce: Uint8Array; wasm: Uint8Array; path: string };
  const fd = fs.openSync(init.path, 'r');
  const batch = makeBatch(nc, init.wasm, init.key);
  init.key.fill(0);
  const nonce = Uint8Array.from(init.nonce);
  init.nonce.fill(0);
  const PAGE = 4096;
  const KIND_ENCRYPTED = 0, KIND_ZERO = 1, KIND_SHARED = 2; // PageKind
  let meta = new Uint8Array(0);
  let tweaks = new Uint8Array(0);
  let kinds = new Uint8Array(0);
  const readFully = (buf: Uint8Array, at: number): void => {
    for (let done = 0; done < buf.length; ) {
      const n = fs.readSync(fd, buf, done, buf.length - done, at + done);
      if (n === 0) throw new Error(`the dump ended early at file offset ${at + done} (it shrank while being read?)`);
      done += n;
    }
  };
  const port = wt.parentPort;
  if (port === null) return;
  port.on('message', (m: { id: number; metaOffset: number; dataOffset: number; pages: number; into?: ArrayBuffer }) => {
    try {
      const pages = m.pages;
      if (meta.length < pages * 16) {
        meta = new Uint8Array(pages * 16);
        tweaks = new Uint8Array(pages * 16);
        kinds = new Uint8Array(pages);
      }
      const entries = meta.subarray(0, pages * 16);
      readFully(entries, m.metaOffset);
      for (let i = 0; i < pages; i++) {
        const e = i * 16;
        if (meta[e] === 0xff && meta[e + 1] === 0xff && meta[e + 2] === 0xff && meta[e + 3] === 0xff) {
          kinds[i] = ((meta[e + 15] as number) & 0x03) === 0x01 ? KIND_ZERO : KIND_SHARED;
        } else {
          kinds[i] = KIND_ENCRYPTED;
          for (let k = 0; k < 16; k++) tweaks[e + k] = (meta[e + k] as number) | (nonce[k] as number);
        }
      }
      // allocUnsafeSlow: every byte is stored below, and the buffer owns its whole ArrayBuffer (transferable).
      const out = m.into !== undefined && m.into.byteLength === pages * PAGE ? new Uint8Array(m.into) : new Uint8Array(Buffer.allocUnsafeSlow(pages * PAGE).buffer, 0, pages * PAGE);
      try {
        batch.decryptRun({
          units: pages,
          unitBytes: PAGE,
          tweaks: tweaks.subarray(0, pages * 16),
          kinds,
          load: (scratch, first) => readFully(scratch, m.dataOffset + first * PAGE),
          store: (plain, first) => out.set(plain, first * PAGE),
        });
      } finally {
        tweaks.fill(0);
      }
      const buf = out.buffer as ArrayBuffer;
      port.postMessage({ id: m.id, data: buf }, [buf]);
    } catch (err) {
      port.postMessage({ id: m.id, error: err instanceof Error ? err.message : String(err) });
    }
  });
}

/** A pool of page-decryption workers; `submit` resolves with the decrypted run. */
export class PageWorkerPool {
  readonly #workers: Worker[] = [];
  readonly #pending = new Map<number, { resolve: (b: Uint8Array) => void; reject: (e: Error) => void }>();
  #nextId = 0;
  #nextWorker = 0;

  constructor(count: number, path: string, xtsKey: Uint8Array, nonce: Uint8Array) {
    const source = `(${pageWorkerMain.toString()})(${createBatchXts.toString()})`;
    const wasm = whitenModuleBytes();
    for (let i = 0; i < count; i++) {
      // Each worker gets its own copy of the key (structured clone) and wipes it after import.
      const w = new Worker(source, {
        eval: true,
        workerData: { key: xtsKey.slice(), nonce: nonce.slice(), wasm, path },
        // A small heap makes V8 collect the per-run buffers promptly, which keeps peak RSS low.
        resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 32 },
      });
      w.on('message', (r: RunResult) => this.#settle(r));
      w.on('error', (e) => this.#failAll(e));
      this.#workers.push(w);
    }
  }

  get size(): number {
    return this.#workers.length;
  }

  /** Submits a run; resolves with its decrypted pages. `reuse` (transferred) is read into if it fits. */
  submit(run: Omit<RunRequest, 'id' | 'into'>, reuse?: Uint8Array): Promise<Uint8Array> {
    const id = this.#nextId++;
    const w = this.#workers[this.#nextWorker]!;
    this.#nextWorker = (this.#nextWorker + 1) % this.#workers.length;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      const into = reuse !== undefined && reuse.byteOffset === 0 && reuse.byteLength === reuse.buffer.byteLength && reuse.buffer instanceof ArrayBuffer ? reuse.buffer : undefined;
      const req: RunRequest = into === undefined ? { id, ...run } : { id, ...run, into };
      w.postMessage(req, into === undefined ? [] : [into]);
    });
  }

  #settle(r: RunResult): void {
    const p = this.#pending.get(r.id);
    if (p === undefined) return;
    this.#pending.delete(r.id);
    if (r.data !== undefined) p.resolve(new Uint8Array(r.data));
    else p.reject(new PvDecryptError('io', `page decryption worker failed: ${r.error ?? 'unknown error'}`));
  }

  #failAll(e: Error): void {
    for (const p of this.#pending.values()) p.reject(new PvDecryptError('io', `page decryption worker died: ${e.message}`));
    this.#pending.clear();
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
    this.#workers.length = 0;
  }
}
