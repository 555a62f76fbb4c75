// The complete architected state of one CPU as plain data (spec s390x-cpu.md §1, §7): what the
// Ultravisor, KVM and dumps save and restore. Reset values follow QEMU `target/s390x/cpu.c`.

import { copyCpuRegisters, fprOf, validateCpuRegisters, zeroCpuRegisters, type CpuRegisters } from '@pvdump/s390x-arch';

export { ACR_COUNT, CR_COUNT, GPR_COUNT, VR_BYTES, VR_COUNT, type GuardedStorageBlock } from '@pvdump/s390x-arch';

/**
 * Plain-data snapshot of one CPU's architected state: the register model of @pvdump/s390x-arch
 * (what dumps and save areas hold) plus the breaking-event address register.
 */
export interface CpuSnapshot extends CpuRegisters {
  /** Breaking-event address register. */
  bear: bigint;
}

/** CR0 and CR14 after an initial CPU reset (§7). */
export const CR0_RESET_VALUE = 0x00000000000000e0n;
export const CR14_RESET_VALUE = 0x00000000c2000000n;

/** State after power-on / clear reset: everything zero except CR0, CR14 and BEAR = 1 (§7). */
export function initialCpuSnapshot(): CpuSnapshot {
  const registers = zeroCpuRegisters();
  registers.crs[0] = CR0_RESET_VALUE;
  registers.crs[14] = CR14_RESET_VALUE;
  return { ...registers, bear: 1n };
}

/** A deep copy that shares no arrays with `s`. */
export function cloneCpuSnapshot(s: CpuSnapshot): CpuSnapshot {
  return { ...copyCpuRegisters(s), bear: s.bear };
}

/**
 * Initial CPU reset applied to a snapshot (§7): PSW, prefix, FPC, timers, TOD-PR and CRs reset,
 * BEAR = 1; GPRs, ACRs, vector and guarded-storage registers kept.
 */
export function initialCpuResetSnapshot(s: CpuSnapshot): CpuSnapshot {
  const fresh = initialCpuSnapshot();
  return { ...fresh, gprs: [...s.gprs], acrs: [...s.acrs], vrs: s.vrs.map((v) => Uint8Array.from(v)), gsCb: { ...s.gsCb } };
}

/** Clear reset: every register to its initial value. */
export function clearResetSnapshot(): CpuSnapshot {
  return initialCpuSnapshot();
}

/** The 64-bit floating-point register `i` (0–15) of a snapshot: bytes 0–7 of V i, big-endian. */
export function snapshotFpr(s: CpuSnapshot, i: number): bigint {
  return fprOf(s.vrs, i);
}

/** Checks the shape of a snapshot (array lengths, value ranges); throws RangeError naming the field. */
export function validateCpuSnapshot(s: CpuSnapshot): void {
  validateCpuRegisters(s);
  if (s.bear < 0n || s.bear > 0xffffffffffffffffn) throw new RangeError('bear is not an unsigned 64-bit value');
}
