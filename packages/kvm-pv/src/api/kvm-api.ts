// A typed API over the byte-level ioctls (docs/kvm-pv-api.md): each call lays its struct out in
// the process's memory exactly as the uapi defines it, issues the ioctl, and decodes what the
// kernel wrote back. It adds nothing the ioctls do not do; errors come back as -errno, never thrown.
import type { KvmProcess } from '../kernel/host-kernel.js';
import { CMMA_PEEK, Errno, Ioctl, IrqType, MemOp, MemOpFlags, PgmFlags, PvCmd, PvDumpCmd, PvInfoId, VmAttr } from '../uapi/constants.js';
import {
  CmmaLogOffset,
  CpuProcessorOffset,
  DeviceAttrOffset,
  InterruptOffset,
  IrqOffset,
  IrqStateOffset,
  MemOpOffset,
  MemoryRegionOffset,
  PvCmdOffset,
  PvDmpOffset,
  PvInfoOffset,
  StructBytes,
  decodePvCmd,
  decodePvInfoDump,
  decodePvInfoVm,
  encodePvCmd,
  encodePvDmp,
  encodePvInfoHeader,
  type PvInfoDump,
  type PvInfoVm,
} from '../uapi/structs.js';

/** The ioctl's return value with the rc/rrc KVM left in the struct. */
export interface PvResult {
  ret: number;
  rc: number;
  rrc: number;
}

/** Retries an ioctl while it returns -EINTR (QEMU does so for every PV ioctl). */
export function retryOnEintr(call: () => number): number {
  for (;;) {
    const r = call();
    if (r !== -Errno.EINTR) return r;
  }
}

export class KvmApi {
  /** A scratch area in the process for structs and small buffers. */
  private readonly scratch: bigint;
  private static readonly SCRATCH = 0x3000;

  constructor(readonly process: KvmProcess) {
    this.scratch = process.mmapAnonymous(KvmApi.SCRATCH);
  }

  private get cmdAddress(): bigint {
    return this.scratch;
  }
  private get argAddress(): bigint {
    return this.scratch + 0x40n;
  }
  /** A 4 KiB buffer in the scratch area. */
  get bufferAddress(): bigint {
    return this.scratch + 0x1000n;
  }

  openKvm(): number {
    return this.process.openKvm();
  }

  checkExtension(fd: number, capability: number): number {
    return this.process.ioctl(fd, Ioctl.KVM_CHECK_EXTENSION, capability);
  }

  createVm(kvmFd: number): number {
    return this.process.ioctl(kvmFd, Ioctl.KVM_CREATE_VM, 0);
  }

  createVcpu(vmFd: number, id: number): number {
    return this.process.ioctl(vmFd, Ioctl.KVM_CREATE_VCPU, id);
  }

  setMemoryRegion(vmFd: number, region: { slot: number; guestPhysAddr: bigint; size: bigint; userspaceAddr: bigint; flags?: number }): number {
    const s = StructBytes.zeroed(MemoryRegionOffset.size)
      .setU32(MemoryRegionOffset.slot, region.slot)
      .setU32(MemoryRegionOffset.flags, region.flags ?? 0)
      .setU64(MemoryRegionOffset.guestPhysAddr, region.guestPhysAddr)
      .setU64(MemoryRegionOffset.memorySize, region.size)
      .setU64(MemoryRegionOffset.userspaceAddr, region.userspaceAddr);
    this.process.memory.write(this.argAddress, s.bytes);
    return this.process.ioctl(vmFd, Ioctl.KVM_SET_USER_MEMORY_REGION, this.argAddress);
  }

  /** KVM_SET_DEVICE_ATTR of a VM attribute that takes no data (e.g. KVM_S390_VM_MEM_CTRL's ENABLE_CMMA and CLR_CMMA). */
  setVmAttribute(vmFd: number, group: number, attr: number): number {
    const bytes = StructBytes.zeroed(DeviceAttrOffset.size).setU32(DeviceAttrOffset.group, group).setU64(DeviceAttrOffset.attr, BigInt(attr));
    this.process.memory.write(this.argAddress, bytes.bytes);
    return this.process.ioctl(vmFd, Ioctl.KVM_SET_DEVICE_ATTR, this.argAddress);
  }

