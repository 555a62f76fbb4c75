// A static s390x Linux program in problem state, the contract of `qemu-s390x PROGRAM`: the
// PT_LOAD segments at their virtual addresses (DAT off, so virtual = absolute), a Linux-style
// initial stack, PSW = problem state + 64-bit addressing, AFP and vector enabled, and the system
// calls a freestanding C program needs, delivered through SVC interceptions. Program
// interruptions become signals: a handler installed with rt_sigaction runs, otherwise the process
// dies with the signal.

import { randomBytes } from 'node:crypto';
import { Cpu, LC, type TraceHook } from '../cpu/cpu.js';
import { ElfLoadError, loadElfSegments, PT_LOAD, readElfImage, type ElfImage } from '../baremetal/elf.js';
import { GuestMemory } from '../memory/guest-memory.js';
import { isNullifying, programInterruptionName } from '../core/exceptions.js';
import { disassemble } from '../isa/disassembler.js';
import { PSW_MASK_DISABLED_WAIT_64 } from '../state/psw.js';
import { buildInitialStack } from './stack.js';
import { signalDescription, signalForProgramInterruption } from './signals.js';
import { handleSyscall, type SyscallContext } from './syscalls.js';

/** PSW of a Linux user process: problem state, 64-bit addressing, DAT off (virtual = absolute) [E]. */
export const LINUX_USER_PSW_MASK = 0x0001000180000000n;
/** CR0 for user processes: the reset value plus AFP-register (bit 45) and vector (bit 46) control. */
export const LINUX_USER_CR0 = 0x00000000000600e0n;
/** Guest memory when none is given: 256 MiB [E]. */
export const DEFAULT_LINUX_MEMORY = 256 * 1024 * 1024;
/** Stack size reserved below the top of memory [E]. */
export const LINUX_STACK_SIZE = 8 * 1024 * 1024;
/** Address the program new PSW points at (a disabled wait): a program interruption happened [E]. */
const PROGRAM_TRAP_ADDRESS = 0x1d0;

/** How the runner uses the CPU's compiling tier (`LinuxRunOptions.compiledBlocks`). */
export type CompiledBlocksMode = 'hot' | 'always' | 'off';

export interface LinuxRunOptions {
  /** argv[1..]; argv[0] is the program path unless `argv0` is given. */
  args?: readonly string[];
  argv0?: string;
  env?: readonly string[];
  memorySize?: number;
  /** Stop with an error after this many instructions (default: no limit). */
  budget?: number;
  /** Receives everything the program writes to fd 1 / fd 2. */
  stdout?: (data: Uint8Array) => void;
  stderr?: (data: Uint8Array) => void;
  /** Supplies standard input: up to `max` bytes per call, empty at end of file (default: empty). */
  stdin?: (max: number) => Uint8Array;
  trace?: TraceHook;
  /**
   * The compiling tier: 'hot' (default) compiles code after it ran 16 times, 'always' the first
   * time it runs, 'off' interprets every instruction. Results are the same in every mode.
   */
  compiledBlocks?: CompiledBlocksMode;
  /** AT_RANDOM bytes (default: random). */
  random?: Uint8Array;
}

export interface LinuxRunResult {
  /** Exit status as a shell sees it: the exit code, or 128 + signal. */
  status: number;
  /** Set when the process died of a signal. */
  signal?: number;
  /** Human-readable reason when it died of a signal. */
  message?: string;
  instructions: number;
}

/** A runner error for programs we cannot run (not a static s390x executable, budget exhausted). */
export class LinuxRunError extends Error {
  readonly userError = true;
  constructor(message: string) {
    super(message);
    this.name = 'LinuxRunError';
  }
}

interface SignalAction {
  handler: bigint;
  flags: bigint;
  restorer: bigint;
}

/** A loaded process: memory, CPU 0 and the kernel-side state (brk, signal actions). */
export class LinuxProcess implements SyscallContext {
  readonly image: ElfImage;
  readonly memory: GuestMemory;
  readonly cpu: Cpu;
  brkStart: number;
  brk: number;
  /** Highest address brk may reach (below the stack). */
  readonly brkLimit: number;
  exitStatus: number | undefined = undefined;
  readonly stdout: (data: Uint8Array) => void;
  readonly stderr: (data: Uint8Array) => void;
  readonly stdin: (max: number) => Uint8Array;
  readonly signalActions = new Map<number, SignalAction>();
  /** Saved states of signal handlers that may return with rt_sigreturn. */
  readonly signalFrames: ReturnType<Cpu['snapshot']>[] = [];

