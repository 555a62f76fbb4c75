// One benchmark run in a fresh process, so peak RSS belongs to this configuration alone:
// node decrypt-one.mjs DUMP CCK_HEX OUT BACKEND WORKERS(number or auto) [HELPERS] → prints
// {"seconds":…,"cpuSeconds":…,"maxRssMiB":…} where CPU time and peak RSS include the helper
// processes (if any). A helper's pages of the Node executable are the parent's (shared file
// pages), so of a helper only its own memory (anonymous and shared-memory RSS) is added.
import { readFileSync } from 'node:fs';
import { decryptDump } from '../dist/index.js';

/** Peak RSS of a process (all threads) from /proc: VmHWM starts afresh at exec, unlike getrusage's maxrss. */
function peakRssKiB(pid = 'self') {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0; // the process has just ended
  }
}
/** The helper's own memory: anonymous + shmem RSS (its file pages, Node's executable, are shared with ours). */
function ownRssKiB(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (name) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(s)?.[1] ?? 0);
    return kib('RssAnon') + kib('RssShmem');
  } catch {
    return 0;
  }
}
/** Our child processes (the helper processes), from /proc. */
function childPids() {
  try {
    return readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
}
/** CPU seconds of our children that have ended and been waited for (cutime + cstime of /proc/self/stat). */
function childCpuSeconds() {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100; // USER_HZ is 100 on Linux
}

const [dump, cckHex, out, backend, workers, helpers] = process.argv.slice(2);
const cck = Buffer.from(cckHex, 'hex');
// The helpers' peak own memory, sampled every 5 ms while they run.
const childPeak = new Map();
const poll = setInterval(() => {
  for (const pid of childPids()) childPeak.set(pid, Math.max(childPeak.get(pid) ?? 0, ownRssKiB(pid)));
}, 5);
const t0 = process.hrtime.bigint();
const cpu0 = process.cpuUsage();
const childCpu0 = childCpuSeconds();
const r = await decryptDump(dump, cck, out, {
  backend,
  workers: workers === 'auto' ? 'auto' : Number(workers),
  ...(helpers ? { helpers } : {}),
  ...(process.env.PVDUMP_RUN_PAGES ? { runPages: Number(process.env.PVDUMP_RUN_PAGES) } : {}),
});
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
clearInterval(poll);
// CPU time of every thread of the process and of its helper processes: the per-core rate, which
// other load on the machine disturbs less.
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6 + childCpuSeconds() - childCpu0;
cck.fill(0);
const maxRssMiB = (peakRssKiB() + [...childPeak.values()].reduce((a, b) => a + b, 0)) / 1024;
process.stdout.write(JSON.stringify({ seconds, cpuSeconds, bytes: r.memoryBytes, workers: r.workers, helpers: r.helpers, backend: r.backend, maxRssMiB }) + '\n');