  /** KVM_GET_DEVICE_ATTR of KVM_S390_VM_MIGRATION_STATUS: whether the VM is in migration mode. */
  migrationStatus(vmFd: number): { ret: number; migrating: boolean } {
    const at = this.bufferAddress;
    this.process.memory.write(at, new Uint8Array(8));
    const attr = StructBytes.zeroed(DeviceAttrOffset.size).setU32(DeviceAttrOffset.group, VmAttr.MIGRATION).setU64(DeviceAttrOffset.attr, BigInt(VmAttr.MIGRATION_STATUS)).setU64(DeviceAttrOffset.addr, at);
    this.process.memory.write(this.argAddress, attr.bytes);
    const ret = this.process.ioctl(vmFd, Ioctl.KVM_GET_DEVICE_ATTR, this.argAddress);
    return { ret, migrating: new StructBytes(this.process.memory.read(at, 8)).u64(0) !== 0n };
  }

  /**
   * KVM_S390_GET_CMMA_BITS for up to `count` pages from `startGfn` (QEMU's stattrib): the dirty
   * pages' states in migration mode, or with `peek` any pages' states. `startGfn` of the result
   * is the page the values begin at, `remaining` the dirty pages left.
   */
  getCmmaBits(vmFd: number, request: { startGfn: bigint; count: number; peek?: boolean }): { ret: number; startGfn: bigint; remaining: bigint; values: Uint8Array } {
    const buffer = this.process.mmapAnonymous(Math.max(request.count, 1));
    try {
      const log = StructBytes.zeroed(CmmaLogOffset.size).setU64(CmmaLogOffset.startGfn, request.startGfn).setU32(CmmaLogOffset.count, request.count);
      log.setU32(CmmaLogOffset.flags, request.peek === true ? CMMA_PEEK : 0).setU64(CmmaLogOffset.values, buffer);
      this.process.memory.write(this.argAddress, log.bytes);
      const ret = this.process.ioctl(vmFd, Ioctl.KVM_S390_GET_CMMA_BITS, this.argAddress);
      const out = new StructBytes(this.process.memory.read(this.argAddress, CmmaLogOffset.size));
      const count = ret === 0 ? out.u32(CmmaLogOffset.count) : 0;
      return { ret, startGfn: out.u64(CmmaLogOffset.startGfn), remaining: out.u64(CmmaLogOffset.remaining), values: this.process.memory.read(buffer, count) };
    } finally {
      this.process.memory.munmap(buffer);
    }
  }

  /** KVM_S390_SET_CMMA_BITS: `values` (usage and no-DAT bits) for the pages from `startGfn`, all bits taken (QEMU's mask ~0). */
  setCmmaBits(vmFd: number, startGfn: bigint, values: Uint8Array, mask = 0xffffffffffffffffn): number {
    const buffer = this.place(values.length === 0 ? new Uint8Array(1) : values);
    try {
      const log = StructBytes.zeroed(CmmaLogOffset.size).setU64(CmmaLogOffset.startGfn, startGfn).setU32(CmmaLogOffset.count, values.length);
      log.setU64(CmmaLogOffset.remaining, mask).setU64(CmmaLogOffset.values, buffer);
      this.process.memory.write(this.argAddress, log.bytes);
      return this.process.ioctl(vmFd, Ioctl.KVM_S390_SET_CMMA_BITS, this.argAddress);
    } finally {
      this.process.memory.munmap(buffer);
    }
  }

  /**
   * KVM_SET_DEVICE_ATTR of the CPU model's processor (QEMU's kvm_s390_set_cpu_model before it
   * creates the vCPUs): the facility list STFLE shows, cpuid and ibc 0.
   */
  setCpuProcessor(vmFd: number, facilities: readonly number[]): number {
    const processor = StructBytes.zeroed(CpuProcessorOffset.size);
    for (const bit of facilities) processor.bytes[CpuProcessorOffset.facList + (bit >> 3)]! |= 0x80 >> (bit & 7);
    const at = this.place(processor.bytes);
    try {
      const attr = StructBytes.zeroed(DeviceAttrOffset.size).setU32(DeviceAttrOffset.group, VmAttr.CPU_MODEL).setU64(DeviceAttrOffset.attr, BigInt(VmAttr.CPU_PROCESSOR)).setU64(DeviceAttrOffset.addr, at);
      this.process.memory.write(this.argAddress, attr.bytes);
      return this.process.ioctl(vmFd, Ioctl.KVM_SET_DEVICE_ATTR, this.argAddress);
    } finally {
      this.process.memory.munmap(at);
    }
  }

