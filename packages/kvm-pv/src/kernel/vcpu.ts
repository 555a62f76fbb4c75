// A KVM vCPU (docs/kvm-pv-api.md §5, §6, §8): KVM_RUN on the s390x-cpu interpreter (plain vCPUs
// directly, protected ones through the UV's secure-CPU run, so the host sees only what an
// interception exposes), the register, reset, MP-state and interrupt ioctls QEMU uses, and
// KVM_S390_PV_CPU_COMMAND (DUMP_CPU) with its write-back rules.
import { gsCbFromWords, gsCbWords } from '@pvdump/s390x-arch';
import { Cpu, PGM_SPECIFICATION, ProgramException, type InstructionInterception, type StopReason, type TodClock } from '@pvdump/s390x-cpu';
import { cloneCpuSnapshot, initialCpuSnapshot, pswIsWait, type CpuSnapshot } from '@pvdump/s390x-cpu/state';
import { PvCpuState, SecureCpuError, secureDiagnoseIntercepted, type GuestStore, type HostExit, type InterceptionCompletion, type SecureCpuExit } from '@pvdump/ultravisor';
import { Errno, ExitReason, InterceptCode, Ioctl, IrqType, MemOp, MemOpFlags, MpState, PgmFlags, PvCmd } from '../uapi/constants.js';
import { FpuOffset, IrqOffset, IrqStateOffset, MemOpOffset, PvCmdOffset, RunOffset, SregsOffset, StructBytes, SyncRegs } from '../uapi/structs.js';
import { handlePvCpuDump } from './pv-dump.js';
import { logicalMemOpArgumentErrno, translateLogicalMemOp } from './logical-mem-op.js';
import { testPendingInterruption } from './test-pending-interruption.js';
import { hostUltravisorCall } from './host-uv-call.js';
import { storeHypervisorInformation } from './store-hypervisor-information.js';
import { extractAndSetStorageAttributes } from './collaborative-memory.js';
import { performTopologyFunction } from './perform-topology-function.js';
import { senseRunningStatus } from './sigp-sense-running.js';
import { ioOperandToSida, isSidaIoInstruction, presentForInterception, type SidaCopyBack } from './secure-io-sida.js';
import { diagnoseYield, type YieldTargets } from './diagnose-yield.js';
import type { PvRcSink, VcpuVm } from './kvm-objects.js';

/** Default instructions per KVM_RUN before it returns -EINTR. */
const DEFAULT_TIME_SLICE = 200_000;

/** Size of the secure instruction data area (one page). */
const SIDA_SIZE = 0x1000;
/** Facility 133: guarded storage, whose controls `kvm_sync_regs` carries (KVM_SYNC_GSCB). */
const GUARDED_STORAGE_FACILITY = 133;

/** An interruption waiting to be delivered (KVM_S390_IRQ). */
interface PendingIrq {
  type: bigint;
  code: number;
  cpuAddress: number;
  parameter: number;
  /** Program interruptions: instruction length code in bytes, and whether the PSW is rewound first. */
  ilc?: number;
  rewind?: boolean;
  transExc?: bigint;
  dataExc?: number;
}

const EXTERNAL_CODE: ReadonlyMap<bigint, number> = new Map([
  [IrqType.INT_EMERGENCY, 0x1201],
  [IrqType.INT_EXTERNAL_CALL, 0x1202],
  [IrqType.INT_SERVICE, 0x2401],
]);

export class KvmVcpu {
  /** User address of this vCPU's `struct kvm_run`. */
  readonly runAddress: bigint;
  /** The run structure's bytes, shared with the process's mapping of it. */
  private readonly runStruct: StructBytes;
  mpState: number = MpState.STOPPED;
  /** The plain vCPU's registers (the SIE state description's view); absent while protected. */
  private cpu: Cpu | undefined;
  private state: CpuSnapshot | undefined;
  /** The interpreter CPU of the last secure run and the state it left (`secureCpuFor`). */
  private secureCpu: Cpu | undefined;
  private secureOut: CpuSnapshot | undefined;
  pvHandle: bigint | undefined = undefined;
  private pvStorage: { origin: number; length: number } | undefined;
  private stateDescription: { origin: number; length: number } | undefined;
  /** GPRs the last PV interception exposed (the host's only view of a protected vCPU). */
  private exposed: number[] = [];
  /** The last exit was an instruction interception not yet completed by re-entering (has_osii). */
  interceptionPending = false;
  /** The hypervisor's register view of a protected vCPU: what interceptions exposed. */
  readonly hostGprs: bigint[] = new Array<bigint>(16).fill(0n);
  /** Length of the last intercepted instruction: the ILC of a program interruption injected for it. */
  private lastInterceptionLength = 0;
  private readonly pending: PendingIrq[] = [];
  /**
   * The secure instruction data area of a protected vCPU (one page, [E] kept here rather than in
   * a host page the SIE block points to): the SIE copies a SERVC's SCCB into it at the
   * interception and back into the guest's page when the host re-enters the CPU.
   */
  private readonly sida = new Uint8Array(SIDA_SIZE);
  /** Where the SIDA goes back to on re-entry (the SCCB, the SYSIB page, an I/O operand) and with which condition codes. */
  private sidaCopyBack: SidaCopyBack | undefined;
  /**
   * Set while the vCPU sleeps in an enabled wait (kvm_s390_handle_wait): the CPU whose PSW and
   * CR0 decide which interruptions wake it, and the TOD value its clock comparator or CPU timer
   * fires at (the kernel's hrtimer; undefined: only an interruption wakes it).
   */
  private sleep: { cpu: Cpu; wakeAt: bigint | undefined } | undefined;

  constructor(
    readonly vm: VcpuVm,
    readonly id: number,
  ) {
    this.runAddress = vm.process.memory.mmapAnonymous(RunOffset.size);
    this.runStruct = new StructBytes(vm.process.memory.sharedBytes(this.runAddress, RunOffset.size));
    // A new vCPU has the initial-reset state (kvm_arch_vcpu_setup), visible in its run structure.
    this.state = initialCpuSnapshot();
    const run = this.run_;
    this.syncOut(run, this.state);
    this.writeRun(run);
  }

  get clock(): TodClock {
    return this.vm.clock;
  }

  private get timeSlice(): number {
    return this.vm.kernel.options.timeSlice ?? DEFAULT_TIME_SLICE;
  }

  /** Whether the vCPU runs (SIGP SENSE RUNNING STATUS): operating, and neither waiting nor asleep in an enabled wait. */
  get running(): boolean {
    if (this.mpState !== MpState.OPERATING || this.sleep !== undefined) return false;
    // A secure CPU's PSW is the UV's; one that waits enabled sleeps.
    if (this.pvHandle !== undefined) return true;
    return !pswIsWait(this.cpu?.getPsw().mask ?? this.state?.psw.mask ?? 0n);
  }

