// STORE HYPERVISOR INFORMATION served in the kernel (facility 74, as KVM): the response page with
// its header, machine and partition sections; an unsupported function code (cc 3, rc 4); the
// specification exceptions for odd or equal registers and an unaligned response address.
import { describe, expect, it } from 'vitest';
import { HostKernel, VirtualMachine } from '../src/index.ts';
import { assemble } from './support/guests.ts';

const MIB = 1024 * 1024;
const RESULTS = 0x20000;
const RESPONSE = 0x30000;

/** Each step stores cc and R3 at RESULTS + 16·n (a program interruption: its code at +14). */
const GUEST = `
	.text
	.globl _start
_start:
	larl	%r1, pgm_new
	mvc	0x1d0(16,%r0), 0(%r1)
	lgfi	%r9, ${RESULTS}
	# 0: function code 0
	lghi	%r0, 0
	lgfi	%r2, ${RESPONSE}
	lghi	%r3, 42
	.insn	rre,0xb2560000,0,2
	ipm	%r4
	st	%r4, 0(%r9)
	stg	%r3, 8(%r9)
	# 1: function code 42: cc 3, rc 4
	aghi	%r9, 16
	lghi	%r0, 42
	.insn	rre,0xb2560000,0,2
	ipm	%r4
	st	%r4, 0(%r9)
	stg	%r3, 8(%r9)
	# 2: odd R1: specification exception
	aghi	%r9, 16
	larl	%r14, 1f
	.insn	rre,0xb2560000,1,2
1:	# 3: R1 = R2: specification exception
	aghi	%r9, 16
	larl	%r14, 1f
	.insn	rre,0xb2560000,2,2
1:	# 4: an unaligned response: specification exception
	aghi	%r9, 16
	larl	%r14, 1f
	lghi	%r0, 0
	lgfi	%r2, ${RESPONSE + 8}
	.insn	rre,0xb2560000,0,2
1:	lghi	%r5, 0
	sigp	%r4, %r5, 5
	j	.
pgm:
	mvc	14(2,%r9), 0x8e(%r0)
	br	%r14
	.align	8
pgm_new:
	.quad	0x0000000180000000, pgm
`;

describe('STHYI in the kernel', () => {
  const vm = new VirtualMachine({ kernel: new HostKernel({ protectedVirtualization: false }), memorySize: 16 * MIB, cpus: 1 });
  vm.loadElf(assemble(GUEST));
  const stop = vm.run(1000);
  const results = new DataView(vm.readGuest(RESULTS, 80).buffer);
  const cc = (n: number): number => (results.getUint32(16 * n) >>> 28) & 3;

  it('stores the response for function code 0: header, machine and partition sections', () => {
    expect(stop).toEqual({ kind: 'all-stopped' });
    expect([cc(0), results.getBigUint64(8)]).toEqual([0, 0n]);
    const page = vm.readGuest(RESPONSE, 0x98);
    const v = new DataView(page.buffer);
    expect(page[0]).toBe(0x80); // performance data unavailable
    expect([v.getUint16(8), v.getUint16(10), v.getUint16(12), v.getUint16(14), v.getUint16(16), v.getUint16(18)]).toEqual([0x98, 0x30, 0x30, 0x40, 0x70, 0x28]);
    expect(page[0x32]).toBe(0x40); // machine identification valid
    expect(Buffer.from(page.subarray(0x44, 0x48)).toString('hex')).toBe('f2f9f6f4'); // type 2964 in EBCDIC
    expect(Buffer.from(page.subarray(0x48, 0x4c)).toString('hex')).toBe('c9c2d440'); // manufacturer "IBM " as a KVM host's
    expect(page[0x72]).toBe(0x10); // partition STSI data valid
    expect(Buffer.from(page.subarray(0x80, 0x84)).toString('hex')).toBe('d8c5d4e4'); // "QEMU"
  });

  it('answers an unsupported function code with cc 3 and return code 4', () => {
    expect([cc(1), results.getBigUint64(24)]).toEqual([3, 4n]);
  });

  it('refuses odd or equal registers and an unaligned response address', () => {
    for (const n of [2, 3, 4]) expect(results.getUint16(16 * n + 14)).toBe(0x06);
  });
});
