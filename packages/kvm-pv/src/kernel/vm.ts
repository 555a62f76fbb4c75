// A KVM VM (docs/kvm-pv-api.md §4, §6): memory slots, vCPUs, the VM ioctls, and
// KVM_S390_PV_COMMAND with Linux v6.0's check order, errno values and rc/rrc write-back:
// (1) user-controlled CPU state, (2) not a PV host → -EINVAL, (3) copy in → -EFAULT,
// (4) flags ≠ 0 → -EINVAL, (5) the handler, (6) the whole struct copied back (→ -EFAULT).
import { CONFIGURATION_TOPOLOGY_FACILITY, HostTodClock, type Cpu, type TodClock } from '@pvdump/s390x-cpu';
import { MACHINE_MINIMUM_UV_STORAGE_ORIGIN, PvCpuState, Ultravisor, secureGuestFacilities, type UvResult } from '@pvdump/ultravisor';
import { Errno, Ioctl, IRQ_IO_MAX, IrqType, MemoryRegionFlags, MpState, PvCmd, PvInfoId, VmAttr } from '../uapi/constants.js';
import { CmmaLogOffset, CpuProcessorOffset, DeviceAttrOffset, InterruptOffset, MemoryRegionOffset, PvCmdOffset, PvDmpOffset, PvInfoOffset, PvSecParmOffset, PvUnpOffset, StructBytes } from '../uapi/structs.js';
import { CollaborativeMemory, type CmmaLog } from './collaborative-memory.js';
import type { GuestRam } from './guest-ram.js';
import { PAGE_SIZE } from './host-memory.js';
import type { IoInterruption, KvmHost, PvRcSink, ProtectedState, VcpuVm, VmProcess } from './kvm-objects.js';
import { handlePvDump } from './pv-dump.js';
import { KvmVcpu } from './vcpu.js';

/** The SE header SET_SEC_PARMS accepts: at most two pages (8 KiB). */
const SE_HEADER_MAX = 2 * PAGE_SIZE;
const SCA_SIZE = 0x4000;

export interface MemorySlot {
  slot: number;
  guestPhysAddr: bigint;
  size: number;
  userspaceAddr: bigint;
  ram: GuestRam;
  /** KVM_MEM_LOG_DIRTY_PAGES and the other `kvm_userspace_memory_region` flags. */
  flags: number;
}

type FloatingIrq = { kind: 'service'; parameter: number } | IoInterruption;
const SERVICE_SIGNAL_CODE = 0x2401;

export class KvmVm implements VcpuVm {
  readonly slots: MemorySlot[] = [];
  readonly vcpus: KvmVcpu[] = [];
  pv: ProtectedState | undefined = undefined;
  /** The per-VM dump flag (docs/kvm-pv-api.md §6): KVM state, not UV state. */
  dumping = false;
  /** Every vCPU blocked from SIE entry (kvm_s390_vcpu_block_all). */
  vcpusBlocked = false;
  /** Set by the first KVM_S390_PV_COMMAND: user space controls the CPU states. */
  userCpuStateControl = false;
  /** Collaborative memory management (KVM_S390_VM_MEM_CTRL, ESSA). */
  readonly cmma = new CollaborativeMemory();
  /** The SCA's topology-change report: a vCPU joining sets it, PTF function code 2 reads and clears it. */
  topologyChangeReport = false;

  /** The VM's TOD clock, shared by its vCPUs. */
  readonly clock: TodClock;
  /** Floating interruptions (KVM_S390_INTERRUPT): the first vCPU that enables one takes it. */
  private readonly floating: FloatingIrq[] = [];

  constructor(
    readonly kernel: KvmHost,
    readonly process: VmProcess,
  ) {
    this.clock = kernel.options.clock?.() ?? new HostTodClock();
  }

  get memory(): GuestRam | undefined {
    return this.slots[0]?.ram;
  }

  /** Total guest RAM (the secure configuration's storage length). */
  get guestSize(): number {
    return this.slots.reduce((n, s) => Math.max(n, Number(s.guestPhysAddr) + s.size), 0);
  }

