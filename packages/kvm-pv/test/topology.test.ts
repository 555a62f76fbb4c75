// The configuration topology (facility 11): where CPUs sit (`-smp` geometry, `-device` ids), the
// SYSIB 15.1.x the machine builds, and PTF as a guest sees it — the report check in the kernel,
// the polarization requests in the VMM, the report a change and a vCPU's creation make pending.
import { describe, expect, it } from 'vitest';
import { CpuTopology, HostKernel, TopologyError, VirtualMachine } from '../src/index.ts';
import { assemble } from './support/guests.ts';

const MIB = 1024 * 1024;
const RESULTS = 0x20000;
const SYSIB = 0x30000;

describe('CpuTopology', () => {
  it('places CPUs by core id, sockets first filled, and checks explicit places as QEMU does', () => {
    const t = new CpuTopology({ drawers: 2, books: 1, sockets: 2, cores: 2 }, 8);
    for (const address of [0, 3, 5]) t.place(address);
    t.place(6, { drawer: 0, book: 0, socket: 0, entitlement: 'high', dedicated: true });
    const sysib = t.sysib(4)!;
    // MAG3..MAG1 = drawers, books, sockets, cores; MNEST 4.
    expect([...sysib.subarray(4, 12)]).toEqual([0, 0, 2, 1, 2, 2, 0, 4]);
    expect(() => t.place(7, { drawer: 0, book: 0, socket: 0 })).toThrow(/no more space on socket 0/);
    expect(() => t.place(7, { socket: 1 })).toThrow(TopologyError);
    expect(() => t.place(7, { drawer: 1, book: 0, socket: 2 })).toThrow(/unavailable socket 2/);
    expect(() => t.place(7, { dedicated: true, entitlement: 'medium' })).toThrow(/dedicated CPU implies high entitlement/);
    expect(() => new CpuTopology({ drawers: 1, books: 1, sockets: 3, cores: 2 }, 8)).toThrow(/must match maxcpus 8/);
  });

  it('lists containers and CPU entries in the architecture order, with the levels above MNEST folded', () => {
    const t = new CpuTopology({ drawers: 2, books: 1, sockets: 2, cores: 2 }, 8);
    for (const address of [0, 3, 5]) t.place(address);
    t.place(6, { drawer: 0, book: 0, socket: 0, entitlement: 'high', dedicated: true });
    const hex = (b: Uint8Array): string[] => Array.from({ length: (b.length - 16) / 8 }, (_, i) => Buffer.from(b.subarray(16 + 8 * i, 24 + 8 * i)).toString('hex'));
    // Horizontal: CPU 6 (dedicated) before CPU 0 in socket 0; CPU 3 in socket 1; CPU 5 in drawer 1.
    expect(hex(t.sysib(4)!)).toEqual([
      '0300000000000000', // drawer 0
      '0200000000000000', // book 0
      '0100000000000000', // socket 0
      '0000000004030000', // dedicated, horizontal, IFL, origin 0
      '0200000000000000', // mask: CPU 6
      '0000000000030000',
      '8000000000000000', // CPU 0
      '0100000000000001', // socket 1
      '0000000000030000',
      '1000000000000000', // CPU 3
      '0300000000000001', // drawer 1
      '0200000000000000',
      '0100000000000000',
      '0000000000030000',
      '0400000000000000', // CPU 5
    ]);
    expect(t.performTopologyFunction(1n)).toEqual({ kind: 'done', cc: 0, r1: 1n, reportChanged: true });
    // Vertical, MNEST 2: sockets numbered across drawers; CPU 6 high (3) before CPU 0 medium (2).
    const folded = t.sysib(2)!;
    expect([...folded.subarray(4, 12)]).toEqual([0, 0, 0, 0, 4, 2, 0, 2]);
    expect(hex(folded)).toEqual([
      '0100000000000000',
      '0000000007030000',
      '0200000000000000',
      '0000000002030000',
      '8000000000000000',
      '0100000000000001',
      '0000000002030000',
      '1000000000000000',
      '0100000000000002',
      '0000000002030000',
      '0400000000000000',
    ]);
    expect(new DataView(folded.buffer, folded.byteOffset).getUint16(2)).toBe(folded.length);
    expect([t.sysib(1), t.sysib(5)]).toEqual([undefined, undefined]);
  });

  it('answers polarization requests: already polarized is cc 2 with reason 1, other codes and bits are specification exceptions', () => {
    const t = new CpuTopology({ drawers: 1, books: 1, sockets: 1, cores: 1 }, 1);
    expect(t.performTopologyFunction(0n)).toEqual({ kind: 'done', cc: 2, r1: 0x100n, reportChanged: false });
    expect(t.performTopologyFunction(2n)).toEqual({ kind: 'specification' });
    expect(t.performTopologyFunction(0x101n)).toEqual({ kind: 'specification' });
    t.performTopologyFunction(1n);
    t.reset();
    expect(t.polarization).toBe('horizontal');
  });
});

