// A QEMU-like machine on the KVM ioctls (docs/kvm-pv-api.md §9): guest RAM in one block at 0,
// 1-N vCPUs, plain ELF guests started like `-kernel`, raw images (Secure Execution boot images)
// loaded at 0 and started from their short IPL PSW, protected guests switched to protected mode
// (ENABLE, INFO, SET_SEC_PARMS, UNPACK per component, VERIFY, PREP_RESET, CPU states) by the
// guest's DIAGNOSE 0x308 subcode 10 (pv-ipl.ts) or, skipping stage3a, directly from an SE
// image's IPL parameter block and SE header through the same steps, and a round-robin
// vCPU loop handling the interceptions user space owns: SIGP, SERVC (the SCLP console),
// DIAGNOSE and the disabled wait (a guest panic).
import { CONFIGURATION_TOPOLOGY_FACILITY } from '@pvdump/s390x-cpu';
import { IPL_PSW_MASK, loadElfSegments, readElfImage } from '@pvdump/s390x-cpu/baremetal';
import { pswInvalidReason, shortPswHasFormatBit, shortPswToPsw, type Psw } from '@pvdump/s390x-cpu/state';
import { ImageError, PvIplBlockOffset, readGenprotimgImage, type GenprotimgImage } from '@pvdump/ultravisor/protected-image';
import { UNPACK_FACILITY, type HostKernel, type KvmProcess } from '../kernel/host-kernel.js';
import { KvmApi, type PvResult } from '../api/kvm-api.js';
import { Capability, Errno, ExitReason, InterceptCode, Ioctl, IrqType, MpState, VmAttr, errnoName, ioInterruptType } from '../uapi/constants.js';
import { RunOffset, StructBytes, SyncRegs, type PvInfoDump, type PvInfoVm } from '../uapi/structs.js';
import { MachineError, type HostMachine, type MachineStop, type VcpuHandle } from './host.js';
import { Sclp, protectedVmMaxCpus } from './sclp.js';
import { handleSigp } from './sigp.js';
import { DiagnoseDispatcher } from './diag.js';
import { handleStsi } from './stsi.js';
import { handleTestBlock } from './test-block.js';
import { CpuTopology, TopologyError, defaultGeometry, type CpuPlacement, type TopologyGeometry } from './topology.js';
import { handlePtf, setTopologyChangeReport } from './ptf.js';
import { Watchdog, type WatchdogAction } from './diag288.js';
import { keepPvIplBlock, registerPvIpl, switchToProtected, type PvIplMachine, type UnpackComponent } from './pv-ipl.js';
import { Diag308Rc } from './diag308.js';
import { ChannelSubsystem } from './css/channel-subsystem.js';
import { CHANNEL_INSTRUCTIONS, handleChannelInstruction } from './css/instructions.js';

const MIB = 1024 * 1024;
/** Where QEMU starts a Linux-style kernel and puts its command line (hw/s390x/ipl.c). */
const KERNEL_IMAGE_START = 0x10000n;
const KERNEL_PARM_AREA = 0x10480;
const KERNEL_PARM_SIZE = 896;

export interface MachineOptions {
  kernel: HostKernel;
  /** Guest RAM in bytes: a whole number of MiB (one block at 0). */
  memorySize: number;
  /** Number of vCPUs (default 1). */
  cpus?: number;
  /** Receives what the guest writes to the SCLP console. */
  console?: (text: string) => void;
  /** Most CPUs the machine can have (QEMU `-smp …,maxcpus=`); default: the CPUs it has. */
  maxCpus?: number;
  /** Addresses of CPUs added after the `cpus` boot CPUs (QEMU `-device …-s390x-cpu,core-id=N`), in order. */
  extraCpuAddresses?: readonly number[];
  /** The `-smp` geometry (drawers, books, sockets, cores; product = maxCpus); default one socket of maxCpus cores. */
  topology?: TopologyGeometry;
  /** Where CPUs sit and their entitlement and dedication, by CPU address (`-device …,socket-id=,entitlement=`); default from the address. */
  cpuPlacements?: ReadonlyMap<number, CpuPlacement>;
  /** The guest's name (QEMU `-name`) and UUID (`--uuid`), shown by STSI 3.2.2. */
  guestName?: string;
  uuid?: string;
  /** Number of virtio-net-ccw devices on the channel subsystem (QEMU `-device virtio-net-ccw`). */
  virtioNetCcw?: number;
  /** The DIAGNOSE 0x288 watchdog (QEMU `-device diag288`) with its `--watchdog-action`. */
  watchdog?: { action: WatchdogAction };
  /** Receives the VMM's error reports (QEMU's `error_report` lines, e.g. a failed protected switch). */
  log?: (line: string) => void;
  /**
   * CPU features switched on or off (QEMU `-cpu MODEL,vx=off,gs=off`): `vx` (the vector
   * facility 129 and the facilities built on it), `gs` (guarded storage, 133). Off withdraws them
   * from the CPU model; on requires the host's CPU to have them. Default: the host's model.
   */
  cpuFeatures?: Readonly<Record<string, boolean>>;
  /**
   * Confidential-guest support for Secure Execution (QEMU `-machine confidential-guest-support=pv0
   * -object s390-pv-guest,id=pv0`): checked when the machine is built, as QEMU ≥ 8.0 does before
   * it loads the kernel: the CPU model must have the unpack facility (161) and maxCpus must not
   * exceed `protectedVmMaxCpus` (else a MachineError with QEMU's message).
   */
  confidentialGuestSupport?: boolean;
}

