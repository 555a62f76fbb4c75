/**
 * A vCPU in an enabled wait sleeps as KVM's does (kvm_s390_handle_wait): KVM_RUN does not spin,
 * the run loop stops with `idle` and `waitForWork` sleeps until the clock comparator is due.
 * The guest: CPU 0 starts CPU 1 (SIGP RESTART), which idles in an enabled wait with no timer;
 * CPU 0 arms its clock comparator 300 ms ahead and waits enabled; woken by the external
 * interruption it reads the TOD clock again, stops CPU 1 and panics at 0xd0e. Plain and protected.
 */
import { describe, expect, it } from 'vitest';
import { ManualTodClock } from '@pvdump/s390x-cpu';
import { HostKernel, MpState, VirtualMachine, hypervisorRegisters, type MachineStop } from '../src/index.ts';
import { assemble, protectedImage, testHost } from './support/guests.ts';

const WAIT_MS = 300;
const TOD_PER_MS = 4096n * 1000n;

const SOURCE = `
	.text
	.globl _start
_start:
	larl	%r1, psws
	mvc	0x1a0(16,%r0), 0(%r1)		/* restart new PSW: CPU 1's entry */
	mvc	0x1b0(16,%r0), 16(%r1)		/* external new PSW: woke */
	mvc	0x1d0(16,%r0), 32(%r1)		/* program new PSW: disabled wait at 0xdead */
	lghi	%r3, 1
	sigp	%r4, %r3, 6			/* SIGP RESTART CPU 1 */
	larl	%r2, data
	stck	0(%r2)
	lg	%r5, 0(%r2)			/* r5: the TOD before the wait */
	lgr	%r6, %r5
	agfi	%r6, ${BigInt(WAIT_MS) * TOD_PER_MS}	/* r6: the clock comparator */
	stg	%r6, 8(%r2)
	sckc	8(%r2)
	stctg	%c0, %c0, 16(%r2)
	oi	22(%r2), 0x08			/* CR0 bit 52: clock-comparator submask */
	lctlg	%c0, %c0, 16(%r2)
	lpswe	48(%r1)				/* enabled wait */
woke:
	larl	%r2, data
	stck	24(%r2)
	lg	%r7, 24(%r2)			/* r7: the TOD after the wait */
	lghi	%r3, 1
	sigp	%r4, %r3, 5			/* SIGP STOP CPU 1 */
	larl	%r1, psws
	lpswe	64(%r1)				/* disabled wait at 0xd0e */
cpu1:
	larl	%r1, psws
	lpswe	48(%r1)				/* CPU 1 idles: enabled wait, no timer */
	.align 8
psws:
	.quad	0x0000000180000000, cpu1
	.quad	0x0000000180000000, woke
	.quad	0x0002000180000000, 0xdead
	.quad	0x0102000180000000, 0
	.quad	0x0002000180000000, 0xd0e
	.align 8
data:	.fill	32, 1, 0
`;

let guestPath: string | undefined;
const guest = (): string => (guestPath ??= assemble(SOURCE));

/** Runs until the guest stops, sleeping through `idle` stops; counts them. */
async function runToEnd(m: VirtualMachine): Promise<{ stop: MachineStop; idles: number }> {
  let idles = 0;
  for (;;) {
    const stop = m.run(1000);
    if (stop.kind !== 'idle') return { stop, idles };
    idles++;
    await m.waitForWork();
  }
}

describe('an enabled wait sleeps', () => {
  it('plain guest: wakes at its clock comparator, after one idle sleep, with few KVM_RUN calls and little CPU time', async () => {
    const kernel = new HostKernel({ protectedVirtualization: false, clock: () => new ManualTodClock() });
    const m = new VirtualMachine({ kernel, memorySize: 2 << 20, cpus: 2 });
    m.loadElf(guest());
    const cpuBefore = process.cpuUsage();
    const wallBefore = performance.now();
    const { stop, idles } = await runToEnd(m);
    const wallMs = performance.now() - wallBefore;
    const cpu = process.cpuUsage(cpuBefore);
    expect(stop).toMatchObject({ kind: 'panic', cpu: 0, psw: { addr: 0xd0en } });
    const r = hypervisorRegisters(m, m.vcpus[0]!).gprs;
    expect(r[6]! - r[5]!).toBe(BigInt(WAIT_MS) * TOD_PER_MS);
    // Woken by the clock comparator: the TOD is past it; the emulated clock stood at the deadline.
    expect(r[7]! > r[6]!).toBe(true);
    expect(r[7]! - r[6]! < 1000n * 4096n).toBe(true);
    // Both vCPUs slept together once; the loop did not spin while they slept.
    expect(idles).toBe(1);
    expect(m.kvmRunCalls).toBeLessThan(40);
    expect(wallMs).toBeGreaterThanOrEqual(WAIT_MS - 5);
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(wallMs * 0.5);
    m.close();
  });

  it('the same guest and clock see the same TOD values, however long the host slept', async () => {
    const values: bigint[][] = [];
    for (let i = 0; i < 2; i++) {
      const kernel = new HostKernel({ protectedVirtualization: false, clock: () => new ManualTodClock() });
      const m = new VirtualMachine({ kernel, memorySize: 2 << 20, cpus: 2 });
      m.loadElf(guest());
      expect(m.run(1000)).toEqual({ kind: 'idle' });
      // Virtual time instead of a sleep: the clock moves to the deadline at once.
      expect(m.skipToWake()).toBe(true);
      expect(m.run(1000)).toMatchObject({ kind: 'panic', cpu: 0 });
      const r = hypervisorRegisters(m, m.vcpus[0]!).gprs;
      values.push([r[5]!, r[6]!, r[7]!]);
      m.close();
    }
    expect(values[1]).toEqual(values[0]);
  });

  it('an idle guest with no timer sleeps until an interruption is made pending', async () => {
    const kernel = new HostKernel({ protectedVirtualization: false, clock: () => new ManualTodClock() });
    const m = new VirtualMachine({ kernel, memorySize: 2 << 20, cpus: 2 });
    m.loadElf(guest());
    expect(m.run(1000)).toEqual({ kind: 'idle' });
    // CPU 1 alone (CPU 0 stopped): nothing but an interruption wakes it.
    expect(m.setMpState(0, MpState.STOPPED)).toBe(0);
    expect(m.run(1000)).toEqual({ kind: 'idle' });
    expect(m.skipToWake()).toBe(false);
    const abort = new AbortController();
    let woke = false;
    const sleeping = m.waitForWork(abort.signal).then(() => (woke = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(woke).toBe(false);
    m.restart(1); // SIGP RESTART's path: a restart interruption made pending wakes the sleep
    await sleeping;
    expect(woke).toBe(true);
    const aborted = m.waitForWork(abort.signal);
    abort.abort();
    await aborted;
    m.close();
  });

  it('protected guest: the secure CPU sleeps and wakes at its clock comparator', async () => {
    const { kernel, secureStates } = testHost();
    const m = new VirtualMachine({ kernel, memorySize: 2 << 20, cpus: 2 });
    m.bootSecureImage(protectedImage(guest()));
    const { stop, idles } = await runToEnd(m);
    expect(stop).toMatchObject({ kind: 'panic', cpu: 0 });
    const r = secureStates.get(0)!.gprs;
    expect(r[6]! - r[5]!).toBe(BigInt(WAIT_MS) * TOD_PER_MS);
    expect(r[7]! > r[6]!).toBe(true);
    expect(idles).toBe(1);
    expect(m.kvmRunCalls).toBeLessThan(40);
    m.close();
  });
});
