// QEMU's `dump-guest-memory` (ELF) on the KVM PV API (docs/kvm-pv-api.md §9-§10): INIT before any
// byte is written; the CPU notes in CPU order, each protected vCPU's NT_S390_PV_CPU_DATA filled by
// DUMP_CPU beside the hypervisor's own register view; guest memory read through the process's
// mapping (so the kernel exports every secure page); STOR_STATE per RAM block; COMPLETE; the PV
// sections. Every PV ioctl is retried on -EINTR. A failing INIT falls back to a non-PV dump; after
// any failure an initialised dump is completed into a scratch buffer (QEMU v8.2), so the VM can
// run again. Memory streams in 1 MiB chunks (docs/elf-core-format.md §2): to a file with positional
// writes, a few in flight while the next chunk is read (and its secure pages exported), from a
// fixed set of buffers; to a stream through the writer, in order.
import { write as fsWrite } from 'node:fs';
import { gsCbFromWords, zeroCpuRegisters, type CpuRegisters } from '@pvdump/s390x-arch';
import { DumpFormatError, DumpWriter, type DumpLayout, type WriteTarget } from '@pvdump/dump-format';
import { cpuStateOfRegisters } from './cpu-notes.js';
import { Capability } from '../uapi/constants.js';
import { RunOffset, SyncRegs } from '../uapi/structs.js';
import { MachineError, type VcpuHandle, type VirtualMachine } from './machine.js';

const MIB = 0x100000n;
const CHUNK = 1 << 20;
/** Chunks being written while the next is read: the dump's memory buffers are IN_FLIGHT × CHUNK. */
const IN_FLIGHT = 4;

export interface DumpGuestOptions {
  /** QEMU's `begin`/`length` filter (guest absolute); refused for protected guests (docs/elf-core-format.md §6). */
  begin?: bigint;
  length?: bigint;
  /** Receives QEMU's log lines (e.g. a failed INIT). */
  log?: (line: string) => void;
}

export interface DumpReport {
  /** The dump carries the PV CPU notes and sections (INIT succeeded). */
  pv: boolean;
  /** Why a protected guest's dump fell back to a plain one. */
  fallback?: string;
  /** vCPUs whose DUMP_CPU failed (their PV note is zeros). */
  cpuDumpFailures: number[];
  layout: DumpLayout;
}

/**
 * The hypervisor's view of a vCPU (QEMU's CPU state after synchronisation): its run structure's
 * synced registers; what is not valid there (a protected vCPU shows only exposed GPRs) is zero.
 */
export function hypervisorRegisters(m: VirtualMachine, v: VcpuHandle): CpuRegisters {
  const run = m.readRun(v);
  const valid = run.u64(RunOffset.kvmValidRegs);
  const has = (bit: bigint): boolean => (valid & bit) !== 0n;
  const r = zeroCpuRegisters();
  r.psw = { mask: run.u64(RunOffset.pswMask), addr: run.u64(RunOffset.pswAddr) };
  if (has(SyncRegs.GPRS)) r.gprs = Array.from({ length: 16 }, (_, i) => run.u64(RunOffset.syncGprs + 8 * i));
  if (has(SyncRegs.ACRS)) r.acrs = Array.from({ length: 16 }, (_, i) => run.u32(RunOffset.syncAcrs + 4 * i));
  if (has(SyncRegs.CRS)) r.crs = Array.from({ length: 16 }, (_, i) => run.u64(RunOffset.syncCrs + 8 * i));
  if (has(SyncRegs.PREFIX)) r.prefix = Number(run.u64(RunOffset.syncPrefix));
  if (has(SyncRegs.ARCH0)) {
    r.cpuTimer = run.u64(RunOffset.syncCputm);
    r.clockComparator = run.u64(RunOffset.syncCkc);
    r.todProgrammable = Number(run.u64(RunOffset.syncTodpr) & 0xffffffffn);
  }
  if (has(SyncRegs.VRS)) {
    r.vrs = Array.from({ length: 32 }, (_, i) => run.bytes.slice(RunOffset.syncVrs + 16 * i, RunOffset.syncVrs + 16 * i + 16));
    r.fpc = run.u32(RunOffset.syncFpc);
  }
  if (has(SyncRegs.GSCB)) r.gsCb = gsCbFromWords(Array.from({ length: 4 }, (_, i) => run.u64(RunOffset.syncGscb + 8 * i)));
  return r;
}