  ioctl(request: number, arg: bigint): number {
    switch (request) {
      case Ioctl.KVM_CHECK_EXTENSION:
        return this.kernel.checkExtension(Number(arg));
      case Ioctl.KVM_SET_USER_MEMORY_REGION:
        return this.setMemoryRegion(arg);
      case Ioctl.KVM_CREATE_VCPU:
        return this.createVcpu(Number(arg));
      case Ioctl.KVM_S390_PV_COMMAND:
        return this.pvCommand(arg);
      case Ioctl.KVM_S390_INTERRUPT:
        return this.injectFloating(arg);
      case Ioctl.KVM_SET_DEVICE_ATTR:
        return this.setAttribute(arg);
      case Ioctl.KVM_GET_DEVICE_ATTR:
        return this.getAttribute(arg);
      case Ioctl.KVM_S390_GET_CMMA_BITS:
        return this.getCmmaBits(arg);
      case Ioctl.KVM_S390_SET_CMMA_BITS:
        return this.setCmmaBits(arg);
      default:
        return -Errno.ENOTTY;
    }
  }

  /** The facilities of the VM's CPU model (STFLE): the kernel's until the VMM sets a processor. */
  get facilities(): readonly number[] {
    return this.modelFacilities ?? this.kernel.guestFacilities;
  }

  private modelFacilities: readonly number[] | undefined;

  /** The facilities a secure CPU of this VM sees: the model's as the UV presents them. */
  get secureFacilities(): readonly number[] {
    const model = this.facilities;
    if (this.secureFacilityCache?.model !== model) this.secureFacilityCache = { model, secure: secureGuestFacilities(model) };
    return this.secureFacilityCache.secure;
  }

  private secureFacilityCache: { model: readonly number[]; secure: readonly number[] } | undefined;

  /**
   * KVM_SET_DEVICE_ATTR (kvm_s390_vm_set_attr): the memory controls (group 0: ENABLE_CMMA,
   * -EBUSY once a vCPU exists; CLR_CMMA, -EINVAL without CMMA), the CPU model's processor
   * (group 3, attr 0: cpuid, ibc, facility list), refused with -EBUSY once a vCPU exists, and
   * the topology-change report (group 5: set when attr is non-zero, else cleared; -ENXIO
   * without facility 11 in the model); other attributes -ENXIO. [E] The facilities are those of
   * the list the interpreter also has (KVM keeps what the host has); cpuid and ibc are not used.
   */
  private setAttribute(arg: bigint): number {
    const bytes = this.process.memory.copyFromUser(arg, DeviceAttrOffset.size);
    if (bytes === undefined) return -Errno.EFAULT;
    const attr = new StructBytes(bytes);
    if (attr.u32(DeviceAttrOffset.group) === VmAttr.MEM_CTRL) return this.setMemoryControl(attr.u64(DeviceAttrOffset.attr));
    if (attr.u32(DeviceAttrOffset.group) === VmAttr.MIGRATION) return this.setMigration(attr.u64(DeviceAttrOffset.attr));
    if (attr.u32(DeviceAttrOffset.group) === VmAttr.CPU_TOPOLOGY) {
      if (!this.facilities.includes(CONFIGURATION_TOPOLOGY_FACILITY)) return -Errno.ENXIO;
      this.topologyChangeReport = attr.u64(DeviceAttrOffset.attr) !== 0n;
      return 0;
    }
    if (attr.u32(DeviceAttrOffset.group) !== VmAttr.CPU_MODEL || attr.u64(DeviceAttrOffset.attr) !== BigInt(VmAttr.CPU_PROCESSOR)) return -Errno.ENXIO;
    if (this.vcpus.length > 0) return -Errno.EBUSY;
    const processor = this.process.memory.copyFromUser(attr.u64(DeviceAttrOffset.addr), CpuProcessorOffset.size);
    if (processor === undefined) return -Errno.EFAULT;
    const list = processor.subarray(CpuProcessorOffset.facList, CpuProcessorOffset.facList + CpuProcessorOffset.facListSize);
    this.modelFacilities = this.kernel.guestFacilities.filter((bit) => ((list[bit >> 3] ?? 0) & (0x80 >> (bit & 7))) !== 0);
    return 0;
  }

