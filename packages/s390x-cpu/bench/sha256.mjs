// Benchmark: SHA-256 over 16 MiB, the corpus program programs/sha256.c of
// @pvdump/test-support/corpus built with s390x-linux-gnu-gcc -O2 -march=z13, run under our
// interpreter (the Linux runner from dist/, as `pvdump exec` runs it) and under qemu-s390x on the
// same machine. Both execute the same deterministic instruction stream, so the instruction count
// our interpreter reports is also qemu's; the report gives instructions per second and the ratio,
// by wall-clock time and by CPU time (user + system, all threads: on a shared machine the CPU-time
// ratio is the steadier one; qemu's comes from /usr/bin/time when it is installed).
//
// Usage: node bench/sha256.mjs [MiB]   (after `tsc -p tsconfig.build.json`; `pnpm bench` does both)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusDir as corpus } from '@pvdump/test-support/corpus';
import { runLinuxProgram } from '../dist/linux/index.js';

const mib = process.argv[2] ?? '16';
const dir = mkdtempSync(join(tmpdir(), 'pvdump-bench-'));
try {
  const exe = join(dir, 'sha256');
  execFileSync('s390x-linux-gnu-gcc', ['-static', '-nostdlib', '-ffreestanding', '-march=z13', '-O2', '-o', exe, join(corpus, 'libc/start.S'), join(corpus, 'libc/tinylibc.c'), join(corpus, 'programs/sha256.c'), '-lgcc']);

  let ours = '';
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const result = runLinuxProgram(exe, { args: [mib], stdout: (d) => (ours += Buffer.from(d).toString()) });
  const oursNs = Number(process.hrtime.bigint() - t0);
  const oursCpu = process.cpuUsage(c0);
  const oursCpuS = (oursCpu.user + oursCpu.system) / 1e6;
  if (result.status !== 0) throw new Error(`our run exited with ${result.status}: ${result.message ?? ''}`);

  const timed = existsSync('/usr/bin/time');
  const q0 = process.hrtime.bigint();
  const q = timed ? spawnSync('/usr/bin/time', ['-f', '%U %S', 'qemu-s390x', exe, mib], { encoding: 'utf8' }) : spawnSync('qemu-s390x', [exe, mib], { encoding: 'utf8' });
  const qemuNs = Number(process.hrtime.bigint() - q0);
  if (q.status !== 0) throw new Error(`qemu-s390x exited with ${q.status}`);
  if (q.stdout !== ours) throw new Error('outputs differ between pvdump and qemu-s390x');
  const times = timed ? q.stderr.trim().split('\n').pop().split(' ').map(Number) : [];
  const qemuCpuS = times.length === 2 ? times[0] + times[1] : undefined;

  const n = result.instructions;
  const oursIps = n / (oursNs / 1e9);
  const qemuIps = n / (qemuNs / 1e9);
  console.log(`SHA-256 over ${mib} MiB (+12 KiB and two test vectors), gcc -O2 -march=z13`);
  console.log(`  digest line: ${ours.trim().split('\n').pop()}`);
  console.log(`  instructions executed: ${n}`);
  console.log(`  pvdump:     ${(oursNs / 1e9).toFixed(2)} s, ${(oursIps / 1e6).toFixed(1)} M instructions/s; CPU ${oursCpuS.toFixed(2)} s, ${(n / oursCpuS / 1e6).toFixed(1)} M/CPU-s`);
  console.log(
    `  qemu-s390x: ${(qemuNs / 1e9).toFixed(2)} s, ${(qemuIps / 1e6).toFixed(1)} M instructions/s (process start included)${qemuCpuS === undefined ? '' : `; CPU ${qemuCpuS.toFixed(2)} s, ${(n / qemuCpuS / 1e6).toFixed(1)} M/CPU-s`}`,
  );
  console.log(`  ratio qemu/pvdump: ${(qemuIps / oursIps).toFixed(1)}x by wall clock${qemuCpuS === undefined ? '' : `, ${(oursCpuS / qemuCpuS).toFixed(1)}x by CPU time`}`);
  console.log(`  target >= 300 M instructions/s and ratio <= 6: ${oursIps >= 300e6 ? 'rate met' : 'rate NOT met'}, ${qemuIps / oursIps <= 6 ? 'ratio met' : 'ratio NOT met'}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