  constructor(path: string, options: LinuxRunOptions = {}) {
    const image = readElfImage(path);
    if (image.type !== 2) throw new ElfLoadError(`${path}: e_type ${image.type} at offset 16 is not a static executable (2); link with -static (dynamic and PIE programs are not supported)`);
    if (image.segments.some((s) => s.type === 3)) throw new ElfLoadError(`${path}: has a PT_INTERP program header; only static executables run here (link with -static)`);
    this.image = image;
    const size = options.memorySize ?? DEFAULT_LINUX_MEMORY;
    this.memory = new GuestMemory(size);
    loadElfSegments(image, this.memory, true);
    let end = 0;
    let phdr = 0;
    for (const s of image.segments) {
      if (s.type !== PT_LOAD) continue;
      end = Math.max(end, Number(s.vaddr) + s.memsz);
      if (s.offset === 0) phdr = Number(s.vaddr) + 64;
    }
    this.brkStart = Math.ceil(end / 4096) * 4096;
    this.brk = this.brkStart;
    this.brkLimit = size - LINUX_STACK_SIZE;
    if (this.brkStart >= this.brkLimit) throw new ElfLoadError(`${path}: segments end at 0x${end.toString(16)}, leaving no room for heap and stack in 0x${size.toString(16)} bytes of memory`);
    this.stdout = options.stdout ?? ((): void => undefined);
    this.stderr = options.stderr ?? ((): void => undefined);
    this.stdin = options.stdin ?? ((): Uint8Array => new Uint8Array(0));

    const argv = [options.argv0 ?? path, ...(options.args ?? [])];
    const stack = buildInitialStack(size - 4096, argv, options.env ?? [], image, phdr, options.random ?? randomBytes(16));
    this.memory.write(stack.sp, stack.bytes);

    const cpu = new Cpu(this.memory);
    this.cpu = cpu;
    cpu.setCr(0, LINUX_USER_CR0);
    cpu.interceptSvc = true;
    // Program interruptions land in a disabled wait the runner recognises.
    cpu.writeRealU64(LC.PROGRAM_NEW_PSW, PSW_MASK_DISABLED_WAIT_64);
    cpu.writeRealU64(LC.PROGRAM_NEW_PSW + 8, BigInt(PROGRAM_TRAP_ADDRESS));
    cpu.setGpr(15, BigInt(stack.sp));
    cpu.setPsw({ mask: LINUX_USER_PSW_MASK, addr: image.entry });
    cpu.trace = options.trace;
    const mode = options.compiledBlocks ?? 'hot';
    cpu.useBlocks = mode !== 'off';
    if (mode === 'always') cpu.compileThreshold = 0;
  }

  /** Runs until the program exits or dies; `budget` limits the instructions. */
  run(budget = Number.POSITIVE_INFINITY): LinuxRunResult {
    const cpu = this.cpu;
    let executed = 0;
    for (;;) {
      const slice = Math.min(budget - executed, 100_000_000);
      if (slice <= 0) throw new LinuxRunError(`${this.image.path}: still running after ${executed} instructions (budget exhausted) at PSW address 0x${cpu.ia.toString(16)}`);
      const stop = cpu.run(slice);
      executed += stop.executed;
      if (stop.kind === 'budget') continue;
      if (stop.kind === 'interception' && stop.interception.mnemonic === 'svc') {
        cpu.completeInterception();
        handleSyscall(this, stop.interception.fields.I1 ?? 0);
        if (this.exitStatus !== undefined) return { status: this.exitStatus, instructions: executed };
        continue;
      }
      if (stop.kind === 'wait' && Number(stop.psw.addr) === PROGRAM_TRAP_ADDRESS) {
        const code = cpu.readRealU16(LC.PGM_CODE);
        const oldMask = cpu.readRealU64(LC.PROGRAM_OLD_PSW);
        const oldAddr = cpu.readRealU64(LC.PROGRAM_OLD_PSW + 8);
        cpu.setPsw({ mask: oldMask, addr: oldAddr });
        const signal = signalForProgramInterruption(code);
        if (this.deliverSignal(signal)) continue;
        const message = `uncaught signal ${signal} (${signalDescription(signal)}): program interruption code 0x${code.toString(16).padStart(4, '0')} (${programInterruptionName(code)}) ${this.describeInstruction(oldAddr, code)}`;
        return { status: 128 + signal, signal, message, instructions: executed };
      }
      const what = stop.kind === 'interception' ? `the ${stop.interception.mnemonic} instruction` : `a ${stop.kind} stop`;
      const signal = 4;
      return { status: 128 + signal, signal, message: `uncaught signal ${signal} (${signalDescription(signal)}): ${what} at PSW address 0x${cpu.ia.toString(16)} cannot run in a user process`, instructions: executed };
    }
  }

  /** "at ADDRESS (instruction text)" for the instruction a program interruption reports. */
  private describeInstruction(oldAddr: bigint, code: number): string {
    const ilc = this.cpu.readRealU16(LC.PGM_ILC);
    const at = isNullifying(code) ? oldAddr : oldAddr - BigInt(ilc);
    if (ilc === 0 || at < 0n || at + 6n > BigInt(this.memory.size)) return `with PSW address 0x${oldAddr.toString(16)}`;
    const text = disassemble(this.memory.read(Number(at), 6), at).text.replace('\t', ' ');
    return `at 0x${at.toString(16)} (${text})`;
  }

  /**
   * Runs the handler installed for `signal`, if any: r2 = signal number, r14 = the restorer,
   * r15 = a fresh frame below the interrupted stack. siginfo and ucontext are not provided
   * (r3 = r4 = 0) [E]; the interrupted state is kept host-side for rt_sigreturn.
   */
  private deliverSignal(signal: number): boolean {
    const action = this.signalActions.get(signal);
    if (action === undefined || action.handler <= 1n) return false;
    const cpu = this.cpu;
    this.signalFrames.push(cpu.snapshot());
    const sp = (cpu.getGpr(15) - 1024n) & ~15n;
    cpu.setGpr(15, sp);
    cpu.setGpr(2, BigInt(signal));
    cpu.setGpr(3, 0n);
    cpu.setGpr(4, 0n);
    cpu.setGpr(14, action.restorer);
    cpu.setPsw({ mask: LINUX_USER_PSW_MASK, addr: action.handler });
    return true;
  }
}

/** Loads and runs a static s390x Linux executable to completion. */
export function runLinuxProgram(path: string, options: LinuxRunOptions = {}): LinuxRunResult {
  return new LinuxProcess(path, options).run(options.budget);
}
