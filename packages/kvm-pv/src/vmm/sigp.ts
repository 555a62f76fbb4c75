// SIGNAL PROCESSOR in user space (QEMU with KVM_CAP_S390_USER_SIGP; docs/s390x-cpu.md §6):
// order = bits 56-63 of the second-operand address, target = CPU address in R3, parameter in
// R1 | 1, status into R1 with cc 1. Orders: sense, external call, emergency signal, start,
// stop, restart, stop and store status, initial CPU reset, CPU reset, set prefix, store status
// at address; any other order is cc 1 with "invalid order".
import { Ioctl, IrqType, MpState } from '../uapi/constants.js';
import { RunOffset, type StructBytes } from '../uapi/structs.js';
import type { MachineStop, VcpuHandle, VirtualMachine } from './machine.js';

export const SigpOrder = {
  SENSE: 1,
  EXTERNAL_CALL: 2,
  EMERGENCY: 3,
  START: 4,
  STOP: 5,
  RESTART: 6,
  STOP_AND_STORE_STATUS: 9,
  INITIAL_CPU_RESET: 11,
  CPU_RESET: 12,
  SET_PREFIX: 13,
  STORE_STATUS_AT_ADDRESS: 14,
} as const;

/** Status bits stored in R1 with cc 1. */
export const SigpStatus = {
  INCORRECT_STATE: 0x200,
  INVALID_PARAMETER: 0x100,
  EXT_CALL_PENDING: 0x80,
  STOPPED: 0x40,
  INVALID_ORDER: 0x02,
} as const;

export function handleSigp(m: VirtualMachine, v: VcpuHandle, run: StructBytes, ipa: number, ipb: number): MachineStop | undefined {
  const r1 = (ipa >> 4) & 0xf;
  const r3 = ipa & 0xf;
  const order = Number(m.operandAddress(run, ipb) & 0xffn);
  const gprs = m.gprs(run);
  const parameter = gprs[r1 | 1]!;
  const targetAddress = Number(gprs[r3]! & 0xffffn);
  const target = m.vcpus.find((c) => c.id === targetAddress);
  const status = (bits: number): void => {
    m.complete(v, run, 1, new Map([[r1, (gprs[r1]! & 0xffffffff00000000n) | BigInt(bits)]]));
  };
  if (target === undefined) {
    m.complete(v, run, 3);
    return undefined;
  }
  const api = m.api;
  const stopped = m.mpState(target.id) === MpState.STOPPED;
  switch (order) {
    case SigpOrder.SENSE:
      if (stopped) status(SigpStatus.STOPPED);
      else m.complete(v, run, 0);
      return undefined;
    case SigpOrder.EXTERNAL_CALL:
      if (api.injectIrq(target.fd, IrqType.INT_EXTERNAL_CALL, v.id) !== 0) status(SigpStatus.EXT_CALL_PENDING);
      else m.complete(v, run, 0);
      return undefined;
    case SigpOrder.EMERGENCY:
      api.injectIrq(target.fd, IrqType.INT_EMERGENCY, v.id);
      m.complete(v, run, 0);
      return undefined;
    case SigpOrder.START:
      m.setMpState(target.id, MpState.OPERATING);
      m.complete(v, run, 0);
      return undefined;
    case SigpOrder.STOP:
      m.setMpState(target.id, MpState.STOPPED);
      m.complete(v, run, 0);
      return undefined;
    case SigpOrder.RESTART:
      if (stopped) m.setMpState(target.id, MpState.OPERATING);
      api.injectIrq(target.fd, IrqType.RESTART);
      m.complete(v, run, 0);
      return undefined;
    case SigpOrder.STOP_AND_STORE_STATUS:
      m.setMpState(target.id, MpState.STOPPED);
      // The state of a protected vCPU is not the hypervisor's to store.
      if (!m.protected_) m.process.ioctl(target.fd, Ioctl.KVM_S390_STORE_STATUS, 1n);
      m.complete(v, run, 0);
      return undefined;
    case SigpOrder.INITIAL_CPU_RESET:
      m.process.ioctl(target.fd, Ioctl.KVM_S390_INITIAL_RESET);
      m.complete(v, run, 0);
      return undefined;
    case SigpOrder.CPU_RESET:
      m.process.ioctl(target.fd, Ioctl.KVM_S390_NORMAL_RESET);
      m.complete(v, run, 0);
      return undefined;
    case SigpOrder.SET_PREFIX: {
      if (!stopped) return status(SigpStatus.INCORRECT_STATE), undefined;
      const prefix = parameter & 0x7fffe000n;
      if (m.protected_ || prefix + 0x2000n > BigInt(m.memorySize)) return status(SigpStatus.INVALID_PARAMETER), undefined;
      const t = m.readRun(target);
      t.setU64(RunOffset.syncPrefix, prefix).setU64(RunOffset.kvmDirtyRegs, t.u64(RunOffset.kvmDirtyRegs) | 1n);
      m.writeRun(target, t);
      m.complete(v, run, 0);
      return undefined;
    }
    case SigpOrder.STORE_STATUS_AT_ADDRESS: {
      if (!stopped) return status(SigpStatus.INCORRECT_STATE), undefined;
      const address = parameter & 0x7ffffe00n;
      if (m.protected_ || address + 0x200n > BigInt(m.memorySize)) return status(SigpStatus.INVALID_PARAMETER), undefined;
      m.process.ioctl(target.fd, Ioctl.KVM_S390_STORE_STATUS, address);
      m.complete(v, run, 0);
      return undefined;
    }
    default:
      status(SigpStatus.INVALID_ORDER);
      return undefined;
  }
}