  /** KVM_S390_PV_COMMAND with `data` as the argument's user address; rc/rrc zeroed first. */
  pvCommand(vmFd: number, cmd: number, data: bigint): PvResult {
    this.process.memory.write(this.cmdAddress, encodePvCmd({ cmd, data }));
    const ret = retryOnEintr(() => this.process.ioctl(vmFd, Ioctl.KVM_S390_PV_COMMAND, this.cmdAddress));
    const out = decodePvCmd(this.process.memory.read(this.cmdAddress, PvCmdOffset.size));
    return { ret, rc: out.rc, rrc: out.rrc };
  }

  /** Places `bytes` in fresh user memory and returns the address (for SE headers, images). */
  place(bytes: Uint8Array): bigint {
    const at = this.process.mmapAnonymous(bytes.length);
    this.process.memory.write(at, bytes);
    return at;
  }

  enable(vmFd: number): PvResult {
    return this.pvCommand(vmFd, PvCmd.ENABLE, 0n);
  }

  disable(vmFd: number): PvResult {
    return this.pvCommand(vmFd, PvCmd.DISABLE, 0n);
  }

  setSecParms(vmFd: number, headerAddress: bigint, length: bigint): PvResult {
    this.process.memory.write(this.argAddress, StructBytes.zeroed(16).setU64(0, headerAddress).setU64(8, length).bytes);
    return this.pvCommand(vmFd, PvCmd.SET_SEC_PARMS, this.argAddress);
  }

  unpack(vmFd: number, addr: bigint, size: bigint, tweak: bigint): PvResult {
    this.process.memory.write(this.argAddress, StructBytes.zeroed(24).setU64(0, addr).setU64(8, size).setU64(16, tweak).bytes);
    return this.pvCommand(vmFd, PvCmd.UNPACK, this.argAddress);
  }

  verify(vmFd: number): PvResult {
    return this.pvCommand(vmFd, PvCmd.VERIFY, 0n);
  }

  prepareReset(vmFd: number): PvResult {
    return this.pvCommand(vmFd, PvCmd.PREP_RESET, 0n);
  }

  unshareAll(vmFd: number): PvResult {
    return this.pvCommand(vmFd, PvCmd.UNSHARE_ALL, 0n);
  }

  infoVm(vmFd: number): PvResult & { info?: PvInfoVm } {
    this.process.memory.write(this.argAddress, encodePvInfoHeader(PvInfoId.VM, PvInfoOffset.vmSize));
    const r = this.pvCommand(vmFd, PvCmd.INFO, this.argAddress);
    return r.ret === 0 ? { ...r, info: decodePvInfoVm(this.process.memory.read(this.argAddress, PvInfoOffset.vmSize)) } : r;
  }

  infoDump(vmFd: number): PvResult & { info?: PvInfoDump } {
    this.process.memory.write(this.argAddress, encodePvInfoHeader(PvInfoId.DUMP, PvInfoOffset.dumpSize));
    const r = this.pvCommand(vmFd, PvCmd.INFO, this.argAddress);
    return r.ret === 0 ? { ...r, info: decodePvInfoDump(this.process.memory.read(this.argAddress, PvInfoOffset.dumpSize)) } : r;
  }

  private dump(vmFd: number, subcmd: number, buffAddr: bigint, buffLen: bigint, gaddr: bigint): PvResult & { gaddr: bigint } {
    this.process.memory.write(this.argAddress, encodePvDmp({ subcmd, buffAddr, buffLen, gaddr }));
    const r = this.pvCommand(vmFd, PvCmd.DUMP, this.argAddress);
    const out = new StructBytes(this.process.memory.read(this.argAddress, PvDmpOffset.size));
    return { ...r, gaddr: out.u64(PvDmpOffset.gaddr) };
  }

  dumpInit(vmFd: number): PvResult {
    return this.dump(vmFd, PvDumpCmd.INIT, 0n, 0n, 0n);
  }

  /** CONFIG_STOR_STATE into the user buffer at `buffAddr`; `gaddr` is the updated one (success only). */
  dumpStorState(vmFd: number, buffAddr: bigint, buffLen: bigint, gaddr: bigint): PvResult & { gaddr: bigint } {
    return this.dump(vmFd, PvDumpCmd.CONFIG_STOR_STATE, buffAddr, buffLen, gaddr);
  }

