// KVM_CHECK_EXTENSION and KVM_S390_PV_COMMAND on bytes in user memory, row by row from
// docs/kvm-pv-api.md §1-§4 and §4.2: ioctl numbers, check order, errno values and what is (and is
// not) written back.
import { describe, expect, it } from 'vitest';
import { Ultravisor, type UltravisorOptions } from '@pvdump/ultravisor';
import { Capability, Errno, HostKernel, Ioctl, PvCmd, PvInfoId, PvInfoOffset, StructBytes, VirtualMachine, encodePvInfoHeader } from '../src/index.ts';
import { hostKey, protectedImage, testHost } from './support/guests.ts';
import { UNMAPPED, bootedPvVm, cmdBytes, rawCommand, rcOf, spinGuest, userBytes } from './support/pv-vm.ts';

const OK = { rc: 1, rrc: 0 };

describe('ioctl numbers and capabilities (§1)', () => {
  it('uses the generic Linux encoding', () => {
    expect(Ioctl.KVM_CHECK_EXTENSION).toBe(0x0000ae03);
    expect(Ioctl.KVM_RUN).toBe(0x0000ae80);
    expect(Ioctl.KVM_S390_PV_COMMAND).toBe(0xc020aec5);
    expect(Ioctl.KVM_S390_PV_CPU_COMMAND).toBe(0xc020aed0);
    expect(Ioctl.KVM_S390_GET_CMMA_BITS).toBe(0xc020aeb8);
    expect(Ioctl.KVM_S390_SET_CMMA_BITS).toBe(0x4020aeb9);
    expect(Ioctl.KVM_GET_DEVICE_ATTR).toBe(0x4018aee2);
    expect(Capability).toEqual({ KVM_CAP_S390_CMMA_MIGRATION: 145, KVM_CAP_S390_PROTECTED: 180, KVM_CAP_S390_PROTECTED_DUMP: 217, KVM_CAP_S390_PROTECTED_ASYNC_DISABLE: 224 });
  });

  it('PROTECTED and PROTECTED_DUMP are 1 on a PV host whose UV lists all four dump calls', () => {
    const { kernel } = testHost();
    const p = kernel.createProcess();
    const fd = p.openKvm();
    expect(p.ioctl(fd, Ioctl.KVM_CHECK_EXTENSION, 180)).toBe(1);
    expect(p.ioctl(fd, Ioctl.KVM_CHECK_EXTENSION, 217)).toBe(1);
    const vm = p.ioctl(fd, Ioctl.KVM_CREATE_VM, 0);
    expect(p.ioctl(vm, Ioctl.KVM_CHECK_EXTENSION, 217)).toBe(1);
    expect(p.ioctl(fd, Ioctl.KVM_CHECK_EXTENSION, 224)).toBe(0);
  });

  it('PROTECTED_DUMP is 0 when the UV lacks one of the dump calls, and both are 0 without a UV', () => {
    // Firmware without DUMP_CPU (installed-call bit 26): the query answer lacks the bit.
    class OlderFirmware extends Ultravisor {
      override execute(block: Uint8Array): number {
        const cc = super.execute(block);
        const v = new DataView(block.buffer, block.byteOffset);
        if (v.getUint16(2) === 0x0001 && block.length >= 0x18) v.setBigUint64(0x10, v.getBigUint64(0x10) & ~(1n << 37n));
        return cc;
      }
    }
    const older = new HostKernel({ hostKeys: [hostKey()], ultravisor: (o: UltravisorOptions) => new OlderFirmware(o) });
    const p = older.createProcess();
    expect(p.ioctl(p.openKvm(), Ioctl.KVM_CHECK_EXTENSION, 180)).toBe(1);
    expect(p.ioctl(p.openKvm(), Ioctl.KVM_CHECK_EXTENSION, 217)).toBe(0);
    const plain = new HostKernel({ protectedVirtualization: false }).createProcess();
    expect(plain.ioctl(plain.openKvm(), Ioctl.KVM_CHECK_EXTENSION, 180)).toBe(0);
    expect(plain.ioctl(plain.openKvm(), Ioctl.KVM_CHECK_EXTENSION, 217)).toBe(0);
  });
});

