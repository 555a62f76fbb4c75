/**
 * Worker threads for bulk page decryption (the batched `node` backend): the main thread reads runs of
 * pages and their storage-state entries, workers decrypt them in place, and results come back in
 * submission order so the output stays in page order. Buffers are transferred, never copied.
 *
 * The worker body is one self-contained function started with `eval: true`, so the same code runs
 * from the TypeScript sources (tests) and from `dist/`. It trusts the entries: `scanPageStates`
 * has already validated every one before any run is submitted.
 */
import { Worker } from 'node:worker_threads';
import { createBatchXts, whitenModuleBytes } from '../crypto/xts-batch.js';
import { PvDecryptError } from '../errors.js';

interface RunRequest {
  id: number;
  meta: ArrayBuffer;
  data: ArrayBuffer;
}
interface RunResult {
  id: number;
  data?: ArrayBuffer;
  error?: string;
}

/**
 * Runs inside the worker (as source text, with `createBatchXts` passed in): keep it free of
 * outer references. Decrypts each stretch of consecutive encrypted pages in one batch call.
 */
function pageWorkerMain(makeBatch: typeof createBatchXts): void {
  const wt = require('node:worker_threads') as typeof import('node:worker_threads');
  const nc = require('node:crypto') as typeof import('node:crypto');
  const init = wt.workerData as { key: Uint8Array; nonce: Uint8Array; wasm: Uint8Array };
  const batch = makeBatch(nc, init.wasm, init.key);
  init.key.fill(0);
  const nonce = Uint8Array.from(init.nonce);
  init.nonce.fill(0);
  const PAGE = 4096;
  const port = wt.parentPort;
  if (port === null) return;
  port.on('message', (m: { id: number; meta: ArrayBuffer; data: ArrayBuffer }) => {
    try {
      const meta = new Uint8Array(m.meta);
      const data = new Uint8Array(m.data);
      const pages = data.length / PAGE;
      const tweaks = new Uint8Array(pages * 16);
      let stretch = -1;
      for (let i = 0; i <= pages; i++) {
        const e = i * 16;
        const encrypted = i < pages && !(meta[e] === 0xff && meta[e + 1] === 0xff && meta[e + 2] === 0xff && meta[e + 3] === 0xff);
        if (encrypted) {
          for (let k = 0; k < 16; k++) tweaks[e + k] = (meta[e + k] as number) | (nonce[k] as number);
          if (stretch < 0) stretch = i;
          continue;
        }
        if (stretch >= 0) {
          batch.decryptUnits(tweaks.subarray(stretch * 16, i * 16), data.subarray(stretch * PAGE, i * PAGE), PAGE);
          stretch = -1;
        }
        if (i < pages && ((meta[e + 15] as number) & 0x03) === 0x01) data.fill(0, i * PAGE, (i + 1) * PAGE);
      }
      tweaks.fill(0);
      port.postMessage({ id: m.id, data: m.data }, [m.data]);
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

  constructor(count: number, xtsKey: Uint8Array, nonce: Uint8Array) {
    const source = `(${pageWorkerMain.toString()})(${createBatchXts.toString()})`;
    const wasm = whitenModuleBytes();
    for (let i = 0; i < count; i++) {
      // Each worker gets its own copy of the key (structured clone) and wipes it after import.
      const w = new Worker(source, { eval: true, workerData: { key: xtsKey.slice(), nonce: nonce.slice(), wasm } });
      w.on('message', (r: RunResult) => this.#settle(r));
      w.on('error', (e) => this.#failAll(e));
      this.#workers.push(w);
    }
  }

  get size(): number {
    return this.#workers.length;
  }

  /** Submits pages (whole 4 KiB pages in `data`, 16-byte entries in `meta`); both buffers are transferred. */
  submit(meta: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
    const id = this.#nextId++;
    const w = this.#workers[this.#nextWorker]!;
    this.#nextWorker = (this.#nextWorker + 1) % this.#workers.length;
    const metaBuf = ownBuffer(meta);
    const dataBuf = ownBuffer(data);
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      const req: RunRequest = { id, meta: metaBuf, data: dataBuf };
      w.postMessage(req, [metaBuf, dataBuf]);
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

/** An ArrayBuffer holding exactly these bytes (copied only when the view does not own its buffer). */
function ownBuffer(b: Uint8Array): ArrayBuffer {
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer) return b.buffer;
  return b.slice().buffer as ArrayBuffer;
}
