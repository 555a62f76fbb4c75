// KVM_PV_DUMP and KVM_S390_PV_CPU_COMMAND on bytes in user memory, row by row from
// docs/kvm-pv-api.md §4.1, §4.3, §4.4, §5, §6 and §7: every errno, the rc/rrc rules, STOR_STATE's
// 1 MiB bounce buffer and partial results, and the per-VM dumping flag.
import { describe, expect, it } from 'vitest';
import { Errno, Ioctl, PvCmd, PvDmpOffset, PvDumpCmd, RunOffset, StructBytes, encodePvCmd, encodePvDmp } from '../src/index.ts';
import { UNMAPPED, bootedPvVm, cmdBytes, dmpAt, rawCommand, rcOf, userBytes } from './support/pv-vm.ts';

const PAGE = 0x1000n;

function dumpCmd(t: ReturnType<typeof bootedPvVm>, subcmd: number | bigint, buffAddr = 0n, buffLen = 0n, gaddr = 0n) {
  const dmp = dmpAt(t.m, subcmd, buffAddr, buffLen, gaddr);
  const r = rawCommand(t.m, t.vmFd, cmdBytes(PvCmd.DUMP, dmp));
  return { ...r, ...rcOf(r.after), dmp: new StructBytes(t.m.process.memory.read(dmp, PvDmpOffset.size)) };
}

function runVcpu(t: ReturnType<typeof bootedPvVm>): number {
  return t.process.ioctl(t.vcpuFd, Ioctl.KVM_RUN);
}

describe('KVM_PV_DUMP (§4.1)', () => {
  it('on a VM that is not protected: -EINVAL; an unreadable dmp: -EFAULT', () => {
    const t = bootedPvVm();
    expect(rawCommand(t.m, t.vmFd, cmdBytes(PvCmd.DUMP, UNMAPPED)).ret).toBe(-Errno.EFAULT);
    t.api.disable(t.vmFd);
    expect(dumpCmd(t, PvDumpCmd.INIT).ret).toBe(-Errno.EINVAL);
  });

  it('INIT: rc 1, KVM_RUN refused before immediate_exit; a second INIT -EINVAL without a UVC', () => {
    const t = bootedPvVm();
    expect(runVcpu(t)).toBe(-Errno.EINTR); // the spinning guest runs
    const init = dumpCmd(t, PvDumpCmd.INIT, 0x1234n, 0x5678n, 0x9abcn); // buffer fields ignored
    expect(init).toMatchObject({ ret: 0, rc: 1, rrc: 0 });
    expect(init.dmp.u64(PvDmpOffset.gaddr)).toBe(0x9abcn); // copied back unchanged
    const run = StructBytes.zeroed(1).setU8(0, 1).bytes;
    t.process.memory.write(t.m.vcpus[0]!.run + BigInt(RunOffset.immediateExit), run);
    expect(runVcpu(t)).toBe(-Errno.EINVAL);
    expect(dumpCmd(t, PvDumpCmd.INIT)).toMatchObject({ ret: -Errno.EINVAL, rc: 0xaaaa, rrc: 0xbbbb });
  });

  it('INIT refused by the UV (dumping not allowed): -EINVAL with rc 0x101, the vCPUs run again', () => {
    const t = bootedPvVm({ allowDumping: false });
    expect(dumpCmd(t, PvDumpCmd.INIT)).toMatchObject({ ret: -Errno.EINVAL, rc: 0x101, rrc: 0 });
    expect(runVcpu(t)).toBe(-Errno.EINTR);
  });

  it('STOR_STATE, COMPLETE and the vCPU DUMP_CPU while not dumping: -EINVAL without a UVC', () => {
    const t = bootedPvVm();
    const buffer = t.process.mmapAnonymous(0x1000);
    expect(dumpCmd(t, PvDumpCmd.CONFIG_STOR_STATE, buffer, PAGE, 0n)).toMatchObject({ ret: -Errno.EINVAL, rc: 0xaaaa });
    expect(dumpCmd(t, PvDumpCmd.COMPLETE, buffer, PAGE)).toMatchObject({ ret: -Errno.EINVAL, rc: 0xaaaa });
    const r = rawCommand(t.m, t.vcpuFd, encodePvCmd({ cmd: PvCmd.DUMP, data: dmpAt(t.m, PvDumpCmd.CPU, buffer, PAGE), rc: 0x1111, rrc: 0x2222 }), Ioctl.KVM_S390_PV_CPU_COMMAND);
    expect(r.ret).toBe(-Errno.EINVAL);
    expect(rcOf(r.after)).toEqual({ cmd: PvCmd.DUMP, rc: 0x1111, rrc: 0x2222 });
  });

  it('subcommand CPU or an unknown one at VM level: -ENOTTY', () => {
    const t = bootedPvVm();
    dumpCmd(t, PvDumpCmd.INIT);
    expect(dumpCmd(t, PvDumpCmd.CPU).ret).toBe(-Errno.ENOTTY);
    expect(dumpCmd(t, 4).ret).toBe(-Errno.ENOTTY);
    expect(dumpCmd(t, 0x100000000n).ret).toBe(-Errno.ENOTTY);
  });
});

