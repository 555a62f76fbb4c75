// The channel subsystem of a plain guest with one virtio-net-ccw device: STSCH, MSCH, SSCH with
// SENSE ID and its I/O interruption, TSCH, STCRW after RCHP, SCHM and the format-0 measurement
// block, CHSC store channel-subsystem characteristics, and the condition codes and program
// exceptions each recognises (operand, specification).
import { describe, expect, it } from 'vitest';
import { Errno, HostKernel, Ioctl, MemOp, MemOpOffset, StructBytes, VirtualMachine } from '../src/index.ts';
import { assemble } from './support/guests.ts';

const MIB = 1024 * 1024;
const RESULTS = 0x20000;
const WORK = 0x40000;

/** Step n stores its condition code (IPM) at RESULTS + 8·n and a program interruption's code at + 6. */
const GUEST = `
	.text
	.globl _start
_start:
	larl	%r1, pgm_new
	mvc	0x1d0(16,%r0), 0(%r1)
	larl	%r1, io_new
	mvc	0x1f0(16,%r0), 0(%r1)
	lgfi	%r9, ${RESULTS}
	lgfi	%r10, ${WORK}
	larl	%r1, cr6_isc3
	lctlg	%c6, %c6, 0(%r1)
	# 0: STSCH 0.0.0000
	llilf	%r1, 0x10000
	stsch	0(%r10)
	ipm	%r3
	st	%r3, 0(%r9)
	# 1: STSCH of a subchannel not installed: cc 3
	aghi	%r9, 8
	llilf	%r1, 0x10001
	stsch	0x80(%r10)
	ipm	%r3
	st	%r3, 0(%r9)
	# 2: STSCH with bit 47 of GR1 zero: operand exception
	aghi	%r9, 8
	llilf	%r1, 0xffff
	stsch	0x80(%r10)
	# 3: STSCH of an unaligned SCHIB: specification exception
	aghi	%r9, 8
	llilf	%r1, 0x10000
	stsch	0x81(%r10)
	# 4: MSCH: enabled, ISC 3
	aghi	%r9, 8
	oi	4(%r10), 0x18
	oi	5(%r10), 0x80
	msch	0(%r10)
	ipm	%r3
	st	%r3, 0(%r9)
	# 5: MSCH with PMCW word 1 bit 0 set: operand exception
	aghi	%r9, 8
	mvc	0x80(52,%r10), 0(%r10)
	oi	0x84(%r10), 0x80
	msch	0x80(%r10)
	# 6: SSCH with SENSE ID, then the I/O interruption
	aghi	%r9, 8
	larl	%r1, ccw
	mvc	0x200(8,%r10), 0(%r1)
	larl	%r1, orb
	mvc	0x100(12,%r10), 0(%r1)
	llilf	%r1, 0x10000
	ssch	0x100(%r10)
	ipm	%r3
	st	%r3, 0(%r9)
	larl	%r11, 1f
	larl	%r12, wait_psw
	lpswe	0(%r12)
1:	# 7: the interruption code: subsystem-identification word, interruption parameter
	aghi	%r9, 8
	mvc	0(8,%r9), 0xb8(%r0)
	# 8: TSCH: status pending, cc 0
	aghi	%r9, 8
	llilf	%r1, 0x10000
	tsch	0x400(%r10)
	ipm	%r3
	st	%r3, 0(%r9)
	# 9: TSCH again: not status pending, cc 1
	aghi	%r9, 8
	tsch	0x480(%r10)
	ipm	%r3
	st	%r3, 0(%r9)
	# 10: SSCH with an ORB of all ones: operand exception
	aghi	%r9, 8
	mvi	0x180(%r10), 0xff
	mvc	0x181(11,%r10), 0x180(%r10)
	ssch	0x180(%r10)
	# 11: STCRW without a report: cc 1, zeros stored
	aghi	%r9, 8
	mvhi	0x500(%r10), -1
	stcrw	0x500(%r10)
	ipm	%r3
	st	%r3, 0(%r9)
	# 12: RCHP 0: cc 0
	aghi	%r9, 8
	lghi	%r1, 0
	rchp
	ipm	%r3
	st	%r3, 0(%r9)
	# 13: STCRW: the channel-path report, cc 0
	aghi	%r9, 8
	stcrw	0x504(%r10)
	ipm	%r3
	st	%r3, 0(%r9)
	# 14: RCHP of a path not installed: cc 3
	aghi	%r9, 8
	lghi	%r1, 5
	rchp
	ipm	%r3
	st	%r3, 0(%r9)
	# 15: RCHP with a CSSID: operand exception
	aghi	%r9, 8
	llilf	%r1, 0x10000
	rchp
	# 16: SCHM with reserved GR1 bits: operand exception
	aghi	%r9, 8
	llilf	%r1, 0xfffffffc
	schm
	# 17: SCHM with update and an origin not on 32 bytes: operand exception
	aghi	%r9, 8
	lghi	%r1, 2
	lgfi	%r2, ${WORK + 0x601}
	schm
	# 18: CHSC store channel-subsystem characteristics
	aghi	%r9, 8
	lgfi	%r2, ${WORK + 0x1000}
	mvhhi	0(%r2), 16
	mvhhi	2(%r2), 0x10
	.insn	rre,0xb25f0000,2,0
	ipm	%r3
	st	%r3, 0(%r9)
	# 19: CHSC of a command not installed: cc 0, response 0x0004
	aghi	%r9, 8
	lgfi	%r2, ${WORK + 0x2000}
	mvhhi	0(%r2), 16
	mvhhi	2(%r2), 0x1234
	.insn	rre,0xb25f0000,2,0
	ipm	%r3
	st	%r3, 0(%r9)
	# 20: CHSC with a request length of 12: operand exception
	aghi	%r9, 8
	lgfi	%r2, ${WORK + 0x3000}
	mvhhi	0(%r2), 12
	mvhhi	2(%r2), 0x10
	.insn	rre,0xb25f0000,2,0
	# 21: measurement block format 0 at WORK+0x600, index 0: one SSCH counted
	aghi	%r9, 8
	lghi	%r1, 2
	lgfi	%r2, ${WORK + 0x600}
	schm
	llilf	%r1, 0x10000
	stsch	0(%r10)
	oi	5(%r10), 0x10
	msch	0(%r10)
	ssch	0x100(%r10)
	larl	%r11, 2f
	larl	%r12, wait_psw
	lpswe	0(%r12)
2:	tsch	0x400(%r10)
	ipm	%r3
	st	%r3, 0(%r9)
	lghi	%r1, 0
	schm
	# 22: TPI with nothing pending: cc 0
	aghi	%r9, 8
	tpi	0x700(%r10)
	ipm	%r3
	st	%r3, 0(%r9)
	# 23: SSCH with I/O interruptions masked, TPI takes the interruption: cc 1, two words stored
	aghi	%r9, 8
	llilf	%r1, 0x10000
	ssch	0x100(%r10)
	tpi	0x700(%r10)
	ipm	%r3
	st	%r3, 0(%r9)
	tsch	0x400(%r10)
	# 24: again, TPI with address 0: three words in the lowcore at 184
	aghi	%r9, 8
	xc	0xb8(12,%r0), 0xb8(%r0)
	ssch	0x100(%r10)
	tpi	0
	ipm	%r3
	st	%r3, 0(%r9)
	mvc	0x710(12,%r10), 0xb8(%r0)
	tsch	0x400(%r10)
	# 25: TPI of an unaligned operand: specification exception
	aghi	%r9, 8
	tpi	0x702(%r10)
	# 26: STCPS: 32 zero bytes, the condition code unchanged (2 from the compare)
	aghi	%r9, 8
	mvi	0x720(%r10), 0xff
	mvc	0x721(31,%r10), 0x720(%r10)
	lghi	%r3, 1
	cghi	%r3, 0
	stcps	0x720(%r10)
	ipm	%r3
	st	%r3, 0(%r9)
	# 27: STCPS not on 32 bytes: specification exception
	aghi	%r9, 8
	stcps	0x730(%r10)
	# done: stop this CPU
	lghi	%r5, 0
	sigp	%r4, %r5, 5
	j	.
pgm:
	mvc	6(2,%r9), 0x8e(%r0)
	lpswe	0x150
io:
	br	%r11
	.align	8
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
	.long	${WORK + 0x300}
orb:
	.long	0x12345678, 0x00808000, ${WORK + 0x200}
`;

