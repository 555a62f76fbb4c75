// A plain guest acting as the UV's host (HostKernel option `guestUltravisor`): facility 158, QUI
// with the host's installed calls, a UVC with M3 ≠ 0 or a misaligned block refused with a
// specification exception, INIT_UV above 2 GiB, the donated storage giving the guest's CPU
// secure-storage access exceptions (PGM 0x3D), and the machine reset returning it.
import { describe, expect, it } from 'vitest';
import { FACILITY_BITS } from '@pvdump/s390x-cpu';
import { HostKernel, MachineError, VirtualMachine } from '../src/index.ts';
import { assemble } from './support/guests.ts';

const MIB = 1024 * 1024;
const RESULTS = 0x20000;
const QUI_BLOCK = 0x30000;
const INIT_BLOCK = 0x31000;
const UV_STORAGE = 0x80000000;

/** Each step stores what it saw at RESULTS + 8·n (cc in the first word); a program interruption stores its code at +6. */
const GUEST = `
	.text
	.globl _start
_start:
	larl	%r1, pgm_new
	mvc	0x1d0(16,%r0), 0(%r1)
	lgfi	%r9, ${RESULTS}
	# 0: QUI with a 0x100-byte block
	lgfi	%r2, ${QUI_BLOCK}
	mvhhi	0(%r2), 0x100
	mvhhi	2(%r2), 1
	.insn	rrf,0xb9a40000,0,2,0,0
	ipm	%r3
	st	%r3, 0(%r9)
	# 1: UVC with M3 = 4: specification exception
	aghi	%r9, 8
	larl	%r14, 1f
	.insn	rrf,0xb9a40000,0,2,4,0
1:	# 2: a block not on a doubleword boundary: specification exception
	aghi	%r9, 8
	larl	%r14, 1f
	lgfi	%r2, ${QUI_BLOCK + 4}
	.insn	rrf,0xb9a40000,0,2,0,0
1:	# 3: INIT_UV at 2 GiB
	aghi	%r9, 8
	lgfi	%r2, ${INIT_BLOCK}
	mvhhi	0(%r2), 0x48
	mvhhi	2(%r2), 0xf
	llilh	%r3, 0x8000
	stg	%r3, 0x18(%r2)
	lghi	%r3, 1
	sllg	%r3, %r3, 16
	stg	%r3, 0x20(%r2)
	.insn	rrf,0xb9a40000,0,2,0,0
	ipm	%r3
	st	%r3, 0(%r9)
	# 4: a fetch from the donated storage: secure-storage access
	aghi	%r9, 8
	larl	%r14, 1f
	llilh	%r6, 0x8000
	lg	%r5, 0(%r6)
1:	# 5: a store into it: secure-storage access
	aghi	%r9, 8
	larl	%r14, 1f
	mvghi	8(%r6), 42
1:	# 6: INIT_UV again: cc 1, rc 0x101
	aghi	%r9, 8
	.insn	rrf,0xb9a40000,0,2,0,0
	ipm	%r3
	st	%r3, 0(%r9)
	lh	%r3, 4(%r2)
	st	%r3, 4(%r9)
	# done: stop this CPU
	lghi	%r5, 0
	sigp	%r4, %r5, 5
	j	.
pgm:
	mvc	6(2,%r9), 0x8e(%r0)
	br	%r14
	.align	8
pgm_new:
	.quad	0x0000000180000000, pgm
`;

describe('a plain guest acting as the Ultravisor host', () => {
  const kernel = new HostKernel({ protectedVirtualization: false, guestUltravisor: true });
  const vm = new VirtualMachine({ kernel, memorySize: 2050 * MIB, cpus: 1 });
  vm.loadElf(assemble(GUEST));
  const stop = vm.run(1000);
  const results = new DataView(vm.readGuest(RESULTS, 64).buffer);
  const cc = (n: number): number => (results.getUint32(8 * n) >>> 28) & 3;
  const code = (n: number): number => results.getUint16(8 * n + 6);

  it('sees facility 158, and QUI answers with the host calls (no guest share bits)', () => {
    expect(kernel.guestFacilities).toContain(158);
    expect(new HostKernel({ protectedVirtualization: false }).guestFacilities).toEqual([...FACILITY_BITS, 11, 74, 140, 147].sort((a, b) => a - b));
    expect(stop).toEqual({ kind: 'all-stopped' });
    expect(cc(0)).toBe(0);
    const qui = new DataView(vm.readGuest(QUI_BLOCK, 0x100).buffer);
    expect(qui.getUint16(4)).toBe(1);
    expect(qui.getBigUint64(0x10)).toBe(0xff1ffef000000000n);
  });

  it('refuses a non-zero M3 and a misaligned control block with specification exceptions', () => {
    expect(code(1)).toBe(0x06);
    expect(code(2)).toBe(0x06);
  });

  it('initialises the UV at 2 GiB; the donated storage is then a secure-storage access for the guest', () => {
    expect(cc(3)).toBe(0);
    expect(code(4)).toBe(0x3d);
    expect(code(5)).toBe(0x3d);
    expect(cc(6)).toBe(1);
    expect(results.getUint32(8 * 6 + 4)).toBe(0x101);
  });

  it('returns the donated storage, cleared, when the machine resets the guest', () => {
    vm.resetGuestUltravisor();
    const guestRam = vm.process.memory.guestRamAt(vm.ramAddress, vm.memorySize)!.ram;
    expect(guestRam.memory.isPageAccessible(UV_STORAGE / 0x1000)).toBe(true);
    expect(vm.readGuest(UV_STORAGE, 16)).toEqual(new Uint8Array(16));
  });

  it('leaves a UVC to the VMM on a machine without the facility (which does not serve it)', () => {
    const plain = new VirtualMachine({ kernel: new HostKernel({ protectedVirtualization: false }), memorySize: 64 * MIB, cpus: 1 });
    plain.loadElf(assemble(GUEST));
    expect(() => plain.run(1000)).toThrow(MachineError);
    expect(() => plain.run(1000)).toThrow(/ipa 0xb9a4/);
  });
});