describe('CONFIG_STOR_STATE (§4.3)', () => {
  it('gaddr not 1 MiB-aligned, buff_len 0 or not a multiple of 0x1000: -EINVAL with rc = rrc = 0 written', () => {
    const t = bootedPvVm();
    dumpCmd(t, PvDumpCmd.INIT);
    const buffer = t.process.mmapAnonymous(0x2000);
    for (const [len, gaddr] of [
      [PAGE, 0x1000n],
      [0n, 0n],
      [0x800n, 0n],
      [0x1800n, 0n],
    ] as const) {
      expect(dumpCmd(t, PvDumpCmd.CONFIG_STOR_STATE, buffer, len, gaddr)).toMatchObject({ ret: -Errno.EINVAL, rc: 0, rrc: 0 });
    }
  });

  it('success: one entry table per MiB, gaddr advanced by the MiBs dumped, rc 1', () => {
    const t = bootedPvVm({ memoryMiB: 2 });
    dumpCmd(t, PvDumpCmd.INIT);
    const buffer = t.process.mmapAnonymous(0x2000);
    const r = dumpCmd(t, PvDumpCmd.CONFIG_STOR_STATE, buffer, 2n * PAGE, 0n);
    expect(r).toMatchObject({ ret: 0, rc: 1, rrc: 0 });
    expect(r.dmp.u64(PvDmpOffset.gaddr)).toBe(0x200000n);
    const table = t.process.memory.read(buffer, 0x2000);
    // The image's kernel component is secure, reported by its tweak component; page 0 (the short
    // IPL PSW, written by the host and never imported) and stage3a's page: zero | mapped.
    const entry = (page: number): string => Buffer.from(table.subarray(16 * page, 16 * page + 16)).toString('hex');
    expect(entry(0)).toBe('ffffffff000000000000000000000005');
    expect(entry(0x10)).toBe('ffffffff000000000000000000000005');
    expect(entry(Number(t.image.components[0]!.address) / 0x1000).startsWith('ffffffff')).toBe(false);
  });

  it('a UV refusal past the guest: -EINVAL with rc 0x107; results copied before it stay, the bounce buffer is lost, gaddr not written back', () => {
    // 258 MiB: the first 256 results fill the 1 MiB bounce buffer and are copied out.
    const t = bootedPvVm({ memoryMiB: 258 });
    dumpCmd(t, PvDumpCmd.INIT);
    const len = 260n * PAGE;
    const buffer = userBytes(t.m, new Uint8Array(Number(len)).fill(0xee));
    const r = dumpCmd(t, PvDumpCmd.CONFIG_STOR_STATE, buffer, len, 0n);
    expect(r).toMatchObject({ ret: -Errno.EINVAL, rc: 0x107, rrc: 0 });
    expect(r.dmp.u64(PvDmpOffset.gaddr)).toBe(0n);
    const out = t.process.memory.read(buffer, Number(len));
    expect(out[0]).toBe(0xff); // copied
    expect(out[0x100000 - 1]).toBe(0x05);
    expect(out.subarray(0x100000).every((b) => b === 0xee)).toBe(true); // MiB 256 and 257 were in the bounce buffer
  });

  it('a user buffer that cannot be written: -EFAULT; no bounce buffer: -ENOMEM with rc 0', () => {
    const t = bootedPvVm();
    dumpCmd(t, PvDumpCmd.INIT);
    const buffer = t.process.mmapAnonymous(0x1000);
    t.process.memory.protect(buffer, false);
    expect(dumpCmd(t, PvDumpCmd.CONFIG_STOR_STATE, buffer, PAGE, 0n)).toMatchObject({ ret: -Errno.EFAULT, rc: 1 });
    t.kernel.allocator.refuse = () => true;
    expect(dumpCmd(t, PvDumpCmd.CONFIG_STOR_STATE, buffer, PAGE, 0n)).toMatchObject({ ret: -Errno.ENOMEM, rc: 0, rrc: 0 });
  });
});