/** The facilities each switchable CPU feature stands for: the first one, then those that need it (QEMU's dependencies). */
const CPU_FEATURE_FACILITIES: Readonly<Record<string, readonly number[]>> = {
  // vector; vector packed decimal (134), enhancements 1 (135), 2 (148), packed-decimal
  // enhancement (152), NNPA (165), packed-decimal enhancement 2 (192), enhancements 3 (198),
  // packed-decimal enhancement 3 (199)
  vx: [129, 134, 135, 148, 152, 165, 192, 198, 199],
  gs: [133],
  ctop: [CONFIGURATION_TOPOLOGY_FACILITY],
};

/** The CPU model's facilities: the host's, with `features` switched (a MachineError when one is not offered). */
export function cpuModelFacilities(host: readonly number[], features: Readonly<Record<string, boolean>>): number[] {
  let facilities = [...host];
  for (const [name, on] of Object.entries(features)) {
    const bits = CPU_FEATURE_FACILITIES[name];
    if (bits === undefined) throw new MachineError(`CPU feature ${name} is not known to this machine (${Object.keys(CPU_FEATURE_FACILITIES).join(', ')})`);
    if (on && !host.includes(bits[0]!)) throw new MachineError(`CPU feature ${name}=on: facility ${bits[0]} is not available on this host`);
    if (!on) facilities = facilities.filter((f) => !bits.includes(f));
  }
  return facilities;
}

/** QEMU's checks of confidential-guest support (hw/s390x/pv.c s390_pv_kvm_init), made once the CPU model is known. */
function checkConfidentialGuestSupport(facilities: readonly number[], maxCpus: number): void {
  if (!facilities.includes(UNPACK_FACILITY)) throw new MachineError('CPU model does not support Protected Virtualization');
  const limit = protectedVmMaxCpus(facilities);
  if (maxCpus > limit) throw new MachineError(`Protected VMs support a maximum of ${limit} CPUs`);
}

export { MachineError, type MachineStop, type VcpuHandle } from './host.js';
export type { UnpackComponent } from './pv-ipl.js';

/**
 * The IPL PSW of a raw image (QEMU `-kernel` of a file that is not ELF): its first doubleword as
 * an 8-byte PSW (bit 12 set) converted to the 16-byte form, or undefined when the image is too
 * short or that PSW is not valid (docs/s390x-cpu.md §2).
 */
export function rawImageIplPsw(image: Uint8Array): Psw | undefined {
  if (image.length < 8) return undefined;
  const view = new DataView(image.buffer, image.byteOffset, 8);
  const word0 = view.getUint32(0);
  if (!shortPswHasFormatBit(word0)) return undefined;
  const psw = shortPswToPsw(word0, view.getUint32(4));
  return pswInvalidReason(psw) === undefined ? psw : undefined;
}

