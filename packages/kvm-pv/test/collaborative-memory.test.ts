// Collaborative memory management as KVM serves it: ESSA's state transitions for every operation
// request code (resident and not), its result in R1, the exceptions (operation without CMMA,
// specification for an undefined code or code 7 without facility 147, addressing), and a guest
// walking one page through every state on the machine, with KVM_S390_VM_MEM_CTRL's refusals;
// migration: PEEK, START/STOP and the status, every page's state moved to another VM with
// GET/SET_CMMA_BITS, the dirty bitmap's gaps and wrap-around.
import { describe, expect, it } from 'vitest';
import { Cpu, GuestMemory, PGM_ADDRESSING, PGM_OPERATION, PGM_SPECIFICATION } from '@pvdump/s390x-cpu';
import { LC } from '@pvdump/s390x-cpu/state';
import { BlockUsage, ESSA_NODAT_FACILITY, EssaOrc, Errno, HostKernel, KvmApi, PageAttribute, VirtualMachine, VmAttr, essaResult, essaTransition } from '../src/index.ts';
import { CollaborativeMemory, extractAndSetStorageAttributes } from '../src/kernel/collaborative-memory.ts';
import { assemble } from './support/guests.ts';

const MIB = 1024 * 1024;
const { USAGE, NODAT, ZERO } = PageAttribute;

describe('ESSA state transitions', () => {
  const usage = (a: number): number => a & USAGE;

  it('sets the usage of a resident page and keeps or sets the no-DAT bit as each code says', () => {
    const start = BlockUsage.VOLATILE | NODAT;
    const after = (orc: number): number => essaTransition(start, orc, true, true).attribute;
    expect(after(EssaOrc.GET_STATE)).toBe(start);
    expect(after(EssaOrc.SET_STABLE)).toBe(BlockUsage.STABLE);
    expect(after(EssaOrc.SET_UNUSED)).toBe(BlockUsage.UNUSED | NODAT);
    expect(after(EssaOrc.SET_VOLATILE)).toBe(BlockUsage.VOLATILE | NODAT);
    expect(after(EssaOrc.SET_POT_VOLATILE)).toBe(BlockUsage.POT_VOLATILE | NODAT);
    expect(after(EssaOrc.SET_STABLE_RESIDENT)).toBe(BlockUsage.STABLE | NODAT);
    expect(after(EssaOrc.SET_STABLE_IF_RESIDENT)).toBe(BlockUsage.STABLE | NODAT);
    expect(essaTransition(BlockUsage.UNUSED, EssaOrc.SET_STABLE_NODAT, true, true).attribute).toBe(BlockUsage.STABLE | NODAT);
    for (let orc = 0; orc <= 7; orc++) expect(essaTransition(start, orc, true, true).discard).toBe(false);
  });

  it('lets the host discard a page that is not resident once it is unused or volatile', () => {
    expect(essaTransition(BlockUsage.STABLE, EssaOrc.SET_UNUSED, false, true)).toEqual({ attribute: BlockUsage.UNUSED | ZERO, discard: true });
    expect(essaTransition(BlockUsage.STABLE, EssaOrc.SET_VOLATILE, false, true)).toEqual({ attribute: BlockUsage.VOLATILE | ZERO, discard: true });
    // Potentially volatile: unchanged → volatile and discarded; logically zero → volatile; changed → stable.
    expect(essaTransition(BlockUsage.STABLE, EssaOrc.SET_POT_VOLATILE, false, false)).toEqual({ attribute: BlockUsage.VOLATILE | ZERO, discard: true });
    expect(essaTransition(ZERO, EssaOrc.SET_POT_VOLATILE, false, true)).toEqual({ attribute: BlockUsage.VOLATILE | ZERO, discard: false });
    expect(essaTransition(BlockUsage.UNUSED, EssaOrc.SET_POT_VOLATILE, false, true)).toEqual({ attribute: BlockUsage.STABLE, discard: false });
    // Stable if resident leaves a page that is not resident as it was.
    expect(usage(essaTransition(BlockUsage.UNUSED, EssaOrc.SET_STABLE_IF_RESIDENT, false, true).attribute)).toBe(BlockUsage.UNUSED);
    expect(() => essaTransition(0, 8, true, true)).toThrow(RangeError);
  });

  it('reports usage in bits 60-61, the block content in 62-63 and no-DAT in bit 58', () => {
    expect(essaResult(BlockUsage.VOLATILE | NODAT, true)).toBe(0x2cn);
    expect(essaResult(BlockUsage.UNUSED, false)).toBe(0x06n);
    expect(essaResult(BlockUsage.UNUSED | ZERO, false)).toBe(0x07n);
    expect(essaResult(ZERO, true)).toBe(0n);
  });
});

