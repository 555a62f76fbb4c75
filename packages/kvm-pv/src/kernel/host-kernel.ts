// The host: one machine's storage, its Ultravisor (initialised at boot as Linux does when
// `prot_virt=1`), the kernel's memory for UV donations and bounce buffers, and /dev/kvm.
// User space (the VMM) gets a process with an address space and talks to KVM only through
// file descriptors and ioctl(fd, request, arg), as QEMU does (docs/kvm-pv-api.md).
import { CONFIGURATION_TOPOLOGY_FACILITY, FACILITY_BITS } from '@pvdump/s390x-cpu';
import { Ultravisor, systemRandom, type QueryInfo, type UltravisorOptions } from '@pvdump/ultravisor';
import { Errno, Ioctl, KVM_API_VERSION, Capability } from '../uapi/constants.js';
import { RunOffset } from '../uapi/structs.js';
import { ESSA_NODAT_FACILITY } from './collaborative-memory.js';
import { GuestRam } from './guest-ram.js';
import { HostMemory, KernelAllocator, PAGE_SIZE } from './host-memory.js';
import { UserAddressSpace } from './user-memory.js';
import type { HostKernelOptions, KvmFile, KvmHost, VmProcess } from './kvm-objects.js';
import { KvmVm } from './vm.js';
import { WaitQueue, type SleepingVcpu, type SleepOptions } from './vcpu-sleep.js';

/** Host layout [E]: kernel memory below 1 GiB (the UV storage at 1 MiB), guest frames above. */
const UV_STORAGE_ORIGIN = 0x100000;
const KERNEL_MEMORY_START = 0x200000;
const KERNEL_MEMORY_END = 0x40000000;
const GUEST_FRAMES_START = 0x40000000;
/** Guest RAM mappings start at 1 GiB boundaries. */
const GUEST_FRAMES_ALIGN = 0x40000000;

export class HostKernel implements KvmHost {
  readonly memory: HostMemory;
  readonly allocator: KernelAllocator;
  readonly uv: Ultravisor | undefined;
  /** The kernel's copy of the UV query (uv_info), read at boot. */
  readonly uvInfo: QueryInfo | undefined;
  readonly options: HostKernelOptions;
  private readonly rams = new Set<GuestRam>();
  private nextFrames = GUEST_FRAMES_START;

  constructor(options: HostKernelOptions = {}) {
    this.options = options;
    this.memory = new HostMemory(options.hostStorageSize ?? 64 * 1024 * 1024 * 1024);
    this.allocator = new KernelAllocator(KERNEL_MEMORY_START, KERNEL_MEMORY_END);
    if (options.protectedVirtualization === false) {
      this.uv = undefined;
      this.uvInfo = undefined;
      return;
    }
    const uvOptions: UltravisorOptions = {
      storage: this.memory,
      hostKeys: options.hostKeys ?? [],
      random: options.random ?? systemRandom,
      translateGuestAddress: (asce, gaddr) => this.ramOfAsce(asce)?.hostAddressOf(gaddr),
      onGuestPageChange: (handle, gaddr, state) => this.ramOfHandle(handle)?.pageStateChanged(gaddr, state),
    };
    const uv = options.ultravisor?.(uvOptions) ?? new Ultravisor(uvOptions);
    const query = uv.query();
    if (query.cc > 1) throw new Error(`UV query failed at boot: cc ${query.cc} rc 0x${query.rc.toString(16)}`);
    const init = uv.initialize(BigInt(UV_STORAGE_ORIGIN), query.info.uvBaseStorLen);
    if (init.cc !== 0) throw new Error(`INIT_UV failed at boot: rc 0x${init.rc.toString(16)}`);
    this.uv = uv;
    this.uvInfo = query.info;
  }

  get isPvHost(): boolean {
    return this.uv !== undefined;
  }