export class VirtualMachine implements HostMachine, PvIplMachine {
  readonly process: KvmProcess;
  readonly api: KvmApi;
  readonly kvmFd: number;
  readonly vmFd: number;
  readonly ramAddress: bigint;
  readonly memorySize: number;
  readonly vcpus: VcpuHandle[] = [];
  /** Set by the switch to protected mode. */
  protected_ = false;
  /** KVM_PV_INFO results, read when the guest entered protected mode (only with capability 217). */
  pvInfo: { vm: PvInfoVm; dump: PvInfoDump } | undefined;
  /** The PV IPL parameter block DIAGNOSE 0x308 subcode 8 set (QEMU's `iplb_pv`), as the guest gave it. */
  pvIplBlock: Uint8Array | undefined;
  consoleText = '';
  readonly maxCpus: number;
  readonly guestName: string | undefined;
  readonly uuid: string | undefined;
  readonly sclp: Sclp;
  readonly diagnose: DiagnoseDispatcher;
  readonly watchdog: Watchdog | undefined;
  /** The channel subsystem with the `-device virtio-net-ccw` devices (css/). */
  readonly css: ChannelSubsystem;
  /** The CPU model's facilities (STFLE), after `cpuFeatures`. */
  readonly facilities: readonly number[];
  readonly topology: CpuTopology;
  /** vCPUs whose last exit is not handled yet: they re-enter on their next turn. */
  private readonly yielded = new Set<number>();
  /** Each vCPU's mapped run structure, by vCPU id. */
  private readonly runViews = new Map<number, StructBytes>();
  /** KVM_RUN calls the run loop made (its work: a sleeping guest makes few). */
  kvmRunCalls = 0;
  /** Plain vCPUs in a disabled wait (QEMU halts them; the machine stops when none runs). */
  readonly halted = new Set<number>();
  /** Each vCPU's page-fault handshake token (DIAGNOSE 0x258). */
  readonly pfaultTokens = new Map<number, bigint>();
  /** The IPL parameter block DIAGNOSE 0x308 subcode 5 set (none for a `-kernel` boot). */
  iplParameterBlock: Uint8Array | undefined;
  /** The plain kernel and command line `loadElf` loaded, or the raw image `loadRawImage` loaded, for a re-IPL. */
  private kernelImage: { path: string; commandLine: string } | { raw: Uint8Array } | undefined;
  private readonly consoleSink: ((text: string) => void) | undefined;

  constructor(readonly options: MachineOptions) {
    const { kernel, memorySize } = options;
    if (!Number.isInteger(memorySize) || memorySize <= 0 || memorySize % MIB !== 0) throw new MachineError(`guest memory of ${memorySize} bytes is not a whole number of MiB`);
    this.memorySize = memorySize;
    this.process = kernel.createProcess();
    this.api = new KvmApi(this.process);
    this.consoleSink = options.console;
    this.kvmFd = this.api.openKvm();
    this.vmFd = this.check(this.api.createVm(this.kvmFd), 'KVM_CREATE_VM');
    this.ramAddress = this.process.mmapGuestRam(memorySize);
    this.check(this.api.setMemoryRegion(this.vmFd, { slot: 0, guestPhysAddr: 0n, size: BigInt(memorySize), userspaceAddr: this.ramAddress }), 'KVM_SET_USER_MEMORY_REGION');
    const addresses = [...Array.from({ length: options.cpus ?? 1 }, (_, i) => i), ...(options.extraCpuAddresses ?? [])];
    this.maxCpus = options.maxCpus ?? addresses.length;
    if (addresses.length > this.maxCpus || addresses.some((a) => a >= this.maxCpus)) throw new MachineError(`CPU addresses ${addresses.join(', ')} do not fit maxcpus ${this.maxCpus}`);
    if (new Set(addresses).size !== addresses.length) throw new MachineError(`CPU addresses ${addresses.join(', ')} are not unique`);
    try {
      this.topology = new CpuTopology(options.topology ?? defaultGeometry(this.maxCpus), this.maxCpus);
      for (const id of addresses) this.topology.place(id, options.cpuPlacements?.get(id));
    } catch (e) {
      if (e instanceof TopologyError) throw new MachineError(e.message);
      throw e;
    }
    this.sclp = new Sclp(this);
    this.css = new ChannelSubsystem(this, options.virtioNetCcw ?? 0);
    this.watchdog = options.watchdog === undefined ? undefined : new Watchdog(this, options.watchdog.action);
    this.diagnose = new DiagnoseDispatcher(this, this.watchdog);
    registerPvIpl(this.diagnose, this);
    this.guestName = options.guestName;
    this.uuid = options.uuid;
    this.facilities = cpuModelFacilities(kernel.guestFacilities, options.cpuFeatures ?? {});
    if (options.cpuFeatures !== undefined) this.check(this.api.setCpuProcessor(this.vmFd, this.facilities), 'KVM_SET_DEVICE_ATTR (CPU model)');
    if (options.confidentialGuestSupport === true) checkConfidentialGuestSupport(this.facilities, this.maxCpus);
    // The CPU model has CMM: QEMU enables CMMA before it creates the vCPUs.
    this.check(this.api.setVmAttribute(this.vmFd, VmAttr.MEM_CTRL, VmAttr.MEM_ENABLE_CMMA), 'KVM_SET_DEVICE_ATTR (ENABLE_CMMA)');
    for (const id of addresses) {
      const fd = this.check(this.api.createVcpu(this.vmFd, id), `KVM_CREATE_VCPU ${id}`);
      const run = this.process.mmapVcpu(fd);
      if (typeof run !== 'bigint') throw new MachineError(`mmap of vCPU ${id} failed: ${errnoName(run)}`);
      this.vcpus.push({ id, fd, run });
    }
  }

