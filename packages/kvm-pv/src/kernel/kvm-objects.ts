// The KVM objects as the objects they own see them (docs/kvm-pv-api.md §1, §4, §5): the host
// kernel and its options as a VM and its vCPUs see them, the VMM process as a VM sees it, a VM as
// its vCPUs and the KVM_PV_DUMP handlers see it. The owners (host-kernel.ts, vm.ts) implement these
// and import what they own; what they own imports only this file, so the kernel has no import cycle.
import type { Cpu, TodClock } from '@pvdump/s390x-cpu';
import type { CpuSnapshot } from '@pvdump/s390x-cpu/state';
import type { HostKeyPair, PvCpuState, QueryInfo, RandomSource, Ultravisor, UltravisorOptions, UvResult } from '@pvdump/ultravisor';
import type { CollaborativeMemory } from './collaborative-memory.js';
import type { GuestRam, SwapStore } from './guest-ram.js';
import type { HostMemory, KernelAllocator } from './host-memory.js';
import type { UserAddressSpace } from './user-memory.js';
import type { SleepingVcpu } from './vcpu-sleep.js';

export interface HostKernelOptions {
  /** Boot with `prot_virt=1` (a PV host: the UV is initialised). Default true. */
  protectedVirtualization?: boolean;
  /** The machine's host key pairs, which open SE headers. */
  hostKeys?: readonly HostKeyPair[];
  /** Randomness of the UV (keys, nonces, IVs). */
  random?: RandomSource;
  /** Host storage size; default 64 GiB (sparse: only touched pages cost memory). */
  hostStorageSize?: number;
  /** Creates the machine's UV (e.g. firmware without the dump calls); default `new Ultravisor`. */
  ultravisor?: (options: UltravisorOptions) => Ultravisor;
  /**
   * Reproduce v6.0's KVM_S390_PV_CPU_COMMAND write-back, which copies {rc, rrc} over `cmd` at
   * offset 0 and never updates the rc/rrc fields (docs/kvm-pv-api.md §3). [E] Default false:
   * rc at offset 4, rrc at offset 6, `cmd` unchanged.
   */
  upstreamCpuRcQuirk?: boolean;
  /** Most guest pages a protected guest keeps in host frames; over it, pages go to swap. */
  guestPageLimit?: number;
  /** Creates the swap store of each guest RAM; default in process memory. */
  swapStore?: () => SwapStore;
  /** Instructions a vCPU runs per KVM_RUN before it returns -EINTR (the VMM's time slice) [E]. */
  timeSlice?: number;
  /** TOD clock of new VMs; default the host's wall clock. */
  clock?: () => TodClock;
  /**
   * A hardware debugger's probe: called with a secure CPU's complete state after each run.
   * Nothing in KVM or the VMM uses it; tests compare decrypted dumps against it.
   */
  secureStateProbe?: (vcpuId: number, state: CpuSnapshot) => void;
  /**
   * [E] Plain guests get the Ultravisor-call facility (158) and an Ultravisor of their own on
   * their absolute storage, acting as its host: what a bare-metal kernel on an LPAR with Secure
   * Execution has (kernel/host-uv-call.ts). Default false: no facility 158, UVC is the VMM's.
   */
  guestUltravisor?: boolean;
}

/** Kernel memory held for the secure configuration (donated to the UV or used beside it). */
interface KernelBlock {
  origin: number;
  length: number;
}

export interface ProtectedState {
  handle: bigint;
  baseStorage: KernelBlock;
  variableStorage: KernelBlock;
  sca: KernelBlock;
  /** SET_SEC_PARMS succeeded (the kernel's mm_is_protected). */
  secParmsSet: boolean;
}

/** rc/rrc a command handler reports; undefined leaves the caller's values in place (no UVC ran). */
export interface PvRcSink {
  rc?: number;
  rrc?: number;
}

/** The host kernel as its VMs and vCPUs see it (implemented by HostKernel). */
export interface KvmHost {
  readonly memory: HostMemory;
  readonly allocator: KernelAllocator;
  readonly uv: Ultravisor | undefined;
  /** The kernel's copy of the UV query (uv_info), read at boot. */
  readonly uvInfo: QueryInfo | undefined;
  readonly options: HostKernelOptions;
  readonly isPvHost: boolean;
  /** The facilities guests see (the CPU model's STFLE list). */
  readonly guestFacilities: readonly number[];
  /** KVM_CHECK_EXTENSION (docs/kvm-pv-api.md §1). */
  checkExtension(capability: number): number;
}