  /** KVM_S390_VM_MEM_CTRL (kvm_s390_set_mem_control) for CMMA; the memory limit and other attributes are -ENXIO. */
  private setMemoryControl(attr: bigint): number {
    switch (attr) {
      case BigInt(VmAttr.MEM_ENABLE_CMMA):
        if (this.vcpus.length > 0) return -Errno.EBUSY;
        this.cmma.enabled = true;
        return 0;
      case BigInt(VmAttr.MEM_CLR_CMMA):
        if (!this.cmma.enabled) return -Errno.EINVAL;
        if (this.memory !== undefined) CollaborativeMemory.reset(this.memory);
        return 0;
      default:
        return -Errno.ENXIO;
    }
  }

  /** KVM_S390_VM_MIGRATION: START (every page's CMMA state dirty), STOP; other attributes -ENXIO. */
  private setMigration(attr: bigint): number {
    if (attr === BigInt(VmAttr.MIGRATION_START)) {
      const slot = this.slots[0];
      return this.cmma.startMigration(slot === undefined ? undefined : slot.size / PAGE_SIZE, slot !== undefined && (slot.flags & MemoryRegionFlags.LOG_DIRTY_PAGES) !== 0);
    }
    if (attr !== BigInt(VmAttr.MIGRATION_STOP)) return -Errno.ENXIO;
    this.cmma.stopMigration();
    return 0;
  }

  /** KVM_GET_DEVICE_ATTR: the migration status (a u64, 1 in migration mode) only; other attributes -ENXIO. */
  private getAttribute(arg: bigint): number {
    const bytes = this.process.memory.copyFromUser(arg, DeviceAttrOffset.size);
    if (bytes === undefined) return -Errno.EFAULT;
    const attr = new StructBytes(bytes);
    if (attr.u32(DeviceAttrOffset.group) !== VmAttr.MIGRATION || attr.u64(DeviceAttrOffset.attr) !== BigInt(VmAttr.MIGRATION_STATUS)) return -Errno.ENXIO;
    const status = StructBytes.zeroed(8).setU64(0, this.cmma.migrationMode ? 1n : 0n);
    return this.process.memory.copyToUser(attr.u64(DeviceAttrOffset.addr), status.bytes) ? 0 : -Errno.EFAULT;
  }

  private readCmmaLog(arg: bigint): CmmaLog | undefined {
    const bytes = this.process.memory.copyFromUser(arg, CmmaLogOffset.size);
    if (bytes === undefined) return undefined;
    const s = new StructBytes(bytes);
    return { startGfn: s.u64(CmmaLogOffset.startGfn), count: s.u32(CmmaLogOffset.count), flags: s.u32(CmmaLogOffset.flags), remaining: s.u64(CmmaLogOffset.remaining), values: s.u64(CmmaLogOffset.values) };
  }

  /** KVM_S390_GET_CMMA_BITS: the values copied out (-EFAULT), the log copied back only on success. */
  private getCmmaBits(arg: bigint): number {
    const log = this.readCmmaLog(arg);
    if (log === undefined) return -Errno.EFAULT;
    const got = this.cmma.getBits(log, this.memory?.storageAttributes ?? new Uint8Array(0));
    if (got.result !== 0 && got.values.length === 0) return got.result;
    let result = got.result;
    if (got.values.length > 0 && !this.process.memory.copyToUser(log.values, got.values)) result = -Errno.EFAULT;
    if (result !== 0) return result;
    const out = StructBytes.zeroed(CmmaLogOffset.size).setU64(CmmaLogOffset.startGfn, got.log.startGfn).setU32(CmmaLogOffset.count, got.log.count).setU32(CmmaLogOffset.flags, got.log.flags);
    out.setU64(CmmaLogOffset.remaining, got.log.remaining).setU64(CmmaLogOffset.values, got.log.values);
    return this.process.memory.copyToUser(arg, out.bytes) ? 0 : -Errno.EFAULT;
  }