  private check(r: number, what: string): number {
    if (r < 0) throw new MachineError(`${what} failed: ${errnoName(r)}`);
    return r;
  }

  private checkPv(r: PvResult, what: string): void {
    if (r.ret !== 0) throw new MachineError(`KVM PV command ${what} failed: header rc ${r.rc.toString(16)} rrc ${r.rrc.toString(16)} IOCTL rc: ${r.ret} (${errnoName(r.ret)})`);
  }

  /** Reads guest memory through the process's mapping (the host path: secure pages get exported). */
  readGuest(gaddr: number, length: number): Uint8Array {
    return this.process.memory.read(this.ramAddress + BigInt(gaddr), length);
  }

  writeGuest(gaddr: number, data: Uint8Array): void {
    this.process.memory.write(this.ramAddress + BigInt(gaddr), data);
  }

  /**
   * Loads a plain ELF guest like QEMU `-kernel`: segments at their physical addresses, CPU 0 at
   * the entry; a kernel entered at 0x10000 (or 0x800) gets the command line (`-append`, default
   * empty) NUL-terminated at 0x10480, over the image.
   */
  loadElf(path: string, commandLine = ''): void {
    this.kernelImage = { path, commandLine };
    const image = readElfImage(path);
    loadElfSegments(image, { size: this.memorySize, write: (address, data) => this.writeGuest(address, data) });
    if (image.entry === KERNEL_IMAGE_START || image.entry === 0x800n) {
      const text = Buffer.from(`${commandLine}\0`, 'latin1');
      if (text.length > KERNEL_PARM_SIZE) throw new MachineError(`the kernel command line is ${text.length - 1} bytes; at most ${KERNEL_PARM_SIZE - 1} fit at 0x10480`);
      this.writeGuest(KERNEL_PARM_AREA, text);
    }
    this.check(this.api.setInitialPsw(this.vcpus[0]!.fd, { mask: IPL_PSW_MASK, addr: image.entry }), 'KVM_S390_SET_INITIAL_PSW');
    this.check(this.api.setMpState(this.vcpus[0]!.fd, MpState.OPERATING), 'KVM_SET_MP_STATE');
    for (const v of this.vcpus.slice(1)) this.check(this.api.setMpState(v.fd, MpState.STOPPED), 'KVM_SET_MP_STATE');
  }

  /**
   * Loads a raw image at absolute 0 as QEMU `-kernel` loads a file that is not ELF, and starts
   * CPU 0 at the short (8-byte) IPL PSW in its first doubleword, converted as the IPL does.
   */
  loadRawImage(image: Uint8Array): void {
    if (image.length > this.memorySize) throw new MachineError(`the image of ${image.length} bytes does not fit in ${this.memorySize / MIB} MiB of guest memory`);
    const psw = rawImageIplPsw(image);
    if (psw === undefined) throw new MachineError(`the image does not start with a valid short (8-byte) IPL PSW${image.length < 8 ? `: it has only ${image.length} bytes` : ''}`);
    this.writeGuest(0, image);
    this.kernelImage = { raw: image };
    this.check(this.api.setInitialPsw(this.vcpus[0]!.fd, psw), 'KVM_S390_SET_INITIAL_PSW');
    this.check(this.api.setMpState(this.vcpus[0]!.fd, MpState.OPERATING), 'KVM_SET_MP_STATE');
    for (const v of this.vcpus.slice(1)) this.check(this.api.setMpState(v.fd, MpState.STOPPED), 'KVM_SET_MP_STATE');
  }