describe('COMPLETE (§4.4)', () => {
  it('buff_len below conf_dump_finalize_len: -EINVAL without a UVC; success: rc 1, 0x1000 bytes, the VM runs again', () => {
    const t = bootedPvVm();
    dumpCmd(t, PvDumpCmd.INIT);
    const buffer = t.process.mmapAnonymous(0x2000);
    expect(dumpCmd(t, PvDumpCmd.COMPLETE, buffer, 0xfffn)).toMatchObject({ ret: -Errno.EINVAL, rc: 0xaaaa });
    const r = dumpCmd(t, PvDumpCmd.COMPLETE, buffer, 0x2000n);
    expect(r).toMatchObject({ ret: 0, rc: 1, rrc: 0 });
    const data = new StructBytes(t.process.memory.read(buffer, 0x2000));
    expect([data.u32(0), data.u32(4)]).toEqual([1, 288]); // completion data v1
    expect(runVcpu(t)).toBe(-Errno.EINTR);
    expect(dumpCmd(t, PvDumpCmd.INIT)).toMatchObject({ ret: 0, rc: 1 }); // a new dump can start
  });

  it('an unwritable buffer: -EFAULT but the dump is ended; no memory: -ENOMEM and the dump stays', () => {
    const t = bootedPvVm();
    dumpCmd(t, PvDumpCmd.INIT);
    const buffer = t.process.mmapAnonymous(0x1000);
    t.kernel.allocator.refuse = () => true;
    expect(dumpCmd(t, PvDumpCmd.COMPLETE, buffer, PAGE).ret).toBe(-Errno.ENOMEM);
    expect(runVcpu(t)).toBe(-Errno.EINVAL);
    t.kernel.allocator.refuse = undefined;
    t.process.memory.protect(buffer, false);
    expect(dumpCmd(t, PvDumpCmd.COMPLETE, buffer, PAGE)).toMatchObject({ ret: -Errno.EFAULT, rc: 1 });
    expect(runVcpu(t)).toBe(-Errno.EINTR);
  });
});