  /** KVM_S390_SET_CMMA_BITS: checks, the values copied in (-EFAULT), then the states set. */
  private setCmmaBits(arg: bigint): number {
    const log = this.readCmmaLog(arg);
    if (log === undefined) return -Errno.EFAULT;
    const checked = this.cmma.checkSetBits(log);
    if (checked !== 0 || log.count === 0) return checked;
    const values = this.process.memory.copyFromUser(log.values, log.count);
    if (values === undefined) return -Errno.EFAULT;
    return this.cmma.setBits(log, values, this.memory?.storageAttributes ?? new Uint8Array(0));
  }

  private setMemoryRegion(arg: bigint): number {
    const bytes = this.process.memory.copyFromUser(arg, MemoryRegionOffset.size);
    if (bytes === undefined) return -Errno.EFAULT;
    const s = new StructBytes(bytes);
    const slot = s.u32(MemoryRegionOffset.slot);
    const guestPhysAddr = s.u64(MemoryRegionOffset.guestPhysAddr);
    const size = Number(s.u64(MemoryRegionOffset.memorySize));
    const userspaceAddr = s.u64(MemoryRegionOffset.userspaceAddr);
    if (guestPhysAddr % BigInt(PAGE_SIZE) !== 0n || size % PAGE_SIZE !== 0 || userspaceAddr % BigInt(PAGE_SIZE) !== 0n) return -Errno.EINVAL;
    if (this.pv !== undefined) return -Errno.EINVAL; // [E] memory of a protected VM is fixed
    const existing = this.slots.findIndex((m) => m.slot === slot);
    if (size === 0) {
      if (existing >= 0) this.slots.splice(existing, 1);
      return 0;
    }
    const mapped = this.process.memory.guestRamAt(userspaceAddr, size);
    // [E] a slot must cover one whole guest RAM mapping, at guest address 0 (one RAM block,
    // docs/elf-core-format.md §6).
    if (mapped === undefined || mapped.offset !== 0 || mapped.ram.size !== size || guestPhysAddr !== 0n || (existing < 0 && this.slots.length > 0)) return -Errno.EINVAL;
    const entry = { slot, guestPhysAddr, size, userspaceAddr, ram: mapped.ram, flags: s.u32(MemoryRegionOffset.flags) };
    if (existing >= 0) this.slots[existing] = entry;
    else this.slots.push(entry);
    return 0;
  }

  /**
   * KVM_S390_INTERRUPT: a service signal (parm = the SCCB address and the event-pending bit; a
   * pending one absorbs the new parameter's pending bit, as the SCLP has one signal) or an I/O
   * interruption (type KVM_S390_INT_IO: parm = subsystem-identification word, parm64 =
   * interruption parameter << 32 | interruption-identification word, whose bits 2-4 are the ISC).
   */
  private injectFloating(arg: bigint): number {
    const r = this.queueFloating(arg);
    if (r === 0) this.process.wakeSleepers();
    return r;
  }

  private queueFloating(arg: bigint): number {
    const bytes = this.process.memory.copyFromUser(arg, InterruptOffset.size);
    if (bytes === undefined) return -Errno.EFAULT;
    const s = new StructBytes(bytes);
    const type = s.u32(InterruptOffset.type);
    const parm = s.u32(InterruptOffset.parm);
    if (type === Number(IrqType.INT_SERVICE)) {
      const pending = this.floating.find((f) => f.kind === 'service');
      if (pending !== undefined) pending.parameter = ((pending.parameter & ~3) | parm) >>> 0;
      else this.floating.push({ kind: 'service', parameter: parm });
      return 0;
    }
    if (type <= IRQ_IO_MAX) {
      const parm64 = s.u64(InterruptOffset.parm64);
      this.floating.push({ kind: 'io', subsystemId: parm, parameter: Number(parm64 >> 32n), identification: Number(parm64 & 0xffffffffn) });
      return 0;
    }
    return -Errno.EINVAL;
  }

