// One temporary folder per test run, owned by the vitest main process: the test workers and every
// program they start (the pvdump CLI, gdb, qemu) inherit it as TMPDIR, and it is removed when the
// run ends, also when it is interrupted. Per-process cleanup cannot do this: the forks pool ends
// its workers with SIGTERM, so their 'exit' handlers never run.
// Fault tests mount tiny tmpfs file systems inside it (a full disk); whatever is still mounted
// there is unmounted before the folder goes, and on start the mounts of runs whose process is
// gone (a run killed with SIGKILL) are unmounted and their folders removed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const RUN_PREFIX = 'pvdump-test-run-';

/** Mount points at or below `root`, deepest first (/proc/mounts escapes blanks as octal). */
function mountsUnder(root: string): string[] {
  if (!existsSync('/proc/mounts')) return [];
  return readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((line) => (line.split(' ')[1] ?? '').replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((point) => point === root || point.startsWith(root + sep))
    .sort((a, b) => b.length - a.length);
}

/** Unmounts everything below `dir` (lazily, so a busy one goes too), then removes the folder. */
function removeRunFolder(dir: string): void {
  for (const point of mountsUnder(dir)) spawnSync('umount', ['-l', point]);
  rmSync(dir, { recursive: true, force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Run folders (named with their run's process id) left with mounts by runs that no longer exist. */
function removeStaleRuns(): void {
  const base = join(tmpdir(), RUN_PREFIX);
  const stale = new Set<string>();
  for (const point of mountsUnder(tmpdir())) {
    if (!point.startsWith(base)) continue;
    const name = point.slice(base.length).split(sep)[0]!;
    const pid = /^(\d+)-/.exec(name);
    if (pid !== null && !alive(Number(pid[1]))) stale.add(base + name);
  }
  for (const dir of stale) removeRunFolder(dir);
}

export default function setup(): () => void {
  const saved = process.env.TMPDIR;
  removeStaleRuns();
  const dir = mkdtempSync(join(tmpdir(), `${RUN_PREFIX}${process.pid}-`));
  const remove = (): void => removeRunFolder(dir);
  // Removes the folder, then lets the signal do what it would have done without this listener.
  const onSignal = (signal: NodeJS.Signals): void => {
    remove();
    for (const s of SIGNALS) process.removeListener(s, onSignal);
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  process.env.TMPDIR = dir;
  process.once('exit', remove);
  for (const s of SIGNALS) process.on(s, onSignal);
  return () => {
    for (const s of SIGNALS) process.removeListener(s, onSignal);
    process.removeListener('exit', remove);
    remove();
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  };
}