describe('KVM_S390_PV_COMMAND check order and write-back (§3, §4)', () => {
  it('not a PV host: -EINVAL, nothing written back', () => {
    const kernel = new HostKernel({ protectedVirtualization: false });
    const m = new VirtualMachine({ kernel, memorySize: 1 << 20 });
    const { ret, after } = rawCommand(m, m.vmFd, cmdBytes(PvCmd.INFO));
    expect(ret).toBe(-Errno.EINVAL);
    expect(after).toEqual(cmdBytes(PvCmd.INFO));
  });

  it('the struct at an unmapped address: -EFAULT', () => {
    const { m } = bootedPvVm();
    expect(m.process.ioctl(m.vmFd, Ioctl.KVM_S390_PV_COMMAND, UNMAPPED)).toBe(-Errno.EFAULT);
  });

  it('flags ≠ 0: -EINVAL, nothing written back, even for a valid command', () => {
    const { m } = bootedPvVm();
    const cmd = cmdBytes(PvCmd.VERIFY, 0n, 1);
    const { ret, after } = rawCommand(m, m.vmFd, cmd);
    expect(ret).toBe(-Errno.EINVAL);
    expect(after).toEqual(cmd);
  });

  it('an unknown command: -ENOTTY, the struct copied back unchanged', () => {
    const { m } = bootedPvVm();
    for (const cmd of [PvCmd.ASYNC_CLEANUP_PREPARE, PvCmd.ASYNC_CLEANUP_PERFORM, 11, 0xffffffff]) {
      const { ret, after } = rawCommand(m, m.vmFd, cmdBytes(cmd));
      expect(ret).toBe(-Errno.ENOTTY);
      expect(rcOf(after)).toEqual({ cmd, rc: 0xaaaa, rrc: 0xbbbb });
    }
  });

  it('a handler that ran a UVC writes its rc/rrc; the copy back into read-only memory is -EFAULT after the command ran', () => {
    const { m } = bootedPvVm();
    const at = m.process.mmapAnonymous(32);
    m.process.memory.write(at, cmdBytes(PvCmd.VERIFY));
    m.process.memory.protect(at, false);
    expect(m.process.ioctl(m.vmFd, Ioctl.KVM_S390_PV_COMMAND, at)).toBe(-Errno.EFAULT);
    const ok = rawCommand(m, m.vmFd, cmdBytes(PvCmd.VERIFY)); // VERIFY again succeeds (a second VERIFY is accepted)
    expect(ok.ret).toBe(0);
    expect(rcOf(ok.after)).toMatchObject(OK);
  });
});

