// Bare-metal guests the way QEMU's `-kernel` starts them (spec s390x-cpu.md §9): the ELF's
// PT_LOAD segments at their physical addresses, CPU 0 after an initial reset with PSW
// {0x0000000180000000, entry}, the other CPUs stopped; run until a wait PSW or a budget.

import { Cpu, type StopReason, type TraceHook } from '../cpu/cpu.js';
import type { TodClock } from '../core/clock.js';
import { HostTodClock } from '../core/clock.js';
import { GuestMemory } from '../memory/guest-memory.js';
import { PSW_MASK_64 } from '../state/psw.js';
import { ElfLoadError, loadElfSegments, readElfImage, type ElfImage } from './elf.js';

/** QEMU's IPL PSW mask for `-kernel` guests: 64-bit addressing, everything disabled. */
export const IPL_PSW_MASK = PSW_MASK_64;
/** Guest memory when none is given: 16 MiB, as the fixture guest had (`-m 16`). */
export const DEFAULT_BARE_METAL_MEMORY = 16 * 1024 * 1024;
/** Instruction budget when none is given. */
export const DEFAULT_BARE_METAL_BUDGET = 100_000_000;

export interface BareMetalOptions {
  /** Guest memory in bytes (multiple of 4 KiB). */
  memorySize?: number;
  /** Number of CPUs (CPU 0 starts, the others stay stopped). */
  cpuCount?: number;
  clock?: TodClock;
}

export interface BareMetalMachine {
  image: ElfImage;
  memory: GuestMemory;
  cpus: Cpu[];
}

/** Loads the ELF guest at `path` and prepares CPU 0 to start at its entry point. */
export function createBareMetalMachine(path: string, options: BareMetalOptions = {}): BareMetalMachine {
  const image = readElfImage(path);
  if (image.type !== 2) throw new ElfLoadError(`${path}: e_type ${image.type} at offset 16 is not an executable (2); link the guest with -static`);
  const memory = new GuestMemory(options.memorySize ?? DEFAULT_BARE_METAL_MEMORY);
  loadElfSegments(image, memory);
  const clock = options.clock ?? new HostTodClock();
  const cpuCount = options.cpuCount ?? 1;
  const cpus: Cpu[] = [];
  for (let i = 0; i < cpuCount; i++) cpus.push(new Cpu(memory, { cpuAddress: i, clock }));
  if (image.entry > BigInt(memory.size)) throw new ElfLoadError(`${path}: entry point 0x${image.entry.toString(16)} lies outside guest memory`);
  cpus[0]!.setPsw({ mask: IPL_PSW_MASK, addr: image.entry });
  return { image, memory, cpus };
}

export interface BareMetalRunOptions extends BareMetalOptions {
  /** Maximum instructions to run. */
  budget?: number;
  trace?: TraceHook;
}

/** Loads and runs a bare-metal guest on CPU 0 until it stops (wait PSW, budget, interception). */
export function runBareMetal(path: string, options: BareMetalRunOptions = {}): { machine: BareMetalMachine; stop: StopReason } {
  const machine = createBareMetalMachine(path, options);
  const cpu = machine.cpus[0]!;
  cpu.trace = options.trace;
  const stop = cpu.run(options.budget ?? DEFAULT_BARE_METAL_BUDGET);
  return { machine, stop };
}
