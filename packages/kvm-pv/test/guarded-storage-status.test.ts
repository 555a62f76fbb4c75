// Guarded storage in the VM (QEMU `-cpu qemu,gs=on|off`): a vCPU loads its guarded-storage
// controls with LGSC, the controls travel in `kvm_sync_regs` (KVM_SYNC_GSCB), and SIGP STORE
// ADDITIONAL STATUS with length code 11 stores them at +0x400 of the 2 KiB area (QEMU 7.2
// target/s390x/sigp.c); without the facility a non-zero length code is an invalid parameter.
import { describe, expect, it } from 'vitest';
import { HostKernel, VirtualMachine } from '../src/index.ts';
import { assemble } from './support/guests.ts';

const MIB = 1024 * 1024;
const RESULTS = 0x20000;
/** The additional-status area: 2 KiB aligned. */
const AREA = 0x20800;

/**
 * CPU 1 (restarted by CPU 0): CR2 bit 59 on, LGSC of `gscb`, then it stops itself (also from a
 * program interruption when LGSC is not installed). CPU 0 waits until CPU 1 is stopped, then
 * SIGP STORE ADDITIONAL STATUS with length code 11: CC at RESULTS, status at RESULTS + 4.
 */
const GUEST = `
	.text
	.globl _start
_start:
	larl	%r1, newpsws
	mvc	0x1a0(16,%r0), 0(%r1)
	mvc	0x1d0(16,%r0), 16(%r1)
	lgfi	%r9, ${RESULTS}
	lghi	%r3, 1
	lghi	%r4, 0
	sigp	%r4, %r3, 6
1:	sigp	%r4, %r3, 1
	brc	8, 1b
	lgfi	%r5, ${AREA + 11}
	lghi	%r4, 0
	sigp	%r4, %r3, 0x17
	ipm	%r2
	srl	%r2, 28
	st	%r2, 0(%r9)
	st	%r4, 4(%r9)
	lghi	%r3, 0
	sigp	%r4, %r3, 5
	j	.
cpu1:
	larl	%r1, cr2
	lctlg	%c2, %c2, 0(%r1)
	larl	%r1, gscb
	.insn	rxy, 0xe3000000004d, 0, 0(%r1)
stop1:
	lghi	%r3, 1
	sigp	%r4, %r3, 5
	j	.
	.align	8
newpsws:
	.quad	0x0000000180000000, cpu1
	.quad	0x0000000180000000, stop1
cr2:
	.quad	0x10
gscb:
	.quad	0, 0x2000019, 0xfeedc0ffe, 0x30000
`;

function runGuest(cpuFeatures?: Record<string, boolean>): { cc: number; status: number; gsBlock: bigint[] } {
  const vm = new VirtualMachine({ kernel: new HostKernel({ protectedVirtualization: false }), memorySize: 16 * MIB, cpus: 2, ...(cpuFeatures === undefined ? {} : { cpuFeatures }) });
  vm.loadElf(assemble(GUEST));
  vm.run(100_000);
  const results = new DataView(vm.readGuest(RESULTS, 8).buffer);
  const block = new DataView(vm.readGuest(AREA + 0x400, 32).buffer);
  return { cc: results.getUint32(0), status: results.getUint32(4), gsBlock: [0, 8, 16, 24].map((o) => block.getBigUint64(o)) };
}

describe('guarded storage in the VM', () => {
  it('SIGP STORE ADDITIONAL STATUS with length code 11 stores the controls LGSC loaded', () => {
    const { cc, gsBlock } = runGuest({ gs: true });
    expect(cc).toBe(0);
    expect(gsBlock).toEqual([0n, 0x2000019n, 0xfeedc0ffen, 0x30000n]);
  });

  it('without the facility (gs=off) the length code is an invalid parameter and nothing is stored', () => {
    const { cc, status, gsBlock } = runGuest({ gs: false });
    expect(cc).toBe(1);
    expect(status).toBe(0x100);
    expect(gsBlock).toEqual([0n, 0n, 0n, 0n]);
  });
});