  /** The plain vCPU's CPU, created when first needed on the VM's RAM. */
  private plainCpu(): Cpu | undefined {
    const ram = this.vm.memory;
    if (ram === undefined) return undefined;
    if (this.cpu === undefined || this.cpu.mem !== ram.memory) {
      const snapshot = this.cpu?.snapshot() ?? this.state;
      const options = { cpuAddress: this.id, clock: this.clock, facilities: this.vm.facilities, waitSkipsTime: false };
      this.cpu = new Cpu(ram.memory, snapshot === undefined ? options : { ...options, snapshot });
      const cpu = this.cpu;
      cpu.completeInPlace = (interception) => this.completeInPlace(cpu, interception);
    }
    return this.cpu;
  }

  /** The register snapshot KVM holds for a plain vCPU. */
  private plainSnapshot(): CpuSnapshot | undefined {
    return this.plainCpu()?.snapshot() ?? this.state;
  }

  // ------------------------------------------------------------ protected mode switch

  /** CREATE_SEC_CPU (kvm_s390_pv_create_cpu); -EIO on a UV error, -ENOMEM without memory. */
  makeProtected(sink: PvRcSink): number {
    const vm = this.vm;
    const alloc = vm.kernel.allocator;
    const length = Number(vm.kernel.uvInfo!.cpuStorLen);
    const storage = alloc.alloc(length);
    const sd = storage === undefined ? undefined : alloc.alloc(0x1000);
    if (storage === undefined || sd === undefined) {
      if (storage !== undefined) alloc.release(storage, length);
      return -Errno.ENOMEM;
    }
    const r = vm.uv.createSecureCpu({ configHandle: vm.pv!.handle, cpuNumber: this.id, storageOrigin: BigInt(storage), stateOrigin: BigInt(sd) });
    sink.rc = r.rc;
    sink.rrc = r.rrc;
    if (r.cc !== 0) {
      alloc.release(storage, length);
      alloc.release(sd, 0x1000);
      return -Errno.EIO;
    }
    this.state = this.plainSnapshot();
    this.cpu = undefined;
    this.secureCpu = undefined;
    this.secureOut = undefined;
    this.pvHandle = r.handle;
    this.pvStorage = { origin: storage, length };
    this.stateDescription = { origin: sd, length: 0x1000 };
    this.exposed = [];
    this.interceptionPending = false;
    this.hostGprs.fill(0n);
    this.mpState = MpState.STOPPED;
    this.sleep = undefined;
    return 0;
  }

  /** DESTROY_SEC_CPU (kvm_s390_pv_destroy_cpu). */
  makeUnprotected(sink: PvRcSink): number {
    if (this.pvHandle === undefined) return 0;
    const vm = this.vm;
    const r = vm.uv.destroySecureCpu(this.pvHandle);
    sink.rc = r.rc;
    sink.rrc = r.rrc;
    if (r.cc !== 0) return -Errno.EIO;
    vm.kernel.allocator.release(this.pvStorage!.origin, this.pvStorage!.length);
    vm.kernel.allocator.release(this.stateDescription!.origin, this.stateDescription!.length);
    this.pvHandle = undefined;
    this.secureCpu = undefined;
    this.secureOut = undefined;
    this.exposed = [];
    return 0;
  }

  // ------------------------------------------------------------ ioctls

  ioctl(request: number, arg: bigint): number {
    switch (request) {
      case Ioctl.KVM_RUN:
        return this.run();
      case Ioctl.KVM_S390_PV_CPU_COMMAND:
        return this.pvCpuCommand(arg);
      case Ioctl.KVM_GET_REGS:
        return this.copyOut(arg, this.encodeRegs());
      case Ioctl.KVM_SET_REGS:
        return this.setRegs(arg);
      case Ioctl.KVM_GET_SREGS:
        return this.copyOut(arg, this.encodeSregs());
      case Ioctl.KVM_GET_FPU:
        return this.copyOut(arg, this.encodeFpu());
      case Ioctl.KVM_S390_SET_INITIAL_PSW:
        return this.setInitialPsw(arg);
      case Ioctl.KVM_S390_INITIAL_RESET:
        return this.reset('initial');
      case Ioctl.KVM_S390_NORMAL_RESET:
        return this.reset('normal');
      case Ioctl.KVM_S390_CLEAR_RESET:
        return this.reset('clear');
      case Ioctl.KVM_GET_MP_STATE:
        return this.copyOut(arg, StructBytes.zeroed(4).setU32(0, this.mpState).bytes);
      case Ioctl.KVM_SET_MP_STATE:
        return this.setMpState(arg);
      case Ioctl.KVM_S390_MEM_OP:
        return this.memOp(arg);
      case Ioctl.KVM_S390_IRQ:
        return this.injectIrq(arg);
      case Ioctl.KVM_S390_GET_IRQ_STATE:
        return this.irqState(arg);
      case Ioctl.KVM_S390_STORE_STATUS:
        return this.storeStatus(arg);
      default:
        return -Errno.ENOTTY;
    }
  }

  private copyOut(arg: bigint, bytes: Uint8Array): number {
    return this.vm.process.memory.copyToUser(arg, bytes) ? 0 : -Errno.EFAULT;
  }

  private encodeRegs(): Uint8Array {
    const s = StructBytes.zeroed(128);
    const gprs = this.pvHandle !== undefined ? this.hostGprs : (this.plainSnapshot()?.gprs ?? []);
    gprs.forEach((g, i) => s.setU64(8 * i, g));
    return s.bytes;
  }

  private setRegs(arg: bigint): number {
    const bytes = this.vm.process.memory.copyFromUser(arg, 128);
    if (bytes === undefined) return -Errno.EFAULT;
    const s = new StructBytes(bytes);
    for (let i = 0; i < 16; i++) {
      if (this.pvHandle !== undefined) this.hostGprs[i] = s.u64(8 * i);
      else this.plainCpu()?.setGpr(i, s.u64(8 * i));
    }
    return 0;
  }

  private encodeSregs(): Uint8Array {
    const s = StructBytes.zeroed(SregsOffset.size);
    if (this.pvHandle !== undefined) return s.bytes; // a protected vCPU's access and control registers are the UV's
    const snap = this.plainSnapshot();
    snap?.acrs.forEach((a, i) => s.setU32(SregsOffset.acrs + 4 * i, a));
    snap?.crs.forEach((c, i) => s.setU64(SregsOffset.crs + 8 * i, c));
    return s.bytes;
  }

  private encodeFpu(): Uint8Array {
    const s = StructBytes.zeroed(FpuOffset.size);
    if (this.pvHandle !== undefined) return s.bytes;
    const snap = this.plainSnapshot();
    if (snap !== undefined) {
      s.setU32(FpuOffset.fpc, snap.fpc);
      for (let i = 0; i < 16; i++) s.setU64(FpuOffset.fprs + 8 * i, new DataView(snap.vrs[i]!.buffer, snap.vrs[i]!.byteOffset).getBigUint64(0));
    }
    return s.bytes;
  }