  /**
   * [E] The facilities guests see (the CPU model's STFLE list): the interpreter's, plus 161 (the
   * Secure Execution unpack facility, QEMU's `unpack` CPU feature) on a PV host, plus 74
   * (STHYI: KVM serves it, kernel/store-hypervisor-information.ts), plus 158 (the Ultravisor
   * call) with the `guestUltravisor` option, plus 147 (the ESSA no-DAT extension, which KVM
   * offers on hosts with guest TLB support: kernel/collaborative-memory.ts), plus 11
   * (configuration topology: KVM interprets PTF's report check, the VMM the rest,
   * kernel/perform-topology-function.ts) and 140 (the extended-length SCCB: the host machine's
   * bit, passed on for the VMM's SCLP, which needs it for read SCP info of more than 247 CPUs).
   */
  get guestFacilities(): readonly number[] {
    const facilities = [...(this.isPvHost ? GUEST_FACILITIES_PV : FACILITY_BITS), STHYI_FACILITY, ESSA_NODAT_FACILITY, CONFIGURATION_TOPOLOGY_FACILITY, EXTENDED_LENGTH_SCCB_FACILITY].sort((a, b) => a - b);
    return this.options.guestUltravisor === true ? [...facilities, ULTRAVISOR_CALL_FACILITY] : facilities;
  }

  /** A new user process (the VMM): an empty address space and file descriptor table. */
  createProcess(): KvmProcess {
    return new KvmProcess(this);
  }

  /** Anonymous memory for guest RAM: host frames the CPUs use directly. */
  allocateGuestRam(size: number): GuestRam {
    const origin = this.nextFrames;
    const ram = new GuestRam(origin, size, this.memory, () => this.uv, this.options.guestPageLimit, this.options.swapStore?.());
    this.memory.map(origin, ram.memory);
    this.nextFrames = Math.ceil((origin + size) / GUEST_FRAMES_ALIGN) * GUEST_FRAMES_ALIGN + GUEST_FRAMES_ALIGN;
    this.rams.add(ram);
    return ram;
  }

  /** The guest RAM whose host origin is the origin of `asce` (our ASCE names the RAM). */
  private ramOfAsce(asce: bigint): GuestRam | undefined {
    const origin = Number(asce & ~0xfffn);
    for (const ram of this.rams) if (ram.hostOrigin === origin) return ram;
    return undefined;
  }

  private ramOfHandle(handle: bigint): GuestRam | undefined {
    for (const ram of this.rams) if (ram.configHandle === handle) return ram;
    return undefined;
  }

  /** KVM_CHECK_EXTENSION (docs/kvm-pv-api.md §1). */
  checkExtension(capability: number): number {
    switch (capability) {
      case Capability.KVM_CAP_S390_PROTECTED:
        return this.isPvHost ? 1 : 0;
      case Capability.KVM_CAP_S390_CMMA_MIGRATION:
        return 1;
      case Capability.KVM_CAP_S390_PROTECTED_DUMP: {
        const word0 = this.uvInfo?.installedCalls[0] ?? 0n;
        return this.isPvHost && (word0 & DUMP_CALLS_MASK) === DUMP_CALLS_MASK ? 1 : 0;
      }
      default:
        return 0;
    }
  }
}

/** Facility 74: STORE HYPERVISOR INFORMATION, which KVM serves in the kernel for every guest. */
export const STHYI_FACILITY = 74;
/** Facility 140: the extended-length SCCB (SCLP read SCP / CPU info SCCBs beyond 4 KiB). */
export const EXTENDED_LENGTH_SCCB_FACILITY = 140;
/** Facility 158: the Ultravisor call (a plain guest sees it with the `guestUltravisor` option). */
export const ULTRAVISOR_CALL_FACILITY = 158;
/** Facility 161: Secure Execution unpack (stage3a of an SE image checks it before DIAGNOSE 0x308). */
export const UNPACK_FACILITY = 161;
const GUEST_FACILITIES_PV: readonly number[] = [...FACILITY_BITS, UNPACK_FACILITY];

/** Installed-call bits 24-27 (DUMP_INIT, DUMP_CONF_STOR_STATE, DUMP_CPU, DUMP_COMPLETE), word 0. */
export const DUMP_CALLS_MASK = 0x000000f000000000n;

/** A user process: its address space and the KVM file descriptors it holds. */
export class KvmProcess implements VmProcess {
  readonly memory = new UserAddressSpace();
  private readonly files = new Map<number, KvmFile>();
  private nextFd = 3;
  private readonly waitQueue = new WaitQueue();

  constructor(readonly kernel: HostKernel) {}

  /** The vCPUs behind descriptors `fds` (others are left out). */
  private vcpusOf(fds: readonly number[]): SleepingVcpu[] {
    return fds.flatMap((fd) => {
      const file = this.files.get(fd);
      return file?.kind === 'vcpu' ? [file.vcpu] : [];
    });
  }

