/**
 * Entry module of a page-decryption child process (`PageProcessPool`, spec pv-dump-crypto.md
 * §7–§8). The first IPC message carries the dump's path and the keys (never the command line or
 * the environment; wiped once imported); every later one a run, which is decrypted in the
 * child's one run region and written to its place in the output file (descriptor
 * `CHILD_OUT_FD`) with positional writes; the answer is only "done" or the error. The child exits
 * when its IPC channel closes (the parent finished or went away).
 */
import * as fs from 'node:fs';
import { CHILD_OUT_FD, type ChildInit, type ChildReply, type ProcessRun } from './helper-protocol.js';
import { makeRunDecryptor, type RunDecryptor } from './run-decryptor.js';

let runs: RunDecryptor | undefined;
const send = (m: ChildReply): void => void process.send?.(m);
process.on('disconnect', () => process.exit(0));
process.on('message', (m: ChildInit | (ProcessRun & { id: number })) => {
  if (runs === undefined) {
    const init = m as ChildInit;
    try {
      runs = makeRunDecryptor(init.path, init, 1, init.runBytes);
    } catch (err) {
      // One line on stderr: the parent names it when it sees this process end.
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    }
    return;
  }
  const run = m as ProcessRun & { id: number };
  try {
    const data = runs.decrypt(run, 0);
    for (let done = 0; done < data.length;) done += fs.writeSync(CHILD_OUT_FD, data, done, data.length - done, run.outOffset + done);
    send({ id: run.id });
  } catch (err) {
    send({ id: run.id, error: err instanceof Error ? err.message : String(err) });
  }
});