/** Each step stores the condition code and R1 at RESULTS + 16·n (a program interruption: its code at +14). */
const GUEST = `
	.text
	.globl _start
_start:
	larl	%r1, pgm_new
	mvc	0x1d0(16,%r0), 0(%r1)
	lgfi	%r9, ${RESULTS}
	lghi	%r2, 2
	bras	%r14, ptf		# 0: check: the vCPUs' creation made a report pending
	lghi	%r2, 2
	bras	%r14, ptf		# 1: check: none now
	lghi	%r2, 1
	bras	%r14, ptf		# 2: vertical
	lghi	%r2, 1
	bras	%r14, ptf		# 3: vertical again: cc 2, reason 1
	lghi	%r2, 2
	bras	%r14, ptf		# 4: check: reported
	lghi	%r2, 3
	bras	%r14, ptf		# 5: an undefined code: specification
	# 6: STSI 15.1.2
	llilf	%r0, 0xf0000001
	lghi	%r1, 2
	lgfi	%r2, ${SYSIB}
	stsi	0(%r2)
	ipm	%r4
	st	%r4, 0(%r9)
	aghi	%r9, 16
	# 7: STSI 15.1.5: cc 3
	lghi	%r1, 5
	stsi	0(%r2)
	ipm	%r4
	st	%r4, 0(%r9)
	lghi	%r5, 0
	sigp	%r4, %r5, 5
	j	.
ptf:
	.insn	rre,0xb9a20000,2,0
	ipm	%r4
	st	%r4, 0(%r9)
	stg	%r2, 8(%r9)
	aghi	%r9, 16
	br	%r14
pgm:
	mvc	14(2,%r9), 0x8e(%r0)
	aghi	%r9, 16
	br	%r14
	.align	8
pgm_new:
	.quad	0x0000000180000000, pgm
`;

function runGuest(cpuFeatures?: Record<string, boolean>) {
  const vm = new VirtualMachine({
    kernel: new HostKernel({ protectedVirtualization: false }),
    memorySize: 16 * MIB,
    cpus: 2,
    maxCpus: 4,
    topology: { drawers: 1, books: 1, sockets: 2, cores: 2 },
    ...(cpuFeatures === undefined ? {} : { cpuFeatures }),
  });
  vm.loadElf(assemble(GUEST));
  const stop = vm.run(1000);
  const results = new DataView(vm.readGuest(RESULTS, 128).buffer);
  return { vm, stop, cc: (n: number): number => (results.getUint32(16 * n) >>> 28) & 3, r2: (n: number): bigint => results.getBigUint64(16 * n + 8), code: (n: number): number => results.getUint16(16 * n + 14) };
}

describe('PTF and STSI 15 in a guest', () => {
  const { vm, stop, cc, r2, code } = runGuest();

  it('checks the report in the kernel and polarizes in the VMM', () => {
    expect(stop).toEqual({ kind: 'all-stopped' });
    expect([cc(0), cc(1), cc(2), cc(3), r2(3), cc(4)]).toEqual([1, 0, 0, 2, 0x101n, 1]);
    expect(code(5)).toBe(0x06);
    expect(vm.topology.polarization).toBe('vertical');
  });

  it('stores SYSIB 15.1.2 and refuses selector 2 above the maximum nesting', () => {
    expect([cc(6), cc(7)]).toEqual([0, 3]);
    const sysib = vm.readGuest(SYSIB, 40);
    expect(new DataView(sysib.buffer).getUint16(2)).toBe(40);
    expect([...sysib.subarray(4, 12)]).toEqual([0, 0, 0, 0, 2, 2, 0, 2]);
    // Socket 0 with CPUs 0 and 1, vertical medium.
    expect(Buffer.from(sysib.subarray(16, 40)).toString('hex')).toBe('0100000000000000' + '0000000002030000' + 'c000000000000000');
  });

  it('without the facility (ctop=off) PTF is an operation exception and STSI 15 cc 3', () => {
    const off = runGuest({ ctop: false });
    expect(off.code(0)).toBe(0x01);
    expect(off.cc(6)).toBe(3);
  });
});

/** READ SCP INFO with 248 possible CPUs: a 4 KiB SCCB asking for the length, then an 8 KiB one across two pages; then a WRITE EVENT DATA across a page. */
const SCLP_GUEST = `
	.text
	.globl _start
_start:
	llilf	%r1, 0x00120001
	lgfi	%r2, ${SYSIB}
	mvhhi	0(%r2), 4096
	mvi	5(%r2), 0x80
	.insn	rre,0xb2200000,1,2
	lgfi	%r2, ${SYSIB + 0x2000}
	mvhhi	0(%r2), 8192
	.insn	rre,0xb2200000,1,2
	llilf	%r1, 0x00760005
	lgfi	%r2, ${SYSIB + 0x5000 - 16}
	mvhhi	0(%r2), 32
	.insn	rre,0xb2200000,1,2
	lghi	%r5, 0
	sigp	%r4, %r5, 5
	j	.
`;

describe('SCLP read SCP info with the topology and extended-length SCCBs', () => {
  const vm = new VirtualMachine({ kernel: new HostKernel({ protectedVirtualization: false }), memorySize: 16 * MIB, cpus: 2, maxCpus: 248, topology: { drawers: 1, books: 1, sockets: 31, cores: 8 } });
  vm.loadElf(assemble(SCLP_GUEST));
  const stop = vm.run(1000);

  it('answers a short SCCB with 0x0300 and the length needed (variable-length request)', () => {
    expect(stop).toEqual({ kind: 'all-stopped' });
    const header = new DataView(vm.readGuest(SYSIB, 8).buffer);
    expect([header.getUint16(0), header.getUint16(6)]).toEqual([144 + 16 * 248, 0x0300]);
  });

  it('fills an 8 KiB SCCB across its page: MNEST 4, CPU entries after the 144-byte fixed part', () => {
    const info = vm.readGuest(SYSIB + 0x2000, 200);
    const view = new DataView(info.buffer);
    expect([view.getUint16(6), info[15], view.getUint16(16), view.getUint16(18), info[144], info[160]]).toEqual([0x0010, 4, 2, 144, 0, 1]);
    expect(vm.facilities).toContain(140);
  });

  it('still refuses other commands whose SCCB crosses its page (0x0100)', () => {
    expect(new DataView(vm.readGuest(SYSIB + 0x5000 - 16, 8).buffer).getUint16(6)).toBe(0x0100);
  });
});