function runGuest() {
  const vm = new VirtualMachine({ kernel: new HostKernel({ protectedVirtualization: false }), memorySize: 16 * MIB, virtioNetCcw: 1 });
  vm.loadElf(assemble(GUEST));
  const stop = vm.run(2000);
  const results = new DataView(vm.readGuest(RESULTS, 8 * 28).buffer);
  const work = new DataView(vm.readGuest(WORK, 0x4000).buffer);
  return { vm, stop, work, word: (n: number, half: 0 | 1) => results.getUint32(8 * n + 4 * half) };
}

describe('channel subsystem with one virtio-net-ccw device', () => {
  const { stop, work, word } = runGuest();
  const cc = (n: number) => (word(n, 0) >>> 28) & 3;
  const program = (n: number) => word(n, 1) & 0xffff;

  it('runs the guest to its end', () => {
    expect(stop).toEqual({ kind: 'all-stopped' });
  });

  it('STSCH: the device at 0.0.0000 on subchannel 0.0.0000, path 0; cc 3 beyond it; operand and specification exceptions', () => {
    expect(cc(0)).toBe(0);
    expect(work.getUint16(6)).toBe(0x0000); // device number
    expect(work.getUint8(11)).toBe(0x80); // PIM
    expect(work.getUint8(16)).toBe(0); // CHPID 0
    expect(cc(1)).toBe(3);
    expect(program(2)).toBe(0x15);
    expect(program(3)).toBe(0x06);
  });

  it('MSCH enables the subchannel; a reserved PMCW bit is an operand exception', () => {
    expect(cc(4)).toBe(0);
    expect(program(5)).toBe(0x15);
  });

  it('SSCH with SENSE ID: the I/O interruption, TSCH status and the virtio control-unit type', () => {
    expect(cc(6)).toBe(0);
    expect([word(7, 0), word(7, 1)]).toEqual([0x00010000, 0x12345678]);
    expect(cc(8)).toBe(0);
    const irb = WORK + 0x400 - WORK;
    expect(work.getUint32(irb) & 0x7).toBe(0x7); // primary, secondary, status pending
    expect(work.getUint32(irb) & 0x4000).toBe(0x4000); // start function
    expect(work.getUint8(irb + 8)).toBe(0x0c); // channel end, device end
    expect(work.getUint16(irb + 10)).toBe(0); // residual count
    expect([work.getUint8(0x300), work.getUint16(0x301), work.getUint8(0x303)]).toEqual([0xff, 0x3832, 0x01]);
    expect(cc(9)).toBe(1);
    expect(program(10)).toBe(0x15);
  });

  it('STCRW: none pending (cc 1, zeros), then the report of RCHP; RCHP cc 3 and operand exception', () => {
    expect(cc(11)).toBe(1);
    expect(work.getUint32(0x500)).toBe(0);
    expect(cc(12)).toBe(0);
    expect(cc(13)).toBe(0);
    expect(work.getUint32(0x504)).toBe(0x44020000); // solicited, channel path, initialized, CHPID 0
    expect(cc(14)).toBe(3);
    expect(program(15)).toBe(0x15);
  });

  it('SCHM operand exceptions and the format-0 measurement block', () => {
    expect(program(16)).toBe(0x15);
    expect(program(17)).toBe(0x15);
    expect(cc(21)).toBe(0);
    expect(work.getUint16(0x600)).toBe(1); // SSCH/RSCH count
  });

  it('TPI: cc 0 with nothing pending; the interruption code into the operand or the lowcore, cc 1; specification exception', () => {
    expect(cc(22)).toBe(0);
    expect(cc(23)).toBe(1);
    expect([work.getUint32(0x700), work.getUint32(0x704)]).toEqual([0x00010000, 0x12345678]);
    expect(cc(24)).toBe(1);
    expect([work.getUint32(0x710), work.getUint32(0x714), work.getUint32(0x718)]).toEqual([0x00010000, 0x12345678, 0x18000000]);
    expect(program(25)).toBe(0x06);
  });

  it('STCPS: the channel-path-status word, all zero, the condition code unchanged; specification exception', () => {
    expect(cc(26)).toBe(2);
    expect([...new Uint8Array(work.buffer, 0x720, 32)]).toEqual(new Array(32).fill(0));
    expect(program(27)).toBe(0x06);
  });

  it('CHSC: characteristics with the extended measurement block, "not installed" for others, operand exception for a bad length', () => {
    expect(cc(18)).toBe(0);
    expect([work.getUint16(0x1010), work.getUint16(0x1012)]).toEqual([4080, 0x0001]);
    expect(work.getUint8(0x1018 + 6)).toBe(0x80); // general characteristic bit 48
    expect(cc(19)).toBe(0);
    expect([work.getUint16(0x2010), work.getUint16(0x2012)]).toEqual([8, 0x0004]);
    expect(program(20)).toBe(0x15);
  });
});

