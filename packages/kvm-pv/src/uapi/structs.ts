// Byte layouts of the uapi structs (docs/kvm-pv-api.md §2; Linux v6.0 include/uapi/linux/kvm.h
// and arch/s390/include/uapi/asm/kvm.h), big-endian as on s390x. The kernel side copies them from
// and to user memory as bytes; these helpers name the offsets and build or read whole structs,
// through s390x-arch's big-endian field accessor (re-exported here, where the uapi code looks for it).
import { StructBytes } from '@pvdump/s390x-arch';

export { StructBytes };

/** `struct kvm_pv_cmd` (32 bytes). */
export const PvCmdOffset = { cmd: 0, rc: 4, rrc: 6, data: 8, flags: 16, reserved: 20, size: 32 } as const;

/** `struct kvm_s390_pv_dmp` (64 bytes). */
export const PvDmpOffset = { subcmd: 0, buffAddr: 8, buffLen: 16, gaddr: 24, reserved: 32, size: 64 } as const;

/** `struct kvm_s390_pv_info` (80 bytes): 16-byte header, then the vm (64) or dump (24) union member. */
export const PvInfoOffset = {
  id: 0,
  lenMax: 4,
  lenWritten: 8,
  headerReserved: 12,
  headerSize: 16,
  vmInstCallsList: 16,
  vmMaxCpus: 48,
  vmMaxGuests: 56,
  vmMaxGuestAddr: 64,
  vmFeatureIndication: 72,
  dumpCpuBufferLen: 16,
  dumpConfigMemBufferPer1m: 24,
  dumpConfigFinalizeLen: 32,
  vmSize: 80,
  dumpSize: 40,
} as const;

/** `struct kvm_s390_pv_sec_parm` {origin, length}. */
export const PvSecParmOffset = { origin: 0, length: 8, size: 16 } as const;
/** `struct kvm_s390_pv_unp` {addr, size, tweak}. */
export const PvUnpOffset = { addr: 0, length: 8, tweak: 16, size: 24 } as const;

/** `struct kvm_userspace_memory_region` (32 bytes). */
/** `struct kvm_device_attr` (24 bytes): flags, group, attr, addr (the user address of the value). */
export const DeviceAttrOffset = { flags: 0, group: 4, attr: 8, addr: 16, size: 24 } as const;

/** `struct kvm_s390_vm_cpu_processor` (2064 bytes): cpuid, ibc, the 2048-byte facility list (STFLE's bits). */
export const CpuProcessorOffset = { cpuid: 0, ibc: 8, facList: 16, facListSize: 2048, size: 2064 } as const;

/** `struct kvm_s390_cmma_log` (32 bytes): start_gfn, count, flags, remaining (mask for SET), values (user address). */
export const CmmaLogOffset = { startGfn: 0, count: 8, flags: 12, remaining: 16, values: 24, size: 32 } as const;

export const MemoryRegionOffset = { slot: 0, flags: 4, guestPhysAddr: 8, memorySize: 16, userspaceAddr: 24, size: 32 } as const;

/** `struct kvm_s390_irq` (72 bytes): type, then the union (ext params, emerg/extcall code, prefix). */
export const IrqOffset = {
  type: 0,
  code: 8,
  extParams: 8,
  extParams2: 16,
  prefixAddress: 8,
  /** `struct kvm_s390_pgm_info` in the union: trans_exc_code, data_exc_code, code, flags. */
  pgmTransExcCode: 8,
  pgmDataExcCode: 32,
  pgmCode: 36,
  pgmFlags: 45,
  size: 72,
} as const;

/** `struct kvm_s390_irq_state` (32 bytes): buf, flags, len. */
export const IrqStateOffset = { buf: 0, flags: 8, len: 12, size: 32 } as const;

/** `struct kvm_s390_interrupt` (16 bytes): type, parm, parm64. */
export const InterruptOffset = { type: 0, parm: 4, parm64: 8, size: 16 } as const;

/** `struct kvm_s390_mem_op`: gaddr, flags, size, op, buf, then the union {{ar, key}, sida_offset, reserved[32]}. */
export const MemOpOffset = { gaddr: 0, flags: 8, size: 16, op: 20, buf: 24, ar: 32, key: 33, sidaOffset: 32, size_: 64 } as const;

/** `struct kvm_sregs` on s390: acrs[16] (u32) then crs[16] (u64). */
export const SregsOffset = { acrs: 0, crs: 64, size: 192 } as const;
/** `struct kvm_fpu` on s390: fpc (u32, then 4 bytes padding), fprs[16] (u64). */
export const FpuOffset = { fpc: 0, fprs: 8, size: 136 } as const;

/**
 * The vCPU's shared run structure (`struct kvm_run`, mapped by KVM_GET_VCPU_MMAP_SIZE + mmap):
 * the s390 fields this model reads and writes.
 */
