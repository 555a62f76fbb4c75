// SIGP SENSE RUNNING STATUS served in the kernel (KVM keeps the sense orders there even with
// user-space SIGP): cc 0 for a running vCPU, the "not running" status in R1's low word with cc 1,
// cc 3 for a CPU address with no vCPU; every other order goes to user space untouched.
import { describe, expect, it } from 'vitest';
import { Cpu, GuestMemory } from '@pvdump/s390x-cpu';
import { senseRunningStatus } from '../src/kernel/sigp-sense-running.ts';

/** A CPU stopped at an intercepted `sigp %r2,%r3,order` with R3 = `target`. */
function intercepted(order: number, target: bigint) {
  const mem = new GuestMemory(1 << 20);
  mem.write(0x2000, Uint8Array.from([0xae, 0x23, 0x00, order]));
  const cpu = new Cpu(mem);
  cpu.setPsw({ mask: 0x0000000180000000n, addr: 0x2000n });
  cpu.setGpr(2, 0x1234567800005555n);
  cpu.setGpr(3, target);
  const stop = cpu.run(1);
  if (stop.kind !== 'interception') throw new Error(`expected an interception, got ${stop.kind}`);
  return { cpu, interception: stop.interception };
}

describe('SIGP SENSE RUNNING STATUS in the kernel', () => {
  const probe = (address: number): boolean | undefined => (address === 0 ? true : address === 1 ? false : undefined);

  it('answers cc 0 for a running vCPU and leaves R1 alone', () => {
    const { cpu, interception } = intercepted(0x15, 0n);
    expect(senseRunningStatus(cpu, probe, interception)).toBe(true);
    expect(cpu.cc).toBe(0);
    expect(cpu.getGpr(2)).toBe(0x1234567800005555n);
    expect(cpu.getPsw().addr).toBe(0x2004n);
  });

  it('stores "not running" (0x400) in R1 with cc 1 for a vCPU that does not run', () => {
    const { cpu, interception } = intercepted(0x15, 0xffff0001n);
    expect(senseRunningStatus(cpu, probe, interception)).toBe(true);
    expect(cpu.cc).toBe(1);
    expect(cpu.getGpr(2)).toBe(0x1234567800000400n);
  });

  it('answers cc 3 for a CPU address with no vCPU', () => {
    const { cpu, interception } = intercepted(0x15, 7n);
    expect(senseRunningStatus(cpu, probe, interception)).toBe(true);
    expect(cpu.cc).toBe(3);
    expect(cpu.getGpr(2)).toBe(0x1234567800005555n);
  });

  it('hands every other order to user space', () => {
    const { cpu, interception } = intercepted(0x01, 1n);
    expect(senseRunningStatus(cpu, probe, interception)).toBe(false);
    expect(cpu.getGpr(2)).toBe(0x1234567800005555n);
  });
});