/** Positional write of all of `data` at `position`. */
function writeAt(fd: number, data: Uint8Array, position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const next = (done: number): void => {
      if (done === data.length) return resolve();
      fsWrite(fd, data, done, data.length - done, position + done, (err, n) => (err !== null ? reject(err) : next(done + n)));
    };
    next(0);
  });
}

/** Guest memory [begin, begin + length) from the process's mapping of guest RAM into the dump. */
async function writeGuestMemory(m: VirtualMachine, writer: DumpWriter, begin: bigint, length: bigint): Promise<void> {
  const chunks = Number((length + BigInt(CHUNK) - 1n) / BigInt(CHUNK));
  const chunkAt = (i: number): { address: bigint; n: number } => {
    const offset = BigInt(i) * BigInt(CHUNK);
    return { address: m.ramAddress + begin + offset, n: Number(length - offset < BigInt(CHUNK) ? length - offset : BigInt(CHUNK)) };
  };
  const reserved = await writer.reserveMemory();
  if (reserved === undefined) {
    // A stream may still hold a written chunk in its queue: each chunk is a new buffer.
    for (let i = 0; i < chunks; i++) {
      const { address, n } = chunkAt(i);
      const chunk = new Uint8Array(n);
      m.process.memory.readInto(address, chunk);
      await writer.writeMemory(chunk);
    }
    return;
  }
  const buffers = Array.from({ length: Math.min(IN_FLIGHT, chunks) }, () => new Uint8Array(CHUNK));
  const writing: (Promise<void> | undefined)[] = buffers.map(() => undefined);
  let failure: unknown;
  try {
    for (let i = 0; i < chunks && failure === undefined; i++) {
      const slot = i % buffers.length;
      await writing[slot];
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a write's rejection sets failure while this awaits
      if (failure !== undefined) break;
      const { address, n } = chunkAt(i);
      const chunk = buffers[slot]!.subarray(0, n);
      m.process.memory.readInto(address, chunk);
      writing[slot] = writeAt(reserved.fd, chunk, reserved.offset + i * CHUNK).catch((e: unknown) => {
        failure ??= e;
      });
    }
  } finally {
    await Promise.all(writing.filter((w) => w !== undefined));
  }
  if (failure !== undefined) {
    await writer.abort();
    const err = failure as NodeJS.ErrnoException;
    const why = err.code === 'ENOSPC' ? 'no space left on the device' : err.message;
    throw new DumpFormatError('io', `writing the dump failed: ${why}`, undefined, { cause: failure });
  }
}

/** Machines with a dump being written (QEMU's `qemu_system_dump_in_progress`). */
const dumpsInProgress = new WeakSet<VirtualMachine>();

/** QEMU's refusal of a dump while another one runs (a GenericError in QMP). */
export const DUMP_IN_PROGRESS_MESSAGE = 'There is a dump in process, please wait.';

/**
 * Writes an ELF dump of the (stopped) machine to `target`. A second dump while one is being
 * written is refused before anything happens (QEMU's "There is a dump in process"), so it never
 * reaches KVM_PV_DUMP INIT (which KVM would refuse with -EINVAL while `dumping` is set).
 */
export async function dumpGuestMemory(m: VirtualMachine, target: WriteTarget, options: DumpGuestOptions = {}): Promise<DumpReport> {
  if (dumpsInProgress.has(m)) throw new MachineError(DUMP_IN_PROGRESS_MESSAGE);
  dumpsInProgress.add(m);
  try {
    return await writeGuestDump(m, target, options);
  } finally {
    dumpsInProgress.delete(m);
  }
}

