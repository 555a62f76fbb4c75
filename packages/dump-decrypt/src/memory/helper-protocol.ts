/**
 * The messages between the decrypting thread and its helpers (`worker-pool.ts` with
 * `page-worker.ts`, `process-pool.ts` with `page-process.ts`), defined once for both ends.
 */
import type { HelperKeys, RunSource } from './run-decryptor.js';

/** What `PageWorkerPool` passes to a worker as `workerData`. */
export interface PageWorkerInit extends HelperKeys {
  path: string;
  runBytes: number;
  regions: number;
}
/** A run for a worker (`RunSource`), with its id and which of the worker's run regions to use. */
export interface RunRequest extends RunSource {
  id: number;
  region: number;
}
/** A worker's answer. */
export interface WorkerMessage {
  /** Sent once at start: the worker's WebAssembly memory, which holds its run regions. */
  memory?: ArrayBufferLike;
  id?: number;
  /** A finished run: its offset and length in the worker's memory. */
  at?: number;
  bytes?: number;
  error?: string;
}

/** File descriptor of the output file in a child process (stdio slot 3). */
export const CHILD_OUT_FD = 3;
/** The first message to a child process. */
export interface ChildInit extends HelperKeys {
  path: string;
  runBytes: number;
}
/** A run for a child (`RunSource`) and where in the output file its pages go. */
export interface ProcessRun extends RunSource {
  outOffset: number;
}
/** A child's answer to run `id`. */
export interface ChildReply {
  id: number;
  error?: string;
}