  dumpComplete(vmFd: number, buffAddr: bigint, buffLen: bigint): PvResult {
    return this.dump(vmFd, PvDumpCmd.COMPLETE, buffAddr, buffLen, 0n);
  }

  /** KVM_S390_PV_CPU_COMMAND DUMP / DUMP_CPU into the user buffer at `buffAddr`. */
  dumpCpu(vcpuFd: number, buffAddr: bigint, buffLen: bigint): PvResult & { cmd: number } {
    this.process.memory.write(this.argAddress, encodePvDmp({ subcmd: PvDumpCmd.CPU, buffAddr, buffLen }));
    this.process.memory.write(this.cmdAddress, encodePvCmd({ cmd: PvCmd.DUMP, data: this.argAddress }));
    const ret = retryOnEintr(() => this.process.ioctl(vcpuFd, Ioctl.KVM_S390_PV_CPU_COMMAND, this.cmdAddress));
    const out = decodePvCmd(this.process.memory.read(this.cmdAddress, PvCmdOffset.size));
    return { ret, rc: out.rc, rrc: out.rrc, cmd: out.cmd };
  }

  /** KVM_SET_MP_STATE. */
  setMpState(vcpuFd: number, state: number): number {
    this.process.memory.write(this.argAddress, StructBytes.zeroed(4).setU32(0, state).bytes);
    return this.process.ioctl(vcpuFd, Ioctl.KVM_SET_MP_STATE, this.argAddress);
  }

  /** KVM_S390_SET_INITIAL_PSW. */
  setInitialPsw(vcpuFd: number, psw: { mask: bigint; addr: bigint }): number {
    this.process.memory.write(this.argAddress, StructBytes.zeroed(16).setU64(0, psw.mask).setU64(8, psw.addr).bytes);
    return this.process.ioctl(vcpuFd, Ioctl.KVM_S390_SET_INITIAL_PSW, this.argAddress);
  }

  /** KVM_S390_IRQ with a type and its 16-bit code or 32-bit parameter. */
  injectIrq(vcpuFd: number, type: bigint, code = 0, parameter = 0): number {
    const s = StructBytes.zeroed(72).setU64(0, type);
    if (type === IrqType.INT_SERVICE) s.setU32(IrqOffset.extParams, parameter);
    else s.setU16(IrqOffset.code, code);
    this.process.memory.write(this.argAddress, s.bytes);
    return this.process.ioctl(vcpuFd, Ioctl.KVM_S390_IRQ, this.argAddress);
  }

  /**
   * KVM_S390_IRQ with a program interruption for the instruction the vCPU last exited on: its
   * code (and translation-exception identification); `ilc` in bytes when given (else KVM takes
   * the intercepted instruction's length); `noRewind` leaves the PSW where it is.
   */
  injectProgramInterruption(vcpuFd: number, code: number, options: { ilc?: number; noRewind?: boolean; transExc?: bigint } = {}): number {
    const flags = (options.ilc !== undefined ? PgmFlags.ILC_VALID | (options.ilc & PgmFlags.ILC_MASK) : 0) | (options.noRewind === true ? PgmFlags.NO_REWIND : 0);
    const s = StructBytes.zeroed(IrqOffset.size)
      .setU64(IrqOffset.type, IrqType.PROGRAM_INT)
      .setU16(IrqOffset.pgmCode, code)
      .setU8(IrqOffset.pgmFlags, flags)
      .setU64(IrqOffset.pgmTransExcCode, options.transExc ?? 0n);
    this.process.memory.write(this.argAddress, s.bytes);
    return this.process.ioctl(vcpuFd, Ioctl.KVM_S390_IRQ, this.argAddress);
  }

  /** KVM_S390_GET_IRQ_STATE: the types of the vCPU's pending local interruptions (or -errno). */
  pendingIrqTypes(vcpuFd: number, capacity = 16): bigint[] | number {
    const buffer = this.bufferAddress + 0x800n;
    this.process.memory.write(
      this.argAddress,
      StructBytes.zeroed(IrqStateOffset.size)
        .setU64(IrqStateOffset.buf, buffer)
        .setU32(IrqStateOffset.len, capacity * IrqOffset.size).bytes,
    );
    const r = this.process.ioctl(vcpuFd, Ioctl.KVM_S390_GET_IRQ_STATE, this.argAddress);
    if (r < 0) return r;
    const bytes = new StructBytes(this.process.memory.read(buffer, r));
    return Array.from({ length: r / IrqOffset.size }, (_, i) => bytes.u64(i * IrqOffset.size + IrqOffset.type));
  }