  /**
   * Boots a Secure Execution image (genprotimg's layout) protected without running its
   * non-secure stage3a: the image at absolute 0 as `loadRawImage` puts it, then what stage3a
   * asks for — the PV IPL parameter block with the SE header's address filled in, checked and
   * kept as DIAGNOSE 0x308 subcode 8 does — and subcode 10's VMM steps (`switchToProtected`)
   * with CPU 0 as the boot CPU. Throws `MachineError` when the image is not in that layout or a
   * step fails (the VM is then plain again); returns the image as read.
   */
  bootSecureImage(bytes: Uint8Array): GenprotimgImage {
    let image: GenprotimgImage;
    try {
      image = readGenprotimgImage(bytes);
    } catch (e) {
      if (e instanceof ImageError) throw new MachineError(e.message);
      throw e;
    }
    this.loadRawImage(bytes);
    const block = image.iplBlockBytes.slice();
    new DataView(block.buffer).setBigUint64(PvIplBlockOffset.seHeaderAddress, BigInt(image.seHeaderAddress));
    if (keepPvIplBlock(this, block) !== Diag308Rc.OK) throw new MachineError(`the image's PV IPL parameter block at 0x${image.iplBlockAddress.toString(16)} is refused (DIAGNOSE 0x308 subcode 8 would answer 0x0402)`);
    try {
      switchToProtected(this, this.vcpus[0]!);
    } catch (e) {
      if (e instanceof MachineError) this.unprotect();
      throw e;
    }
    return image;
  }

  /**
   * The protected-mode switch (QEMU's s390_machine_protect and the PV load of the boot CPU):
   * KVM_PV_ENABLE, KVM_PV_INFO VM and DUMP (with capability 217), SET_SEC_PARMS with the SE
   * header from user memory, one UNPACK per component, VERIFY, PREP_RESET, `bootCpu`
   * operating-load and the others stopped. Throws `MachineError` naming the failed command; the
   * VM may then be protected with a partial image (`unprotect` undoes it).
   */
  protect(seHeader: Uint8Array, components: readonly UnpackComponent[], bootCpu: VcpuHandle): void {
    const api = this.api;
    if (api.checkExtension(this.kvmFd, Capability.KVM_CAP_S390_PROTECTED) !== 1) throw new MachineError('this host cannot run protected guests (KVM_CAP_S390_PROTECTED is 0: no Ultravisor)');
    this.checkPv(api.enable(this.vmFd), '0 (KVM_PV_ENABLE)');
    this.protected_ = true;
    if (api.checkExtension(this.vmFd, Capability.KVM_CAP_S390_PROTECTED_DUMP) === 1) {
      const vm = api.infoVm(this.vmFd);
      this.checkPv(vm, '7 (KVM_PV_INFO VM)');
      const dump = api.infoDump(this.vmFd);
      this.checkPv(dump, '7 (KVM_PV_INFO DUMP)');
      this.pvInfo = { vm: vm.info!, dump: dump.info! };
    }
    const header = api.place(seHeader);
    try {
      this.checkPv(api.setSecParms(this.vmFd, header, BigInt(seHeader.length)), '2 (KVM_PV_SET_SEC_PARMS)');
    } finally {
      this.process.memory.munmap(header);
    }
    for (const c of components) {
      if (c.address + c.size > BigInt(this.memorySize)) throw new MachineError(`image component at 0x${c.address.toString(16)} does not fit in ${this.memorySize / MIB} MiB of guest memory`);
      this.checkPv(api.unpack(this.vmFd, c.address, c.size, c.tweak), '3 (KVM_PV_UNPACK)');
    }
    this.checkPv(api.verify(this.vmFd), '4 (KVM_PV_VERIFY)');
    this.checkPv(api.prepareReset(this.vmFd), '5 (KVM_PV_PREP_RESET)');
    this.check(api.setMpState(bootCpu.fd, MpState.LOAD), 'KVM_SET_MP_STATE load');
    for (const v of this.vcpus) if (v !== bootCpu) this.check(api.setMpState(v.fd, MpState.STOPPED), 'KVM_SET_MP_STATE stopped');
  }

  /** Leaves protected mode (QEMU's s390_machine_unprotect: KVM_PV_DISABLE); the vCPUs are plain again. */
  unprotect(): void {
    if (!this.protected_) return;
    this.checkPv(this.api.disable(this.vmFd), '1 (KVM_PV_DISABLE)');
    this.protected_ = false;
    this.pvInfo = undefined;
  }

  /** Reports a VMM error as QEMU's error_report does (to the `log` option). */
  report(line: string): void {
    this.options.log?.(line);
  }

  /** The vCPU with CPU address `id` (CPUs added by core id need not be in address order). */
  vcpu(id: number): VcpuHandle {
    const v = this.vcpus.find((c) => c.id === id);
    if (v === undefined) throw new MachineError(`no vCPU with CPU address ${id}`);
    return v;
  }

  mpState(id: number): number {
    const at = this.api.bufferAddress;
    this.check(this.process.ioctl(this.vcpu(id).fd, Ioctl.KVM_GET_MP_STATE, at), 'KVM_GET_MP_STATE');
    return new StructBytes(this.process.memory.read(at, 4)).u32(0);
  }