  /** The whole plain register state, for the VMM's dump notes (KVM_GET_ONE_REG-style) [E]. */
  plainRegisters(): CpuSnapshot | undefined {
    return this.pvHandle === undefined ? this.plainSnapshot() : undefined;
  }

  private setInitialPsw(arg: bigint): number {
    const bytes = this.vm.process.memory.copyFromUser(arg, 16);
    if (bytes === undefined) return -Errno.EFAULT;
    const s = new StructBytes(bytes);
    const psw = { mask: s.u64(0), addr: s.u64(8) };
    this.sleep = undefined;
    if (this.pvHandle === undefined) this.plainCpu()?.setPsw(psw);
    this.writeRunPsw(psw);
    return 0;
  }

  private reset(kind: 'normal' | 'initial' | 'clear'): number {
    this.pending.length = 0;
    this.sleep = undefined;
    this.sidaCopyBack = undefined;
    if (this.pvHandle !== undefined) {
      const r = this.vm.uv.resetCpu(this.pvHandle, kind);
      this.exposed = [];
      this.interceptionPending = false;
      this.mpState = MpState.STOPPED;
      return r.cc === 0 ? 0 : -Errno.EINVAL;
    }
    const cpu = this.plainCpu();
    if (cpu !== undefined) {
      if (kind === 'initial') cpu.initialCpuReset();
      else if (kind === 'clear') cpu.clearReset();
      cpu.completeInterception();
      const run = this.run_;
      this.syncOut(run, cpu.snapshot());
      this.writeRun(run);
    }
    return 0;
  }

