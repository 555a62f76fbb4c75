/**
 * Entry module of a page-decryption worker thread (`PageWorkerPool`, spec pv-dump-crypto.md
 * §7–§8): opens the dump, keeps `regions` run regions in its shared WebAssembly memory, sends
 * that memory to the parent once, then decrypts each run it is sent into the region named and
 * answers with where the plaintext lies. The keys come in `workerData` (structured clone) and are
 * wiped once imported.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { PageWorkerInit, RunRequest, WorkerMessage } from './helper-protocol.js';
import { makeRunDecryptor } from './run-decryptor.js';

const port = parentPort;
if (port !== null) {
  const init = workerData as PageWorkerInit;
  const runs = makeRunDecryptor(init.path, init, init.regions, init.runBytes);
  const started: WorkerMessage = { memory: runs.buffer };
  port.postMessage(started);
  port.on('message', (m: RunRequest) => {
    let reply: WorkerMessage;
    try {
      const data = runs.decrypt(m, m.region);
      reply = { id: m.id, at: data.byteOffset, bytes: data.length };
    } catch (err) {
      reply = { id: m.id, error: err instanceof Error ? err.message : String(err) };
    }
    port.postMessage(reply);
  });
}