  setMpState(id: number, state: number): number {
    return this.api.setMpState(this.vcpu(id).fd, state);
  }

  /** The vCPU's run structure: the process's mapping of it, shared with the kernel (no copy). */
  readRun(v: VcpuHandle): StructBytes {
    let run = this.runViews.get(v.id);
    if (run === undefined) {
      run = new StructBytes(this.process.memory.sharedBytes(v.run, RunOffset.size));
      this.runViews.set(v.id, run);
    }
    return run;
  }

  writeRun(v: VcpuHandle, s: StructBytes): void {
    const run = this.readRun(v);
    if (s !== run) run.bytes.set(s.bytes);
  }

  /** The GPRs the last exit showed (kvm_run's synced registers). */
  gprs(run: StructBytes): bigint[] {
    return Array.from({ length: 16 }, (_, i) => run.u64(RunOffset.syncGprs + 8 * i));
  }

  /** Completes an intercepted instruction: changed GPRs and the condition code go back with the next KVM_RUN. */
  complete(v: VcpuHandle, run: StructBytes, cc: number, registers: ReadonlyMap<number, bigint> = new Map()): void {
    for (const [r, value] of registers) run.setU64(RunOffset.syncGprs + 8 * r, value);
    if (registers.size > 0) run.setU64(RunOffset.kvmDirtyRegs, run.u64(RunOffset.kvmDirtyRegs) | SyncRegs.GPRS);
    const mask = run.u64(RunOffset.pswMask);
    run.setU64(RunOffset.pswMask, (mask & ~0x0000300000000000n) | (BigInt(cc & 3) << 44n));
    this.writeRun(v, run);
  }

  /**
   * Runs the vCPUs round-robin until the guest panics or shuts down, no vCPU can run, every vCPU
   * that runs sleeps in an enabled wait (`idle`: call `waitForWork`, then `run` again), or
   * `maxRounds` rounds passed. Each vCPU runs one KVM_RUN per round.
   */
  run(maxRounds = 100_000): MachineStop {
    for (let round = 0; round < maxRounds; round++) {
      let ran = false;
      let awake = false;
      for (const v of this.vcpus) {
        if (this.yielded.delete(v.id)) {
          ran = awake = true;
          continue;
        }
        if (this.halted.has(v.id) || this.mpState(v.id) !== MpState.OPERATING) continue;
        ran = true;
        this.kvmRunCalls++;
        const r = this.process.ioctl(v.fd, Ioctl.KVM_RUN);
        if (r === -Errno.EINTR) {
          if (!this.process.vcpuSleeps(v.fd)) awake = true;
          continue;
        }
        awake = true;
        if (r < 0) throw new MachineError(`KVM_RUN on vCPU ${v.id} failed: ${errnoName(r)}`);
        const stop = this.handleExit(v);
        if (stop !== undefined) return stop;
      }
      const bite = this.watchdog?.tick();
      if (bite !== undefined) return bite;
      if (!ran) return { kind: 'all-stopped' };
      if (!awake) return { kind: 'idle' };
    }
    return { kind: 'rounds', rounds: maxRounds };
  }

  /** Descriptors of the vCPUs the run loop runs (operating, not halted). */
  private runningVcpuFds(): number[] {
    return this.vcpus.filter((v) => !this.halted.has(v.id) && this.mpState(v.id) === MpState.OPERATING).map((v) => v.fd);
  }

  /**
   * After an `idle` stop: sleeps (no host CPU) until a vCPU can run again — its clock comparator
   * or CPU timer is due (emulated time is then at the deadline), an interruption is pending for
   * it — or the watchdog expires, or `signal` aborts (the VMM's own events: a monitor command).
   */
  waitForWork(signal?: AbortSignal): Promise<void> {
    const maxMs = this.watchdog?.msUntilExpiry();
    return this.process.sleep(this.runningVcpuFds(), { ...(maxMs === undefined ? {} : { maxMs }), ...(signal === undefined ? {} : { signal }) });
  }

  /**
   * After an `idle` stop, for a runner that must not wait: moves emulated time at once to the
   * nearest timer deadline of the sleeping vCPUs (virtual time); false when no vCPU has a timer
   * armed (only an interruption from outside the guest could wake it).
   */
  skipToWake(): boolean {
    return this.process.skipToWake(this.runningVcpuFds());
  }