  private floatingEnabled(cpu: Cpu, f: FloatingIrq): boolean {
    if (f.kind === 'service') return cpu.isExternalInterruptionEnabled(SERVICE_SIGNAL_CODE);
    const isc = (f.identification >>> 27) & 7;
    return cpu.ioEnabled && (cpu.getCr(6) & (0x80000000n >> BigInt(isc))) !== 0n;
  }

  vcpuRunning(cpuAddress: number): boolean | undefined {
    return this.vcpus.find((v) => v.id === cpuAddress)?.running;
  }

  otherVcpuRunning(cpuAddress: number): boolean {
    return this.vcpus.some((v) => v.id !== cpuAddress && v.running);
  }

  /** Whether `cpu` can take a floating interruption now. */
  floatingDeliverable(cpu: Cpu): boolean {
    return this.floating.some((f) => this.floatingEnabled(cpu, f));
  }

  /** Delivers to `cpu` the floating interruptions it enables (service signal first, then I/O in order). */
  deliverFloating(cpu: Cpu): void {
    for (let i = 0; i < this.floating.length;) {
      const f = this.floating[i]!;
      if (!this.floatingEnabled(cpu, f)) {
        i++;
        continue;
      }
      this.floating.splice(i, 1);
      if (f.kind === 'service') cpu.deliverExternalInterruption(SERVICE_SIGNAL_CODE, 0, f.parameter);
      else cpu.deliverIoInterruption(f.subsystemId, f.parameter, f.identification);
      // The new PSW masks what follows until the guest enables again.
      return;
    }
  }

  /**
   * TEST PENDING INTERRUPTION takes the oldest floating I/O interruption of a subclass `cr6`
   * enables, whatever the PSW's I/O mask (kvm_s390_get_io_int).
   */
  takeIo(cr6: bigint): IoInterruption | undefined {
    const i = this.floating.findIndex((f) => f.kind === 'io' && (cr6 & (0x80000000n >> BigInt((f.identification >>> 27) & 7))) !== 0n);
    if (i < 0) return undefined;
    const f = this.floating.splice(i, 1)[0]!;
    return f.kind === 'io' ? f : undefined;
  }

  /** Puts back an I/O interruption TEST PENDING INTERRUPTION could not store (its operand faulted). */
  returnIo(io: IoInterruption): void {
    this.floating.unshift(io);
  }

  /** TEST SUBCHANNEL clears the subchannel's status: its pending I/O interruption goes (as KVM's handle_tsch). */
  dequeueIo(subsystemId: number): void {
    const i = this.floating.findIndex((f) => f.kind === 'io' && f.subsystemId === subsystemId);
    if (i >= 0) this.floating.splice(i, 1);
  }

  private createVcpu(id: number): number {
    if (!Number.isInteger(id) || id < 0 || id > 247) return -Errno.EINVAL;
    if (this.vcpus.some((v) => v.id === id)) return -Errno.EEXIST;
    if (this.pv !== undefined) return -Errno.EINVAL; // [E] vCPUs join before the switch to protected mode
    const vcpu = new KvmVcpu(this, id);
    this.vcpus.push(vcpu);
    if (this.facilities.includes(CONFIGURATION_TOPOLOGY_FACILITY)) this.topologyChangeReport = true;
    return this.process.install({ kind: 'vcpu', vcpu });
  }

  // ---------------------------------------------------------------- KVM_S390_PV_COMMAND

  private pvCommand(arg: bigint): number {
    this.userCpuStateControl = true;
    if (!this.kernel.isPvHost) return -Errno.EINVAL;
    const user = this.process.memory;
    const bytes = user.copyFromUser(arg, PvCmdOffset.size);
    if (bytes === undefined) return -Errno.EFAULT;
    const cmd = new StructBytes(bytes);
    if (cmd.u32(PvCmdOffset.flags) !== 0) return -Errno.EINVAL;
    const sink: PvRcSink = {};
    let r = this.runPvCommand(cmd.u32(PvCmdOffset.cmd), cmd.u64(PvCmdOffset.data), sink);
    if (sink.rc !== undefined) cmd.setU16(PvCmdOffset.rc, sink.rc);
    if (sink.rrc !== undefined) cmd.setU16(PvCmdOffset.rrc, sink.rrc);
    if (!user.copyToUser(arg, cmd.bytes)) r = -Errno.EFAULT;
    return r;
  }