export const RunOffset = {
  immediateExit: 1,
  exitReason: 8,
  pswMask: 16,
  pswAddr: 24,
  icptcode: 32,
  ipa: 34,
  ipb: 36,
  kvmValidRegs: 288,
  kvmDirtyRegs: 296,
  /** `struct kvm_sync_regs` at 304: prefix, gprs[16], acrs[16] (u32), crs[16], todpr, cputm, ckc, …, vrs[32][2], …, fpc, …, gscb[4]. */
  syncPrefix: 304,
  syncGprs: 312,
  syncAcrs: 440,
  syncCrs: 504,
  syncTodpr: 632,
  syncCputm: 640,
  syncCkc: 648,
  syncVrs: 696,
  syncFpc: 1720,
  /** `gscb[4]` in the state-description annex part of `kvm_sync_regs` (KVM_SYNC_GSCB). */
  syncGscb: 2048,
  size: 4096,
} as const;

/** `kvm_run.kvm_valid_regs` / `kvm_dirty_regs` bits (KVM_SYNC_*). */
export const SyncRegs = { PREFIX: 1n, GPRS: 2n, ACRS: 4n, CRS: 8n, ARCH0: 16n, VRS: 64n, GSCB: 512n } as const;

export interface PvCmdFields {
  cmd: number;
  rc?: number;
  rrc?: number;
  data?: bigint;
  flags?: number;
}

/** Encodes a `struct kvm_pv_cmd`. */
export function encodePvCmd(f: PvCmdFields): Uint8Array {
  return StructBytes.zeroed(PvCmdOffset.size)
    .setU32(PvCmdOffset.cmd, f.cmd)
    .setU16(PvCmdOffset.rc, f.rc ?? 0)
    .setU16(PvCmdOffset.rrc, f.rrc ?? 0)
    .setU64(PvCmdOffset.data, f.data ?? 0n)
    .setU32(PvCmdOffset.flags, f.flags ?? 0).bytes;
}

export interface PvCmdView {
  cmd: number;
  rc: number;
  rrc: number;
  data: bigint;
  flags: number;
}

export function decodePvCmd(bytes: Uint8Array): PvCmdView {
  const s = new StructBytes(bytes);
  return { cmd: s.u32(PvCmdOffset.cmd), rc: s.u16(PvCmdOffset.rc), rrc: s.u16(PvCmdOffset.rrc), data: s.u64(PvCmdOffset.data), flags: s.u32(PvCmdOffset.flags) };
}

export interface PvDmpFields {
  subcmd: bigint | number;
  buffAddr?: bigint;
  buffLen?: bigint;
  gaddr?: bigint;
}

/** Encodes a `struct kvm_s390_pv_dmp`. */
export function encodePvDmp(f: PvDmpFields): Uint8Array {
  return StructBytes.zeroed(PvDmpOffset.size)
    .setU64(PvDmpOffset.subcmd, BigInt(f.subcmd))
    .setU64(PvDmpOffset.buffAddr, f.buffAddr ?? 0n)
    .setU64(PvDmpOffset.buffLen, f.buffLen ?? 0n)
    .setU64(PvDmpOffset.gaddr, f.gaddr ?? 0n).bytes;
}

export interface PvDmpView {
  subcmd: bigint;
  buffAddr: bigint;
  buffLen: bigint;
  gaddr: bigint;
}

export function decodePvDmp(bytes: Uint8Array): PvDmpView {
  const s = new StructBytes(bytes);
  return { subcmd: s.u64(PvDmpOffset.subcmd), buffAddr: s.u64(PvDmpOffset.buffAddr), buffLen: s.u64(PvDmpOffset.buffLen), gaddr: s.u64(PvDmpOffset.gaddr) };
}

/** The 16-byte `kvm_s390_pv_info` header. */
export function encodePvInfoHeader(id: number, lenMax: number): Uint8Array {
  return StructBytes.zeroed(PvInfoOffset.headerSize).setU32(PvInfoOffset.id, id).setU32(PvInfoOffset.lenMax, lenMax).bytes;
}

export interface PvInfoVm {
  instCallsList: [bigint, bigint, bigint, bigint];
  maxCpus: bigint;
  maxGuests: bigint;
  maxGuestAddr: bigint;
  featureIndication: bigint;
}

export interface PvInfoDump {
  dumpCpuBufferLen: bigint;
  dumpConfigMemBufferPer1m: bigint;
  dumpConfigFinalizeLen: bigint;
}

export function decodePvInfoVm(bytes: Uint8Array): PvInfoVm {
  const s = new StructBytes(bytes);
  const o = PvInfoOffset;
  return {
    instCallsList: [s.u64(o.vmInstCallsList), s.u64(o.vmInstCallsList + 8), s.u64(o.vmInstCallsList + 16), s.u64(o.vmInstCallsList + 24)],
    maxCpus: s.u64(o.vmMaxCpus),
    maxGuests: s.u64(o.vmMaxGuests),
    maxGuestAddr: s.u64(o.vmMaxGuestAddr),
    featureIndication: s.u64(o.vmFeatureIndication),
  };
}

export function decodePvInfoDump(bytes: Uint8Array): PvInfoDump {
  const s = new StructBytes(bytes);
  const o = PvInfoOffset;
  return { dumpCpuBufferLen: s.u64(o.dumpCpuBufferLen), dumpConfigMemBufferPer1m: s.u64(o.dumpConfigMemBufferPer1m), dumpConfigFinalizeLen: s.u64(o.dumpConfigFinalizeLen) };
}