  private handleExit(v: VcpuHandle): MachineStop | undefined {
    const run = this.readRun(v);
    if (run.u32(RunOffset.exitReason) !== ExitReason.KVM_EXIT_S390_SIEIC) throw new MachineError(`vCPU ${v.id}: unexpected exit reason ${run.u32(RunOffset.exitReason)}`);
    const icptcode = run.u8(RunOffset.icptcode);
    if (icptcode === InterceptCode.WAIT) {
      // The guest's disabled wait (s390_handle_wait): a plain vCPU halts, and once no vCPU runs
      // the machine shuts down (address ...FFF) or the guest panicked. [E] A protected guest's
      // disabled wait is a panic at once (the UV does not show the PSW).
      const psw = { mask: run.u64(RunOffset.pswMask), addr: run.u64(RunOffset.pswAddr) };
      if (this.protected_) {
        this.setMpState(v.id, MpState.STOPPED);
        return { kind: 'panic', cpu: v.id, psw };
      }
      this.halted.add(v.id);
      if (this.vcpus.some((c) => !this.halted.has(c.id) && this.mpState(c.id) === MpState.OPERATING)) return undefined;
      this.setMpState(v.id, MpState.STOPPED);
      if ((psw.addr & 0xfffn) === 0xfffn) return { kind: 'shutdown', cpu: v.id };
      return { kind: 'panic', cpu: v.id, psw };
    }
    if (icptcode !== InterceptCode.INSTRUCTION && icptcode !== InterceptCode.PV_INSTRUCTION) throw new MachineError(`vCPU ${v.id}: unexpected interception code 0x${icptcode.toString(16)}`);
    const ipa = run.u16(RunOffset.ipa);
    const ipb = run.u32(RunOffset.ipb);
    const op = ipa >> 8;
    if (op === 0xae) return handleSigp(this, v, run, ipa, ipb);
    if (op === 0x83) return this.diagnose.dispatch(v, run, ipa, ipb);
    if (ipa === 0xb220) return this.sclp.serviceCall(v, run);
    if (ipa === 0xb27d) return handleStsi(this, v, run, ipb);
    if (ipa === 0xb22c) return handleTestBlock(this, v, run, ipb);
    if (ipa === 0xb9a2) return handlePtf(this, v, run, ipb);
    if (CHANNEL_INSTRUCTIONS.has(ipa)) return handleChannelInstruction(this, this.css, v, run, ipa, ipb);
    throw new MachineError(`vCPU ${v.id}: the guest issued an instruction this machine does not emulate (ipa 0x${ipa.toString(16)}, ipb 0x${ipb.toString(16)})`);
  }

  /** Second-operand address D2(B2) of an RS instruction from ipa/ipb and the exposed base register. */
  operandAddress(run: StructBytes, ipb: number): bigint {
    const b2 = (ipb >>> 28) & 0xf;
    const d2 = (ipb >>> 16) & 0xfff;
    return (b2 === 0 ? 0n : run.u64(RunOffset.syncGprs + 8 * b2)) + BigInt(d2);
  }

  /** The condition code in the PSW the last exit showed. */
  ccOf(run: StructBytes): number {
    return Number((run.u64(RunOffset.pswMask) >> 44n) & 3n);
  }

  /** Ends vCPU `v`'s turn: it re-enters on its next round (DIAGNOSE 0x44 / 0x9C yield). */
  yieldTurn(v: VcpuHandle): void {
    this.yielded.add(v.id);
  }

  /** The vCPU's prefix as the last exit showed it. */
  prefixOf(run: StructBytes): number {
    return Number(run.u64(RunOffset.syncPrefix) & 0x7fffe000n);
  }

  /**
   * Ends an intercepted instruction with a program interruption instead of completing it: KVM
   * rewinds the PSW and presents the instruction's length (suppression: the old PSW points past it).
   */
  programInterruption(v: VcpuHandle, _run: StructBytes, code: number): undefined {
    const r = this.api.injectProgramInterruption(v.fd, code);
    if (r < 0) throw new MachineError(`KVM_S390_IRQ (program interruption 0x${code.toString(16)}) on vCPU ${v.id} failed: ${errnoName(r)}`);
    return undefined;
  }

  /** Makes the SCLP's service-signal interruption pending (floating) with `parameter`. */
  raiseServiceSignal(parameter: number): void {
    this.check(this.api.injectFloating(this.vmFd, Number(IrqType.INT_SERVICE), parameter), 'KVM_S390_INTERRUPT (service signal)');
  }