  private runPvCommand(command: number, data: bigint, sink: PvRcSink): number {
    switch (command) {
      case PvCmd.ENABLE:
        return this.pvEnable(sink);
      case PvCmd.DISABLE:
        return this.pvDisable(sink);
      case PvCmd.SET_SEC_PARMS:
        return this.pvSetSecParms(data, sink);
      case PvCmd.UNPACK:
        return this.pvUnpack(data, sink);
      case PvCmd.VERIFY:
        return this.pvNodata((h) => this.uv.verify(h), sink);
      case PvCmd.PREP_RESET:
        return this.pvNodata((h) => this.uv.prepareReset(h), sink);
      case PvCmd.UNSHARE_ALL:
        return this.pvNodata((h) => this.uv.setUnshareAll(h), sink);
      case PvCmd.INFO:
        return this.pvInfo(data);
      case PvCmd.DUMP: {
        if (this.pv === undefined) return -Errno.EINVAL;
        const user = this.process.memory;
        const bytes = user.copyFromUser(data, PvDmpOffset.size);
        if (bytes === undefined) return -Errno.EFAULT;
        const dmp = new StructBytes(bytes);
        const r = handlePvDump(this, dmp, sink);
        if (r !== 0) return r;
        return user.copyToUser(data, dmp.bytes) ? 0 : -Errno.EFAULT;
      }
      default:
        return -Errno.ENOTTY;
    }
  }

  /** The guest's own UV (option `guestUltravisor`) and the RAM it works on; made at the first UVC. */
  private guestUv: { ram: GuestRam; uv: Ultravisor } | undefined;

  /**
   * The UV a plain guest acting as host calls [E]: its host storage is the guest's absolute
   * storage; pages it takes (donated, secure) become inaccessible to the guest's CPUs; INIT_UV
   * counts the vCPUs in the operating state and wants storage at or above 2 GiB, as the machine.
   */
  get guestUltravisor(): Ultravisor | undefined {
    const ram = this.memory;
    if (this.kernel.options.guestUltravisor !== true || ram === undefined) return undefined;
    if (this.guestUv?.ram !== ram) {
      const uv = new Ultravisor({
        storage: ram.memory,
        ...(this.kernel.options.random === undefined ? {} : { random: this.kernel.options.random }),
        onHostPageChange: (page, accessible) => ram.memory.setPageAccessible(page, accessible),
        runningHostCpus: () => this.vcpus.filter((v) => v.mpState === MpState.OPERATING).length,
        minimumUvStorageOrigin: MACHINE_MINIMUM_UV_STORAGE_ORIGIN,
      });
      this.guestUv = { ram, uv };
    }
    return this.guestUv.uv;
  }

  /** [E] The machine reset the guest acting as host (DIAGNOSE 0x308 load normal or clear): its UV ends everything. */
  resetGuestUltravisor(): void {
    this.guestUv?.uv.reset();
  }

  get uv(): NonNullable<KvmHost['uv']> {
    const uv = this.kernel.uv;
    if (uv === undefined) throw new Error('no Ultravisor on this host');
    return uv;
  }

  private report(sink: PvRcSink, r: UvResult): void {
    sink.rc = r.rc;
    sink.rrc = r.rrc;
  }

  private pvNodata(call: (handle: bigint) => UvResult, sink: PvRcSink): number {
    if (this.pv === undefined) return -Errno.EINVAL;
    const r = call(this.pv.handle);
    this.report(sink, r);
    return r.cc === 0 ? 0 : -Errno.EINVAL;
  }