/** A CPU stopped at an intercepted `essa %r1,%r2,orc` with R2 = `address`. */
function intercepted(orc: number, address: bigint) {
  const mem = new GuestMemory(1 << 20);
  mem.write(0x2000, Uint8Array.from([0xb9, 0xab, orc << 4, 0x12]));
  mem.writeU64(LC.PROGRAM_NEW_PSW, 0x0002000180000000n);
  mem.writeU64(LC.PROGRAM_NEW_PSW + 8, 0xdeadn);
  const cpu = new Cpu(mem);
  cpu.setPsw({ mask: 0x0000000180000000n, addr: 0x2000n });
  cpu.setGpr(1, 0x5555n);
  cpu.setGpr(2, address);
  const stop = cpu.run(1);
  if (stop.kind !== 'interception') throw new Error(`expected an interception, got ${stop.kind}`);
  return { cpu, mem, interception: stop.interception };
}

describe('ESSA in the kernel', () => {
  const ram = { size: 1 << 20, storageAttributes: new Uint8Array(256), isSwapped: () => false };
  const vm = (enabled: boolean, facilities: readonly number[]) => {
    const cmma = new CollaborativeMemory();
    cmma.enabled = enabled;
    return { cmma, memory: ram, facilities };
  };
  const programCode = (orc: number, address: bigint, v: ReturnType<typeof vm>): number => {
    const { cpu, mem, interception } = intercepted(orc, address);
    extractAndSetStorageAttributes(cpu, v, interception);
    expect(cpu.run(1).kind).toBe('wait');
    expect(mem.readU64(LC.PROGRAM_OLD_PSW + 8)).toBe(0x2004n);
    expect(cpu.getGpr(1)).toBe(0x5555n);
    return mem.readU16(LC.PGM_CODE);
  };

  it('is an operation exception without CMMA', () => {
    expect(programCode(EssaOrc.GET_STATE, 0x1000n, vm(false, [ESSA_NODAT_FACILITY]))).toBe(PGM_OPERATION);
  });

  it('is a specification exception for code 8, and for code 7 without facility 147', () => {
    expect(programCode(8, 0x1000n, vm(true, [ESSA_NODAT_FACILITY]))).toBe(PGM_SPECIFICATION);
    expect(programCode(EssaOrc.SET_STABLE_NODAT, 0x1000n, vm(true, []))).toBe(PGM_SPECIFICATION);
  });

  it('is an addressing exception beyond guest memory (all 64 bits of R2 count)', () => {
    expect(programCode(EssaOrc.GET_STATE, 1n << 20n, vm(true, []))).toBe(PGM_ADDRESSING);
    expect(programCode(EssaOrc.GET_STATE, 1n << 63n, vm(true, []))).toBe(PGM_ADDRESSING);
  });

  it('records a state change in migration mode only, once per page', () => {
    const v = vm(true, []);
    v.cmma.dirty = new Uint8Array(32);
    const essa = (orc: number, address: bigint): bigint => {
      const { cpu, interception } = intercepted(orc, address);
      extractAndSetStorageAttributes(cpu, v, interception);
      return cpu.getGpr(1);
    };
    essa(EssaOrc.SET_UNUSED, 0x3000n);
    expect(v.cmma.dirtyPages).toBe(0);
    v.cmma.migrationMode = true;
    expect(essa(EssaOrc.GET_STATE, 0x3000n)).toBe(4n);
    expect(v.cmma.dirtyPages).toBe(0);
    expect(essa(EssaOrc.SET_VOLATILE, 0x3fffn)).toBe(4n);
    expect(essa(EssaOrc.SET_STABLE, 0x3000n)).toBe(0xcn);
    expect(essa(EssaOrc.SET_UNUSED, 0x5000n)).toBe(0n);
    expect(v.cmma.dirtyPages).toBe(2);
    expect(Array.from(v.cmma.dirty.subarray(0, 1))).toEqual([0x14]);
  });
});