  /**
   * Makes an I/O interruption pending (floating, KVM_S390_INT_IO): the subsystem-identification
   * word names the subchannel, the identification word carries the interruption subclass.
   */
  raiseIoInterruption(subsystemId: number, parameter: number, identification: number): void {
    const type = ioInterruptType(0, 0, (subsystemId >>> 17) & 3, subsystemId & 0xffff);
    this.check(this.api.injectFloating(this.vmFd, type, subsystemId, (BigInt(parameter >>> 0) << 32n) | BigInt(identification >>> 0)), 'KVM_S390_INTERRUPT (I/O)');
  }

  /**
   * Re-IPL (DIAGNOSE 0x308 load clear): a secure guest leaves protected mode first (QEMU's
   * s390_machine_unprotect before the CPU clear resets), every vCPU clear-reset and stopped, the
   * channel subsystem reset, the kernel and its command line (or the raw image, whose stage3a
   * asks for the protected switch again) loaded again, CPU 0 started at the IPL PSW.
   */
  reIpl(): void {
    const image = this.kernelImage;
    if (image === undefined) throw new MachineError('re-IPL: no kernel was loaded');
    this.resetGuestUltravisor();
    this.resetStorageAttributes();
    this.resetTopology();
    this.unprotect();
    for (const c of this.vcpus) {
      this.check(this.process.ioctl(c.fd, Ioctl.KVM_S390_CLEAR_RESET), 'KVM_S390_CLEAR_RESET');
      this.setMpState(c.id, MpState.STOPPED);
    }
    this.halted.clear();
    this.pfaultTokens.clear();
    this.css.reset();
    if ('raw' in image) this.loadRawImage(image.raw);
    else this.loadElf(image.path, image.commandLine);
  }

  /** A machine reset clears the pages' CMMA states (QEMU's s390_cmma_reset: KVM_S390_VM_MEM_CLR_CMMA). */
  resetStorageAttributes(): void {
    this.check(this.api.setVmAttribute(this.vmFd, VmAttr.MEM_CTRL, VmAttr.MEM_CLR_CMMA), 'KVM_SET_DEVICE_ATTR (CLR_CMMA)');
  }

  /** [E] A machine reset of a guest acting as UV host (kernel option `guestUltravisor`): its UV ends everything. */
  resetGuestUltravisor(): void {
    this.process.resetGuestUltravisor(this.vmFd);
  }

  /**
   * QEMU's s390_pv_prepare_reset before a load-normal reset of a secure guest: the vCPUs stopped
   * (unsharing needs them stopped), every shared page unshared, the UV told to prepare the reset.
   */
  prepareProtectedReset(): void {
    for (const c of this.vcpus) this.check(this.setMpState(c.id, MpState.STOPPED), 'KVM_SET_MP_STATE stopped');
    this.checkPv(this.api.unshareAll(this.vmFd), '6 (KVM_PV_VM_UNSHARE_ALL)');
    this.checkPv(this.api.prepareReset(this.vmFd), '5 (KVM_PV_PREP_RESET)');
  }

  /** A machine reset's topology (QEMU's s390_topology_reset): horizontal polarization, the change report cleared. */
  resetTopology(): void {
    this.topology.reset();
    if (this.facilities.includes(CONFIGURATION_TOPOLOGY_FACILITY)) setTopologyChangeReport(this, false);
  }

  /** Whether an external call waits for vCPU `v` (SIGP SENSE). */
  hasPendingExternalCall(v: VcpuHandle): boolean {
    const types = this.api.pendingIrqTypes(v.fd);
    if (typeof types === 'number') throw new MachineError(`KVM_S390_GET_IRQ_STATE on vCPU ${v.id} failed: ${errnoName(types)}`);
    return types.includes(IrqType.INT_EXTERNAL_CALL);
  }

  /** A restart interruption on vCPU `id` (SIGP RESTART, the watchdog's NMI); a halted or stopped vCPU runs again. */
  restart(id: number): void {
    const v = this.vcpus.find((c) => c.id === id)!;
    this.halted.delete(id);
    if (this.mpState(id) === MpState.STOPPED) this.setMpState(id, MpState.OPERATING);
    this.check(this.api.injectIrq(v.fd, IrqType.RESTART), 'KVM_S390_IRQ (restart)');
  }

  /** Text the guest printed, forwarded to the console sink. */
  printConsole(text: string): void {
    this.consoleText += text;
    this.consoleSink?.(text);
  }

  /** Closes every descriptor (the VMM exits). */
  close(): void {
    for (const v of this.vcpus) this.process.close(v.fd);
    this.process.close(this.vmFd);
    this.process.close(this.kvmFd);
  }
}