/** What a file descriptor's ioctl reaches. */
export interface IoctlTarget {
  ioctl(request: number, arg: bigint): number;
}

/** An open KVM file descriptor: /dev/kvm, a VM, or a vCPU (whose `struct kvm_run` can be mapped). */
export type KvmFile = { kind: 'kvm' } | { kind: 'vm'; vm: IoctlTarget & { resetGuestUltravisor(): void } } | { kind: 'vcpu'; vcpu: IoctlTarget & SleepingVcpu & { readonly runAddress: bigint } };

/** The VMM process as a VM sees it (implemented by KvmProcess). */
export interface VmProcess {
  readonly memory: UserAddressSpace;
  /** Installs a new descriptor (used by KVM_CREATE_VM and KVM_CREATE_VCPU). */
  install(file: KvmFile): number;
  /** An interruption was made pending: vCPUs asleep in an enabled wait look again whether they can run. */
  wakeSleepers(): void;
}

/** A floating I/O interruption: subsystem-identification word, interruption parameter, identification word (ISC in bits 2-4). */
export interface IoInterruption {
  kind: 'io';
  subsystemId: number;
  parameter: number;
  identification: number;
}

/** A VM as its vCPUs and the dump handlers see it (implemented by KvmVm). */
export interface VcpuVm {
  readonly kernel: KvmHost;
  readonly process: VmProcess;
  /** The VM's TOD clock, shared by its vCPUs. */
  readonly clock: TodClock;
  /** The guest RAM of memory slot 0, once it is set. */
  readonly memory: GuestRam | undefined;
  /** The facilities of the VM's CPU model (STFLE's list). */
  readonly facilities: readonly number[];
  /** CMMA: enabled, used, migration mode and its dirty bitmap. */
  readonly cmma: CollaborativeMemory;
  /** The facilities a secure CPU of the VM sees (the UV's presentation of `facilities`). */
  readonly secureFacilities: readonly number[];
  /** The host's UV (throws on a host without one). */
  readonly uv: Ultravisor;
  /** The UV a plain guest acting as host calls (option `guestUltravisor`), on the guest's storage. */
  readonly guestUltravisor: Ultravisor | undefined;
  pv: ProtectedState | undefined;
  /** The per-VM dump flag (docs/kvm-pv-api.md §6): KVM state, not UV state. */
  dumping: boolean;
  /** Every vCPU blocked from SIE entry (kvm_s390_vcpu_block_all). */
  vcpusBlocked: boolean;
  /** Set by the first KVM_S390_PV_COMMAND: user space controls the CPU states. */
  userCpuStateControl: boolean;
  /** The SCA's topology-change report (configuration-topology facility): PTF function code 2 reads and clears it. */
  topologyChangeReport: boolean;
  /** Whether the vCPU with CPU address `cpuAddress` runs, or undefined when there is none. */
  vcpuRunning(cpuAddress: number): boolean | undefined;
  /** Whether a vCPU other than the one with CPU address `cpuAddress` runs. */
  otherVcpuRunning(cpuAddress: number): boolean;
  /** Whether `cpu` can take a floating interruption now. */
  floatingDeliverable(cpu: Cpu): boolean;
  /** Delivers to `cpu` the floating interruptions it enables. */
  deliverFloating(cpu: Cpu): void;
  /** TEST SUBCHANNEL clears the subchannel's status: its pending I/O interruption goes. */
  dequeueIo(subsystemId: number): void;
  /** TEST PENDING INTERRUPTION: the oldest I/O interruption of a subclass `cr6` enables, taken off the queue. */
  takeIo(cr6: bigint): IoInterruption | undefined;
  /** Puts back an I/O interruption TEST PENDING INTERRUPTION could not store. */
  returnIo(io: IoInterruption): void;
  /** CPU_SET_STATE for a protected vCPU (KVM_SET_MP_STATE). */
  setSecureCpuState(handle: bigint, state: (typeof PvCpuState)[keyof typeof PvCpuState]): UvResult;
}