describe('ENABLE, DISABLE, SET_SEC_PARMS, UNPACK, VERIFY, PREP_RESET, UNSHARE_ALL (§4)', () => {
  it('ENABLE: CREATE_SEC_CONF failure is -EIO with the UV rc; success is 0 with rc 1; a second ENABLE is -EINVAL untouched', () => {
    const { kernel } = testHost();
    const p = kernel.createProcess();
    const vm = p.ioctl(p.openKvm(), Ioctl.KVM_CREATE_VM, 0);
    const m = { process: p } as unknown as VirtualMachine;
    // No memory: guest storage length 0, which CREATE_SEC_CONF refuses (rc 0x102).
    let r = rawCommand(m, vm, cmdBytes(PvCmd.ENABLE));
    expect(r.ret).toBe(-Errno.EIO);
    expect(rcOf(r.after)).toEqual({ cmd: PvCmd.ENABLE, rc: 0x102, rrc: 0 });
    const booted = bootedPvVm();
    r = rawCommand(booted.m, booted.vmFd, cmdBytes(PvCmd.ENABLE));
    expect(r.ret).toBe(-Errno.EINVAL);
    expect(rcOf(r.after)).toEqual({ cmd: PvCmd.ENABLE, rc: 0xaaaa, rrc: 0xbbbb });
  });

  it('commands on a VM that is not protected: -EINVAL with rc/rrc as passed', () => {
    const { kernel } = testHost();
    const m = new VirtualMachine({ kernel, memorySize: 1 << 20 });
    for (const cmd of [PvCmd.DISABLE, PvCmd.SET_SEC_PARMS, PvCmd.UNPACK, PvCmd.VERIFY, PvCmd.PREP_RESET, PvCmd.UNSHARE_ALL, PvCmd.DUMP]) {
      const { ret, after } = rawCommand(m, m.vmFd, cmdBytes(cmd));
      expect(ret, `cmd ${cmd}`).toBe(-Errno.EINVAL);
      expect(rcOf(after)).toEqual({ cmd, rc: 0xaaaa, rrc: 0xbbbb });
    }
  });

  it('SET_SEC_PARMS: bad struct address -EFAULT, header over 8 KiB -EINVAL (no UVC), unreadable header -EFAULT, a header for another host -EINVAL rc 0x108', () => {
    const { kernel } = testHost();
    const m = new VirtualMachine({ kernel, memorySize: 2 << 20 });
    expect(m.api.enable(m.vmFd)).toEqual({ ret: 0, ...OK });
    let r = rawCommand(m, m.vmFd, cmdBytes(PvCmd.SET_SEC_PARMS, UNMAPPED));
    expect(r.ret).toBe(-Errno.EFAULT);
    const header = userBytes(m, new Uint8Array(0x2001));
    const parm = (origin: bigint, length: bigint): bigint => userBytes(m, StructBytes.zeroed(16).setU64(0, origin).setU64(8, length).bytes);
    r = rawCommand(m, m.vmFd, cmdBytes(PvCmd.SET_SEC_PARMS, parm(header, 0x2001n)));
    expect(r.ret).toBe(-Errno.EINVAL);
    expect(rcOf(r.after)).toMatchObject({ rc: 0xaaaa, rrc: 0xbbbb });
    r = rawCommand(m, m.vmFd, cmdBytes(PvCmd.SET_SEC_PARMS, parm(UNMAPPED, 0x1000n)));
    expect(r.ret).toBe(-Errno.EFAULT);
    // The image of another machine: no key slot for this host.
    const foreign = new HostKernel({ hostKeys: [] });
    const fm = new VirtualMachine({ kernel: foreign, memorySize: 2 << 20 });
    expect(() => fm.bootSecureImage(protectedImage(spinGuest()))).toThrow(/header rc 108/);
  });

  it('UNPACK: before SET_SEC_PARMS, misaligned address, size 0 or unaligned: -EINVAL without a UVC; a UV refusal -EINVAL with its rc', () => {
    const { kernel } = testHost();
    const m = new VirtualMachine({ kernel, memorySize: 2 << 20 });
    m.api.enable(m.vmFd);
    const unp = (addr: bigint, size: bigint): bigint => userBytes(m, StructBytes.zeroed(24).setU64(0, addr).setU64(8, size).setU64(16, 0x1234n).bytes);
    expect(rcOf(rawCommand(m, m.vmFd, cmdBytes(PvCmd.UNPACK, unp(0x10000n, 0x1000n))).after)).toMatchObject({ rc: 0xaaaa });
    expect(rawCommand(m, m.vmFd, cmdBytes(PvCmd.UNPACK, unp(0x10000n, 0x1000n))).ret).toBe(-Errno.EINVAL);
    const booted = bootedPvVm();
    for (const [addr, size] of [
      [0x10001n, 0x1000n],
      [0x10000n, 0n],
      [0x10000n, 0x1001n],
    ] as const) {
      const u = userBytes(booted.m, StructBytes.zeroed(24).setU64(0, addr).setU64(8, size).bytes);
      const r = rawCommand(booted.m, booted.vmFd, cmdBytes(PvCmd.UNPACK, u));
      expect(r.ret).toBe(-Errno.EINVAL);
      expect(rcOf(r.after)).toMatchObject({ rc: 0xaaaa, rrc: 0xbbbb });
    }
    expect(rawCommand(booted.m, booted.vmFd, cmdBytes(PvCmd.UNPACK, UNMAPPED)).ret).toBe(-Errno.EFAULT);
    // After VERIFY the UV refuses further unpacking (rc 0x101).
    const u = userBytes(booted.m, StructBytes.zeroed(24).setU64(0, 0x20000n).setU64(8, 0x1000n).bytes);
    const r = rawCommand(booted.m, booted.vmFd, cmdBytes(PvCmd.UNPACK, u));
    expect(r.ret).toBe(-Errno.EINVAL);
    expect(rcOf(r.after)).toMatchObject({ rc: 0x101, rrc: 0 });
  });

  it('VERIFY, PREP_RESET, UNSHARE_ALL: rc 1 on success; VERIFY with missing pages -EINVAL with the UV rc', () => {
    const { m } = bootedPvVm();
    for (const cmd of [PvCmd.VERIFY, PvCmd.PREP_RESET, PvCmd.UNSHARE_ALL]) {
      const r = rawCommand(m, m.vmFd, cmdBytes(cmd));
      expect(r.ret).toBe(0);
      expect(rcOf(r.after)).toEqual({ cmd, ...OK });
    }
    const { kernel } = testHost();
    const fresh = new VirtualMachine({ kernel, memorySize: 2 << 20 });
    fresh.api.enable(fresh.vmFd);
    const r = rawCommand(fresh, fresh.vmFd, cmdBytes(PvCmd.VERIFY));
    expect(r.ret).toBe(-Errno.EINVAL);
    expect(rcOf(r.after).rc).toBe(0x101);
  });

  it('DISABLE: rc 1, the VM is no longer protected', () => {
    const { m } = bootedPvVm();
    const r = rawCommand(m, m.vmFd, cmdBytes(PvCmd.DISABLE));
    expect(r.ret).toBe(0);
    expect(rcOf(r.after)).toEqual({ cmd: PvCmd.DISABLE, ...OK });
    expect(rawCommand(m, m.vmFd, cmdBytes(PvCmd.DISABLE)).ret).toBe(-Errno.EINVAL);
  });
});