describe('DISABLE during a dump (§6)', () => {
  it('proceeds; KVM_RUN stays refused, INIT and COMPLETE need a protected VM; after a new ENABLE the UV has no dump: COMPLETE -EINVAL rc 0x105, dumping stays', () => {
    const t = bootedPvVm();
    dumpCmd(t, PvDumpCmd.INIT);
    for (const cmd of [PvCmd.PREP_RESET, PvCmd.VERIFY, PvCmd.UNSHARE_ALL]) expect(rawCommand(t.m, t.vmFd, cmdBytes(cmd)).ret).toBe(0);
    expect(rawCommand(t.m, t.vmFd, cmdBytes(PvCmd.DISABLE))).toMatchObject({ ret: 0 });
    expect(runVcpu(t)).toBe(-Errno.EINVAL);
    const buffer = t.process.mmapAnonymous(0x1000);
    expect(dumpCmd(t, PvDumpCmd.INIT).ret).toBe(-Errno.EINVAL);
    expect(dumpCmd(t, PvDumpCmd.COMPLETE, buffer, PAGE).ret).toBe(-Errno.EINVAL);
    // The vCPU has no secure handle any more: DUMP_CPU reaches the UV with handle 0.
    const cpu = rawCommand(t.m, t.vcpuFd, encodePvCmd({ cmd: PvCmd.DUMP, data: dmpAt(t.m, PvDumpCmd.CPU, buffer, PAGE) }), Ioctl.KVM_S390_PV_CPU_COMMAND);
    expect(cpu.ret).toBe(-Errno.EINVAL);
    expect(rcOf(cpu.after)).toMatchObject({ rc: 0x21, rrc: 0 });
    expect(t.api.enable(t.vmFd)).toMatchObject({ ret: 0, rc: 1 });
    expect(dumpCmd(t, PvDumpCmd.COMPLETE, buffer, PAGE)).toMatchObject({ ret: -Errno.EINVAL, rc: 0x105 });
    expect(dumpCmd(t, PvDumpCmd.INIT).ret).toBe(-Errno.EINVAL);
    expect(runVcpu(t)).toBe(-Errno.EINVAL);
  });
});

