/**
 * What the QMP monitor needs from a virtual machine: the small machine-control interface a VMM
 * implements (directly or through an adapter) so that `QmpServer` can drive it. It mirrors the
 * QEMU internals that the QMP commands of QEMU 7.2 call: `vm_stop`/`vm_start` (all vCPUs),
 * `qemu_system_reset`, the CPU list of `query-cpus-fast`, `cpu_synchronize_all_states` + the
 * registers for `info registers`, and the dump driver of `dump-guest-memory`.
 *
 * The run state (prelaunch, running, paused, guest-panicked, shutdown, ...) and every QMP event
 * are kept by `VmMonitor` (vm.ts), not by the machine: the machine only runs or halts its vCPUs and
 * reports what the guest did through `MachineListener`.
 */
import type { FileHandle } from 'node:fs/promises';
import type { CpuRegisters } from '@pvdump/s390x-arch';

/** s390x vCPU states as `query-cpus-fast` names them (QAPI `CpuS390State`). */
export type VcpuState = 'uninitialized' | 'stopped' | 'check-stop' | 'operating' | 'load';

export interface VcpuInfo {
  /** CPU address (QEMU's cpu-index and core-id). */
  index: number;
  state: VcpuState;
  /** Host thread running the vCPU: [E] the VMM's own number (our vCPUs have no host thread). */
  threadId: number;
}

/** Why the guest panicked, as QEMU reports an s390 panic (`S390CrashReason`). */
export type S390CrashReason = 'unknown' | 'disabled-wait' | 'extint-loop' | 'pgmint-loop' | 'opint-loop';

/** The s390 panic information QEMU sends in GUEST_PANICKED (`GuestPanicInformationS390`). */
export interface GuestPanic {
  /** CPU address of the vCPU that panicked. */
  core: number;
  pswMask: bigint;
  pswAddr: bigint;
  reason: S390CrashReason;
}

/** The registers `info registers` shows, from the register model of `@pvdump/s390x-arch`. */
export type RegisterView = Pick<CpuRegisters, 'psw' | 'gprs' | 'crs' | 'vrs'>;

/** Guest-initiated events the machine reports while its vCPUs run. */
export interface MachineListener {
  /** The guest panicked (on s390: a vCPU entered a disabled wait). The vCPU stays halted. */
  guestPanicked(panic: GuestPanic): void;
  /** The guest asked to power off (e.g. SCLP or SIGP stop of every vCPU). */
  guestShutdown(): void;
  /** The guest asked for a reset (e.g. DIAGNOSE 0x308 re-IPL). */
  guestReset(): void;
  /** The machine cannot go on (a KVM or VMM failure); its vCPUs are halted. */
  internalError(message: string): void;
}

/** A `dump-guest-memory` request after QEMU's argument checks. */
export interface DumpRequest {
  paging: boolean;
  /** Both or neither: a guest-physical range to dump. */
  filter?: { begin: bigint; length: bigint };
}

/** A dump in progress: `query-dump` reads its counters while `done` is pending. */
export interface DumpJob {
  /** Bytes of guest memory the dump will write (QEMU's `total`). */
  readonly total: number;
  /** Bytes of guest memory written so far (QEMU's `completed`). */
  completed(): number;
  /** Resolves when the file is complete; rejects with the reason the dump failed. */
  readonly done: Promise<void>;
}

/** Thrown by `startDump` for a request the dump driver refuses; its message is the QMP desc. */
export class DumpRefused extends Error {
  override readonly name = 'DumpRefused';
}

export interface MachineControl {
  /** Whether the guest runs protected (Secure Execution): dumps follow the PV flow. */
  readonly isProtected: boolean;
  /** Guest memory size in bytes. */
  readonly memorySize: number;
  /** Starts (or restarts) the vCPUs that are operating. Called only while halted. */
  resume(): void;
  /** Halts every vCPU before returning (their state is then synchronised). */
  pause(): void;
  /** A system reset: the guest starts again from its boot state (clear reset on s390). */
  reset(): void;
  /** Ends the machine for good (power off); no other call follows except `vcpus`. */
  powerOff(): void;
  vcpus(): VcpuInfo[];
  /** Registers of every vCPU, in CPU address order (the hypervisor's view). Called only while halted. */
  cpuStates(): RegisterView[];
  /**
   * Starts a dump of the halted machine into `file` (opened by the monitor, truncated), in QEMU's
   * ELF layout; for a protected guest the PV dump flow. Throws `DumpRefused` for a request the
   * driver refuses (e.g. begin/length for a protected guest). The machine stays halted until the
   * job is done.
   */
  startDump(file: FileHandle, request: DumpRequest): DumpJob;
  /** Receives guest events; set once, before the first `resume`. */
  setListener(listener: MachineListener): void;
}
