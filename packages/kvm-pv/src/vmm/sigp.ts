// SIGNAL PROCESSOR in user space (QEMU with KVM_CAP_S390_USER_SIGP; QEMU 7.2 target/s390x/sigp.c;
// PoO "SIGNAL PROCESSOR"; docs/s390x-cpu.md §6): order = bits 56-63 of the second-operand
// address, target = CPU address in R3, parameter in R1 (odd R1) or R1+1, status into R1's low
// word with cc 1; cc 3 when no CPU has the address.
// - Set architecture: never a switch (z/Architecture only): status "invalid parameter" when
//   every other CPU is stopped, else "incorrect state".
// - Sense: cc 0 when the target is neither stopped nor has an external call pending, else the
//   status "stopped" and/or "external call pending". Sense running status: "not running" when
//   the target is stopped or waiting (QEMU's halted CPU), else cc 0.
// - External call (one pending at a time: else "external call pending"), emergency signal,
//   conditional emergency signal (the emergency signal unless the target is stopped, enabled for
//   I/O and external interruptions, and either in a wait at address 0... else "incorrect state").
// - Start, stop (a waiting target stops at once), restart (a stopped target starts with it),
//   stop and store status (status stored at absolute 0x1200), initial CPU reset and CPU reset
//   (the target ends stopped, its interruptions cleared).
// - Set prefix (parameter & 0x7FFFE000: outside memory → "invalid parameter", target not
//   stopped → "incorrect state"), store status at address (target not stopped → "incorrect
//   state"; the 512-byte area & 0x7FFFFE00 outside memory → "invalid parameter"), store
//   additional status (area at parameter & ~0xF, length code in bits 60-63: 0 = 1 KiB, with
//   guarded storage also 10-12 = 2^LC bytes, aligned on its length; V0-V31 at +0 with the vector
//   facility, the guarded-storage control block at +0x400 when the area has 2 KiB or more;
//   target not stopped → "incorrect state"; a CPU model without the vector and guarded-storage
//   facilities → "invalid order", as QEMU).
// - Any other order: status "invalid order".
// For a protected guest the state of a vCPU is not the hypervisor's (QEMU 7.2's s390_store_status
// stores nothing for a PV guest): stop and store status only stops, store status at address
// checks the target is stopped and is accepted without storing; the UV stores the status when
// the issuer re-enters (@pvdump/ultravisor secure-status-store.ts). Store additional status
// answers "invalid parameter". Set prefix goes through KVM's synced prefix, which KVM hands to
// the UV (as QEMU's sigp_set_prefix does for any guest).
import { ADDITIONAL_STATUS, PSW_MASK_WAIT } from '@pvdump/s390x-cpu/state';
import { Ioctl, IrqType, MpState } from '../uapi/constants.js';
import { RunOffset, type StructBytes } from '../uapi/structs.js';
import type { HostMachine, MachineStop, VcpuHandle } from './host.js';

const VECTOR_FACILITY = 129;
const GUARDED_STORAGE_FACILITY = 133;

export const SigpOrder = {
  SENSE: 0x01,
  EXTERNAL_CALL: 0x02,
  EMERGENCY: 0x03,
  START: 0x04,
  STOP: 0x05,
  RESTART: 0x06,
  STOP_AND_STORE_STATUS: 0x09,
  INITIAL_CPU_RESET: 0x0b,
  CPU_RESET: 0x0c,
  SET_PREFIX: 0x0d,
  STORE_STATUS_AT_ADDRESS: 0x0e,
  SET_ARCHITECTURE: 0x12,
  CONDITIONAL_EMERGENCY: 0x13,
  SENSE_RUNNING: 0x15,
  STORE_ADDITIONAL_STATUS: 0x17,
} as const;

/** Status bits stored in R1 with cc 1. */
export const SigpStatus = {
  NOT_RUNNING: 0x400,
  INCORRECT_STATE: 0x200,
  INVALID_PARAMETER: 0x100,
  EXT_CALL_PENDING: 0x80,
  STOPPED: 0x40,
  INVALID_ORDER: 0x02,
} as const;