  /** KVM_S390_INTERRUPT on the VM: a floating interruption (service signal, I/O). */
  injectFloating(vmFd: number, type: number, parm: number, parm64 = 0n): number {
    const s = StructBytes.zeroed(InterruptOffset.size).setU32(InterruptOffset.type, type).setU32(InterruptOffset.parm, parm).setU64(InterruptOffset.parm64, parm64);
    this.process.memory.write(this.argAddress, s.bytes);
    return this.process.ioctl(vmFd, Ioctl.KVM_S390_INTERRUPT, this.argAddress);
  }

  /** KVM_S390_MEM_OP SIDA_READ: `size` bytes (at most 4 KiB) of a protected vCPU's SIDA from `offset`, or -errno. */
  sidaRead(vcpuFd: number, offset: number, size: number): Uint8Array | number {
    const r = this.sidaOp(vcpuFd, MemOp.SIDA_READ, offset, size);
    return r !== 0 ? r : this.process.memory.read(this.bufferAddress, size);
  }

  /** KVM_S390_MEM_OP SIDA_WRITE: `data` (at most 4 KiB) into a protected vCPU's SIDA at `offset`; 0 or -errno. */
  sidaWrite(vcpuFd: number, offset: number, data: Uint8Array): number {
    this.process.memory.write(this.bufferAddress, data);
    return this.sidaOp(vcpuFd, MemOp.SIDA_WRITE, offset, data.length);
  }

  /**
   * KVM_S390_MEM_OP LOGICAL_READ of a plain vCPU (at most the 4 KiB buffer), injecting an access
   * exception for the intercepted instruction as QEMU asks: the bytes, a positive
   * program-interruption code, or -errno.
   */
  logicalRead(vcpuFd: number, gaddr: bigint, size: number): Uint8Array | number {
    const r = this.logicalOp(vcpuFd, MemOp.LOGICAL_READ, gaddr, size);
    return r !== 0 ? r : this.process.memory.read(this.bufferAddress, size);
  }

  /** KVM_S390_MEM_OP LOGICAL_WRITE of `data` (at most 4 KiB): 0, a positive program-interruption code, or -errno. */
  logicalWrite(vcpuFd: number, gaddr: bigint, data: Uint8Array): number {
    this.process.memory.write(this.bufferAddress, data);
    return this.logicalOp(vcpuFd, MemOp.LOGICAL_WRITE, gaddr, data.length);
  }

  private logicalOp(vcpuFd: number, op: number, gaddr: bigint, size: number): number {
    if (size > 0x1000) throw new RangeError(`a logical memory operation of ${size} bytes exceeds the 4 KiB buffer`);
    const s = StructBytes.zeroed(MemOpOffset.size_)
      .setU64(MemOpOffset.gaddr, gaddr)
      .setU64(MemOpOffset.flags, MemOpFlags.INJECT_EXCEPTION)
      .setU32(MemOpOffset.size, size)
      .setU32(MemOpOffset.op, op)
      .setU64(MemOpOffset.buf, this.bufferAddress);
    this.process.memory.write(this.argAddress, s.bytes);
    return this.process.ioctl(vcpuFd, Ioctl.KVM_S390_MEM_OP, this.argAddress);
  }

  private sidaOp(vcpuFd: number, op: number, offset: number, size: number): number {
    const s = StructBytes.zeroed(MemOpOffset.size_).setU32(MemOpOffset.size, size).setU32(MemOpOffset.op, op).setU64(MemOpOffset.buf, this.bufferAddress).setU32(MemOpOffset.sidaOffset, offset);
    this.process.memory.write(this.argAddress, s.bytes);
    return this.process.ioctl(vcpuFd, Ioctl.KVM_S390_MEM_OP, this.argAddress);
  }

  /** KVM_GET_REGS: the 16 GPRs. */
  getRegs(vcpuFd: number): bigint[] | number {
    const r = this.process.ioctl(vcpuFd, Ioctl.KVM_GET_REGS, this.argAddress);
    if (r !== 0) return r;
    const s = new StructBytes(this.process.memory.read(this.argAddress, 128));
    return Array.from({ length: 16 }, (_, i) => s.u64(8 * i));
  }
}
