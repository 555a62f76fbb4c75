/**
 * A `MachineControl` for the monitor's tests until the VMM of `@pvdump/kvm-pv` drives them: a
 * bare-metal guest on the real `@pvdump/s390x-cpu` interpreter (loaded as QEMU's `-kernel` loads
 * it) with dumps written by the real `@pvdump/dump-format` writer. CPU 0 runs in slices on the
 * event loop; a disabled wait is a guest panic, an enabled wait idles (no interrupt sources).
 * It is not a VMM: no SCLP, no SIGP, no protected mode.
 */
import type { FileHandle } from 'node:fs/promises';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { createBareMetalMachine, type BareMetalMachine } from '@pvdump/s390x-cpu/baremetal';
import type { CpuSnapshot } from '@pvdump/s390x-cpu/state';
import { DumpWriter } from '@pvdump/dump-format';
import { cpuStateOfRegisters } from '@pvdump/kvm-pv';
import type { DumpJob, DumpRequest, MachineControl, MachineListener, VcpuInfo } from '../../../src/qmp/machine.ts';

const SLICE = 200_000;
const DUMP_CHUNK = 1 << 20;

export class BareMetalTestMachine implements MachineControl {
  readonly isProtected: boolean;
  private machine: BareMetalMachine;
  private running = false;
  private halted = false;
  private scheduled: NodeJS.Immediate | undefined;
  private listener: MachineListener | undefined;
  /** Dumps write this many bytes per turn of the event loop (small: a slow dump to test with). */
  dumpChunk = DUMP_CHUNK;

  constructor(
    private readonly guest: string,
    private readonly options: { memorySize: number; cpuCount: number; actAsProtected?: boolean },
  ) {
    this.isProtected = options.actAsProtected === true;
    this.machine = createBareMetalMachine(guest, options);
  }

  get memorySize(): number {
    return this.machine.memory.size;
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
  }

  private schedule(): void {
    if (!this.running || this.halted || this.scheduled !== undefined) return;
    this.scheduled = setImmediate(() => {
      this.scheduled = undefined;
      this.slice();
    });
  }

  private slice(): void {
    if (!this.running || this.halted) return;
    const cpu = this.machine.cpus[0]!;
    const stop = cpu.run(SLICE);
    if (stop.kind === 'budget') {
      this.schedule();
      return;
    }
    this.halted = true;
    if (stop.kind === 'wait' && stop.disabled) {
      this.listener?.guestPanicked({ core: 0, pswMask: stop.psw.mask, pswAddr: stop.psw.addr, reason: 'disabled-wait' });
    } else if (stop.kind !== 'wait') {
      this.listener?.internalError(`vCPU 0 stopped (${stop.kind}): this test machine emulates no host services`);
    }
  }

  reset(): void {
    this.machine = createBareMetalMachine(this.guest, this.options);
    this.halted = false;
  }

  powerOff(): void {
    this.pause();
  }

  vcpus(): VcpuInfo[] {
    return this.machine.cpus.map((cpu, i) => ({ index: cpu.cpuAddress, state: i === 0 ? 'operating' : 'stopped', threadId: process.pid + 1 + i }));
  }

  cpuStates(): CpuSnapshot[] {
    return this.machine.cpus.map((cpu) => cpu.snapshot());
  }

  startDump(file: FileHandle, request: DumpRequest): DumpJob {
    const size = this.machine.memory.size;
    const start = request.filter === undefined ? 0 : Number(request.filter.begin);
    const end = request.filter === undefined ? size : Math.min(size, Number(request.filter.begin + request.filter.length));
    const bytes = this.machine.memory.bytes;
    const cpus = this.machine.cpus.map((cpu) => cpuStateOfRegisters(cpu.snapshot(), cpu.cpuAddress + 1));
    let written = 0;
    const done = (async () => {
      const writer = await DumpWriter.create(file, { cpus, memory: [{ start: BigInt(start), size: BigInt(end - start) }] });
      for (let at = start; at < end; at += this.dumpChunk) {
        const chunk = bytes.slice(at, Math.min(end, at + this.dumpChunk));
        await writer.writeMemory(chunk);
        written += chunk.length;
        await yieldToLoop();
      }
      await writer.finish();
    })();
    return { total: end - start, completed: () => written, done };
  }
}