  private setMpState(arg: bigint): number {
    const bytes = this.vm.process.memory.copyFromUser(arg, 4);
    if (bytes === undefined) return -Errno.EFAULT;
    const state = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0);
    this.vm.userCpuStateControl = true;
    this.sleep = undefined;
    if (this.pvHandle !== undefined) {
      const pvState =
        state === MpState.STOPPED ? PvCpuState.STOPPED : state === MpState.OPERATING ? PvCpuState.OPERATING : state === MpState.LOAD ? PvCpuState.OPERATING_LOAD : state === MpState.CHECK_STOP ? PvCpuState.CHECK_STOP : undefined;
      if (pvState === undefined) return -Errno.ENXIO;
      const r = this.vm.setSecureCpuState(this.pvHandle, pvState);
      if (r.cc !== 0) return -Errno.EINVAL;
      this.mpState = state === MpState.LOAD ? MpState.OPERATING : state;
      return 0;
    }
    if (state === MpState.LOAD) return -Errno.ENXIO;
    if (state !== MpState.STOPPED && state !== MpState.OPERATING && state !== MpState.CHECK_STOP) return -Errno.ENXIO;
    this.mpState = state;
    return 0;
  }

  private injectIrq(arg: bigint): number {
    const r = this.queueIrq(arg);
    if (r === 0) this.vm.process.wakeSleepers();
    return r;
  }

  private queueIrq(arg: bigint): number {
    const bytes = this.vm.process.memory.copyFromUser(arg, IrqOffset.size);
    if (bytes === undefined) return -Errno.EFAULT;
    const s = new StructBytes(bytes);
    const type = s.u64(IrqOffset.type);
    if (type === IrqType.PROGRAM_INT) {
      // As KVM: the ILC from the flags when valid, else the last intercepted instruction's length;
      // the PSW (already past that instruction) is rewound unless NO_REWIND.
      // A protected vCPU takes only the code (KVM's __deliver_prog sets iictl and pgmcode): the
      // SIE presents it for the intercepted instruction, with that instruction's length.
      if (this.pvHandle !== undefined) {
        if (!this.interceptionPending) return -Errno.EINVAL;
        this.pending.unshift({ type, code: s.u16(IrqOffset.pgmCode), cpuAddress: 0, parameter: 0, ilc: this.lastInterceptionLength, rewind: true });
        return 0;
      }
      const flags = s.u8(IrqOffset.pgmFlags);
      const ilc = (flags & PgmFlags.ILC_VALID) !== 0 ? flags & PgmFlags.ILC_MASK : this.lastInterceptionLength;
      this.pending.unshift({ type, code: s.u16(IrqOffset.pgmCode), cpuAddress: 0, parameter: 0, ilc, rewind: (flags & PgmFlags.NO_REWIND) === 0, transExc: s.u64(IrqOffset.pgmTransExcCode), dataExc: s.u32(IrqOffset.pgmDataExcCode) });
      return 0;
    }
    if (type === IrqType.RESTART) {
      this.pending.push({ type, code: 0, cpuAddress: 0, parameter: 0 });
      return 0;
    }
    const code = EXTERNAL_CODE.get(type);
    if (code === undefined) return -Errno.EINVAL;
    if (type === IrqType.INT_SERVICE) this.pending.push({ type, code, cpuAddress: 0, parameter: s.u32(IrqOffset.extParams) });
    else {
      const from = s.u16(IrqOffset.code);
      // One pending emergency signal per sending CPU, one external call at a time (as the SIGP rules).
      if (type === IrqType.INT_EXTERNAL_CALL && this.pending.some((p) => p.type === type)) return -Errno.EBUSY;
      if (type === IrqType.INT_EMERGENCY && this.pending.some((p) => p.type === type && p.cpuAddress === from)) return 0;
      this.pending.push({ type, code, cpuAddress: from, parameter: 0 });
    }
    return 0;
  }

  /**
   * KVM_S390_GET_IRQ_STATE: the pending local interruptions as 72-byte `kvm_s390_irq` records
   * (type, and the emergency / external-call source CPU) into the user buffer; returns the bytes
   * written, -ENOMEM when the buffer is too small.
   */
  private irqState(arg: bigint): number {
    const header = this.vm.process.memory.copyFromUser(arg, IrqStateOffset.size);
    if (header === undefined) return -Errno.EFAULT;
    const h = new StructBytes(header);
    if (h.u32(IrqStateOffset.flags) !== 0) return -Errno.EINVAL;
    const records = this.pending.map((p) => {
      const s = StructBytes.zeroed(IrqOffset.size).setU64(IrqOffset.type, p.type);
      if (p.type === IrqType.INT_EMERGENCY || p.type === IrqType.INT_EXTERNAL_CALL) s.setU16(IrqOffset.code, p.cpuAddress);
      return s.bytes;
    });
    const total = records.length * IrqOffset.size;
    if (total > h.u32(IrqStateOffset.len)) return -Errno.ENOMEM;
    const out = new Uint8Array(total);
    records.forEach((r, i) => out.set(r, i * IrqOffset.size));
    if (total > 0 && !this.vm.process.memory.copyToUser(h.u64(IrqStateOffset.buf), out)) return -Errno.EFAULT;
    return total;
  }

  /** True while an interruption waits (SIGP SENSE reports "external call pending"). */
  hasPending(type: bigint): boolean {
    return this.pending.some((p) => p.type === type);
  }

  /**
   * KVM_S390_STORE_STATUS: the save area at absolute `arg`; -1 (NOADDR) = absolute 0x1200,
   * 1 (PREFIXED) = 0x1200 in the CPU's prefix area.
   */
  private storeStatus(arg: bigint): number {
    if (this.pvHandle !== undefined) return -Errno.EINVAL; // the state of a protected vCPU is not the host's
    const cpu = this.plainCpu();
    if (cpu === undefined) return -Errno.EFAULT;
    const address = arg === 0xffffffffffffffffn ? 0x1200 : arg === 1n ? cpu.prefix + 0x1200 : Number(arg);
    try {
      cpu.storeStatus(address);
    } catch {
      return -Errno.EFAULT;
    }
    return 0;
  }

  /**
   * KVM_S390_MEM_OP (kvm_s390_vcpu_memsida_op): the SIDA operations of a protected vCPU, as QEMU
   * reads and writes a protected guest's SCCB, and the logical read/write of a plain vCPU
   * (logical-mem-op.ts).
   */
  private memOp(arg: bigint): number {
    const user = this.vm.process.memory;
    const bytes = user.copyFromUser(arg, MemOpOffset.size_);
    if (bytes === undefined) return -Errno.EFAULT;
    const mop = new StructBytes(bytes);
    const op = mop.u32(MemOpOffset.op);
    if (op === MemOp.LOGICAL_READ || op === MemOp.LOGICAL_WRITE) return this.logicalMemOp(mop);
    if (op !== MemOp.SIDA_READ && op !== MemOp.SIDA_WRITE) return -Errno.EINVAL;
    const size = mop.u32(MemOpOffset.size);
    const offset = mop.u32(MemOpOffset.sidaOffset);
    // Linux v6.0's order: flags or size 0, a u32 sum that wraps, past the SIDA, then not protected.
    if (mop.u64(MemOpOffset.flags) !== 0n || size === 0) return -Errno.EINVAL;
    if (offset + size > 0xffffffff) return -Errno.EINVAL;
    if (offset + size > SIDA_SIZE) return -Errno.E2BIG;
    if (this.pvHandle === undefined) return -Errno.EINVAL;
    const buf = mop.u64(MemOpOffset.buf);
    if (op === MemOp.SIDA_READ) return user.copyToUser(buf, this.sida.subarray(offset, offset + size)) ? 0 : -Errno.EFAULT;
    const data = user.copyFromUser(buf, size);
    if (data === undefined) return -Errno.EFAULT;
    this.sida.set(data, offset);
    return 0;
  }

  private logicalMemOp(mop: StructBytes): number {
    const op = mop.u32(MemOpOffset.op);
    const flags = mop.u64(MemOpOffset.flags);
    const size = mop.u32(MemOpOffset.size);
    const errno = logicalMemOpArgumentErrno({ flags, size, ar: mop.u8(MemOpOffset.ar) });
    if (errno !== undefined) return -errno;
    const cpu = this.pvHandle === undefined ? this.plainCpu() : undefined;
    if (cpu === undefined) return -Errno.EINVAL;
    const r = translateLogicalMemOp(cpu, { op, gaddr: mop.u64(MemOpOffset.gaddr), size, flags, ar: mop.u8(MemOpOffset.ar), key: mop.u8(MemOpOffset.key) });
    if (r.kind === 'errno') return -r.errno;
    if (r.kind === 'exception') {
      if ((flags & MemOpFlags.INJECT_EXCEPTION) !== 0n) this.pending.unshift({ type: IrqType.PROGRAM_INT, code: r.code, cpuAddress: 0, parameter: 0, ilc: this.lastInterceptionLength, rewind: true, transExc: r.teid });
      return r.code;
    }
    if ((flags & MemOpFlags.CHECK_ONLY) !== 0n) return 0;
    const user = this.vm.process.memory;
    const buf = mop.u64(MemOpOffset.buf);
    const ram = this.vm.memory!.memory;
    if (op === MemOp.LOGICAL_READ) {
      const out = new Uint8Array(size);
      for (const p of r.pieces) out.set(ram.read(p.absolute, p.length), p.offset);
      return user.copyToUser(buf, out) ? 0 : -Errno.EFAULT;
    }
    const data = user.copyFromUser(buf, size);
    if (data === undefined) return -Errno.EFAULT;
    for (const p of r.pieces) ram.write(p.absolute, data.subarray(p.offset, p.offset + p.length));
    return 0;
  }

  // ------------------------------------------------------------ KVM_S390_PV_CPU_COMMAND

  private pvCpuCommand(arg: bigint): number {
    const kernel = this.vm.kernel;
    if (!kernel.isPvHost) return -Errno.EINVAL;
    const user = this.vm.process.memory;
    const bytes = user.copyFromUser(arg, PvCmdOffset.size);
    if (bytes === undefined) return -Errno.EFAULT;
    const cmd = new StructBytes(bytes);
    if (cmd.u32(PvCmdOffset.flags) !== 0) return -Errno.EINVAL;
    if (cmd.u32(PvCmdOffset.cmd) !== PvCmd.DUMP) return -Errno.EINVAL;
    const sink: PvRcSink = {};
    let r = handlePvCpuDump(this, cmd.u64(PvCmdOffset.data), sink);
    // Always copied over: {rc, rrc}, as the caller passed them when no UVC ran.
    const rcRrc = StructBytes.zeroed(4)
      .setU16(0, sink.rc ?? cmd.u16(PvCmdOffset.rc))
      .setU16(2, sink.rrc ?? cmd.u16(PvCmdOffset.rrc)).bytes;
    const at = kernel.options.upstreamCpuRcQuirk === true ? arg : arg + BigInt(PvCmdOffset.rc);
    if (!user.copyToUser(at, rcRrc)) r = -Errno.EFAULT;
    return r;
  }

  // ------------------------------------------------------------ KVM_RUN

  private get run_(): StructBytes {
    return this.runStruct;
  }

  private writeRun(s: StructBytes): void {
    if (s !== this.runStruct) this.runStruct.bytes.set(s.bytes);
  }

  private writeRunPsw(psw: { mask: bigint; addr: bigint }): void {
    const s = this.run_;
    s.setU64(RunOffset.pswMask, psw.mask).setU64(RunOffset.pswAddr, psw.addr);
    this.writeRun(s);
  }

  private run(): number {
    const vm = this.vm;
    // Checked first, before immediate_exit (docs/kvm-pv-api.md §6).
    if (vm.dumping) return -Errno.EINVAL;
    const run = this.run_;
    if (run.u8(RunOffset.immediateExit) !== 0 || vm.vcpusBlocked) {
      run.setU32(RunOffset.exitReason, ExitReason.KVM_EXIT_INTR);
      this.writeRun(run);
      return -Errno.EINTR;
    }
    if (!vm.userCpuStateControl) this.mpState = MpState.OPERATING;
    else if (this.mpState === MpState.STOPPED) return -Errno.EINVAL;
    if (vm.memory === undefined) return -Errno.EFAULT;
    if (this.sleep !== undefined) {
      // [E] The thread would sleep here until woken; one thread runs every vCPU, so KVM_RUN
      // returns as a signal makes it return, and the VMM sleeps in `KvmProcess.sleep`.
      if (!this.woken(this.sleep)) {
        run.setU32(RunOffset.exitReason, ExitReason.KVM_EXIT_INTR);
        this.writeRun(run);
        return -Errno.EINTR;
      }
      this.sleep = undefined;
    }
    return this.pvHandle !== undefined ? this.runProtected(run) : this.runPlain(run);
  }

  private syncedGprs(run: StructBytes): bigint[] | undefined {
    if ((run.u64(RunOffset.kvmDirtyRegs) & SyncRegs.GPRS) === 0n) return undefined;
    return Array.from({ length: 16 }, (_, i) => run.u64(RunOffset.syncGprs + 8 * i));
  }

  private runPlain(run: StructBytes): number {
    const cpu = this.plainCpu()!;
    cpu.setPsw({ mask: run.u64(RunOffset.pswMask), addr: run.u64(RunOffset.pswAddr) });
    const gprs = this.syncedGprs(run);
    if (gprs !== undefined) gprs.forEach((g, i) => cpu.setGpr(i, g));
    if ((run.u64(RunOffset.kvmDirtyRegs) & SyncRegs.PREFIX) !== 0n) cpu.setPrefix(Number(run.u64(RunOffset.syncPrefix)));
    if ((run.u64(RunOffset.kvmDirtyRegs) & SyncRegs.GSCB) !== 0n && this.vm.facilities.includes(GUARDED_STORAGE_FACILITY)) {
      cpu.gsCb = gsCbFromWords(Array.from({ length: 4 }, (_, i) => run.u64(RunOffset.syncGscb + 8 * i)));
    }
    cpu.completeInterception();
    const ram = this.vm.memory!;
    ram.memory.onInaccessibleAccess = undefined;
    const stop = this.runSlice(cpu, (interception) =>
      interception.mnemonic === 'uvc'
        ? this.hostUvCall(cpu, interception)
        : interception.mnemonic === 'tpi'
          ? testPendingInterruption(cpu, this.vm, interception)
          : interception.mnemonic === 'sthyi'
            ? storeHypervisorInformation(cpu, interception)
            : interception.mnemonic === 'essa'
              ? extractAndSetStorageAttributes(cpu, this.vm, interception)
              : interception.mnemonic === 'ptf'
                ? performTopologyFunction(cpu, this.vm, interception)
                : interception.mnemonic === 'sigp' && senseRunningStatus(cpu, (address) => this.vm.vcpuRunning(address), interception),
    );
    if (stop.kind === 'interception' && stop.interception.mnemonic === 'tsch') this.vm.dequeueIo(Number(cpu.getGpr(1) & 0xffffffffn));
    this.syncOutCpu(run, cpu);
    return this.finishRun(run, stop, stop.kind === 'interception' ? InterceptCode.INSTRUCTION : 0);
  }

  /**
   * The interceptions KVM's handler completes with registers and condition code alone and
   * re-enters at once (SIGP SENSE RUNNING STATUS, DIAGNOSE 0x44 and 0x9C): served while the CPU
   * runs, as if the SIE had exited and re-entered. A yield ends the time slice.
   */
  private completeInPlace(cpu: Cpu, interception: InstructionInterception): boolean {
    if (interception.mnemonic === 'sigp') return senseRunningStatus(cpu, (address) => this.vm.vcpuRunning(address), interception);
    const outcome = diagnoseYield(cpu, this.yieldTargets, interception);
    if (outcome === 'yield') cpu.requestStop();
    return outcome !== undefined;
  }

  /** The VM's other vCPUs as DIAGNOSE 0x44 and 0x9C yield to them. */
  private readonly yieldTargets: YieldTargets = {
    anotherCanRun: () => this.vm.otherVcpuRunning(this.id),
    canRun: (cpuAddress) => cpuAddress !== this.id && this.vm.vcpuRunning(cpuAddress) === true,
  };

  /** A plain guest's UVC: served by its own UV when the machine offers one, else the VMM's interception. */
  private hostUvCall(cpu: Cpu, interception: InstructionInterception): boolean {
    const uv = this.vm.guestUltravisor;
    return uv !== undefined && hostUltravisorCall(cpu, uv, this.vm.memory!, interception);
  }

  /** Stores a plain vCPU's registers into the run structure's synced-register area. */
  private syncOut(run: StructBytes, s: CpuSnapshot): void {
    run.setU64(RunOffset.pswMask, s.psw.mask).setU64(RunOffset.pswAddr, s.psw.addr);
    run.setU64(RunOffset.syncPrefix, BigInt(s.prefix));
    for (let i = 0; i < 16; i++) {
      run.setU64(RunOffset.syncGprs + 8 * i, s.gprs[i]!);
      run.setU32(RunOffset.syncAcrs + 4 * i, s.acrs[i]!);
      run.setU64(RunOffset.syncCrs + 8 * i, s.crs[i]!);
    }
    run.setU64(RunOffset.syncTodpr, BigInt(s.todProgrammable)).setU64(RunOffset.syncCputm, s.cpuTimer).setU64(RunOffset.syncCkc, s.clockComparator);
    s.vrs.forEach((v, i) => run.bytes.set(v, RunOffset.syncVrs + 16 * i));
    run.setU32(RunOffset.syncFpc, s.fpc);
    // The guarded-storage controls are synced when the CPU model has the facility (as KVM).
    const gs = this.vm.facilities.includes(GUARDED_STORAGE_FACILITY);
    if (gs) gsCbWords(s.gsCb).forEach((w, i) => run.setU64(RunOffset.syncGscb + 8 * i, w));
    const valid = SyncRegs.PREFIX | SyncRegs.GPRS | SyncRegs.ACRS | SyncRegs.CRS | SyncRegs.ARCH0 | SyncRegs.VRS | (gs ? SyncRegs.GSCB : 0n);
    run.setU64(RunOffset.kvmValidRegs, valid).setU64(RunOffset.kvmDirtyRegs, 0n);
  }

  /** `syncOut` straight from the CPU's registers, without a snapshot (every exit of a plain vCPU). */
  private syncOutCpu(run: StructBytes, cpu: Cpu): void {
    const psw = cpu.getPsw();
    const v = run.view;
    run.setU64(RunOffset.pswMask, psw.mask).setU64(RunOffset.pswAddr, psw.addr);
    v.setUint32(RunOffset.syncPrefix, 0);
    v.setUint32(RunOffset.syncPrefix + 4, cpu.prefix);
    for (let i = 0; i < 32; i++) {
      v.setUint32(RunOffset.syncGprs + 4 * i, cpu.r[i]!);
      v.setUint32(RunOffset.syncCrs + 4 * i, cpu.cr[i]!);
    }
    for (let i = 0; i < 16; i++) v.setUint32(RunOffset.syncAcrs + 4 * i, cpu.acr[i]!);
    run.setU64(RunOffset.syncTodpr, BigInt(cpu.todProgrammable)).setU64(RunOffset.syncCputm, cpu.getCpuTimer()).setU64(RunOffset.syncCkc, cpu.clockComparator);
    run.bytes.set(cpu.vr, RunOffset.syncVrs);
    run.setU32(RunOffset.syncFpc, cpu.fpc >>> 0);
    const gs = cpu.hasFacility(GUARDED_STORAGE_FACILITY);
    if (gs) gsCbWords(cpu.gsCb).forEach((w, i) => run.setU64(RunOffset.syncGscb + 8 * i, w));
    const valid = SyncRegs.PREFIX | SyncRegs.GPRS | SyncRegs.ACRS | SyncRegs.CRS | SyncRegs.ARCH0 | SyncRegs.VRS | (gs ? SyncRegs.GSCB : 0n);
    run.setU64(RunOffset.kvmValidRegs, valid).setU64(RunOffset.kvmDirtyRegs, 0n);
  }

  /** Delivers what is pending and can be taken, then runs one time slice. */
  private runSlice(cpu: Cpu, onInterception?: (interception: InstructionInterception) => boolean): StopReason {
    let budget = this.timeSlice;
    for (;;) {
      this.deliverPending(cpu);
      const stop = cpu.run(budget);
      budget -= stop.executed;
      if (stop.kind === 'interception' && onInterception?.(stop.interception) === true) {
        // Completed in the kernel: the slice goes on, or ends as a plain time-slice end.
        if (budget > 0) continue;
        return { kind: 'budget', executed: stop.executed };
      }
      if (stop.kind === 'wait' && !stop.disabled) {
        if (this.deliverable(cpu)) {
          if (budget > 0) continue;
        } else this.sleep = { cpu, wakeAt: cpu.timerDeadline() };
      }
      return stop;
    }
  }

  /** Whether a sleeping vCPU can run again: an interruption it enables is pending, or its timer is due. */
  private woken(sleep: { cpu: Cpu; wakeAt: bigint | undefined }): boolean {
    return this.deliverable(sleep.cpu) || (sleep.wakeAt !== undefined && this.clock.read() >= sleep.wakeAt);
  }

  /**
   * While the vCPU sleeps in an enabled wait: the TOD value its timer wakes it at (null: only an
   * interruption wakes it); undefined when it does not sleep (it is runnable, or was woken).
   */
  sleepDeadline(): bigint | null | undefined {
    if (this.sleep === undefined || this.mpState !== MpState.OPERATING || this.woken(this.sleep)) return undefined;
    return this.sleep.wakeAt ?? null;
  }

  private deliverable(cpu: Cpu): boolean {
    return this.pending.some((p) => p.type === IrqType.PROGRAM_INT || p.type === IrqType.RESTART || cpu.isExternalInterruptionEnabled(p.code)) || this.vm.floatingDeliverable(cpu);
  }

  /**
   * The SIE's interruption injection: a program interruption for the last intercepted
   * instruction first, then restart, then external interruptions the CPU enables, then the VM's
   * floating ones (service signal, I/O) this CPU enables.
   */
  private deliverPending(cpu: Cpu): void {
    for (let i = 0; i < this.pending.length;) {
      const p = this.pending[i]!;
      if (p.type === IrqType.PROGRAM_INT) {
        const psw = cpu.getPsw();
        const ilc = p.ilc ?? 0;
        if (p.rewind === true) cpu.setPsw({ mask: psw.mask, addr: psw.addr - BigInt(ilc) });
        cpu.deliverProgramInterruption(p.code, ilc, p.dataExc ?? 0, Number(p.transExc ?? 0n));
        this.pending.splice(i, 1);
      } else if (p.type === IrqType.RESTART) {
        cpu.deliverRestartInterruption();
        this.pending.splice(i, 1);
      } else if (cpu.isExternalInterruptionEnabled(p.code)) {
        cpu.deliverExternalInterruption(p.code, p.cpuAddress, p.parameter);
        this.pending.splice(i, 1);
      } else i++;
    }
    this.vm.deliverFloating(cpu);
  }

  private finishRun(run: StructBytes, stop: StopReason | { kind: 'secure'; exit: HostExit }, icptcode: number): number {
    const exitWith = (reason: number, code = 0, ipa = 0, ipb = 0): void => {
      run.setU32(RunOffset.exitReason, reason).setU8(RunOffset.icptcode, code).setU16(RunOffset.ipa, ipa).setU32(RunOffset.ipb, ipb);
      this.writeRun(run);
    };
    const instruction = (bytes: Uint8Array): number => {
      const padded = new Uint8Array(6);
      padded.set(bytes.subarray(0, 6));
      const v = new DataView(padded.buffer);
      exitWith(ExitReason.KVM_EXIT_S390_SIEIC, icptcode, v.getUint16(0), v.getUint32(2));
      return 0;
    };
    if (stop.kind === 'secure') {
      const exit = stop.exit;
      if (exit.kind === 'instruction') {
        this.lastInterceptionLength = exit.interception.bytes.length;
        return instruction(exit.interception.bytes);
      }
      if (exit.reason === 'disabled-wait') {
        exitWith(ExitReason.KVM_EXIT_S390_SIEIC, InterceptCode.WAIT);
        return 0;
      }
      if (exit.reason === 'page-access') return -Errno.EFAULT;
      exitWith(ExitReason.KVM_EXIT_INTR);
      return -Errno.EINTR;
    }
    switch (stop.kind) {
      case 'interception':
        this.lastInterceptionLength = stop.interception.length;
        return instruction(stop.interception.bytes);
      case 'wait':
        if (stop.disabled) {
          exitWith(ExitReason.KVM_EXIT_S390_SIEIC, InterceptCode.WAIT);
          return 0;
        }
        exitWith(ExitReason.KVM_EXIT_INTR);
        return -Errno.EINTR;
      case 'page-access':
        return -Errno.EFAULT;
      default:
        exitWith(ExitReason.KVM_EXIT_INTR);
        return -Errno.EINTR;
    }
  }

  private runProtected(run: StructBytes): number {
    const vm = this.vm;
    const ram = vm.memory!;
    const handle = this.pvHandle!;
    const uv = vm.uv;
    const dirty = this.syncedGprs(run);
    if (dirty !== undefined) dirty.forEach((g, i) => (this.hostGprs[i] = g));
    if ((run.u64(RunOffset.kvmDirtyRegs) & SyncRegs.PREFIX) !== 0n) uv.setSecureCpuPrefix(handle, Number(run.u64(RunOffset.syncPrefix)));
    const completion: InterceptionCompletion = {};
    if (this.interceptionPending) {
      completion.registers = new Map(this.exposed.map((r) => [r, this.hostGprs[r]!]));
      completion.conditionCode = Number((run.u64(RunOffset.pswMask) >> 44n) & 3n);
    }
    ram.memory.onInaccessibleAccess = (access) => ram.guestFault(access.page);
    let exit: HostExit;
    try {
      exit = uv.runSecureCpu(handle, (snapshot, stores) => this.secureRunner(snapshot, stores), completion);
    } catch (e) {
      if (e instanceof SecureCpuError) return -Errno.EINVAL;
      throw e;
    } finally {
      ram.memory.onInaccessibleAccess = undefined;
    }
    this.exposed = [];
    this.hostGprs.fill(0n);
    this.interceptionPending = exit.kind === 'instruction';
    if (exit.kind === 'instruction') {
      for (const [r, value] of exit.interception.registers) {
        this.exposed.push(r);
        this.hostGprs[r] = value;
      }
    }
    for (let i = 0; i < 16; i++) run.setU64(RunOffset.syncGprs + 8 * i, this.hostGprs[i]!);
    run.setU64(RunOffset.kvmValidRegs, SyncRegs.GPRS).setU64(RunOffset.kvmDirtyRegs, 0n);
    run.setU64(RunOffset.pswMask, 0n).setU64(RunOffset.pswAddr, 0n); // the PSW of a secure CPU stays with the UV
    return this.finishRun(run, { kind: 'secure', exit }, InterceptCode.PV_INSTRUCTION);
  }

  /**
   * The SIE hardware running a secure CPU (inside the UV's runSecureCpu): interruptions KVM
   * asked for are injected when the CPU enables them, guest UV calls go to the UV, and an
   * intercepted instruction ends the run (the UV decides which registers the host sees). The
   * UV's `stores` for the completed instruction (a SIGP's status) go into guest storage first.
   */
  private secureRunner(snapshot: CpuSnapshot, stores: readonly GuestStore[]): SecureCpuExit {
    const vm = this.vm;
    const ram = vm.memory!;
    const cpu = this.secureCpuFor(snapshot);
    if (this.sidaCopyBack !== undefined) {
      // Re-entry completes the instruction: the SIDA goes back into the guest's operand, unless
      // a program interruption is presented for it or its condition code stores nothing.
      const { pieces, storedOn } = this.sidaCopyBack;
      this.sidaCopyBack = undefined;
      if (!this.pending.some((p) => p.type === IrqType.PROGRAM_INT) && storedOn(cpu.cc)) {
        let offset = 0;
        for (const { absolute, length } of pieces) {
          if (this.importForSie(absolute)) ram.memory.write(absolute, this.sida.subarray(offset, offset + length));
          offset += length;
        }
      }
    }
    for (const { absolute, bytes } of stores) this.storeForUv(absolute, bytes);
    // STHYI and ESSA are KVM's own for a protected vCPU too (handle_sthyi fills the SIDA, the SIE
    // copies it; handle_essa works on the exposed registers).
    const stop = this.runSlice(cpu, (interception) => {
      switch (interception.mnemonic) {
        case 'uvc':
          return this.guestUvCall(cpu, interception);
        case 'servc':
          return this.servcToSida(cpu, interception);
        case 'stsi':
          return this.stsiToSida(cpu, interception);
        case 'sthyi':
          return storeHypervisorInformation(cpu, interception);
        case 'ptf':
          return performTopologyFunction(cpu, this.vm, interception);
        case 'essa':
          return extractAndSetStorageAttributes(cpu, this.vm, interception);
        case 'diag':
          return this.diagnoseNotIntercepted(cpu, interception);
        case 'tpi':
          return testPendingInterruption(cpu, this.vm, interception);
        default:
          return isSidaIoInstruction(interception.mnemonic) && this.ioToSida(cpu, interception);
      }
    });
    if (stop.kind === 'interception' && stop.interception.mnemonic === 'tsch') this.vm.dequeueIo(Number(cpu.getGpr(1) & 0xffffffffn));
    Object.assign(snapshot, cpu.snapshot());
    this.secureOut = cloneCpuSnapshot(snapshot);
    vm.kernel.options.secureStateProbe?.(this.id, cpu.snapshot());
    if (stop.kind === 'interception') return { kind: 'instruction', instruction: stop.interception.bytes };
    if (stop.kind === 'wait') return { kind: 'other', reason: stop.disabled ? 'disabled-wait' : 'enabled-wait' };
    return { kind: 'other', reason: stop.kind };
  }

  /** Writes `bytes` at guest absolute `absolute` for the UV, page by page, importing each page. */
  private storeForUv(absolute: number, bytes: Uint8Array): void {
    const ram = this.vm.memory!;
    for (let offset = 0; offset < bytes.length;) {
      const at = absolute + offset;
      const n = Math.min(bytes.length - offset, 0x1000 - (at % 0x1000));
      if (this.importForSie(at)) ram.memory.write(at, bytes.subarray(offset, offset + n));
      offset += n;
    }
  }

  /**
   * A DIAGNOSE the UV does not pass to the host (@pvdump/ultravisor secure-diagnose.ts): the
   * secure CPU takes a specification exception (true: run on); the others intercept (false).
   */
  private diagnoseNotIntercepted(cpu: Cpu, interception: InstructionInterception): boolean {
    if (secureDiagnoseIntercepted(Number((interception.operandAddress ?? 0n) & 0xffffn))) return false;
    presentForInterception(cpu, interception, PGM_SPECIFICATION);
    return true;
  }

  /**
   * The interpreter CPU that runs the secure CPU's state `snapshot`: the one of the last run (its
   * compiled code and TLB kept, as the SIE hardware keeps its own between entries) when the
   * state is what that run left but for GPRs and the PSW (the host's completion of an
   * interception), which are then loaded alone; else a CPU loaded with the whole state.
   */
  private secureCpuFor(snapshot: CpuSnapshot): Cpu {
    const ram = this.vm.memory!;
    const kept = this.secureCpu;
    const last = this.secureOut;
    if (kept !== undefined && last !== undefined && kept.mem === ram.memory && sameBeyondGprsAndPsw(snapshot, last)) {
      for (let i = 0; i < 16; i++) if (snapshot.gprs[i] !== last.gprs[i]) kept.setGpr(i, snapshot.gprs[i]!);
      kept.setPsw(snapshot.psw);
      kept.completeInterception();
      return kept;
    }
    const cpu = new Cpu(ram.memory, { cpuAddress: this.id, snapshot, clock: this.clock, facilities: this.vm.secureFacilities, waitSkipsTime: false });
    cpu.completeInPlace = (interception) => this.completeInPlace(cpu, interception);
    this.secureCpu = cpu;
    return cpu;
  }

  /** Makes the guest page holding `absolute` accessible to the SIE (importing it); false if it cannot be. */
  private importForSie(absolute: number): boolean {
    const ram = this.vm.memory!;
    const page = Math.floor(absolute / 0x1000);
    return absolute < ram.size && (ram.memory.isPageAccessible(page) || ram.guestFault(page).kind === 'retry');
  }

  /** The absolute address of real address `real` of `cpu` (prefixing). */
  private absoluteOfReal(cpu: Cpu, real: number): number {
    const prefix = cpu.prefix;
    return real < 0x2000 ? real + prefix : real >= prefix && real < prefix + 0x2000 ? real - prefix : real;
  }

  /**
   * A SERVC of a secure CPU (SCCB at the real address in R2): the SCCB, as long as its header
   * says and at most to the end of its page, is copied into the SIDA and the host intercepts
   * (false). [E] The SIE checks the address first, as the host does for a plain guest (QEMU's
   * sclp_service_call), since the host knows neither a secure CPU's prefix nor its storage and
   * QEMU checks no address for a protected guest: outside guest memory an addressing exception;
   * not doubleword aligned, at or above 2 GiB, in real 0–8 KiB or in the prefix area a
   * specification exception (true: run on).
   */
  private servcToSida(cpu: Cpu, interception: InstructionInterception): boolean {
    const ram = this.vm.memory!;
    const refuse = (code: number): boolean => {
      presentForInterception(cpu, interception, code);
      return true;
    };
    const real = cpu.getGpr(interception.fields.R2 ?? 0);
    if (real + 8n > BigInt(ram.size)) return refuse(0x05);
    const pair = real & ~0x1fffn;
    if ((real & ~0x7ffffff8n & 0xffffffffffffffffn) !== 0n || pair === 0n || pair === BigInt(cpu.prefix)) return refuse(0x06);
    const absolute = this.absoluteOfReal(cpu, Number(real));
    if (!this.importForSie(absolute)) return refuse(0x05);
    const length = Math.min(Math.max(ram.memory.readU16(absolute), 8), 0x1000 - (absolute % 0x1000));
    this.sida.fill(0);
    this.sida.set(ram.memory.read(absolute, length));
    this.sidaCopyBack = { pieces: [{ absolute, length }], storedOn: () => true };
    return false;
  }

  /**
   * An STSI of a secure CPU storing a SYSIB (function code 1-3, or 15 the topology, in R0 bits 32-35): its operand page
   * goes into the SIDA, the host stores the SYSIB there (KVM's handle_stsi writes the SIDA of a
   * protected vCPU) and re-entry copies it back. [E] The SIE checks the operand first: not on a
   * 4 KiB boundary a specification exception, outside guest memory an addressing exception, and
   * DAT's own exceptions; the host then never sees the address (true: run on). Function code 0
   * and the other codes above 3 store nothing: the host answers from R0 alone (false, nothing copied).
   */
  private stsiToSida(cpu: Cpu, interception: InstructionInterception): boolean {
    const fc = Number((cpu.getGpr(0) >> 28n) & 0xfn);
    if (fc === 0 || (fc > 3 && fc !== 15)) return false;
    const logical = interception.operandAddress ?? 0n;
    const refuse = (code: number): boolean => {
      presentForInterception(cpu, interception, code);
      return true;
    };
    if ((logical & 0xfffn) !== 0n) return refuse(0x06);
    let absolute: number;
    try {
      absolute = cpu.absolute(Number(logical), true);
    } catch (e) {
      if (e instanceof ProgramException) return refuse(e.code);
      throw e;
    }
    if (!this.importForSie(absolute)) return refuse(0x05);
    this.sida.set(this.vm.memory!.memory.read(absolute, SIDA_SIZE));
    this.sidaCopyBack = { pieces: [{ absolute, length: SIDA_SIZE }], storedOn: () => true };
    return false;
  }

  /** A channel-subsystem instruction of a secure CPU: its operand through the SIDA (secure-io-sida.ts); true when the SIE presented an exception itself. */
  private ioToSida(cpu: Cpu, interception: InstructionInterception): boolean {
    const ram = this.vm.memory!;
    const r = ioOperandToSida(cpu, interception, { sida: this.sida, importForSie: (a) => this.importForSie(a), read: (a, n) => ram.memory.read(a, n) });
    if (r.kind === 'presented') return true;
    this.sidaCopyBack = r.copyBack;
    return false;
  }

  /** A guest UVC (RRF: control block at the real address in R2): the UV answers it directly. */
  private guestUvCall(cpu: Cpu, interception: InstructionInterception): boolean {
    const ram = this.vm.memory!;
    const real = Number(cpu.getGpr(interception.fields.R2 ?? 0) & 0x7fffffffffffn);
    const prefix = cpu.prefix;
    const absolute = real < 0x2000 ? real + prefix : real >= prefix && real < prefix + 0x2000 ? real - prefix : real;
    const page = Math.floor(absolute / 0x1000);
    if (absolute + 8 > ram.size || Math.floor((absolute + 7) / 0x1000) !== page) {
      presentForInterception(cpu, interception, 0x05);
      return true;
    }
    if (!ram.memory.isPageAccessible(page) && ram.guestFault(page).kind !== 'retry') {
      presentForInterception(cpu, interception, 0x05);
      return true;
    }
    const len = Math.min(Math.max(ram.memory.readU16(absolute), 8), 0x1000 - (absolute % 0x1000));
    const block = ram.memory.read(absolute, len);
    const cc = this.vm.uv.guestCall(this.pvHandle!, block);
    if (ram.memory.isPageAccessible(page)) ram.memory.write(absolute, block);
    cpu.cc = cc;
    cpu.completeInterception();
    return true;
  }
}

/** Whether two CPU states agree in everything but the GPRs and the PSW. */
function sameBeyondGprsAndPsw(a: CpuSnapshot, b: CpuSnapshot): boolean {
  if (a.prefix !== b.prefix || a.fpc !== b.fpc || a.cpuTimer !== b.cpuTimer || a.clockComparator !== b.clockComparator || a.todProgrammable !== b.todProgrammable || a.bear !== b.bear) return false;
  for (let i = 0; i < 16; i++) if (a.crs[i] !== b.crs[i] || a.acrs[i] !== b.acrs[i]) return false;
  for (let i = 0; i < a.vrs.length; i++) {
    const x = a.vrs[i]!;
    const y = b.vrs[i];
    if (y === undefined || x.length !== y.length || x.some((byte, j) => byte !== y[j])) return false;
  }
  const g = a.gsCb;
  const h = b.gsCb;
  return Object.keys(g).every((k) => g[k as keyof typeof g] === h[k as keyof typeof h]);
}
