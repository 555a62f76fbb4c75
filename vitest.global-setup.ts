// One temporary folder per test run, owned by the vitest main process: the test workers and every
// program they start (the pvdump CLI, gdb, qemu) inherit it as TMPDIR, and it is removed when the
// run ends, also when it is interrupted. Per-process cleanup cannot do this: the forks pool ends
// its workers with SIGTERM, so their 'exit' handlers never run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export default function setup(): () => void {
  const saved = process.env['TMPDIR'];
  const dir = mkdtempSync(join(tmpdir(), 'pvdump-test-run-'));
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  // Removes the folder, then lets the signal do what it would have done without this listener.
  const onSignal = (signal: NodeJS.Signals): void => {
    remove();
    for (const s of SIGNALS) process.removeListener(s, onSignal);
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  process.env['TMPDIR'] = dir;
  process.once('exit', remove);
  for (const s of SIGNALS) process.on(s, onSignal);
  return () => {
    for (const s of SIGNALS) process.removeListener(s, onSignal);
    process.removeListener('exit', remove);
    remove();
    if (saved === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = saved;
  };
}
