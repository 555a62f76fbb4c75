// A secure guest's channel I/O as KVM and QEMU 7.2 serve it: the SIE moves each I/O
// instruction's operand through the SIDA (the SCHIB, ORB, IRB, CRW, channel-path-status word,
// interruption code and CHSC block stay in the guest's secure pages), the VMM reads and writes it
// at SIDA offset 0, the Ultravisor refuses STSCH's invalid subsystem-identification word itself,
// the SIDA goes back only for a condition code that stores, the I/O interruption reaches the
// secure CPU's lowcore, SCHM and SAL keep the guest's condition code, and the channel program's
// CCW, its data and the measurement block live in a page the guest shared.
import { describe, expect, it } from 'vitest';
import { VirtualMachine } from '../src/index.ts';
import { assemble, failStub as fail, protectedImage, testHost } from './support/guests.ts';

const MIB = 1024 * 1024;
/** Shared with the host: the results, and the channel program with its data. */
const RESULTS = 0x20000;
const SHARED_IO = 0x21000;
/** Secure: the operands of the I/O instructions. */
const WORK = 0x40000;

/** Step n stores its condition code (IPM) at RESULTS + 16·n, a program interruption's code at + 6, and what it saw at + 8. */
const GUEST = `
	.text
	.globl _start
_start:
	larl	%r1, pgm_new
	mvc	0x1d0(16,%r0), 0(%r1)
	larl	%r1, io_new
	mvc	0x1f0(16,%r0), 0(%r1)
	# Share the results page and the channel program's page (touched first so they are secure).
	lgfi	%r2, ${RESULTS}
	bras	%r14, share
	lgfi	%r2, ${SHARED_IO}
	bras	%r14, share
	lgfi	%r9, ${RESULTS}
	lgfi	%r10, ${WORK}
	larl	%r1, cr6_isc3
	lctlg	%c6, %c6, 0(%r1)
	# 0: STSCH 0.0.0000 into a secure page: cc 0, the device number seen
	llilf	%r1, 0x10000
	stsch	0(%r10)
	ipm	%r3
	st	%r3, 0(%r9)
	mvc	8(8,%r9), 0(%r10)
	# 1: STSCH of a subchannel not installed: cc 3, the operand left as it was
	aghi	%r9, 16
	mvhi	0x80(%r10), -1
	llilf	%r1, 0x10001
	stsch	0x80(%r10)
	ipm	%r3
	st	%r3, 0(%r9)
	mvc	8(4,%r9), 0x80(%r10)
	# 2: STSCH with bit 47 of GR1 zero: the Ultravisor's operand exception, nothing stored
	aghi	%r9, 16
	llilf	%r1, 0xffff
	stsch	0x80(%r10)
	mvc	8(4,%r9), 0x80(%r10)
	# 3: STSCH of an unaligned SCHIB: specification exception
	aghi	%r9, 16
	llilf	%r1, 0x10000
	stsch	0x81(%r10)
	# 4: MSCH: enabled, ISC 3
	aghi	%r9, 16
	oi	4(%r10), 0x18
	oi	5(%r10), 0x80
	msch	0(%r10)
	ipm	%r3
	st	%r3, 0(%r9)
	# 5: MSCH with PMCW word 1 bit 0 set: the host's operand exception
	aghi	%r9, 16
	mvc	0x100(52,%r10), 0(%r10)
	oi	0x104(%r10), 0x80
	msch	0x100(%r10)
	# 6: SSCH (ORB secure, CCW and SENSE ID data shared), then the I/O interruption
	aghi	%r9, 16
	larl	%r1, ccw
	lgfi	%r5, ${SHARED_IO}
	mvc	0(8,%r5), 0(%r1)
	larl	%r1, orb
	mvc	0x200(12,%r10), 0(%r1)
	llilf	%r1, 0x10000
	ssch	0x200(%r10)
	ipm	%r3
	st	%r3, 0(%r9)
	larl	%r11, 1f
	larl	%r12, wait_psw
	lpswe	0(%r12)
1:	# 7: the interruption code the SIE stored: subsystem-identification word, parameter, identification word
	aghi	%r9, 16
	mvc	4(12,%r9), 0xb8(%r0)
	# 8: TSCH into a secure page: status pending, cc 0; the SCSW's first word seen
	aghi	%r9, 16
	llilf	%r1, 0x10000
	tsch	0x400(%r10)
	ipm	%r3
	st	%r3, 0(%r9)
	mvc	8(4,%r9), 0x400(%r10)
	mvc	12(1,%r9), 0x408(%r10)
	# 9: TSCH again: not status pending, cc 1 (the IRB stored again)
	aghi	%r9, 16
	mvhi	0x480(%r10), -1
	tsch	0x480(%r10)
	ipm	%r3
	st	%r3, 0(%r9)
	mvc	8(4,%r9), 0x480(%r10)
	# 10: SSCH with an ORB of all ones: operand exception
	aghi	%r9, 16
	mvi	0x280(%r10), 0xff
	mvc	0x281(11,%r10), 0x280(%r10)
	ssch	0x280(%r10)
	# 11: STCRW without a report: cc 1, zeros stored
	aghi	%r9, 16
	mvhi	0x500(%r10), -1
	stcrw	0x500(%r10)
	ipm	%r3
	st	%r3, 0(%r9)
	mvc	8(4,%r9), 0x500(%r10)
	# 12: RCHP 0, then STCRW: the channel-path report, cc 0
	aghi	%r9, 16
	lghi	%r1, 0
	rchp
	stcrw	0x504(%r10)
	ipm	%r3
	st	%r3, 0(%r9)
	mvc	8(4,%r9), 0x504(%r10)
	# 13: CHSC store channel-subsystem characteristics in a secure page
	aghi	%r9, 16
	lgfi	%r2, ${WORK + 0x1000}
	mvhhi	0(%r2), 16
	mvhhi	2(%r2), 0x10
	.insn	rre,0xb25f0000,2,0
	ipm	%r3
	st	%r3, 0(%r9)
	mvc	8(4,%r9), 16(%r2)
	# 14: SSCH with I/O interruptions masked, TPI into a secure page: cc 1, two words
	aghi	%r9, 16
	llilf	%r1, 0x10000
	ssch	0x200(%r10)
	tpi	0x700(%r10)
	ipm	%r3
	st	%r3, 0(%r9)
	mvc	8(8,%r9), 0x700(%r10)
	tsch	0x400(%r10)
	# 15: STCPS: 32 zero bytes, the condition code unchanged (2 from the compare)
	aghi	%r9, 16
	mvi	0x720(%r10), 0xff
	mvc	0x721(31,%r10), 0x720(%r10)
	lghi	%r3, 1
	cghi	%r3, 0
	stcps	0x720(%r10)
	ipm	%r3
	st	%r3, 0(%r9)
	mvc	8(8,%r9), 0x720(%r10)
	# 16: a SCHIB crossing a page boundary: STSCH stores both pieces, MSCH reads them
	aghi	%r9, 16
	lgfi	%r4, ${WORK + 0x2ffc}
	llilf	%r1, 0x10000
	stsch	0(%r4)
	msch	0(%r4)
	ipm	%r3
	st	%r3, 0(%r9)
	mvc	8(8,%r9), 0(%r4)
	# 17: SCHM (format-0 block in the shared page) keeps the condition code (2 from the compare)
	aghi	%r9, 16
	lghi	%r1, 2
	lgfi	%r2, ${SHARED_IO + 0x800}
	lghi	%r3, 1
	cghi	%r3, 0
	schm
	ipm	%r3
	st	%r3, 0(%r9)
	# 18: SAL keeps it too (1 from the compare)
	aghi	%r9, 16
	lghi	%r1, 0
	lghi	%r3, 0
	cghi	%r3, 1
	sal
	ipm	%r3
	st	%r3, 0(%r9)
	# 19: XSCH with nothing to cancel: cc 2
	aghi	%r9, 16
	llilf	%r1, 0x10000
	xsch
	ipm	%r3
	st	%r3, 0(%r9)
	# 20: CSCH: cc 0, its interruption taken by TPI, the clear function in TSCH's IRB
	aghi	%r9, 16
	csch
	ipm	%r3
	st	%r3, 0(%r9)
	tpi	0x700(%r10)
	tsch	0x400(%r10)
	mvc	8(4,%r9), 0x400(%r10)
	# 21: HSCH: cc 0; SSCH counted in the measurement block while SCHM is on
	aghi	%r9, 16
	hsch
	ipm	%r3
	st	%r3, 0(%r9)
	tpi	0x700(%r10)
	tsch	0x400(%r10)
	stsch	0(%r10)
	oi	5(%r10), 0x10
	msch	0(%r10)
	ssch	0x200(%r10)
	tpi	0x700(%r10)
	tsch	0x400(%r10)
	lghi	%r1, 0
	schm
	larl	%r1, psw_done
	lpswe	0(%r1)
share:
	mvi	0(%r2), 0
	larl	%r3, share_uvcb
	stg	%r2, 0x20(%r3)
	lgr	%r2, %r3
	.insn	rrf,0xb9a40000,0,2,0,0
	jnz	fail1
	br	%r14
pgm:
	mvc	6(2,%r9), 0x8e(%r0)
	lpswe	0x150
io:
	br	%r11
${fail(1)}
	.balign	8
psw_done:
	.quad	0x0002000180000000, 0x600d
pgm_new:
	.quad	0x0000000180000000, pgm
io_new:
	.quad	0x0000000180000000, io
wait_psw:
	.quad	0x0202000180000000, 0
cr6_isc3:
	.quad	0x10000000
ccw:
	.byte	0xe4, 0x20
	.short	0x100
	.long	${SHARED_IO + 0x100}
orb:
	.long	0x12345678, 0x00808000, ${SHARED_IO}
share_uvcb:
	.short	0x30, 0x1000, 0, 0
	.quad	0, 0, 0, 0, 0
`;