describe('KVM_S390_MEM_OP logical read and write of a plain vCPU', () => {
  const { vm } = runGuest();
  const fd = vm.vcpus[0]!.fd;

  it('reads and writes through the vCPU (DAT off: real = absolute beyond the prefix area)', () => {
    expect(vm.api.logicalRead(fd, BigInt(RESULTS), 8)).toEqual(vm.readGuest(RESULTS, 8));
    expect(vm.api.logicalWrite(fd, BigInt(WORK + 0x3800), Uint8Array.of(1, 2, 3, 4))).toBe(0);
    expect([...vm.readGuest(WORK + 0x3800, 4)]).toEqual([1, 2, 3, 4]);
  });

  it('an operand beyond guest memory is an addressing exception (the positive result), nothing stored', () => {
    expect(vm.api.logicalRead(fd, BigInt(16 * MIB - 4), 8)).toBe(0x05);
    expect(vm.api.logicalWrite(fd, BigInt(16 * MIB - 4), new Uint8Array(8))).toBe(0x05);
    expect([...vm.readGuest(16 * MIB - 4, 4)]).toEqual([0, 0, 0, 0]);
  });

  it('unknown flags and size 0: -EINVAL; more than 64 KiB: -E2BIG', () => {
    const arg = vm.process.memory.mmapAnonymous(4096);
    const op = (flags: bigint, size: number) => {
      const mop = StructBytes.zeroed(MemOpOffset.size_)
        .setU64(MemOpOffset.gaddr, BigInt(RESULTS))
        .setU64(MemOpOffset.flags, flags)
        .setU32(MemOpOffset.size, size)
        .setU32(MemOpOffset.op, MemOp.LOGICAL_READ)
        .setU64(MemOpOffset.buf, arg + 0x100n);
      vm.process.memory.write(arg, mop.bytes);
      return vm.process.ioctl(fd, Ioctl.KVM_S390_MEM_OP, arg);
    };
    expect(op(0x80n, 8)).toBe(-Errno.EINVAL);
    expect(op(0n, 0)).toBe(-Errno.EINVAL);
    expect(op(0n, 65537)).toBe(-Errno.E2BIG);
    expect(op(1n, 8)).toBe(0); // CHECK_ONLY
  });
});
