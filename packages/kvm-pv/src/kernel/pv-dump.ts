// KVM_PV_DUMP (docs/kvm-pv-api.md §4.1, §4.3, §4.4, §5): INIT blocks the vCPUs and sets the VM's
// `dumping` flag; CONFIG_STOR_STATE fills the user buffer through a bounce buffer of at most
// 1 MiB, one DUMP_CONF_STOR_STATE per MiB of guest storage, copying out whenever the bounce
// buffer is full (so results copied before an error stay in the user buffer); COMPLETE ends the
// dump; the vCPU ioctl's DUMP_CPU copies the UV's CPU dump to the user buffer.
import { Errno, PvDumpCmd } from '../uapi/constants.js';
import { PvDmpOffset, type StructBytes } from '../uapi/structs.js';
import type { PvRcSink, VcpuVm } from './kvm-objects.js';

const MIB = 0x100000n;
/** KVM's bounce buffer limit for STOR_STATE (DUMP_BUFF_LEN = HPAGE_SIZE). */
export const STOR_STATE_BOUNCE_LIMIT = 0x100000;

/** The VM-level dump subcommands; `dmp` is updated in place (gaddr) and copied back on success. */
export function handlePvDump(vm: VcpuVm, dmp: StructBytes, sink: PvRcSink): number {
  const subcmd = dmp.u64(PvDmpOffset.subcmd);
  switch (subcmd) {
    case BigInt(PvDumpCmd.INIT): {
      if (vm.dumping) return -Errno.EINVAL;
      vm.vcpusBlocked = true;
      const r = vm.uv.dumpInit(vm.pv!.handle);
      sink.rc = r.rc;
      sink.rrc = r.rrc;
      if (r.cc === 0) {
        vm.dumping = true;
        return 0;
      }
      vm.vcpusBlocked = false;
      return -Errno.EINVAL;
    }
    case BigInt(PvDumpCmd.CONFIG_STOR_STATE):
      if (!vm.dumping) return -Errno.EINVAL;
      return storState(vm, dmp, sink);
    case BigInt(PvDumpCmd.COMPLETE):
      if (!vm.dumping) return -Errno.EINVAL;
      if (dmp.u64(PvDmpOffset.buffLen) < vm.kernel.uvInfo!.confDumpFinalizeLen) return -Errno.EINVAL;
      return complete(vm, dmp.u64(PvDmpOffset.buffAddr), sink);
    default:
      return -Errno.ENOTTY;
  }
}

function storState(vm: VcpuVm, dmp: StructBytes, sink: PvRcSink): number {
  const increment = vm.kernel.uvInfo!.confDumpStorageStateLen;
  let gaddr = dmp.u64(PvDmpOffset.gaddr);
  let remaining = dmp.u64(PvDmpOffset.buffLen);
  let userAddress = dmp.u64(PvDmpOffset.buffAddr);
  // Early failures report the untouched control block's rc/rrc: zero.
  sink.rc = 0;
  sink.rrc = 0;
  if (gaddr % MIB !== 0n) return -Errno.EINVAL;
  if (remaining === 0n || remaining % increment !== 0n) return -Errno.EINVAL;
  const alloc = vm.kernel.allocator;
  const bounceSize = Number(remaining < BigInt(STOR_STATE_BOUNCE_LIMIT) ? remaining : BigInt(STOR_STATE_BOUNCE_LIMIT));
  const bounce = alloc.alloc(bounceSize);
  if (bounce === undefined) return -Errno.ENOMEM;
  const host = vm.kernel.memory;
  host.write(bounce, new Uint8Array(bounceSize));
  let filled = 0;
  let result = 0;
  try {
    do {
      const r = vm.uv.dumpStorageState(vm.pv!.handle, BigInt(bounce + filled), gaddr);
      sink.rc = r.rc;
      sink.rrc = r.rrc;
      if (r.cc !== 0) {
        result = -Errno.EINVAL;
        break;
      }
      filled += Number(increment);
      remaining -= increment;
      gaddr += MIB;
      if (remaining === 0n || filled === STOR_STATE_BOUNCE_LIMIT) {
        if (!vm.process.memory.copyToUser(userAddress, host.read(bounce, filled))) {
          result = -Errno.EFAULT;
          break;
        }
        userAddress += BigInt(filled);
        filled = 0;
      }
    } while (remaining > 0n);
    dmp.setU64(PvDmpOffset.gaddr, gaddr);
    return result;
  } finally {
    alloc.release(bounce, bounceSize);
  }
}

function complete(vm: VcpuVm, userAddress: bigint, sink: PvRcSink): number {
  const length = Number(vm.kernel.uvInfo!.confDumpFinalizeLen);
  const alloc = vm.kernel.allocator;
  const buffer = alloc.alloc(length);
  if (buffer === undefined) return -Errno.ENOMEM;
  const host = vm.kernel.memory;
  try {
    host.write(buffer, new Uint8Array(length));
    const r = vm.uv.dumpComplete(vm.pv!.handle, BigInt(buffer));
    sink.rc = r.rc;
    sink.rrc = r.rrc;
    if (r.cc !== 0) return -Errno.EINVAL;
    vm.dumping = false;
    vm.vcpusBlocked = false;
    return vm.process.memory.copyToUser(userAddress, host.read(buffer, length)) ? 0 : -Errno.EFAULT;
  } finally {
    host.write(buffer, new Uint8Array(length));
    alloc.release(buffer, length);
  }
}

/** KVM_S390_PV_CPU_COMMAND's DUMP handler (§5 steps 2-5); `data` is the dmp's user address. */
export function handlePvCpuDump(vcpu: { readonly vm: VcpuVm; readonly pvHandle: bigint | undefined }, data: bigint, sink: PvRcSink): number {
  const vm = vcpu.vm;
  if (!vm.dumping) return -Errno.EINVAL;
  const user = vm.process.memory;
  const bytes = user.copyFromUser(data, PvDmpOffset.size);
  if (bytes === undefined) return -Errno.EFAULT;
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  if (view.getBigUint64(PvDmpOffset.subcmd) !== BigInt(PvDumpCmd.CPU)) return -Errno.EINVAL;
  const length = vm.kernel.uvInfo!.cpuStorLen;
  if (view.getBigUint64(PvDmpOffset.buffLen) !== length) return -Errno.EINVAL;
  const alloc = vm.kernel.allocator;
  const buffer = alloc.alloc(Number(length));
  if (buffer === undefined) return -Errno.ENOMEM;
  const host = vm.kernel.memory;
  try {
    host.write(buffer, new Uint8Array(Number(length)));
    // The secure-CPU handle is not checked for 0 (a VM disabled mid-dump has none): the UV answers.
    const r = vm.uv.dumpCpu(vcpu.pvHandle ?? 0n, BigInt(buffer));
    sink.rc = r.rc;
    sink.rrc = r.rrc;
    if (r.cc !== 0) return -Errno.EINVAL;
    return user.copyToUser(view.getBigUint64(PvDmpOffset.buffAddr), host.read(buffer, Number(length))) ? 0 : -Errno.EFAULT;
  } finally {
    host.write(buffer, new Uint8Array(Number(length)));
    alloc.release(buffer, Number(length));
  }
}