const RESULTS = 0x20000;
const PAGE = 0x40000;
/** ORCs the guest issues on PAGE in order; R1 of each is stored at RESULTS + 8·n. */
const SEQUENCE = [0, 2, 0, 3, 0, 4, 0, 7, 0, 5, 0, 2, 0, 6, 0, 1, 0];
const GUEST = `
	.text
	.globl _start
_start:
	larl	%r1, pgm_new
	mvc	0x1d0(16,%r0), 0(%r1)
	lgfi	%r9, ${RESULTS}
	lgfi	%r2, ${PAGE}
${SEQUENCE.map((orc) => `	.insn	rrf,0xb9ab0000,%r3,%r2,${orc},0\n	stg	%r3, 0(%r9)\n	aghi	%r9, 8`).join('\n')}
	# an undefined code: specification exception (code stored at +6)
	larl	%r14, 1f
	.insn	rrf,0xb9ab0000,%r3,%r2,8,0
1:	aghi	%r9, 8
	# beyond memory: addressing exception
	larl	%r14, 1f
	llihf	%r2, 1
	.insn	rrf,0xb9ab0000,%r3,%r2,0,0
1:	lgfi	%r2, ${PAGE + 0x1000}
	.insn	rrf,0xb9ab0000,%r3,%r2,2,0
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

describe('ESSA on the machine', () => {
  const vm = new VirtualMachine({ kernel: new HostKernel({ protectedVirtualization: false }), memorySize: 16 * MIB, cpus: 1 });
  vm.loadElf(assemble(GUEST));
  const stop = vm.run(1000);
  const results = new DataView(vm.readGuest(RESULTS, 8 * (SEQUENCE.length + 2)).buffer);

  it('walks a page through every state: each result is the state before the operation', () => {
    expect(stop).toEqual({ kind: 'all-stopped' });
    expect(vm.facilities).toContain(ESSA_NODAT_FACILITY);
    const r1 = SEQUENCE.map((_, i) => results.getBigUint64(8 * i));
    // get, unused, get, volatile, get, potentially volatile, get, stable no-DAT, get, stable
    // resident (keeps no-DAT), get, unused (keeps no-DAT), get, stable if resident, get, stable, get
    expect(r1).toEqual([0n, 0n, 4n, 4n, 0xcn, 0xcn, 8n, 8n, 0x20n, 0x20n, 0x20n, 0x20n, 0x24n, 0x24n, 0x20n, 0x20n, 0n]);
  });

  it('presents the specification and addressing exceptions', () => {
    expect(results.getUint16(8 * SEQUENCE.length + 6)).toBe(PGM_SPECIFICATION);
    expect(results.getUint16(8 * (SEQUENCE.length + 1) + 6)).toBe(PGM_ADDRESSING);
  });

  it('keeps the states with the guest RAM; CLR_CMMA resets them, ENABLE_CMMA is refused once vCPUs exist', () => {
    const attributes = vm.process.memory.guestRamAt(vm.ramAddress, 16 * MIB)!.ram.storageAttributes;
    expect(attributes[PAGE / 4096 + 1]).toBe(BlockUsage.UNUSED);
    expect(vm.api.setVmAttribute(vm.vmFd, VmAttr.MEM_CTRL, VmAttr.MEM_ENABLE_CMMA)).toBe(-Errno.EBUSY);
    expect(vm.api.setVmAttribute(vm.vmFd, VmAttr.MEM_CTRL, VmAttr.MEM_CLR_CMMA)).toBe(0);
    expect(attributes[PAGE / 4096 + 1]).toBe(BlockUsage.STABLE);
    expect(vm.api.setVmAttribute(vm.vmFd, VmAttr.MEM_CTRL, 2)).toBe(-Errno.ENXIO);
  });
});

const STATES_AT = 0x40;
/** The guest sets pages STATES_AT.. to stable, unused, volatile, potentially volatile (four times), then one to stable no-DAT. */
const STATES_GUEST = `
	.text
	.globl _start
