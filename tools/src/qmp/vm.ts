/**
 * The VM as QEMU 7.2's monitor sees it (`softmmu/runstate.c`, `softmmu/cpus.c`, `dump/dump.c`):
 * the run state, the panic action, the one dump that may be in progress, and the QMP events each
 * transition sends. `MachineControl` (machine.ts) does the work; this class decides when.
 *
 * - `stop` halts a running VM (STOP); on any other state it does nothing.
 * - `cont` on a running VM does nothing; on shutdown it needs a reset first; otherwise it starts
 *   the vCPUs (RESUME).
 * - `system_reset` sends RESET; a VM that was not running is then in `prelaunch`.
 * - A guest panic sends GUEST_PANICKED with the action taken: `pause` (then STOP, state
 *   guest-panicked), `poweroff` (then SHUTDOWN with reason guest-panic) or `run` (none).
 * - `dump-guest-memory` halts a running VM for the dump (STOP) and restarts it after (RESUME);
 *   DUMP_COMPLETED carries the `query-dump` result and, on failure, the error.
 */
import { constants as fsConstants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { generic, QmpErrors } from './errors.js';
import type { JsonObject } from './json.js';
import { DumpRefused, type DumpJob, type DumpRequest, type GuestPanic, type MachineControl, type RegisterView } from './machine.js';

/** QAPI `RunState` values this VM passes through. */
export type RunState = 'prelaunch' | 'running' | 'paused' | 'save-vm' | 'guest-panicked' | 'shutdown' | 'internal-error';

/** QEMU's `-action panic=`: what a guest panic does. */
export type PanicAction = 'pause' | 'shutdown' | 'none';

export type DumpStatus = 'none' | 'active' | 'completed' | 'failed';

/** A QMP event before its timestamp is added. */
export interface VmEvent {
  event: string;
  data?: JsonObject;
}

export interface VmMonitorOptions {
  /** Like QEMU's `-S`: the VM waits in `prelaunch` for `cont`. */
  startPaused?: boolean;
  /** Like QEMU's `-action panic=`; QEMU's default is `shutdown`. */
  panicAction?: PanicAction;
}

/**
 * Why the VM ended: the guest powered off, panicked (with poweroff), the host quit it, or the
 * machine failed ([E] QEMU keeps a VM in `internal-error` until a reset; ours ends).
 */
export type VmEnd = { by: 'host-quit' } | { by: 'guest-shutdown' } | { by: 'guest-panic'; panic: GuestPanic } | { by: 'internal-error'; message: string };

export class VmMonitor {
  private state: RunState;
  private readonly panicAction: PanicAction;
  private readonly eventListeners = new Set<(e: VmEvent) => void>();
  private readonly endListeners = new Set<(end: VmEnd) => void>();
  private dumpStatus: DumpStatus = 'none';
  private dumpJob: DumpJob | undefined;
  private dumpTotal = 0;
  private dumpCompleted = 0;
  private lastPanicValue: GuestPanic | undefined;

  constructor(
    readonly machine: MachineControl,
    options: VmMonitorOptions = {},
  ) {
    this.panicAction = options.panicAction ?? 'shutdown';
    this.state = options.startPaused === true ? 'prelaunch' : 'running';
    machine.setListener({
      guestPanicked: (panic) => this.onGuestPanic(panic),
      guestShutdown: () => this.end({ by: 'guest-shutdown' }, { guest: true, reason: 'guest-shutdown' }),
      guestReset: () => this.reset({ guest: true, reason: 'guest-reset' }),
      internalError: (message) => this.onInternalError(message),
    });
    if (this.state === 'running') machine.resume();
  }

  get runState(): RunState {
    return this.state;
  }

  /** The panic that stopped the guest, if it panicked. */
  get lastPanic(): GuestPanic | undefined {
    return this.lastPanicValue;
  }

  onEvent(listener: (e: VmEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Called once when the VM ends (quit, guest power-off, panic with the shutdown action). */
  onEnd(listener: (end: VmEnd) => void): void {
    this.endListeners.add(listener);
  }

  private emit(event: string, data?: JsonObject): void {
    const e: VmEvent = data === undefined ? { event } : { event, data };
    for (const l of this.eventListeners) l(e);
  }

  /** QEMU's `vm_stop`: halts a running VM and sends STOP; nothing otherwise. */
  private vmStop(next: RunState): void {
    if (this.state !== 'running') return;
    this.machine.pause();
    this.state = next;
    this.emit('STOP');
  }

  /** QEMU's `vm_start`. */
  private vmStart(): void {
    if (this.state === 'running') return;
    this.state = 'running';
    this.machine.resume();
    this.emit('RESUME');
  }

  stop(): void {
    this.vmStop('paused');
  }

  cont(): void {
    if (this.state === 'shutdown' || this.state === 'internal-error') throw generic('Resetting the Virtual Machine is required');
    if (this.dumpStatus === 'active') throw generic('There is a dump in process, please wait.');
    this.vmStart();
  }

  systemReset(): void {
    this.reset({ guest: false, reason: 'host-qmp-system-reset' });
  }

  private reset(data: JsonObject): void {
    if (this.state === 'shutdown') return;
    const wasRunning = this.state === 'running';
    if (wasRunning) this.machine.pause();
    this.machine.reset();
    this.lastPanicValue = undefined;
    this.emit('RESET', data);
    if (wasRunning) this.machine.resume();
    else this.state = 'prelaunch';
  }

  quit(): void {
    this.end({ by: 'host-quit' }, { guest: false, reason: 'host-qmp-quit' });
  }

  private end(end: VmEnd, shutdownData: JsonObject): void {
    if (this.state === 'shutdown') return;
    this.emit('SHUTDOWN', shutdownData);
    this.state = 'shutdown';
    this.machine.powerOff();
    for (const l of this.endListeners) l(end);
  }

  private onInternalError(message: string): void {
    if (this.state === 'shutdown') return;
    this.vmStop('internal-error');
    this.state = 'internal-error';
    for (const l of this.endListeners) l({ by: 'internal-error', message });
  }

  private onGuestPanic(panic: GuestPanic): void {
    this.lastPanicValue = panic;
    const info: JsonObject = {
      core: panic.core,
      'psw-addr': panic.pswAddr,
      reason: panic.reason,
      'psw-mask': panic.pswMask,
      type: 's390',
    };
    const action = this.panicAction === 'pause' ? 'pause' : this.panicAction === 'shutdown' ? 'poweroff' : 'run';
    this.emit('GUEST_PANICKED', { action, info });
    if (this.panicAction === 'pause') this.vmStop('guest-panicked');
    else if (this.panicAction === 'shutdown') this.end({ by: 'guest-panic', panic }, { guest: true, reason: 'guest-panic' });
  }

  queryStatus(): JsonObject {
    return { status: this.state, singlestep: false, running: this.state === 'running' };
  }

  queryCpusFast(): JsonObject[] {
    return this.machine.vcpus().map((cpu) => ({
      'thread-id': cpu.threadId,
      props: { 'core-id': cpu.index },
      'cpu-state': cpu.state,
      'qom-path': `/machine/unattached/device[${cpu.index}]`,
      'cpu-index': cpu.index,
      target: 's390x',
    }));
  }

  /** Every vCPU's registers, halting a running VM for the moment of the read (no events). */
  cpuStates(): RegisterView[] {
    if (this.state !== 'running') return this.machine.cpuStates();
    this.machine.pause();
    try {
      return this.machine.cpuStates();
    } finally {
      this.machine.resume();
    }
  }

  queryDump(): JsonObject {
    const completed = this.dumpJob !== undefined ? this.dumpJob.completed() : this.dumpCompleted;
    return { total: this.dumpTotal, status: this.dumpStatus, completed };
  }

  /**
   * `dump-guest-memory` after argument checks. Resolves when the command's answer is due: at once
   * for a detached dump, when the file is complete otherwise.
   */
  async dumpGuestMemory(protocol: string, request: DumpRequest, detach: boolean): Promise<void> {
    if (this.dumpStatus === 'active') throw generic('There is a dump in process, please wait.');
    if (this.state === 'shutdown') throw generic('dump: no guest memory to dump');
    let file: FileHandle;
    if (protocol.startsWith('fd:')) throw generic(`File descriptor named '${protocol.slice(3)}' has not been found`);
    if (!protocol.startsWith('file:')) throw QmpErrors.invalidParameter('protocol');
    const path = protocol.slice(5);
    try {
      file = await open(path, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_TRUNC, 0o400);
    } catch (e) {
      throw generic(`Could not open '${path}': ${strerror(e)}`);
    }
    this.dumpStatus = 'active';
    this.dumpTotal = 0;
    this.dumpCompleted = 0;
    const resume = this.state === 'running';
    this.vmStop('save-vm');
    let job: DumpJob;
    try {
      job = this.startJob(file, request);
    } catch (e) {
      this.dumpStatus = 'failed';
      await file.close();
      if (resume) this.vmStart();
      throw e;
    }
    this.dumpJob = job;
    this.dumpTotal = job.total;
    const finished = job.done.then(
      () => undefined,
      (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
    );
    const complete = finished.then(async (failure) => {
      await file.close().catch(() => undefined);
      this.dumpCompleted = job.completed();
      this.dumpJob = undefined;
      this.dumpStatus = failure === undefined ? 'completed' : 'failed';
      const data: JsonObject = { result: this.queryDump() };
      if (failure !== undefined) data.error = failure.message;
      this.emit('DUMP_COMPLETED', data);
      if (resume && this.state === 'save-vm') this.vmStart();
      return failure;
    });
    if (detach) return;
    const failure = await complete;
    if (failure !== undefined) {
      // The client gets QEMU's GenericError; a caller inside pvdump can still tell what failed.
      const error = generic(failure.message);
      error.cause = failure;
      throw error;
    }
  }

  /** QEMU's `dump_init` checks of the range, then the machine's dump driver. */
  private startJob(file: FileHandle, request: DumpRequest): DumpJob {
    const memory = BigInt(this.machine.memorySize);
    if (request.filter !== undefined && this.machine.isProtected) throw generic(PROTECTED_FILTER_REFUSED);
    if (request.filter !== undefined) {
      const { begin, length } = request.filter;
      const end = begin + length;
      const overlap = (end < memory ? end : memory) - (begin > 0n ? begin : 0n);
      if (overlap <= 0n) throw generic(length === 0n ? QmpErrors.invalidParameter('length').desc : 'dump: no guest memory to dump');
    }
    try {
      return this.machine.startDump(file, request);
    } catch (e) {
      if (e instanceof DumpRefused) throw generic(e.message);
      throw e;
    }
  }
}

/**
 * [E] The answer to begin/length for a protected guest: the PV dump covers all of memory (the UV's
 * completion data and page tweaks are for the whole configuration), so a range is refused.
 */
export const PROTECTED_FILTER_REFUSED = 'dump: begin and length are not supported for protected (Secure Execution) guests';

const STRERROR: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  EROFS: 'Read-only file system',
  ENOSPC: 'No space left on device',
  EEXIST: 'File exists',
  ENAMETOOLONG: 'File name too long',
  ELOOP: 'Too many levels of symbolic links',
};

/** The C library's text for an errno, as QEMU's `error_setg_file_open` prints it. */
function strerror(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code !== undefined && STRERROR[code] !== undefined) return STRERROR[code];
  return e instanceof Error ? e.message : String(e);
}