  /**
   * [E] The machine reset the plain guest of VM `vmFd` that acts as UV host (DIAGNOSE 0x308 load
   * normal or clear): its own Ultravisor (option `guestUltravisor`) ends every configuration and
   * is uninitialised. Not a KVM ioctl: the machine's firmware does this below KVM.
   */
  resetGuestUltravisor(vmFd: number): void {
    const file = this.files.get(vmFd);
    if (file?.kind === 'vm') file.vm.resetGuestUltravisor();
  }

  /** [E] Whether the thread running KVM_RUN on vCPU `fd` would be asleep in the kernel (an enabled wait nothing has ended yet). */
  vcpuSleeps(fd: number): boolean {
    return this.vcpusOf([fd])[0]?.sleepDeadline() !== undefined;
  }

  /**
   * [E] The VMM's vCPU threads asleep in KVM_RUN (kernel/vcpu-sleep.ts): resolves when one of the
   * vCPUs `fds` can run again — its timer is due (the VM's clock is then at the deadline), an
   * interruption was made pending for it — or after `maxMs`, or when `signal` aborts.
   */
  sleep(fds: readonly number[], options: SleepOptions = {}): Promise<void> {
    return this.waitQueue.sleep(this.vcpusOf(fds), options);
  }

  /** [E] Virtual time: moves the VM clock at once to the earliest timer deadline of the sleeping vCPUs `fds`; false when none has one. */
  skipToWake(fds: readonly number[]): boolean {
    return this.waitQueue.skipToWake(this.vcpusOf(fds));
  }

  /** An interruption was made pending: sleeping vCPUs look again whether they can run. */
  wakeSleepers(): void {
    this.waitQueue.wake();
  }

  /** open("/dev/kvm"). */
  openKvm(): number {
    return this.install({ kind: 'kvm' });
  }

  close(fd: number): number {
    return this.files.delete(fd) ? 0 : -Errno.EBADF;
  }

  /** mmap of anonymous memory (the VMM's buffers). */
  mmapAnonymous(length: number): bigint {
    return this.memory.mmapAnonymous(length);
  }

  /** Anonymous memory backed by host frames, as QEMU allocates guest RAM. */
  mmapGuestRam(length: number): bigint {
    if (length <= 0 || length % PAGE_SIZE !== 0) throw new RangeError(`guest RAM of ${length} bytes is not a positive multiple of 4 KiB`);
    return this.memory.mapGuestRam(this.kernel.allocateGuestRam(length));
  }

  /** mmap of a vCPU descriptor: its `struct kvm_run`; returns the user address, or -errno. */
  mmapVcpu(fd: number): bigint | number {
    const file = this.files.get(fd);
    if (file?.kind !== 'vcpu') return -Errno.EBADF;
    return file.vcpu.runAddress;
  }

  /** ioctl(fd, request, arg): 0 or a positive result on success, -errno on failure. */
  ioctl(fd: number, request: number, arg: bigint | number = 0n): number {
    const file = this.files.get(fd);
    if (file === undefined) return -Errno.EBADF;
    const a = BigInt(arg);
    switch (file.kind) {
      case 'kvm':
        return this.systemIoctl(request, a);
      case 'vm':
        return file.vm.ioctl(request, a);
      case 'vcpu':
        return file.vcpu.ioctl(request, a);
    }
  }

  private systemIoctl(request: number, arg: bigint): number {
    switch (request) {
      case Ioctl.KVM_GET_API_VERSION:
        return KVM_API_VERSION;
      case Ioctl.KVM_CHECK_EXTENSION:
        return this.kernel.checkExtension(Number(arg));
      case Ioctl.KVM_GET_VCPU_MMAP_SIZE:
        return RunOffset.size;
      case Ioctl.KVM_CREATE_VM:
        if (arg !== 0n) return -Errno.EINVAL;
        return this.install({ kind: 'vm', vm: new KvmVm(this.kernel, this) });
      default:
        return -Errno.ENOTTY;
    }
  }

  /** Installs a new descriptor (used by KVM_CREATE_VM and KVM_CREATE_VCPU). */
  install(file: KvmFile): number {
    const fd = this.nextFd++;
    this.files.set(fd, file);
    return fd;
  }
}
