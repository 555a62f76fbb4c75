/** The `qemu-qmp` npm client (written elsewhere, so it checks our wire protocol independently) as promises. */
import { existsSync } from 'node:fs';
import QMP from 'qemu-qmp';

/** One command; resolves with its `return`, rejects with its `error`. */
export function execute(qmp: QMP, command: string, args?: object): Promise<unknown> {
  return new Promise((resolve, reject) => qmp.execute(command, args, (err, result) => (err ? reject(err) : resolve(result))));
}

/** Connects once the server's socket at `path` exists (a minute at most); our server makes it appear only once it listens. */
export async function connectQmp(path: string): Promise<QMP> {
  const deadline = Date.now() + 60_000;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`no QMP socket at ${path}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const qmp = new QMP();
  await new Promise<void>((resolve, reject) => qmp.connect(path, (err) => (err ? reject(err) : resolve())));
  return qmp;
}