  /** KVM_PV_ENABLE: CREATE_SEC_CONF (cc ≠ 0 → -EIO), then CREATE_SEC_CPU for every vCPU. */
  private pvEnable(sink: PvRcSink): number {
    if (this.pv !== undefined) return -Errno.EINVAL;
    const info = this.kernel.uvInfo!;
    const ram = this.memory;
    const guestSize = this.guestSize;
    const alloc = this.kernel.allocator;
    const baseLength = Number(info.confBasePhysStorLen);
    const variableLength = Math.ceil((Number(info.confVirtVarStorLen) * Math.floor(guestSize / 0x100000)) / PAGE_SIZE) * PAGE_SIZE + Number(info.confBaseVirtStorLen);
    const base = alloc.alloc(baseLength);
    const variable = base === undefined ? undefined : alloc.alloc(variableLength);
    const sca = variable === undefined ? undefined : alloc.alloc(SCA_SIZE);
    if (base === undefined || variable === undefined || sca === undefined) {
      if (base !== undefined) alloc.release(base, baseLength);
      if (variable !== undefined) alloc.release(variable, variableLength);
      return -Errno.ENOMEM;
    }
    const hostOrigin = ram?.hostOrigin ?? 0;
    const created = this.uv.createSecureConfiguration({
      guestStorageLength: BigInt(guestSize),
      guestAsce: BigInt(hostOrigin) | 0x107n,
      baseStorageOrigin: BigInt(base),
      variableStorageOrigin: BigInt(variable),
      sca: BigInt(sca),
    });
    this.report(sink, created);
    if (created.cc !== 0) {
      alloc.release(base, baseLength);
      alloc.release(variable, variableLength);
      alloc.release(sca, SCA_SIZE);
      return -Errno.EIO;
    }
    this.pv = { handle: created.handle, baseStorage: { origin: base, length: baseLength }, variableStorage: { origin: variable, length: variableLength }, sca: { origin: sca, length: SCA_SIZE }, secParmsSet: false };
    ram?.becomeProtected(created.handle);
    for (const vcpu of this.vcpus) {
      const r = vcpu.makeProtected(sink);
      if (r !== 0) {
        this.teardown({});
        return r;
      }
    }
    return 0;
  }

  /** KVM_PV_DISABLE: destroy the secure CPUs and the configuration; `dumping` is left alone (v6.0). */
  private pvDisable(sink: PvRcSink): number {
    if (this.pv === undefined) return -Errno.EINVAL;
    return this.teardown(sink);
  }

  private teardown(sink: PvRcSink): number {
    const pv = this.pv!;
    let failed = false;
    for (const vcpu of this.vcpus) if (vcpu.makeUnprotected(sink) !== 0) failed = true;
    const r = this.uv.destroySecureConfiguration(pv.handle);
    this.report(sink, r);
    if (r.cc !== 0) return -Errno.EIO;
    const alloc = this.kernel.allocator;
    alloc.release(pv.baseStorage.origin, pv.baseStorage.length);
    alloc.release(pv.variableStorage.origin, pv.variableStorage.length);
    alloc.release(pv.sca.origin, pv.sca.length);
    this.pv = undefined;
    this.memory?.becomeUnprotected();
    return failed ? -Errno.EIO : 0;
  }

  /** KVM_PV_SET_SEC_PARMS: the SE header from user memory to the UV (cc ≠ 0 → -EINVAL). */
  private pvSetSecParms(data: bigint, sink: PvRcSink): number {
    if (this.pv === undefined) return -Errno.EINVAL;
    const user = this.process.memory;
    const bytes = user.copyFromUser(data, PvSecParmOffset.size);
    if (bytes === undefined) return -Errno.EFAULT;
    const parm = new StructBytes(bytes);
    const length = parm.u64(PvSecParmOffset.length);
    if (length > BigInt(SE_HEADER_MAX)) return -Errno.EINVAL;
    const alloc = this.kernel.allocator;
    const buffer = alloc.alloc(Number(length));
    if (buffer === undefined) return -Errno.ENOMEM;
    try {
      const header = user.copyFromUser(parm.u64(PvSecParmOffset.origin), Number(length));
      if (header === undefined) return -Errno.EFAULT;
      this.kernel.memory.write(buffer, header);
      const r = this.uv.setSecureConfigurationParameters(this.pv.handle, BigInt(buffer), Number(length));
      this.report(sink, r);
      if (r.cc !== 0) return -Errno.EINVAL;
      this.pv.secParmsSet = true;
      return 0;
    } finally {
      this.kernel.memory.write(buffer, new Uint8Array(Number(length)));
      alloc.release(buffer, Number(length));
    }
  }