describe('KVM_PV_INFO (§4.2)', () => {
  function info(m: VirtualMachine, id: number, lenMax: number, fill = 0xee): { ret: number; buffer: Uint8Array; cmd: Uint8Array } {
    const buffer = new Uint8Array(96).fill(fill);
    buffer.set(encodePvInfoHeader(id, lenMax));
    const at = userBytes(m, buffer);
    const { ret, after } = rawCommand(m, m.vmFd, cmdBytes(PvCmd.INFO, at));
    return { ret, buffer: m.process.memory.read(at, 96), cmd: after };
  }

  it('works on a VM that is not protected; VM info fills 80 bytes from the UV query; rc/rrc untouched', () => {
    const { kernel } = testHost();
    const m = new VirtualMachine({ kernel, memorySize: 1 << 20 });
    const r = info(m, PvInfoId.VM, 96);
    expect(r.ret).toBe(0);
    expect(rcOf(r.cmd)).toMatchObject({ rc: 0xaaaa, rrc: 0xbbbb });
    const s = new StructBytes(r.buffer);
    expect(s.u32(PvInfoOffset.lenWritten)).toBe(80);
    expect(s.u64(PvInfoOffset.vmInstCallsList)).toBe(0xff1ffef000000000n); // the host's list: no guest share bits
    expect(s.u64(PvInfoOffset.vmMaxCpus)).toBe(248n);
    expect(s.u64(PvInfoOffset.vmMaxGuests)).toBe(64n);
    expect(s.u64(PvInfoOffset.vmMaxGuestAddr)).toBe(0x40000000000n);
    expect(s.u64(PvInfoOffset.vmFeatureIndication)).toBe(0x8000000000000000n);
    expect([...r.buffer.subarray(80)]).toEqual(new Array(16).fill(0xee)); // nothing beyond len_written
  });

  it('DUMP info fills 40 bytes: the three UV dump lengths', () => {
    const { m } = bootedPvVm();
    const r = info(m, PvInfoId.DUMP, 80);
    expect(r.ret).toBe(0);
    const s = new StructBytes(r.buffer);
    expect(s.u32(PvInfoOffset.lenWritten)).toBe(40);
    expect([s.u64(16), s.u64(24), s.u64(32)]).toEqual([0x1000n, 0x1000n, 0x1000n]);
    expect([...r.buffer.subarray(40, 80)]).toEqual(new Array(40).fill(0xee));
  });

  it('len_max below 16, below 80 for VM, below 40 for DUMP, or an unknown id: -EINVAL; header unreadable: -EFAULT', () => {
    const { m } = bootedPvVm();
    expect(info(m, PvInfoId.VM, 15).ret).toBe(-Errno.EINVAL);
    expect(info(m, PvInfoId.VM, 79).ret).toBe(-Errno.EINVAL);
    expect(info(m, PvInfoId.DUMP, 39).ret).toBe(-Errno.EINVAL);
    expect(info(m, 2, 80).ret).toBe(-Errno.EINVAL);
    expect(info(m, PvInfoId.DUMP, 40).ret).toBe(0);
    expect(rawCommand(m, m.vmFd, cmdBytes(PvCmd.INFO, UNMAPPED)).ret).toBe(-Errno.EFAULT);
  });

  it('a result that cannot be copied out: -EFAULT', () => {
    const { m } = bootedPvVm();
    const at = m.process.mmapAnonymous(80);
    m.process.memory.write(at, encodePvInfoHeader(PvInfoId.DUMP, 40));
    m.process.memory.protect(at, false);
    expect(rawCommand(m, m.vmFd, cmdBytes(PvCmd.INFO, at)).ret).toBe(-Errno.EFAULT);
  });
});
