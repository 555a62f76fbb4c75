// The KVM uapi numbers the PV dump interface uses (docs/kvm-pv-api.md §1-§2, Linux v6.0
// include/uapi/linux/kvm.h): ioctl requests in the generic Linux encoding, capabilities, the PV
// command and subcommand ids, and the errno values ioctls return (negated, as the kernel does).

/** KVM's ioctl type byte. */
export const KVMIO = 0xae;

const IOC_NONE = 0;
const IOC_WRITE = 1;
const IOC_READ = 2;

/** Linux's generic ioctl encoding: dir << 30 | size << 16 | type << 8 | nr. */
export function ioc(dir: number, type: number, nr: number, size: number): number {
  return ((dir << 30) | (size << 16) | (type << 8) | nr) >>> 0;
}
const io = (nr: number): number => ioc(IOC_NONE, KVMIO, nr, 0);
const ior = (nr: number, size: number): number => ioc(IOC_READ, KVMIO, nr, size);
const iow = (nr: number, size: number): number => ioc(IOC_WRITE, KVMIO, nr, size);
const iowr = (nr: number, size: number): number => ioc(IOC_READ | IOC_WRITE, KVMIO, nr, size);

/** Struct sizes that appear in ioctl numbers. */
export const StructSize = {
  kvmPvCmd: 32,
  kvmS390PvDmp: 64,
  kvmS390PvInfo: 80,
  kvmS390PvInfoHeader: 16,
  kvmS390PvSecParm: 16,
  kvmS390PvUnp: 24,
  kvmRegs: 128,
  kvmSregs: 192,
  kvmFpu: 136,
  kvmS390Psw: 16,
  kvmMpState: 4,
  kvmS390Irq: 72,
  kvmS390Interrupt: 16,
  kvmS390IrqState: 32,
  kvmUserspaceMemoryRegion: 32,
  kvmS390MemOp: 64,
  kvmDeviceAttr: 24,
  kvmS390CmmaLog: 32,
} as const;

export const Ioctl = {
  // system ioctls (on the /dev/kvm descriptor)
  KVM_GET_API_VERSION: io(0x00),
  KVM_CREATE_VM: io(0x01),
  KVM_CHECK_EXTENSION: io(0x03),
  KVM_GET_VCPU_MMAP_SIZE: io(0x04),
  // VM ioctls
  KVM_CREATE_VCPU: io(0x41),
  KVM_SET_USER_MEMORY_REGION: iow(0x46, StructSize.kvmUserspaceMemoryRegion),
  KVM_S390_PV_COMMAND: iowr(0xc5, StructSize.kvmPvCmd),
  /** A floating interruption (any vCPU may take it): service signal, I/O. */
  KVM_S390_INTERRUPT: iow(0x94, StructSize.kvmS390Interrupt),
  /** A VM attribute; here the CPU model's processor (group KVM_S390_VM_CPU_MODEL, attr PROCESSOR). */
  KVM_SET_DEVICE_ATTR: iow(0xe1, StructSize.kvmDeviceAttr),
  KVM_GET_DEVICE_ATTR: iow(0xe2, StructSize.kvmDeviceAttr),
  /** CMMA states for migration: read (dirty ones, or any with the PEEK flag) and write. */
  KVM_S390_GET_CMMA_BITS: iowr(0xb8, StructSize.kvmS390CmmaLog),
  KVM_S390_SET_CMMA_BITS: iow(0xb9, StructSize.kvmS390CmmaLog),
  // vCPU ioctls
  KVM_RUN: io(0x80),
  KVM_GET_REGS: ior(0x81, StructSize.kvmRegs),
  KVM_SET_REGS: iow(0x82, StructSize.kvmRegs),
  KVM_GET_SREGS: ior(0x83, StructSize.kvmSregs),
  KVM_SET_SREGS: iow(0x84, StructSize.kvmSregs),
  KVM_GET_FPU: ior(0x8c, StructSize.kvmFpu),
  KVM_SET_FPU: iow(0x8d, StructSize.kvmFpu),
  KVM_S390_STORE_STATUS: iow(0x95, 8),
  KVM_S390_SET_INITIAL_PSW: iow(0x96, StructSize.kvmS390Psw),
  KVM_S390_INITIAL_RESET: io(0x97),
  KVM_GET_MP_STATE: ior(0x98, StructSize.kvmMpState),
  KVM_SET_MP_STATE: iow(0x99, StructSize.kvmMpState),
  KVM_S390_MEM_OP: iow(0xb1, StructSize.kvmS390MemOp),
  KVM_S390_IRQ: iow(0xb4, StructSize.kvmS390Irq),
  /** The vCPU's pending local interruptions as `struct kvm_s390_irq` records. */
  KVM_S390_GET_IRQ_STATE: iow(0xb6, StructSize.kvmS390IrqState),
  KVM_S390_NORMAL_RESET: io(0xc3),
  KVM_S390_CLEAR_RESET: io(0xc4),
  KVM_S390_PV_CPU_COMMAND: iowr(0xd0, StructSize.kvmPvCmd),
} as const;

export const KVM_API_VERSION = 12;