/** KVM_S390_STORE_STATUS at absolute 0x1200 (KVM_S390_STORE_STATUS_NOADDR). */
const STORE_STATUS_NOADDR = 0xffffffffffffffffn;
const PSW_IO_EXT = 0x0300000000000000n;
/** The guarded-storage control block: reserved, GSD, GSSM, GSEPLA. */
const GS_CONTROL_BLOCK_SIZE = 32;

export function handleSigp(m: HostMachine, v: VcpuHandle, run: StructBytes, ipa: number, ipb: number): MachineStop | undefined {
  const r1 = (ipa >> 4) & 0xf;
  const r3 = ipa & 0xf;
  const order = Number(m.operandAddress(run, ipb) & 0xffn);
  const gprs = m.gprs(run);
  const parameter = gprs[r1 | 1]!;
  const status = (bits: number): undefined => {
    m.complete(v, run, 1, new Map([[r1, (gprs[r1]! & 0xffffffff00000000n) | BigInt(bits)]]));
    return undefined;
  };
  const accepted = (): undefined => {
    m.complete(v, run, 0);
    return undefined;
  };
  if (order === SigpOrder.SET_ARCHITECTURE) {
    const othersStopped = m.vcpus.every((c) => c.id === v.id || m.mpState(c.id) === MpState.STOPPED);
    return status(othersStopped ? SigpStatus.INVALID_PARAMETER : SigpStatus.INCORRECT_STATE);
  }
  const target = m.vcpus.find((c) => c.id === Number(gprs[r3]! & 0xffffn));
  if (target === undefined) {
    m.complete(v, run, 3);
    return undefined;
  }
  const api = m.api;
  const stopped = m.mpState(target.id) === MpState.STOPPED;
  // The target's registers as its last exit left them (current for a vCPU that is not running now).
  const targetRun = target.id === v.id ? run : m.readRun(target);
  const targetPsw = targetRun.u64(RunOffset.pswMask);
  const waiting = m.halted.has(target.id) || (targetPsw & PSW_MASK_WAIT) !== 0n;
  switch (order) {
    case SigpOrder.SENSE: {
      const extCall = m.hasPendingExternalCall(target);
      if (!stopped && !extCall) return accepted();
      return status((extCall ? SigpStatus.EXT_CALL_PENDING : 0) | (stopped ? SigpStatus.STOPPED : 0));
    }
    case SigpOrder.SENSE_RUNNING:
      return stopped || waiting ? status(SigpStatus.NOT_RUNNING) : accepted();
    case SigpOrder.EXTERNAL_CALL:
      if (api.injectIrq(target.fd, IrqType.INT_EXTERNAL_CALL, v.id) !== 0) return status(SigpStatus.EXT_CALL_PENDING);
      m.halted.delete(target.id);
      return accepted();
    case SigpOrder.EMERGENCY:
      api.injectIrq(target.fd, IrqType.INT_EMERGENCY, v.id);
      return accepted();
    case SigpOrder.CONDITIONAL_EMERGENCY: {
      const asn = parameter & 0xffffn;
      const crs = targetRun;
      const primaryAsn = crs.u64(RunOffset.syncCrs + 8 * 4) & 0xffffn;
      const secondaryAsn = crs.u64(RunOffset.syncCrs + 8 * 3) & 0xffffn;
      const signal = !stopped || (targetPsw & PSW_IO_EXT) !== PSW_IO_EXT || (waiting && targetRun.u64(RunOffset.pswAddr) !== 0n) || (!waiting && (asn === primaryAsn || asn === secondaryAsn));
      if (!signal) return status(SigpStatus.INCORRECT_STATE);
      api.injectIrq(target.fd, IrqType.INT_EMERGENCY, v.id);
      return accepted();
    }
    case SigpOrder.START:
      if (stopped) m.setMpState(target.id, MpState.OPERATING);
      return accepted();
    case SigpOrder.STOP:
      if (!stopped) {
        m.setMpState(target.id, MpState.STOPPED);
        m.halted.delete(target.id);
      }
      return accepted();
    case SigpOrder.RESTART:
      m.restart(target.id);
      return accepted();
    case SigpOrder.STOP_AND_STORE_STATUS:
      m.setMpState(target.id, MpState.STOPPED);
      m.halted.delete(target.id);
      if (!m.protected_) storeStatus(m, v, run, target, STORE_STATUS_NOADDR);
      return accepted();
    case SigpOrder.INITIAL_CPU_RESET:
    case SigpOrder.CPU_RESET:
      resetTarget(m, v, run, target, order === SigpOrder.INITIAL_CPU_RESET ? Ioctl.KVM_S390_INITIAL_RESET : Ioctl.KVM_S390_NORMAL_RESET);
      return accepted();
    case SigpOrder.SET_PREFIX: {
      const prefix = parameter & 0x7fffe000n;
      if (prefix + 0x2000n > BigInt(m.memorySize)) return status(SigpStatus.INVALID_PARAMETER);
      if (!stopped) return status(SigpStatus.INCORRECT_STATE);
      targetRun.setU64(RunOffset.syncPrefix, prefix).setU64(RunOffset.kvmDirtyRegs, targetRun.u64(RunOffset.kvmDirtyRegs) | 1n);
      m.writeRun(target, targetRun);
      return accepted();
    }
    case SigpOrder.STORE_STATUS_AT_ADDRESS: {
      if (!stopped) return status(SigpStatus.INCORRECT_STATE);
      if (m.protected_) return accepted();
      const address = parameter & 0x7ffffe00n;
      if (address + 0x200n > BigInt(m.memorySize)) return status(SigpStatus.INVALID_PARAMETER);
      storeStatus(m, v, run, target, address);
      return accepted();
    }
    case SigpOrder.STORE_ADDITIONAL_STATUS: {
      // Without the vector and the guarded-storage facilities the order does not exist.
      if (!m.facilities.includes(VECTOR_FACILITY) && !m.facilities.includes(GUARDED_STORAGE_FACILITY)) return status(SigpStatus.INVALID_ORDER);
      if (!stopped) return status(SigpStatus.INCORRECT_STATE);
      const lengthCode = Number(parameter & 0xfn);
      const address = parameter & ~0xfn & 0xffffffffffffffffn;
      const length = 1n << BigInt(lengthCode === 0 ? 10 : lengthCode);
      const gs = m.facilities.includes(GUARDED_STORAGE_FACILITY);
      // Length code 0 is 1 KiB; with guarded storage also 10, 11, 12 (1, 2, 4 KiB); the area is aligned on its length.
      const validCode = lengthCode === 0 || (gs && lengthCode >= 10 && lengthCode <= 12);
      if (m.protected_ || !validCode || (address & (length - 1n)) !== 0n || address + length > BigInt(m.memorySize)) return status(SigpStatus.INVALID_PARAMETER);
      if (m.facilities.includes(VECTOR_FACILITY)) m.writeGuest(Number(address), targetRun.bytes.slice(RunOffset.syncVrs, RunOffset.syncVrs + ADDITIONAL_STATUS.SIZE_VECTOR));
      if (gs && length >= BigInt(ADDITIONAL_STATUS.SIZE_WITH_GS)) {
        m.writeGuest(Number(address) + ADDITIONAL_STATUS.GS_CB, targetRun.bytes.slice(RunOffset.syncGscb, RunOffset.syncGscb + GS_CONTROL_BLOCK_SIZE));
      }
      return accepted();
    }
    default:
      return status(SigpStatus.INVALID_ORDER);
  }
}

/** KVM_S390_STORE_STATUS for `target`; when the target is the issuing vCPU its pending run state is written first. */
function storeStatus(m: HostMachine, v: VcpuHandle, run: StructBytes, target: VcpuHandle, address: bigint): void {
  if (target.id === v.id) m.writeRun(v, run);
  m.process.ioctl(target.fd, Ioctl.KVM_S390_STORE_STATUS, address);
}

/** A CPU reset of `target`: it ends stopped with no pending interruptions (QEMU's s390_cpu_reset). */
function resetTarget(m: HostMachine, v: VcpuHandle, run: StructBytes, target: VcpuHandle, reset: number): void {
  if (target.id === v.id) m.writeRun(v, run);
  m.process.ioctl(target.fd, reset);
  m.setMpState(target.id, MpState.STOPPED);
  m.halted.delete(target.id);
  m.pfaultTokens.delete(target.id);
  // The reset rewrote the target's run structure; the issuing vCPU's view must follow it.
  if (target.id === v.id) run.bytes.set(m.readRun(v).bytes);
}
