// DIAGNOSE 0x44 and 0x9C served in the kernel (as KVM's diag.c): neither changes a register or the
// condition code; 0x44 ends the time slice only when another vCPU can run, 0x9C only when the
// vCPU in R1 is another one that can run; other codes go to user space. A guest's loop of them
// and of SIGP SENSE RUNNING STATUS completes without leaving KVM_RUN.
import { describe, expect, it } from 'vitest';
import { Cpu, GuestMemory } from '@pvdump/s390x-cpu';
import { diagnoseYield, type YieldTargets } from '../src/kernel/diagnose-yield.ts';
import { HostKernel, VirtualMachine } from '../src/index.ts';
import { assemble } from './support/guests.ts';

const MIB = 1024 * 1024;

/** A CPU stopped at an intercepted `diag %r2,%r0,code` with R2 = `r2`. */
function intercepted(code: number, r2: bigint) {
  const mem = new GuestMemory(1 << 20);
  mem.write(0x2000, Uint8Array.from([0x83, 0x20, code >> 8, code & 0xff]));
  const cpu = new Cpu(mem);
  cpu.setPsw({ mask: 0x0000000180000000n, addr: 0x2000n });
  cpu.setGpr(2, r2);
  cpu.cc = 2;
  const stop = cpu.run(1);
  if (stop.kind !== 'interception') throw new Error(`expected an interception, got ${stop.kind}`);
  return { cpu, interception: stop.interception };
}

/** vCPU 1 can run, vCPU 2 cannot, no vCPU 3. */
const targets = (anotherCanRun: boolean): YieldTargets => ({ anotherCanRun: () => anotherCanRun, canRun: (address) => address === 1 });

describe('DIAGNOSE 0x44 and 0x9C in the kernel', () => {
  it('0x44 runs on when no other vCPU can run and yields when one can, registers and cc untouched', () => {
    for (const [other, outcome] of [
      [false, 'run-on'],
      [true, 'yield'],
    ] as const) {
      const { cpu, interception } = intercepted(0x44, 0x1234n);
      expect(diagnoseYield(cpu, targets(other), interception)).toBe(outcome);
      expect(cpu.cc).toBe(2);
      expect(cpu.getGpr(2)).toBe(0x1234n);
      expect(cpu.getPsw().addr).toBe(0x2004n);
      expect(cpu.pendingInterception).toBeUndefined();
    }
  });

  it('0x9C yields only to another vCPU in R1 that can run', () => {
    expect(diagnoseYield(intercepted(0x9c, 1n).cpu, targets(true), intercepted(0x9c, 1n).interception)).toBe('yield');
    for (const r2 of [2n, 3n, 0x100000002n]) {
      const { cpu, interception } = intercepted(0x9c, r2);
      expect(diagnoseYield(cpu, targets(true), interception)).toBe('run-on');
      expect(cpu.cc).toBe(2);
    }
  });

  it('leaves every other DIAGNOSE code to user space', () => {
    const { cpu, interception } = intercepted(0x10, 0n);
    expect(diagnoseYield(cpu, targets(true), interception)).toBeUndefined();
    expect(cpu.pendingInterception).toBeDefined();
  });
});

describe('a guest loop of in-kernel interceptions', () => {
  // 3000 passes of DIAGNOSE 0x44, 0x9C to CPU 1 and SIGP SENSE RUNNING STATUS to CPU 1 (stopped):
  // the last order's status and cc are stored, then CPU 0 stops itself.
  const GUEST = `
	.text
	.globl _start
_start:
	lghi	%r7, 3000
	lghi	%r3, 1
0:	diag	%r0, %r0, 0x44
	diag	%r3, %r0, 0x9c
	lghi	%r4, 0
	sigp	%r4, %r3, 0x15
	ipm	%r5
	brctg	%r7, 0b
	lgfi	%r9, 0x20000
	stg	%r4, 0(%r9)
	st	%r5, 8(%r9)
	lghi	%r6, 0
	sigp	%r4, %r6, 5
	j	.
`;

  it('completes every pass inside KVM_RUN', () => {
    const vm = new VirtualMachine({ kernel: new HostKernel({ protectedVirtualization: false }), memorySize: 16 * MIB, cpus: 2 });
    vm.loadElf(assemble(GUEST));
    expect(vm.run(10_000)).toEqual({ kind: 'all-stopped' });
    const results = new DataView(vm.readGuest(0x20000, 12).buffer);
    expect(results.getBigUint64(0)).toBe(0x400n); // CPU 1 does not run
    expect((results.getUint32(8) >>> 28) & 3).toBe(1);
    // 9000 interceptions; only the time slices and the SIGP STOP leave KVM_RUN.
    expect(vm.kvmRunCalls).toBeLessThan(50);
  });
});
