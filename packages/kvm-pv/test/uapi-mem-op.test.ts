// KVM_S390_MEM_OP (docs/kvm-pv-api.md §11): one test per row of the section's errno table, in
// Linux v6.0's check order, on a plain vCPU (logical read/write) and a protected one booted from
// a Secure Execution image (SIDA read/write), with the struct laid out byte by byte.
import { describe, expect, it } from 'vitest';
import { Errno, IrqType, Ioctl, MemOp, MemOpFlags, MemOpOffset, StructBytes, VirtualMachine } from '../src/index.ts';
import { testHost } from './support/guests.ts';
import { UNMAPPED, bootedPvVm, spinGuest, userBytes } from './support/pv-vm.ts';

interface MemOpArgs {
  op: number;
  size: number;
  flags?: bigint;
  gaddr?: bigint;
  buf?: bigint;
  ar?: number;
  key?: number;
  sidaOffset?: number;
}

/** Issues KVM_S390_MEM_OP with the struct in fresh user memory; `buf` defaults to a fresh 64 KiB + 4 KiB buffer. */
function memOp(m: VirtualMachine, a: MemOpArgs): number {
  const buf = a.buf ?? m.process.mmapAnonymous(0x11000);
  const s = StructBytes.zeroed(MemOpOffset.size_)
    .setU64(MemOpOffset.gaddr, a.gaddr ?? 0x10000n)
    .setU64(MemOpOffset.flags, a.flags ?? 0n)
    .setU32(MemOpOffset.size, a.size)
    .setU32(MemOpOffset.op, a.op)
    .setU64(MemOpOffset.buf, buf);
  if (a.sidaOffset !== undefined) s.setU32(MemOpOffset.sidaOffset, a.sidaOffset);
  else s.setU8(MemOpOffset.ar, a.ar ?? 0).setU8(MemOpOffset.key, a.key ?? 0);
  return m.process.ioctl(m.vcpus[0]!.fd, Ioctl.KVM_S390_MEM_OP, userBytes(m, s.bytes));
}

function plainVm(): VirtualMachine {
  const m = new VirtualMachine({ kernel: testHost().kernel, memorySize: 2 << 20 });
  m.loadElf(spinGuest());
  return m;
}

describe('KVM_S390_MEM_OP, both kinds', () => {
  it('an unreadable struct: -EFAULT; an unknown op: -EINVAL', () => {
    const m = plainVm();
    expect(m.process.ioctl(m.vcpus[0]!.fd, Ioctl.KVM_S390_MEM_OP, UNMAPPED)).toBe(-Errno.EFAULT);
    expect(memOp(m, { op: 4, size: 8 })).toBe(-Errno.EINVAL);
    expect(memOp(m, { op: 0xffffffff, size: 8 })).toBe(-Errno.EINVAL);
  });
});

describe('SIDA_READ / SIDA_WRITE', () => {
  const { m } = bootedPvVm();

  it('flags ≠ 0 or size 0: -EINVAL', () => {
    expect(memOp(m, { op: MemOp.SIDA_READ, size: 8, sidaOffset: 0, flags: MemOpFlags.CHECK_ONLY })).toBe(-Errno.EINVAL);
    expect(memOp(m, { op: MemOp.SIDA_WRITE, size: 0, sidaOffset: 0 })).toBe(-Errno.EINVAL);
  });

  it('sida_offset + size wrapping a u32: -EINVAL; past the 4 KiB SIDA: -E2BIG (checked before the vCPU is looked at)', () => {
    expect(memOp(m, { op: MemOp.SIDA_READ, size: 0x10, sidaOffset: 0xfffffff8 })).toBe(-Errno.EINVAL);
    expect(memOp(m, { op: MemOp.SIDA_READ, size: 0x10, sidaOffset: 0xff8 })).toBe(-Errno.E2BIG);
    expect(memOp(m, { op: MemOp.SIDA_WRITE, size: 0x1001, sidaOffset: 0 })).toBe(-Errno.E2BIG);
    expect(memOp(plainVm(), { op: MemOp.SIDA_READ, size: 0x2000, sidaOffset: 0 })).toBe(-Errno.E2BIG);
  });

  it('a vCPU that is not protected: -EINVAL', () => {
    expect(memOp(plainVm(), { op: MemOp.SIDA_READ, size: 8, sidaOffset: 0 })).toBe(-Errno.EINVAL);
  });

  it('a buffer that cannot be written (read) or read (write): -EFAULT', () => {
    const readOnly = m.process.mmapAnonymous(4096);
    m.process.memory.protect(readOnly, false);
    expect(memOp(m, { op: MemOp.SIDA_READ, size: 8, sidaOffset: 0, buf: readOnly })).toBe(-Errno.EFAULT);
    expect(memOp(m, { op: MemOp.SIDA_WRITE, size: 8, sidaOffset: 0, buf: UNMAPPED })).toBe(-Errno.EFAULT);
  });

  it('success: 0, a write read back at its offset', () => {
    const data = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
    expect(memOp(m, { op: MemOp.SIDA_WRITE, size: 16, sidaOffset: 0xff0, buf: userBytes(m, data) })).toBe(0);
    const out = m.process.mmapAnonymous(4096);
    expect(memOp(m, { op: MemOp.SIDA_READ, size: 16, sidaOffset: 0xff0, buf: out })).toBe(0);
    expect([...m.process.memory.read(out, 16)]).toEqual([...data]);
    expect(m.api.sidaRead(m.vcpus[0]!.fd, 0xff0, 16)).toEqual(data);
  });
});