export const Capability = {
  KVM_CAP_S390_CMMA_MIGRATION: 145,
  KVM_CAP_S390_PROTECTED: 180,
  KVM_CAP_S390_PROTECTED_DUMP: 217,
  KVM_CAP_S390_PROTECTED_ASYNC_DISABLE: 224,
} as const;

/** `enum pv_cmd_id`. */
export const PvCmd = {
  ENABLE: 0,
  DISABLE: 1,
  SET_SEC_PARMS: 2,
  UNPACK: 3,
  VERIFY: 4,
  PREP_RESET: 5,
  UNSHARE_ALL: 6,
  INFO: 7,
  DUMP: 8,
  ASYNC_CLEANUP_PREPARE: 9,
  ASYNC_CLEANUP_PERFORM: 10,
} as const;

/** `enum pv_cmd_dmp_id`. */
export const PvDumpCmd = { INIT: 0, CONFIG_STOR_STATE: 1, COMPLETE: 2, CPU: 3 } as const;

/** `enum pv_cmd_info_id`. */
export const PvInfoId = { VM: 0, DUMP: 1 } as const;

/** errno values; ioctls return them negated. */
export const Errno = {
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  EINVAL: 22,
  ENOTTY: 25,
  E2BIG: 7,
} as const;

/** `kvm_s390_mem_op.op`: logical reads and writes of a plain vCPU, the SIDA of a protected one. */
export const MemOp = {
  LOGICAL_READ: 0,
  LOGICAL_WRITE: 1,
  SIDA_READ: 2,
  SIDA_WRITE: 3,
} as const;

/** `kvm_s390_mem_op.flags` of the logical operations. */
export const MemOpFlags = { CHECK_ONLY: 1n, INJECT_EXCEPTION: 2n, SKEY_PROTECTION: 4n } as const;

/** Largest logical memory operation (MEM_OP_MAX_SIZE). */
export const MEM_OP_MAX_SIZE = 65536;

const ERRNO_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(Errno).map(([name, value]) => [value, name]));

/** "EINVAL" for -22 or 22; the number itself when unknown. */
export function errnoName(value: number): string {
  return ERRNO_NAMES.get(Math.abs(value)) ?? String(value);
}

/** `struct kvm_mp_state` values used on s390. */
export const MpState = { STOPPED: 5, CHECK_STOP: 6, OPERATING: 7, LOAD: 8 } as const;

/** `struct kvm_s390_irq` types (the subset this model delivers). */
export const IrqType = {
  SIGP_STOP: 0xfffe0000n,
  PROGRAM_INT: 0xfffe0001n,
  SIGP_SET_PREFIX: 0xfffe0002n,
  RESTART: 0xfffe0003n,
  INT_EMERGENCY: 0xffff1201n,
  INT_EXTERNAL_CALL: 0xffff1202n,
  INT_SERVICE: 0xffff2401n,
} as const;

/** `struct kvm_s390_pgm_info` flags: ILC valid (its length in bits 1-2) and no PSW rewind. */
export const PgmFlags = { ILC_VALID: 0x01, ILC_MASK: 0x06, NO_REWIND: 0x08 } as const;

/** An I/O interruption's `kvm_s390_interrupt` type: KVM_S390_INT_IO(ai, cssid, ssid, schid); anything below 0xfffe0000. */
export function ioInterruptType(ai: number, cssid: number, ssid: number, schid: number): number {
  return ((ai << 26) | (cssid << 18) | (ssid << 16) | schid) >>> 0;
}
export const IRQ_IO_MAX = 0xfffdffff;

/** `kvm_run.exit_reason` values this model produces. */
export const ExitReason = {
  KVM_EXIT_UNKNOWN: 0,
  KVM_EXIT_INTR: 10,
  KVM_EXIT_S390_SIEIC: 13,
} as const;

/** SIE interception codes (`kvm_run.s390_sieic.icptcode`) reported to user space. */
export const InterceptCode = {
  /** Instruction interception. */
  INSTRUCTION: 0x04,
  /** Program interruption. */
  PROGRAM: 0x08,
  /** The guest loaded a wait PSW with every interruption disabled. */
  WAIT: 0x1c,
  /** Stop request completed. */
  STOP: 0x28,
  /** PV: instruction interception with the exposed registers in the run structure. */
  PV_INSTRUCTION: 0x68,
} as const;

/** VM attribute groups and attributes of KVM_SET_DEVICE_ATTR (arch/s390/include/uapi/asm/kvm.h). */
export const VmAttr = { CPU_MODEL: 3, CPU_PROCESSOR: 0, MEM_CTRL: 0, MEM_ENABLE_CMMA: 0, MEM_CLR_CMMA: 1, MIGRATION: 4, MIGRATION_STOP: 0, MIGRATION_START: 1, MIGRATION_STATUS: 2, CPU_TOPOLOGY: 5 } as const;

/** KVM_S390_GET_CMMA_BITS's flag: read the states without a migration, dirty bits untouched. */
export const CMMA_PEEK = 1;

/** `kvm_userspace_memory_region` flags: KVM_MEM_LOG_DIRTY_PAGES (a slot whose changes are logged, for migration). */
export const MemoryRegionFlags = { LOG_DIRTY_PAGES: 1 } as const;