describe('a secure guest’s channel I/O through the SIDA', () => {
  const { kernel, secureStates } = testHost();
  const vm = new VirtualMachine({ kernel, memorySize: 16 * MIB, virtioNetCcw: 1 });
  // What the VMM reads of the SIDA (KVM_S390_MEM_OP SIDA_READ), in order.
  const sidaReads: { offset: number; bytes: Uint8Array }[] = [];
  const sidaRead = vm.api.sidaRead.bind(vm.api);
  vm.api.sidaRead = (fd, offset, size) => {
    const r = sidaRead(fd, offset, size);
    if (typeof r !== 'number') sidaReads.push({ offset, bytes: r.slice() });
    return r;
  };
  vm.bootSecureImage(protectedImage(assemble(GUEST)));
  const stop = vm.run(2000);
  const results = new DataView(vm.readGuest(RESULTS, 16 * 22).buffer);
  const cc = (n: number) => (results.getUint32(16 * n) >>> 28) & 3;
  const program = (n: number) => results.getUint16(16 * n + 6);
  const seen = (n: number, word: 0 | 1) => results.getUint32(16 * n + 8 + 4 * word);

  it('runs the secure guest to its end', () => {
    expect(stop).toMatchObject({ kind: 'panic', cpu: 0 });
    expect(secureStates.get(0)!.psw.addr).toBe(0x600dn);
  });

  it('STSCH: the SCHIB in the secure page; cc 3 stores nothing; the Ultravisor’s operand exception; specification exception', () => {
    expect(cc(0)).toBe(0);
    expect(seen(0, 1) & 0xffff).toBe(0x0000); // device number 0.0.0000
    expect(seen(0, 1) & 0x00800000).toBe(0); // not yet enabled
    expect(cc(1)).toBe(3);
    expect(seen(1, 0)).toBe(0xffffffff);
    expect(program(2)).toBe(0x15);
    expect(seen(2, 0)).toBe(0xffffffff);
    expect(program(3)).toBe(0x06);
  });

  it('MSCH reads the SCHIB from the SIDA; a reserved PMCW bit is an operand exception', () => {
    expect(cc(4)).toBe(0);
    expect(program(5)).toBe(0x15);
  });

  it('SSCH with SENSE ID into the shared page, the I/O interruption in the secure lowcore, TSCH’s IRB', () => {
    expect(cc(6)).toBe(0);
    expect([results.getUint32(16 * 7 + 4), seen(7, 0), seen(7, 1)]).toEqual([0x00010000, 0x12345678, 0x18000000]); // ISC 3
    const sense = vm.readGuest(SHARED_IO + 0x100, 4);
    expect([sense[0], (sense[1]! << 8) | sense[2]!, sense[3]]).toEqual([0xff, 0x3832, 0x01]);
    expect(cc(8)).toBe(0);
    expect(seen(8, 0) & 0x4007).toBe(0x4007); // start function; primary, secondary, status pending
    expect(seen(8, 1) >>> 24).toBe(0x0c); // channel end, device end
    expect(cc(9)).toBe(1);
    expect(seen(9, 0)).toBe(0);
    expect(program(10)).toBe(0x15);
  });

  it('STCRW: zeros with cc 1, then the report of RCHP with cc 0', () => {
    expect(cc(11)).toBe(1);
    expect(seen(11, 0)).toBe(0);
    expect(cc(12)).toBe(0);
    expect(seen(12, 0)).toBe(0x44020000);
  });

  it('CHSC: the response follows the request in the secure page', () => {
    expect(cc(13)).toBe(0);
    expect(seen(13, 0)).toBe((4080 << 16) | 0x0001);
  });

  it('TPI stores the interruption code into the secure operand (cc 1)', () => {
    expect(cc(14)).toBe(1);
    expect([seen(14, 0), seen(14, 1)]).toEqual([0x00010000, 0x12345678]);
  });

  it('STCPS: zeros stored, the condition code unchanged', () => {
    expect(cc(15)).toBe(2);
    expect([seen(15, 0), seen(15, 1)]).toEqual([0, 0]);
  });

  it('SCHM and SAL keep the condition code; XSCH, CSCH, HSCH through the exposed GR1; the measurement block in the shared page', () => {
    expect(cc(17)).toBe(2);
    expect(cc(18)).toBe(1);
    expect(cc(19)).toBe(2);
    expect(cc(20)).toBe(0);
    expect(seen(20, 0) & 0x1001).toBe(0x1001); // clear function, status pending
    expect(cc(21)).toBe(0);
    expect(new DataView(vm.readGuest(SHARED_IO + 0x800, 2).buffer).getUint16(0)).toBe(1); // SSCH/RSCH count
  });

  it('the host reads the operands at SIDA offset 0: the SCHIB, the ORB, the CHSC request', () => {
    expect(sidaReads.every((r) => r.offset === 0)).toBe(true);
    const sizes = sidaReads.map((r) => r.bytes.length);
    expect(sizes.filter((n) => n === 52).length).toBeGreaterThanOrEqual(3); // MSCH
    const schib = sidaReads.find((r) => r.bytes.length === 52)!.bytes;
    expect([schib[4]! & 0x18, schib[5]! & 0x80]).toEqual([0x18, 0x80]); // ISC 3, enabled: step 4's SCHIB
    const orb = new DataView(sidaReads.find((r) => r.bytes.length === 12)!.bytes.buffer);
    expect([orb.getUint32(0), orb.getUint32(4), orb.getUint32(8)]).toEqual([0x12345678, 0x00808000, SHARED_IO]);
    const chsc = new DataView(sidaReads.find((r) => r.bytes.length === 4096)!.bytes.buffer);
    expect([chsc.getUint16(0), chsc.getUint16(2)]).toEqual([16, 0x10]);
  });

  it('a SCHIB crossing a page boundary moves in two pieces', () => {
    expect(cc(16)).toBe(0);
    expect(seen(16, 1) & 0x00800000).toBe(0x00800000); // PMCW word 1: enabled (from step 4)
  });
});
