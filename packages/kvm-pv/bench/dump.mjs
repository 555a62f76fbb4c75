// Benchmark: dumping a protected guest whose pages are all secure (default 2 GiB; SIZE_MIB to
// change), through the VMM's dump driver, against `cp` of the dump file in the same run.
// Reports MiB/s, the ratio to cp, the dump's CPU time per GiB (steadier than wall time on a shared
// machine), and the peak RSS the dump adds beyond the guest's own memory.
// Run after `pnpm build` (it imports the built packages).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualTodClock } from '@pvdump/s390x-cpu';
import { deterministicRandom, generateHostKeyPair } from '@pvdump/ultravisor';
import { buildGenprotimgImage, kernelImageFromGuest, loadGuestElf } from '@pvdump/ultravisor/guest-owner';
import { HostKernel, VirtualMachine, dumpGuestMemory } from '@pvdump/kvm-pv';

const sizeMiB = Number(process.env.SIZE_MIB ?? 2048);
const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'kvm-pv-bench-'));
const MiB = 1024 * 1024;

function vmHwm() {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return Number(m[1]) * 1024;
}
function resetHwm() {
  writeFileSync('/proc/self/clear_refs', '5');
}

// A guest that touches every page above the image once (each touch imports the page), then panics.
const source = `
	.text
	.globl _start
_start:
	lgfi	%r2, 0x100000
	llilh	%r3, ${(sizeMiB * MiB) >>> 16}
touch:
	mvi	0(%r2), 1
	agfi	%r2, 4096
	clgr	%r2, %r3
	jl	touch
	larl	%r1, panic
	lpswe	0(%r1)
	.align 8
panic:
	.quad 0x0002000180000000, 0xbad
`;
try {
  writeFileSync(join(dir, 'g.S'), source);
  execFileSync('s390x-linux-gnu-as', ['-m64', '-o', join(dir, 'g.o'), join(dir, 'g.S')]);
  execFileSync('s390x-linux-gnu-ld', ['-static', '-nostdlib', '-Ttext=0x10000', '-e', '_start', '-o', join(dir, 'g.elf'), join(dir, 'g.o')]);
  const hostKey = generateHostKeyPair(deterministicRandom('bench host'));
  const cck = new Uint8Array(32).fill(7);
  // A Secure Execution image in genprotimg's layout, booted through the steps of DIAGNOSE 0x308 subcode 10.
  const guest = kernelImageFromGuest(loadGuestElf(readFileSync(join(dir, 'g.elf')), { withoutFileHeaders: true }));
  const image = buildGenprotimgImage({ kernel: guest.kernel, kernelPsw: { mask: 0x0000000180000000n, addr: guest.entry }, hostPublicKeys: [hostKey.publicKey], cck, allowDumping: true });
  const kernel = new HostKernel({ hostKeys: [hostKey], clock: () => new ManualTodClock(), timeSlice: 50_000_000 });
  const m = new VirtualMachine({ kernel, memorySize: sizeMiB * MiB, cpus: 1 });
  m.bootSecureImage(image);
  let t = process.hrtime.bigint();
  const stop = m.run(1000);
  const bootSeconds = Number(process.hrtime.bigint() - t) / 1e9;
  if (stop.kind !== 'panic') throw new Error(`guest did not panic: ${JSON.stringify(stop, (_k, v) => (typeof v === 'bigint' ? v.toString(16) : v))}`);
  const ram = m.process.memory.guestRamAt(m.ramAddress, m.memorySize).ram;
  const before = process.memoryUsage().rss;
  resetHwm();
  const path = join(dir, 'dump.elf');
  t = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  await dumpGuestMemory(m, path);
  const cpu = process.cpuUsage(cpu0);
  const dumpSeconds = Number(process.hrtime.bigint() - t) / 1e9;
  const extraRss = vmHwm() - before;
  const bytes = statSync(path).size;
  t = process.hrtime.bigint();
  execFileSync('cp', [path, join(dir, 'copy.elf')]);
  const cpSeconds = Number(process.hrtime.bigint() - t) / 1e9;
  const rate = bytes / MiB / dumpSeconds;
  const cpRate = bytes / MiB / cpSeconds;
  console.log(`guest ${sizeMiB} MiB, ${ram.residentPages} secure pages (touched in ${bootSeconds.toFixed(1)} s), ${ram.stats.exports} exported by the dump`);
  console.log(`dump: ${rate.toFixed(0)} MiB/s (${dumpSeconds.toFixed(2)} s); cp of the dump: ${cpRate.toFixed(0)} MiB/s; ratio ${(rate / cpRate).toFixed(2)} (target >= 0.5)`);
  console.log(`dump CPU time: ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s (${((cpu.user + cpu.system) / 1e6 / (bytes / 2 ** 30)).toFixed(2)} s per GiB, this process)`);
  console.log(`extra peak RSS during the dump: ${(extraRss / MiB).toFixed(0)} MiB (target < 200 MiB)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