  /** KVM_PV_UNPACK: UNPACK_IMG page by page, tweak[1] = the page's offset in the component. */
  private pvUnpack(data: bigint, sink: PvRcSink): number {
    if (!this.pv?.secParmsSet) return -Errno.EINVAL;
    const bytes = this.process.memory.copyFromUser(data, PvUnpOffset.size);
    if (bytes === undefined) return -Errno.EFAULT;
    const unp = new StructBytes(bytes);
    const addr = unp.u64(PvUnpOffset.addr);
    const size = unp.u64(PvUnpOffset.length);
    const tweak = unp.u64(PvUnpOffset.tweak);
    const page = BigInt(PAGE_SIZE);
    if (addr % page !== 0n || size === 0n || size % page !== 0n) return -Errno.EINVAL;
    for (let offset = 0n; offset < size; offset += page) {
      const r = this.uv.unpack(this.pv.handle, addr + offset, tweak, offset);
      this.report(sink, r);
      if (r.cc !== 0) return -Errno.EINVAL;
    }
    return 0;
  }

  /** KVM_PV_INFO (docs/kvm-pv-api.md §4.2): no protection needed; rc/rrc untouched. */
  private pvInfo(data: bigint): number {
    const user = this.process.memory;
    const header = user.copyFromUser(data, PvInfoOffset.headerSize);
    if (header === undefined) return -Errno.EFAULT;
    const h = new StructBytes(header);
    const lenMax = h.u32(PvInfoOffset.lenMax);
    if (lenMax < PvInfoOffset.headerSize) return -Errno.EINVAL;
    const info = this.kernel.uvInfo!;
    const out = StructBytes.zeroed(PvInfoOffset.vmSize);
    out.bytes.set(header);
    let written: number;
    switch (h.u32(PvInfoOffset.id)) {
      case PvInfoId.VM:
        written = PvInfoOffset.vmSize;
        if (lenMax < written) return -Errno.EINVAL;
        info.installedCalls.forEach((w, i) => out.setU64(PvInfoOffset.vmInstCallsList + 8 * i, w));
        out.setU64(PvInfoOffset.vmMaxCpus, BigInt(info.maxGuestCpuId) + 1n);
        out.setU64(PvInfoOffset.vmMaxGuests, BigInt(info.maxNumSecConf));
        out.setU64(PvInfoOffset.vmMaxGuestAddr, (info.maxGuestStorAddr + 0xfffn) & ~0xfffn);
        out.setU64(PvInfoOffset.vmFeatureIndication, info.uvFeatureIndications);
        break;
      case PvInfoId.DUMP:
        written = PvInfoOffset.dumpSize;
        if (lenMax < written) return -Errno.EINVAL;
        out.setU64(PvInfoOffset.dumpCpuBufferLen, info.cpuStorLen);
        out.setU64(PvInfoOffset.dumpConfigMemBufferPer1m, info.confDumpStorageStateLen);
        out.setU64(PvInfoOffset.dumpConfigFinalizeLen, info.confDumpFinalizeLen);
        break;
      default:
        return -Errno.EINVAL;
    }
    out.setU32(PvInfoOffset.lenWritten, written);
    return user.copyToUser(data, out.bytes.subarray(0, written)) ? 0 : -Errno.EFAULT;
  }

  /** CPU_SET_STATE for a protected vCPU (KVM_SET_MP_STATE). */
  setSecureCpuState(handle: bigint, state: (typeof PvCpuState)[keyof typeof PvCpuState]): UvResult {
    return this.uv.setCpuState(handle, state);
  }
}
