// One benchmark run in a fresh process, so peak RSS belongs to this configuration alone:
// node decrypt-one.mjs DUMP CCK_HEX OUT BACKEND WORKERS(number or auto) → prints {"seconds":…,"cpuSeconds":…,"maxRssMiB":…}
import { readFileSync } from 'node:fs';
import { decryptDump } from '../dist/index.js';

/** Peak RSS of this process (all threads) from /proc: VmHWM starts afresh at exec, unlike getrusage's maxrss. */
function peakRssMiB() {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : process.resourceUsage().maxRSS / 1024;
}

const [dump, cckHex, out, backend, workers] = process.argv.slice(2);
const cck = Buffer.from(cckHex, 'hex');
const t0 = process.hrtime.bigint();
const cpu0 = process.cpuUsage();
const r = await decryptDump(dump, cck, out, { backend, workers: workers === 'auto' ? 'auto' : Number(workers), ...(process.env.PVDUMP_RUN_PAGES ? { runPages: Number(process.env.PVDUMP_RUN_PAGES) } : {}) });
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
// CPU time of every thread of the process: the per-core rate, which other load on the machine disturbs less.
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
cck.fill(0);
process.stdout.write(JSON.stringify({ seconds, cpuSeconds, bytes: r.memoryBytes, workers: r.workers, backend: r.backend, maxRssMiB: peakRssMiB() }) + '\n');
