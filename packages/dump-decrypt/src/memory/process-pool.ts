/**
 * Child processes for bulk page decryption into a file (the batched `node` backend): each child
 * opens the dump itself, reads the runs of pages (and their storage-state entries) it is given
 * into its WebAssembly memory, decrypts them there and writes them straight to their place in the
 * output file with positional writes (the parent's writer reserved that range: dump-format's
 * `reserveMemory`). Nothing comes back but "done", so the parent's thread is free to decrypt runs
 * of its own, and the order in which runs finish does not matter.
 *
 * Why processes and not worker threads here: every process writes its own runs, in parallel,
 * where helper threads hand each run to the calling thread's one writer; and two processes share
 * no allocator or heap (measured on the project's VM: a second thread made the pair spend 10–15 %
 * more CPU, mostly kernel time and page faults, two pinned processes 3–8 %; see the README's
 * Performance section). Threads remain for streams (stdout), which need runs back in order.
 *
 * Each child runs the module `page-process.js` (`helperEntry`). Each child gets its own copy of
 * the key over the IPC channel (never on the command line or in the environment) and wipes it
 * after import.
 * It trusts the entries: `scanPageStates` has already validated every one before any run is
 * submitted. A child whose parent goes away exits (the IPC channel closes).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PvDecryptError } from '../errors.js';
import { helperEntry } from './helper-entry.js';
import { CHILD_OUT_FD, type ChildInit, type ChildReply, type ProcessRun } from './helper-protocol.js';

export type { ProcessRun } from './helper-protocol.js';

/** Runs queued per child: one being decrypted, one waiting, so a child never idles between runs. */
export const RUNS_PER_PROCESS = 2;

/** A pool of page-decryption processes writing into one output file; `submit` resolves once the run is written. */
export class PageProcessPool {
  readonly #children: ChildProcess[] = [];
  readonly #queued: number[] = [];
  readonly #pending = new Map<number, { child: number; resolve: () => void; reject: (e: Error) => void }>();
  readonly #stderr: string[] = [];
  #nextId = 0;
  /** Set when a child failed or died: later submits fail at once. */
  #failure: PvDecryptError | undefined;
  #closing = false;

  /**
   * Starts `count` children that will write into `outFd` (each gets its own descriptor of the
   * output file). They boot (Node's start-up, some 70 ms) while the caller checks the key; `start`
   * gives them the keys.
   */
  constructor(count: number, outFd: number) {
    const entry = fileURLToPath(helperEntry('page-process'));
    const stdio: ('ignore' | 'pipe' | 'ipc' | number)[] = ['ignore', 'ignore', 'pipe', 'ignore', 'ipc'];
    stdio[CHILD_OUT_FD] = outFd;
    for (let i = 0; i < count; i++) {
      const child = spawn(process.execPath, [entry], {
        stdio,
        serialization: 'advanced',
      });
      this.#stderr.push('');
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (s: string) => {
        const sofar = this.#stderr[i] ?? '';
        if (sofar.length < 4096) this.#stderr[i] = sofar + s;
      });
      child.on('message', (r: ChildReply) => this.#settle(r));
      child.on('error', (e) => {
        // A child that was started and then died makes sends fail too; its 'exit' names the reason.
        if (child.pid !== undefined) return;
        this.#fail(`could not start a page decryption process (${process.execPath}): ${e.message}; helpers 'threads' (pvdump: --helpers threads) or no helpers avoid child processes`);
      });
      child.on('exit', (code, signal) => {
        if (this.#closing) return;
        // The last line that says something (an uncaught error ends with Node's version line).
        const why = (this.#stderr[i] ?? '')
          .split('\n')
          .filter((l) => l.trim() !== '' && !/^Node\.js v\d/.test(l))
          .slice(-1)[0];
        this.#fail(`page decryption process ${child.pid ?? '?'} ended (${signal ?? `exit code ${code}`})${why ? `: ${why}` : ''}`);
      });
      this.#children.push(child);
      this.#queued.push(0);
    }
  }

  /** Gives every child the dump's path, its own copy of the keys, and the largest run (pages × 4096) that will be submitted. */
  start(path: string, xtsKey: Uint8Array, nonce: Uint8Array, runBytes: number): void {
    for (const child of this.#children) {
      const init: ChildInit = { key: xtsKey.slice(), nonce: nonce.slice(), path, runBytes };
      child.send(init, (err) => {
        if (err) this.#fail(`could not reach a page decryption process: ${err.message}`);
      });
      // The message is serialised by send(): our copies can go at once.
      init.key.fill(0);
      init.nonce.fill(0);
    }
  }

  get size(): number {
    return this.#children.length;
  }

  /** Why the pool failed (a child failed a run, died or could not start), if it did. */
  get failure(): PvDecryptError | undefined {
    return this.#failure;
  }

  /** True when some child has room for another run (fewer than `RUNS_PER_PROCESS` queued). */
  get canTake(): boolean {
    return this.#failure === undefined && this.#queued.some((q) => q < RUNS_PER_PROCESS);
  }

  /** Hands a run to the least busy child; resolves when it has been decrypted and written. */
  submit(run: ProcessRun): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    let child = 0;
    for (let i = 1; i < this.#queued.length; i++) if (this.#queued[i]! < this.#queued[child]!) child = i;
    const id = this.#nextId++;
    this.#queued[child] = this.#queued[child]! + 1;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { child, resolve, reject });
      this.#children[child]!.send({ id, ...run });
    });
  }

  #settle(r: ChildReply): void {
    const p = this.#pending.get(r.id);
    if (p === undefined) return;
    this.#pending.delete(r.id);
    this.#queued[p.child] = this.#queued[p.child]! - 1;
    if (r.error === undefined) p.resolve();
    else {
      this.#fail(`page decryption process failed: ${r.error}`);
      p.reject(this.#failure!);
    }
  }

  #fail(message: string): void {
    this.#failure ??= new PvDecryptError('io', message);
    for (const p of this.#pending.values()) p.reject(this.#failure);
    this.#pending.clear();
  }

  /**
   * Ends every child and waits until they are gone: when all went well, by closing their IPC
   * channels (a child exits once it has nothing left to do); after a failure (`abort`, or a child
   * failed), at once with SIGTERM, so none writes into an output that is about to be removed.
   */
  async close(abort = false): Promise<void> {
    this.#closing = true;
    await Promise.all(
      this.#children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once('exit', () => resolve());
            if (c.connected && !abort && this.#failure === undefined) c.disconnect();
            else c.kill();
          }),
      ),
    );
    this.#children.length = 0;
  }
}