describe('LOGICAL_READ / LOGICAL_WRITE', () => {
  it('unknown flags, an access register above 15 or size 0: -EINVAL; more than 64 KiB: -E2BIG (also on a protected vCPU)', () => {
    const m = plainVm();
    expect(memOp(m, { op: MemOp.LOGICAL_READ, size: 8, flags: 0x80n })).toBe(-Errno.EINVAL);
    expect(memOp(m, { op: MemOp.LOGICAL_READ, size: 8, ar: 16 })).toBe(-Errno.EINVAL);
    expect(memOp(m, { op: MemOp.LOGICAL_WRITE, size: 0 })).toBe(-Errno.EINVAL);
    expect(memOp(m, { op: MemOp.LOGICAL_READ, size: 0x10001 })).toBe(-Errno.E2BIG);
    expect(memOp(bootedPvVm().m, { op: MemOp.LOGICAL_READ, size: 0x10001 })).toBe(-Errno.E2BIG);
  });

  it('a protected vCPU: -EINVAL', () => {
    expect(memOp(bootedPvVm().m, { op: MemOp.LOGICAL_READ, size: 8 })).toBe(-Errno.EINVAL);
  });

  it('SKEY_PROTECTION with a key above 15: -EINVAL', () => {
    expect(memOp(plainVm(), { op: MemOp.LOGICAL_READ, size: 8, flags: MemOpFlags.SKEY_PROTECTION, key: 16 })).toBe(-Errno.EINVAL);
  });

  it('an access exception: its program-interruption code, nothing stored; with INJECT_EXCEPTION it is made pending', () => {
    const m = plainVm();
    const beyond = BigInt((2 << 20) - 4);
    expect(memOp(m, { op: MemOp.LOGICAL_WRITE, size: 8, gaddr: beyond, buf: userBytes(m, new Uint8Array(8).fill(0xee)) })).toBe(0x05);
    expect([...m.readGuest((2 << 20) - 4, 4)]).toEqual([0, 0, 0, 0]);
    expect(m.api.pendingIrqTypes(m.vcpus[0]!.fd)).toEqual([]);
    expect(memOp(m, { op: MemOp.LOGICAL_READ, size: 8, gaddr: beyond, flags: MemOpFlags.INJECT_EXCEPTION })).toBe(0x05);
    expect(m.api.pendingIrqTypes(m.vcpus[0]!.fd)).toEqual([IrqType.PROGRAM_INT]);
  });

  it('CHECK_ONLY: 0 and nothing copied', () => {
    const m = plainVm();
    expect(memOp(m, { op: MemOp.LOGICAL_WRITE, size: 4, gaddr: 0x20000n, flags: MemOpFlags.CHECK_ONLY, buf: userBytes(m, Uint8Array.of(1, 2, 3, 4)) })).toBe(0);
    expect([...m.readGuest(0x20000, 4)]).toEqual([0, 0, 0, 0]);
  });

  it('a buffer that cannot be written (read) or read (write): -EFAULT', () => {
    const m = plainVm();
    const readOnly = m.process.mmapAnonymous(4096);
    m.process.memory.protect(readOnly, false);
    expect(memOp(m, { op: MemOp.LOGICAL_READ, size: 8, buf: readOnly })).toBe(-Errno.EFAULT);
    expect(memOp(m, { op: MemOp.LOGICAL_WRITE, size: 8, buf: UNMAPPED })).toBe(-Errno.EFAULT);
  });

  it('success: 0, the bytes through the vCPU (across a page boundary)', () => {
    const m = plainVm();
    const data = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
    expect(memOp(m, { op: MemOp.LOGICAL_WRITE, size: 32, gaddr: 0x20ff0n, buf: userBytes(m, data) })).toBe(0);
    expect([...m.readGuest(0x20ff0, 32)]).toEqual([...data]);
    const out = m.process.mmapAnonymous(4096);
    expect(memOp(m, { op: MemOp.LOGICAL_READ, size: 32, gaddr: 0x20ff0n, buf: out })).toBe(0);
    expect([...m.process.memory.read(out, 32)]).toEqual([...data]);
  });
});