async function writeGuestDump(m: VirtualMachine, target: WriteTarget, options: DumpGuestOptions): Promise<DumpReport> {
  const api = m.api;
  const log = options.log ?? (() => undefined);
  if (m.protected_ && (options.begin !== undefined || options.length !== undefined)) {
    throw new MachineError('dump-guest-memory: begin/length filters are refused for protected guests (the storage-state table would no longer match the memory)');
  }
  const size = BigInt(m.memorySize);
  const begin = options.begin ?? 0n;
  const length = options.length ?? size - begin;
  if (begin < 0n || length <= 0n || begin + length > size) throw new MachineError(`dump-guest-memory: begin 0x${begin.toString(16)} / length 0x${length.toString(16)} is outside the guest's 0x${size.toString(16)} bytes`);

  const info = m.pvInfo?.dump;
  const pvHooks = m.protected_ && info !== undefined && api.checkExtension(m.vmFd, Capability.KVM_CAP_S390_PROTECTED_DUMP) === 1;
  let initialised = false;
  let completed = false;
  let fallback: string | undefined;
  if (pvHooks) {
    const r = api.dumpInit(m.vmFd);
    if (r.ret === 0) initialised = true;
    else {
      log(`KVM PV command 8 (KVM_PV_DUMP) failed: header rc ${r.rc.toString(16)} rrc ${r.rrc.toString(16)} IOCTL rc: ${r.ret}`);
      log('KVM DUMP command 0 failed');
      fallback = `KVM_PV_DUMP INIT failed (ioctl ${r.ret}, rc 0x${r.rc.toString(16)}, rrc 0x${r.rrc.toString(16)})`;
    }
  }

  let writer: DumpWriter | undefined;
  const scratch: bigint[] = [];
  const userBuffer = (bytes: bigint): bigint => {
    const at = m.process.mmapAnonymous(Number(bytes));
    scratch.push(at);
    return at;
  };
  try {
    const cpuDumpFailures: number[] = [];
    const cpus = m.vcpus.map((v) => {
      const state = cpuStateOfRegisters(hypervisorRegisters(m, v), v.id + 1);
      if (!m.protected_) return state;
      if (!pvHooks) return { ...state, pvCpuData: new Uint8Array(0) };
      const cpuLength = info.dumpCpuBufferLen;
      let data: Uint8Array = new Uint8Array(Number(cpuLength));
      if (initialised) {
        const buffer = userBuffer(cpuLength);
        const r = api.dumpCpu(v.fd, buffer, cpuLength);
        if (r.ret === 0) data = m.process.memory.read(buffer, Number(cpuLength));
        else cpuDumpFailures.push(v.id);
      }
      return { ...state, pvCpuData: data };
    });
    const memMetaSize = initialised ? (size / MIB) * info!.dumpConfigMemBufferPer1m : 0n;
    const complSize = initialised ? info!.dumpConfigFinalizeLen : 0n;
    writer = await DumpWriter.create(target, {
      cpus,
      memory: [{ start: begin, size: length }],
      ...(initialised ? { pv: { memMetaSize, complSize } } : {}),
    });
    // Guest memory as QEMU writes it: straight from its mapping of guest RAM.
    await writeGuestMemory(m, writer, begin, length);
    if (!initialised) {
      const layout = await writer.finish();
      return { pv: false, ...(fallback !== undefined ? { fallback } : {}), cpuDumpFailures, layout };
    }
    // One RAM block at 0: one STOR_STATE, indexed by absolute address.
    const memMetaBuffer = userBuffer(memMetaSize);
    const state = api.dumpStorState(m.vmFd, memMetaBuffer, memMetaSize, 0n);
    if (state.ret !== 0) throw new MachineError(`dump: failed to get arch section data (KVM_PV_DUMP CONFIG_STOR_STATE: ioctl ${state.ret}, rc 0x${state.rc.toString(16)})`);
    const complBuffer = userBuffer(complSize);
    const done = api.dumpComplete(m.vmFd, complBuffer, complSize);
    if (done.ret !== 0) throw new MachineError(`dump: failed to get arch section data (KVM_PV_DUMP COMPLETE: ioctl ${done.ret}, rc 0x${done.rc.toString(16)})`);
    completed = true;
    const layout = await writer.finish({ memMeta: m.process.memory.read(memMetaBuffer, Number(memMetaSize)), compl: m.process.memory.read(complBuffer, Number(complSize)) });
    return { pv: true, cpuDumpFailures, layout };
  } catch (e) {
    await writer?.abort();
    if (initialised && !completed) {
      // QEMU v8.2: end the dump so KVM clears `dumping` and the VM can run again.
      const buffer = userBuffer(info!.dumpConfigFinalizeLen);
      api.dumpComplete(m.vmFd, buffer, info!.dumpConfigFinalizeLen);
    }
    throw e;
  } finally {
    for (const at of scratch) m.process.memory.munmap(at);
  }
}
