/**
 * The QEMU-like VMM of `@pvdump/kvm-pv` behind the QMP monitor's `MachineControl`: a plain ELF
 * guest loaded like QEMU's `-kernel`, a raw boot image (an SE image made by genprotimg: loaded at
 * 0, started from its short IPL PSW, switching itself to protected mode with DIAGNOSE 0x308, as
 * `pvdump image` writes it too);
 * the vCPUs run round-robin a few KVM_RUN rounds per turn of the event loop (so QMP clients are
 * served while the guest runs); when every vCPU sleeps in an enabled wait the loop sleeps too
 * (no turns, no host CPU) until a vCPU's timer is due or a monitor command pauses or resets
 * the machine; a disabled wait is a guest panic, a disabled wait at an address
 * ending in FFF a power-off; dumps go through the VMM's dump driver (QEMU's dump-guest-memory,
 * the PV flow for a protected guest).
 */
import type { FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { dumpGuestMemory, HostKernel, hypervisorRegisters, MachineError, MpState, VirtualMachine, type HostKernelOptions } from '@pvdump/kvm-pv';
import { DumpRefused, type DumpJob, type DumpRequest, type MachineControl, type MachineListener, type RegisterView, type VcpuInfo, type VcpuState } from '../qmp/machine.js';

/** A plain ELF (QEMU -kernel) or a raw boot image such as an SE image made by genprotimg or `pvdump image`. */
export type GuestImage = { kind: 'elf'; path: string } | { kind: 'raw'; image: Uint8Array };

export interface KvmPvMachineOptions {
  kernel: HostKernelOptions;
  memorySize: number;
  cpus: number;
  guest: GuestImage;
  /** Receives the guest's SCLP console output. */
  console?: (text: string) => void;
  /** Receives the VMM's error reports (e.g. a protected switch the guest asked for that failed). */
  log?: (line: string) => void;
}

/**
 * KVM_RUN rounds per turn of the event loop, and the wall time after which a turn ends early (a
 * slow guest, e.g. a protected one faulting pages in, still lets the monitor answer). Where turns
 * end does not change what the guest does: the rounds go on in the same order.
 */
const ROUNDS_PER_TURN = 16;
const TURN_MS = 20;
/**
 * [E] Instructions per KVM_RUN unless the kernel options say otherwise (the kernel's default is
 * 200,000): one KVM_RUN of a slow guest (e.g. a protected one faulting pages in, ~3 µs per
 * instruction) then holds the monitor for a fraction of a second, not for one.
 */
const TIME_SLICE = 50_000;

const MP_STATE_NAMES = new Map<number, VcpuState>([
  [MpState.STOPPED, 'stopped'],
  [MpState.CHECK_STOP, 'check-stop'],
  [MpState.OPERATING, 'operating'],
  [MpState.LOAD, 'load'],
]);

export class KvmPvMachine implements MachineControl {
  readonly kernel: HostKernel;
  vm: VirtualMachine;
  private running = false;
  private halted = false;
  private scheduled: NodeJS.Immediate | undefined;
  /** Aborts the sleep of an idle guest (the machine is paused, reset or powered off). */
  private sleeping: AbortController | undefined;
  private listener: MachineListener | undefined;
  /** Turns of the run loop so far (a sleeping guest makes none). */
  turns = 0;
  /** The vCPU whose disabled wait was the guest's panic. */
  private panickedCpu: number | undefined;

  constructor(private readonly options: KvmPvMachineOptions) {
    this.kernel = new HostKernel({ timeSlice: TIME_SLICE, ...options.kernel });
    this.vm = this.boot();
  }

  private boot(): VirtualMachine {
    const o = this.options;
    const vm = new VirtualMachine({ kernel: this.kernel, memorySize: o.memorySize, cpus: o.cpus, ...(o.console === undefined ? {} : { console: o.console }), ...(o.log === undefined ? {} : { log: o.log }) });
    if (o.guest.kind === 'elf') vm.loadElf(o.guest.path);
    else vm.loadRawImage(o.guest.image);
    return vm;
  }

  get isProtected(): boolean {
    return this.vm.protected_;
  }

  get memorySize(): number {
    return this.vm.memorySize;
  }

  setListener(listener: MachineListener): void {
    this.listener = listener;
  }

  resume(): void {
    this.running = true;
    this.schedule();
  }

  pause(): void {
    this.running = false;
    if (this.scheduled !== undefined) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    this.wake();
  }

  /** Ends the sleep of an idle guest, if it sleeps. */
  private wake(): void {
    this.sleeping?.abort();
    this.sleeping = undefined;
  }

  private schedule(): void {
    if (!this.running || this.halted || this.scheduled !== undefined || this.sleeping !== undefined) return;
    this.scheduled = setImmediate(() => {
      this.scheduled = undefined;
      this.turn();
    });
  }

  private turn(): void {
    if (!this.running || this.halted) return;
    this.turns++;
    let stop;
    try {
      const deadline = performance.now() + TURN_MS;
      let rounds = 0;
      do stop = this.vm.run(1);
      while (stop.kind === 'rounds' && ++rounds < ROUNDS_PER_TURN && performance.now() < deadline);
    } catch (e) {
      this.halted = true;
      // A failure the VMM reports (a MachineError: the guest did what this machine cannot
      // serve) ends the VM in QEMU's internal-error state; anything else is a bug, thrown on.
      if (!(e instanceof MachineError)) throw e;
      this.listener?.internalError(e.message);
      return;
    }
    switch (stop.kind) {
      case 'rounds':
        this.schedule();
        return;
      case 'idle': {
        // Every vCPU sleeps in an enabled wait: so does the loop, until one can run again.
        const sleep = new AbortController();
        this.sleeping = sleep;
        void this.vm.waitForWork(sleep.signal).then(() => {
          if (this.sleeping !== sleep) return;
          this.sleeping = undefined;
          this.schedule();
        });
        return;
      }
      case 'panic':
        this.halted = true;
        this.panickedCpu = stop.cpu;
        this.listener?.guestPanicked({ core: stop.cpu, pswMask: stop.psw.mask, pswAddr: stop.psw.addr, reason: 'disabled-wait' });
        return;
      case 'shutdown':
        this.halted = true;
        this.listener?.guestShutdown();
        return;
      case 'all-stopped':
        // No vCPU can run any more (all stopped by SIGP): the guest idles until a reset.
        this.halted = true;
        return;
    }
  }

  reset(): void {
    this.wake();
    this.panickedCpu = undefined;
    this.vm.close();
    this.vm = this.boot();
    this.halted = false;
  }

  powerOff(): void {
    this.pause();
    this.halted = true;
  }

  vcpus(): VcpuInfo[] {
    // QEMU halts a vCPU in a disabled wait without changing its CPU state (s390_cpu_halt); the
    // VMM stops the one that panicked in KVM, so it is shown as QEMU shows it.
    return this.vm.vcpus.map((v) => ({ index: v.id, state: v.id === this.panickedCpu ? 'operating' : (MP_STATE_NAMES.get(this.vm.mpState(v.id)) ?? 'uninitialized'), threadId: v.fd }));
  }

  cpuStates(): RegisterView[] {
    return this.vm.vcpus.map((v) => hypervisorRegisters(this.vm, v));
  }

  startDump(file: FileHandle, request: DumpRequest): DumpJob {
    if (this.vm.protected_ && request.filter !== undefined) throw new DumpRefused('dump: begin and length are not supported for protected (Secure Execution) guests');
    const total = request.filter === undefined ? this.vm.memorySize : Number(request.filter.length);
    let written = 0;
    let finished = false;
    // The driver streams into a Writable; the bytes that reach the file tell the progress.
    const sink = new Writable({
      write(chunk: Buffer, _enc, callback) {
        file.write(chunk).then(
          () => {
            written += chunk.length;
            callback();
          },
          (e: unknown) => callback(e instanceof Error ? e : new Error(String(e))),
        );
      },
    });
    const log = this.options.log === undefined ? {} : { log: this.options.log };
    const done = dumpGuestMemory(this.vm, sink, request.filter === undefined ? log : { ...log, begin: request.filter.begin, length: request.filter.length }).then(() => {
      finished = true;
    });
    return { total, completed: () => (finished ? total : Math.min(total, written)), done };
  }
}
