// The VMM's host services for a plain guest started like QEMU `-kernel`: the command line at
// 0x10480, SCLP read SCP info and its error answers, STSI 3.2.2 with the guest's name and UUID,
// DIAGNOSE 0x308's specification exception for an unsupported subcode, DIAGNOSE 0x258's
// block check, SIGP sense / set architecture / sense running / stop, and the machine ending
// when every CPU stopped.
import { describe, expect, it } from 'vitest';
import { HostKernel, SclpResponse, VirtualMachine } from '../src/index.ts';
import { assemble } from './support/guests.ts';

const MIB = 1024 * 1024;
const RESULTS = 0x20000;
const SCCB = 0x30000;
const SYSIB = 0x31000;

/** Each step stores what it saw at RESULTS + 8·n; a program interruption stores its code instead and resumes. */
const GUEST = `
	.text
	.globl _start
_start:
	# program new PSW: record the interruption code at 0(%r9), return past the instruction
	larl	%r1, pgm_new
	mvc	0x1d0(16,%r0), 0(%r1)
	lgfi	%r9, ${RESULTS}
	# 1: READ SCP INFO (forced), 4 KiB SCCB
	lgfi	%r2, ${SCCB}
	mvhhi	0(%r2), 4096
	llilf	%r1, 0x00120001
	.insn	rre,0xb2200000,1,2
	ipm	%r3
	st	%r3, 0(%r9)
	# 2: SERVC with an SCCB in the lowcore: specification exception
	aghi	%r9, 8
	lghi	%r2, 0x100
	.insn	rre,0xb2200000,1,2
	# 3: STSI 3.2.2
	aghi	%r9, 8
	llilf	%r0, 0x30000002
	lghi	%r1, 2
	lgfi	%r3, ${SYSIB}
	stsi	0(%r3)
	ipm	%r3
	st	%r3, 0(%r9)
	# 4: DIAGNOSE 0x308 subcode 2: specification exception
	aghi	%r9, 8
	lghi	%r2, 0
	lghi	%r3, 2
	diag	%r2, %r3, 0x308
	# 5: SIGP sense CPU 1 (stopped): cc 1, status 0x40
	aghi	%r9, 8
	lghi	%r4, 0
	lghi	%r5, 1
	sigp	%r4, %r5, 1
	ipm	%r3
	st	%r3, 0(%r9)
	st	%r4, 4(%r9)
	# 6: SIGP set architecture: CPU 1 is stopped, so "invalid parameter"
	aghi	%r9, 8
	lghi	%r4, 0
	sigp	%r4, %r0, 0x12
	st	%r4, 4(%r9)
	# 7: SIGP sense running status of this CPU: running, cc 0
	aghi	%r9, 8
	lghi	%r5, 0
	sigp	%r4, %r5, 0x15
	ipm	%r3
	st	%r3, 0(%r9)
	# 8: DIAGNOSE 0x258 with an unaligned block: specification exception
	aghi	%r9, 8
	lghi	%r2, 0x1003
	diag	%r2, %r3, 0x258
	# done: stop this CPU
	lghi	%r5, 0
	sigp	%r4, %r5, 5
	j	.
pgm:
	mvc	6(2,%r9), 0x8e(%r0)
	lpswe	0x150
	.align	8
pgm_new:
	.quad	0x0000000180000000, pgm
`;

function runGuest() {
  const vm = new VirtualMachine({ kernel: new HostKernel({ protectedVirtualization: false }), memorySize: 64 * MIB, cpus: 2, maxCpus: 4, guestName: 'test-vm', uuid: '0fb84a86-727c-11ea-bc55-0242ac130003' });
  vm.loadElf(assemble(GUEST), 'kernel args');
  const stop = vm.run(1000);
  const results = new DataView(vm.readGuest(RESULTS, 64).buffer);
  return { vm, stop, results, word: (n: number, half: 0 | 1) => results.getUint32(8 * n + 4 * half) };
}

describe('host services of a plain guest', () => {
  const { vm, stop, word } = runGuest();
  const cc = (n: number) => (word(n, 0) >>> 28) & 3;

  it('puts the command line at 0x10480 and ends when every CPU stopped', () => {
    expect(Buffer.from(vm.readGuest(0x10480, 12)).toString('latin1')).toBe('kernel args\0');
    expect(stop).toEqual({ kind: 'all-stopped' });
  });

  it('SCLP read SCP info: 1 MiB increments, the CPUs, the highest CPU address, SOP and ESOP', () => {
    expect(cc(0)).toBe(0);
    const sccb = new DataView(vm.readGuest(SCCB, 4096).buffer);
    expect(sccb.getUint16(6)).toBe(SclpResponse.NORMAL_READ);
    expect(sccb.getUint16(8)).toBe(64); // rnmax
    expect(sccb.getUint8(10)).toBe(1); // rnsize: 1 MiB
    expect(sccb.getUint16(16)).toBe(2); // CPUs
    expect(sccb.getUint16(18)).toBe(144); // their entries' offset: after the fixed part (extended-length SCCB facility)
    expect([sccb.getUint8(144), sccb.getUint8(160)]).toEqual([0, 1]);
    expect(sccb.getUint16(120)).toBe(3); // maxcpus - 1
    expect(sccb.getUint8(80) & 0x20).toBe(0x20); // suppression on protection
    expect(sccb.getUint8(85) & 0x02).toBe(0x02); // enhanced suppression on protection
    // An SCCB in the lowcore is a specification exception.
    expect(word(1, 1) & 0xffff).toBe(0x06);
  });

  it('STSI 3.2.2: CPU counts, the name in EBCDIC and UTF-8, the UUID', () => {
    expect(cc(2)).toBe(0);
    const sysib = vm.readGuest(SYSIB, 4096);
    const view = new DataView(sysib.buffer);
    expect(sysib[31]).toBe(1);
    expect([view.getUint16(36), view.getUint16(38), view.getUint16(42)]).toEqual([4, 2, 2]);
    expect(Buffer.from(sysib.subarray(44, 52)).toString('hex')).toBe('a385a2a360a59440'); // "test-vm " in EBCDIC
    expect(Buffer.from(sysib.subarray(56, 60)).toString('hex')).toBe('d2e5d461'); // "KVM/"
    expect(Buffer.from(sysib.subarray(80, 96)).toString('hex')).toBe('0fb84a86727c11eabc550242ac130003');
    expect(Buffer.from(sysib.subarray(2048, 2056)).toString('latin1')).toBe('test-vm\0');
  });

  it('DIAGNOSE 0x308 subcode 2 and a misaligned DIAGNOSE 0x258 block: specification exceptions', () => {
    expect(word(3, 1) & 0xffff).toBe(0x06);
    expect(word(7, 1) & 0xffff).toBe(0x06);
  });

  it('SIGP sense of a stopped CPU, set architecture, sense running status', () => {
    expect(cc(4)).toBe(1);
    expect(word(4, 1)).toBe(0x40);
    expect(word(5, 1)).toBe(0x100);
    expect(cc(6)).toBe(0);
  });
});