_start:
	lgfi	%r2, ${STATES_AT * 4096}
	lghi	%r4, 4
1:
	.insn	rrf,0xb9ab0000,%r3,%r2,1,0
	aghi	%r2, 4096
	.insn	rrf,0xb9ab0000,%r3,%r2,2,0
	aghi	%r2, 4096
	.insn	rrf,0xb9ab0000,%r3,%r2,3,0
	aghi	%r2, 4096
	.insn	rrf,0xb9ab0000,%r3,%r2,4,0
	aghi	%r2, 4096
	brct	%r4, 1b
	.insn	rrf,0xb9ab0000,%r3,%r2,7,0
	lghi	%r5, 0
	sigp	%r4, %r5, 5
	j	.
`;
const EXPECTED_VALUES = [...Array.from({ length: 16 }, (_, i) => [BlockUsage.STABLE, BlockUsage.UNUSED, BlockUsage.VOLATILE, BlockUsage.POT_VOLATILE][i % 4]!), NODAT];

describe('CMMA migration (GET/SET_CMMA_BITS, KVM_S390_VM_MIGRATION)', () => {
  const source = new VirtualMachine({ kernel: new HostKernel({ protectedVirtualization: false }), memorySize: 4 * MIB, cpus: 1 });
  source.loadElf(assemble(STATES_GUEST));
  const stop = source.run(1000);
  const pages = (4 * MIB) / 4096;

  it('offers the capability; PEEK reads any page without a migration, GET needs one', () => {
    expect(stop).toEqual({ kind: 'all-stopped' });
    expect(source.api.checkExtension(source.kvmFd, 145)).toBe(1);
    expect(source.api.migrationStatus(source.vmFd)).toEqual({ ret: 0, migrating: false });
    expect(source.api.getCmmaBits(source.vmFd, { startGfn: 0n, count: 16 }).ret).toBe(-Errno.EINVAL);
    const peek = source.api.getCmmaBits(source.vmFd, { startGfn: BigInt(STATES_AT - 1), count: 19, peek: true });
    expect(peek.ret).toBe(0);
    expect(Array.from(peek.values)).toEqual([0, ...EXPECTED_VALUES, 0]);
    expect(source.api.getCmmaBits(source.vmFd, { startGfn: BigInt(pages - 1), count: 4, peek: true }).values).toHaveLength(1);
    expect(source.api.getCmmaBits(source.vmFd, { startGfn: BigInt(pages), count: 4, peek: true }).ret).toBe(-Errno.EFAULT);
  });

  it('moves every page state to another VM: START marks all dirty, GET hands them out until none remain, SET writes them', () => {
    // Migration needs a slot that logs dirty pages (QEMU sets the flag when migration starts).
    expect(source.api.setVmAttribute(source.vmFd, VmAttr.MIGRATION, VmAttr.MIGRATION_START)).toBe(-Errno.EINVAL);
    const region = { slot: 0, guestPhysAddr: 0n, size: BigInt(4 * MIB), userspaceAddr: source.ramAddress };
    expect(source.api.setMemoryRegion(source.vmFd, { ...region, flags: 1 })).toBe(0);
    expect(source.api.setVmAttribute(source.vmFd, VmAttr.MIGRATION, VmAttr.MIGRATION_START)).toBe(0);
    expect(source.api.migrationStatus(source.vmFd).migrating).toBe(true);
    const destination = new VirtualMachine({ kernel: new HostKernel({ protectedVirtualization: false }), memorySize: 4 * MIB, cpus: 1 });
    let next = 0n;
    let calls = 0;
    for (;;) {
      const got = source.api.getCmmaBits(source.vmFd, { startGfn: next, count: 300 });
      expect(got.ret).toBe(0);
      if (got.values.length === 0) break;
      expect(destination.api.setCmmaBits(destination.vmFd, got.startGfn, got.values)).toBe(0);
      next = got.startGfn + BigInt(got.values.length);
      calls++;
      if (got.remaining === 0n) break;
    }
    expect(calls).toBe(Math.ceil(pages / 300));
    const peek = destination.api.getCmmaBits(destination.vmFd, { startGfn: BigInt(STATES_AT), count: 17, peek: true });
    expect(Array.from(peek.values)).toEqual(EXPECTED_VALUES);
    expect(source.api.getCmmaBits(source.vmFd, { startGfn: 0n, count: 300 })).toMatchObject({ ret: 0, startGfn: 0n, remaining: 0n, values: new Uint8Array(0) });
    expect(source.api.setVmAttribute(source.vmFd, VmAttr.MIGRATION, VmAttr.MIGRATION_STOP)).toBe(0);
    expect(source.api.migrationStatus(source.vmFd).migrating).toBe(false);
    expect(destination.api.setCmmaBits(destination.vmFd, BigInt(pages - 1), Uint8Array.of(1, 1))).toBe(-Errno.EFAULT);
  });

  it('is -ENXIO on a VM without CMMA', () => {
    const process = new HostKernel({ protectedVirtualization: false }).createProcess();
    const api = new KvmApi(process);
    const vmFd = api.createVm(api.openKvm());
    expect(api.getCmmaBits(vmFd, { startGfn: 0n, count: 1, peek: true }).ret).toBe(-Errno.ENXIO);
    expect(api.setCmmaBits(vmFd, 0n, Uint8Array.of(1))).toBe(-Errno.ENXIO);
    expect(api.setVmAttribute(vmFd, VmAttr.MEM_CTRL, VmAttr.MEM_CLR_CMMA)).toBe(-Errno.EINVAL);
  });
});

describe('the CMMA dirty bitmap', () => {
  it('hands out dirty pages with gaps of at most 16 clean pages, from the first dirty page on', () => {
    const cmma = new CollaborativeMemory();
    cmma.enabled = true;
    cmma.used = true;
    const attributes = new Uint8Array(100).map((_, i) => i & 3);
    expect(cmma.startMigration(100, true)).toBe(0);
    const all = cmma.getBits({ startGfn: 0n, count: 1000, flags: 0, remaining: 0n, values: 0n }, attributes);
    expect([all.log.count, all.log.remaining]).toEqual([100, 0n]);
    for (const page of [3, 10, 40, 99]) cmma.markDirty(page);
    cmma.markDirty(10);
    expect(cmma.dirtyPages).toBe(4);
    const first = cmma.getBits({ startGfn: 0n, count: 1000, flags: 0, remaining: 0n, values: 0n }, attributes);
    // Pages 3 to 10, and 11 too: the gap to 40 is seen only once page 11 is taken (as in KVM).
    expect([first.log.startGfn, first.log.count, first.log.remaining]).toEqual([3n, 9, 2n]);
    expect(Array.from(first.values)).toEqual([3, 0, 1, 2, 3, 0, 1, 2, 3]);
    const second = cmma.getBits({ startGfn: 11n, count: 1, flags: 0, remaining: 0n, values: 0n }, attributes);
    expect([second.log.startGfn, second.log.count, second.log.remaining]).toEqual([40n, 1, 1n]);
    // Beyond the last page the search starts again at page 0.
    const third = cmma.getBits({ startGfn: 500n, count: 10, flags: 0, remaining: 0n, values: 0n }, attributes);
    expect([third.log.startGfn, third.log.count, third.log.remaining]).toEqual([99n, 1, 0n]);
    expect(cmma.getBits({ startGfn: 0n, count: 10, flags: 2, remaining: 0n, values: 0n }, attributes).result).toBe(-Errno.EINVAL);
  });
});
