// A protected VM for the uapi tests: booted by the VMM (ENABLE … PREP_RESET, the steps of DIAGNOSE
// 0x308 subcode 10) from a Secure Execution image of a one-page guest that spins, with helpers
// that issue ioctls on hand-laid struct bytes.
import { Ioctl, PvCmdOffset, StructBytes, VirtualMachine, encodePvCmd, encodePvDmp, type HostKernelOptions } from '../../src/index.ts';
import { assemble, protectedImage, testHost } from './guests.ts';

const SPIN = `
	.text
	.globl _start
_start:
	j	_start
`;

let spinPath: string | undefined;
export function spinGuest(): string {
  spinPath ??= assemble(SPIN);
  return spinPath;
}

export interface PvVmOptions {
  memoryMiB?: number;
  cpus?: number;
  allowDumping?: boolean;
  kernel?: Partial<HostKernelOptions>;
}

export function bootedPvVm(options: PvVmOptions = {}) {
  const host = testHost({ timeSlice: 500, ...options.kernel });
  const m = new VirtualMachine({ kernel: host.kernel, memorySize: (options.memoryMiB ?? 2) << 20, cpus: options.cpus ?? 1 });
  const image = m.bootSecureImage(protectedImage(spinGuest(), options.allowDumping ?? true));
  return { ...host, m, image, api: m.api, process: m.process, vmFd: m.vmFd, vcpuFd: m.vcpus[0]!.fd };
}

/** A fresh user buffer holding `bytes`; returns its address. */
export function userBytes(m: VirtualMachine, bytes: Uint8Array): bigint {
  const at = m.process.mmapAnonymous(Math.max(bytes.length, 1));
  m.process.memory.write(at, bytes);
  return at;
}

/** KVM_S390_PV_COMMAND (or the vCPU's command) on the given 32 struct bytes; returns the ioctl result and the bytes after. */
export function rawCommand(m: VirtualMachine, fd: number, cmd: Uint8Array, request: number = Ioctl.KVM_S390_PV_COMMAND): { ret: number; after: Uint8Array; at: bigint } {
  const at = userBytes(m, cmd);
  const ret = m.process.ioctl(fd, request, at);
  return { ret, after: m.process.memory.read(at, PvCmdOffset.size), at };
}

/** A kvm_pv_cmd with rc/rrc pre-set to recognisable values (to see what KVM writes back). */
export function cmdBytes(cmd: number, data = 0n, flags = 0): Uint8Array {
  return encodePvCmd({ cmd, data, flags, rc: 0xaaaa, rrc: 0xbbbb });
}

export function rcOf(bytes: Uint8Array): { cmd: number; rc: number; rrc: number } {
  const s = new StructBytes(bytes);
  return { cmd: s.u32(0), rc: s.u16(4), rrc: s.u16(6) };
}

/** A kvm_s390_pv_dmp in user memory. */
export function dmpAt(m: VirtualMachine, subcmd: number | bigint, buffAddr = 0n, buffLen = 0n, gaddr = 0n): bigint {
  return userBytes(m, encodePvDmp({ subcmd, buffAddr, buffLen, gaddr }));
}

/** An address no mapping covers (copy_from_user / copy_to_user fail). */
export const UNMAPPED = 0x8n;