describe('KVM_S390_PV_CPU_COMMAND (§5)', () => {
  function cpuCmd(t: ReturnType<typeof bootedPvVm>, bytes: Uint8Array) {
    const r = rawCommand(t.m, t.vcpuFd, bytes, Ioctl.KVM_S390_PV_CPU_COMMAND);
    return { ...r, ...rcOf(r.after) };
  }

  it('early exits return without writing back: unmapped struct -EFAULT, flags -EINVAL, cmd ≠ DUMP -EINVAL', () => {
    const t = bootedPvVm();
    dumpCmd(t, PvDumpCmd.INIT);
    expect(t.process.ioctl(t.vcpuFd, Ioctl.KVM_S390_PV_CPU_COMMAND, UNMAPPED)).toBe(-Errno.EFAULT);
    for (const bytes of [encodePvCmd({ cmd: PvCmd.DUMP, flags: 1, rc: 7, rrc: 8 }), encodePvCmd({ cmd: PvCmd.INFO, rc: 7, rrc: 8 })]) {
      const r = cpuCmd(t, bytes);
      expect(r.ret).toBe(-Errno.EINVAL);
      expect(r.after).toEqual(bytes);
    }
  });

  it('an unreadable dmp -EFAULT; subcmd ≠ CPU or buff_len ≠ cpu_stor_len -EINVAL; rc/rrc written back as passed', () => {
    const t = bootedPvVm();
    dumpCmd(t, PvDumpCmd.INIT);
    const buffer = t.process.mmapAnonymous(0x2000);
    const call = (data: bigint) => cpuCmd(t, encodePvCmd({ cmd: PvCmd.DUMP, data, rc: 0x1111, rrc: 0x2222 }));
    expect(call(UNMAPPED)).toMatchObject({ ret: -Errno.EFAULT, rc: 0x1111, rrc: 0x2222 });
    expect(call(dmpAt(t.m, PvDumpCmd.INIT, buffer, PAGE))).toMatchObject({ ret: -Errno.EINVAL, rc: 0x1111 });
    expect(call(dmpAt(t.m, PvDumpCmd.CPU, buffer, 0x2000n))).toMatchObject({ ret: -Errno.EINVAL, rc: 0x1111 });
    expect(call(dmpAt(t.m, PvDumpCmd.CPU, buffer, 0xfffn))).toMatchObject({ ret: -Errno.EINVAL, rc: 0x1111 });
  });

  it('success: 0x1000 bytes of CPU dump, rc 1 at offset 4, cmd unchanged, the dmp not written back', () => {
    const t = bootedPvVm();
    dumpCmd(t, PvDumpCmd.INIT);
    const buffer = t.process.mmapAnonymous(0x1000);
    const dmp = dmpAt(t.m, PvDumpCmd.CPU, buffer, PAGE, 0x77n);
    const r = cpuCmd(t, encodePvCmd({ cmd: PvCmd.DUMP, data: dmp, rc: 0x1111, rrc: 0x2222 }));
    expect(r).toMatchObject({ ret: 0, cmd: PvCmd.DUMP, rc: 1, rrc: 0 });
    expect(t.process.memory.read(dmp, 64)).toEqual(encodePvDmp({ subcmd: PvDumpCmd.CPU, buffAddr: buffer, buffLen: PAGE, gaddr: 0x77n }));
    const data = new StructBytes(t.process.memory.read(buffer, 0x1000));
    expect([data.u32(0), data.u32(4)]).toEqual([1, 1568]);
  });

  it('upstreamCpuRcQuirk: {rc, rrc} land over cmd at offset 0 and the rc/rrc fields keep the caller values', () => {
    const t = bootedPvVm({ kernel: { upstreamCpuRcQuirk: true } });
    dumpCmd(t, PvDumpCmd.INIT);
    const buffer = t.process.mmapAnonymous(0x1000);
    const ok = cpuCmd(t, encodePvCmd({ cmd: PvCmd.DUMP, data: dmpAt(t.m, PvDumpCmd.CPU, buffer, PAGE), rc: 0x1111, rrc: 0x2222 }));
    expect(ok).toMatchObject({ ret: 0, cmd: 0x00010000, rc: 0x1111, rrc: 0x2222 });
    const bad = cpuCmd(t, encodePvCmd({ cmd: PvCmd.DUMP, data: dmpAt(t.m, PvDumpCmd.CPU, buffer, 0x800n), rc: 0x1111, rrc: 0x2222 }));
    expect(bad).toMatchObject({ ret: -Errno.EINVAL, cmd: 0x11112222, rc: 0x1111, rrc: 0x2222 });
  });

  it('no memory -ENOMEM; an unwritable buffer -EFAULT after the UVC (rc 1)', () => {
    const t = bootedPvVm();
    dumpCmd(t, PvDumpCmd.INIT);
    const buffer = t.process.mmapAnonymous(0x1000);
    t.kernel.allocator.refuse = () => true;
    expect(cpuCmd(t, encodePvCmd({ cmd: PvCmd.DUMP, data: dmpAt(t.m, PvDumpCmd.CPU, buffer, PAGE) })).ret).toBe(-Errno.ENOMEM);
    t.kernel.allocator.refuse = undefined;
    t.process.memory.protect(buffer, false);
    expect(cpuCmd(t, encodePvCmd({ cmd: PvCmd.DUMP, data: dmpAt(t.m, PvDumpCmd.CPU, buffer, PAGE) }))).toMatchObject({ ret: -Errno.EFAULT, rc: 1 });
  });

  it('not a PV host: -EINVAL without write-back', async () => {
    const { HostKernel, VirtualMachine } = await import('../src/index.ts');
    const m = new VirtualMachine({ kernel: new HostKernel({ protectedVirtualization: false }), memorySize: 1 << 20 });
    const bytes = encodePvCmd({ cmd: PvCmd.DUMP, rc: 3, rrc: 4 });
    const r = rawCommand(m, m.vcpus[0]!.fd, bytes, Ioctl.KVM_S390_PV_CPU_COMMAND);
    expect(r.ret).toBe(-Errno.EINVAL);
    expect(r.after).toEqual(bytes);
  });
});
