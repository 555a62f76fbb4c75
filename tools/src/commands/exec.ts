/**
 * `pvdump exec`: runs s390x code on the @pvdump/s390x-cpu interpreter.
 *
 * - `pvdump exec PROGRAM [ARGS...]`: a static s390x Linux executable in problem state with the
 *   system calls freestanding C needs; its output goes to stdout/stderr and pvdump exits with its
 *   status (128 + signal when it dies of one), the contract of `qemu-s390x PROGRAM`.
 * - `pvdump exec --bare-metal [--json] GUEST`: an ELF guest loaded at its physical addresses and
 *   started like QEMU's `-kernel`, run until a wait PSW or the budget; prints the final state
 *   (`--json`: the schema of `pvdump info --json`, one CPU, plus the stop reason).
 * - `--trace` prints every instruction (address and disassembly) on stderr.
 */
import { readSync, statSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { type StopReason, type TraceHook } from '@pvdump/s390x-cpu';
import { disassemble } from '@pvdump/s390x-cpu/isa';
import { LinuxProcess } from '@pvdump/s390x-cpu/linux';
import { DEFAULT_BARE_METAL_BUDGET, runBareMetal } from '@pvdump/s390x-cpu/baremetal';
import { cpuStateOfRegisters } from '@pvdump/kvm-pv';
import { UsageError, UserError, type Command } from '../cli-support.js';
import { cpuToJson, cpuToText, hex64 } from '../render/cpu.js';
import type { InfoJson } from './info.js';

const USAGE = `usage: pvdump exec [--trace] [--budget N] PROGRAM [ARGS...]
       pvdump exec --bare-metal [--json] [--trace] [--budget N] [--memory MIB] GUEST

Runs s390x code on pvdump's z/Architecture interpreter.

  PROGRAM         a static s390x Linux executable (for example built with
                  s390x-linux-gnu-gcc -static); runs in problem state with the system calls
                  read (standard input), write, writev, exit, exit_group, brk and
                  rt_sigaction, prints its output and exits with its status, like
                  qemu-s390x PROGRAM
  --bare-metal    load GUEST's segments at their physical addresses and start CPU 0 at the ELF
                  entry like QEMU -kernel (PSW 0x0000000180000000), run until a wait PSW or
                  the budget, then print the final PSW and registers
  --json          with --bare-metal: one JSON object in the schema of pvdump info --json
  --trace         print each instruction (address and disassembly) on stderr
  --budget N      stop after N instructions (default: unlimited for PROGRAM,
                  ${DEFAULT_BARE_METAL_BUDGET} for --bare-metal)
  --memory MIB    guest memory in MiB (default 256 for PROGRAM, 16 for --bare-metal)`;

interface ExecOptions {
  bareMetal: boolean;
  json: boolean;
  trace: boolean;
  budget: number | undefined;
  memoryMiB: number | undefined;
  program: string;
  args: string[];
}

/** Options come before PROGRAM; everything after it belongs to the program. */
function parse(argv: string[]): ExecOptions | 'help' {
  const o: Omit<ExecOptions, 'program' | 'args'> = { bareMetal: false, json: false, trace: false, budget: undefined, memoryMiB: undefined };
  let i = 0;
  const number = (name: string, value: string | undefined, max: number): number => {
    const n = value === undefined ? NaN : Number(value);
    if (!Number.isSafeInteger(n) || n <= 0 || n > max) throw new UsageError(`${name} needs a whole number from 1 to ${max}, got '${value ?? ''}'\n\n${USAGE}`);
    return n;
  };
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-') || a === '-') break;
    if (a === '--help' || a === '-h') return 'help';
    if (a === '--bare-metal') o.bareMetal = true;
    else if (a === '--json') o.json = true;
    else if (a === '--trace') o.trace = true;
    else if (a === '--budget') o.budget = number('--budget', argv[++i], Number.MAX_SAFE_INTEGER);
    else if (a === '--memory') o.memoryMiB = number('--memory', argv[++i], 4096);
    else throw new UsageError(`unknown option '${a}'\n\n${USAGE}`);
  }
  const program = argv[i];
  if (program === undefined) throw new UsageError(`missing ${o.bareMetal ? 'GUEST' : 'PROGRAM'}\n\n${USAGE}`);
  const args = argv.slice(i + 1);
  if (o.json && !o.bareMetal) throw new UsageError(`--json needs --bare-metal (a Linux program's output is its own)\n\n${USAGE}`);
  if (o.bareMetal && args.length > 0) throw new UsageError(`unexpected argument '${args[0]}': a bare-metal guest takes no arguments\n\n${USAGE}`);
  return { ...o, program, args };
}

function checkFile(path: string): void {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new UserError(`${path}: no such file`);
  }
  if (!st.isFile()) throw new UserError(`${path}: not a regular file`);
}

/** Writes all of `data` to a file descriptor (stdout/stderr may be pipes that take part of it). */
function writeAll(fd: number, data: Uint8Array): void {
  let done = 0;
  while (done < data.length) {
    try {
      done += writeSync(fd, data, done, data.length - done);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      throw e;
    }
  }
}

/** Reads up to `max` bytes of our standard input (empty at end of file or when there is none). */
function readStdin(max: number): Uint8Array {
  const buf = Buffer.alloc(Math.min(max, 1 << 16));
  for (;;) {
    try {
      return buf.subarray(0, readSync(0, buf, 0, buf.length, null));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue;
      if (code === 'EOF' || code === 'EBADF' || code === 'EINVAL') return new Uint8Array(0);
      throw e;
    }
  }
}

/** Trace hook: "address: mnemonic operands" per instruction on stderr, buffered. */
function tracer(): { hook: TraceHook; flush(): void } {
  let lines: string[] = [];
  const flush = (): void => {
    if (lines.length === 0) return;
    writeAll(2, Buffer.from(lines.join('\n') + '\n'));
    lines = [];
  };
  const bytes = new Uint8Array(6);
  const view = new DataView(bytes.buffer);
  const hook: TraceHook = (address, _entry, a, b, length) => {
    view.setUint32(0, a >>> 0);
    view.setUint16(4, b);
    const text = disassemble(bytes.subarray(0, length), BigInt(address)).text.replace('\t', ' ');
    lines.push(`${address.toString(16).padStart(8, '0')}: ${text}`);
    if (lines.length >= 4096) flush();
  };
  return { hook, flush };
}

function stopJson(stop: StopReason): Record<string, unknown> {
  switch (stop.kind) {
    case 'wait':
      return { kind: 'wait', instructions: stop.executed, disabled: stop.disabled };
    case 'interception':
      return { kind: 'interception', instructions: stop.executed, mnemonic: stop.interception.mnemonic, address: hex64(stop.interception.address) };
    case 'page-access':
      return { kind: 'page-access', instructions: stop.executed, absoluteAddress: hex64(BigInt(stop.absoluteAddress)), write: stop.write };
    default:
      return { kind: stop.kind, instructions: stop.executed };
  }
}

function stopText(stop: StopReason): string {
  switch (stop.kind) {
    case 'wait':
      return `stopped: ${stop.disabled ? 'disabled ' : ''}wait PSW after ${stop.executed} instructions`;
    case 'budget':
      return `stopped: instruction budget of ${stop.executed} used up`;
    case 'interception':
      return `stopped: the ${stop.interception.mnemonic} instruction at ${hex64(stop.interception.address)} needs a hypervisor, after ${stop.executed} instructions`;
    case 'page-access':
      return `stopped: access to inaccessible page at ${hex64(BigInt(stop.absoluteAddress))}`;
    default:
      return `stopped after ${stop.executed} instructions`;
  }
}

function runGuest(o: ExecOptions): number {
  const trace = o.trace ? tracer() : undefined;
  const options: Parameters<typeof runBareMetal>[1] = { budget: o.budget ?? DEFAULT_BARE_METAL_BUDGET };
  if (o.memoryMiB !== undefined) options.memorySize = o.memoryMiB * 1024 * 1024;
  if (trace) options.trace = trace.hook;
  const { machine, stop } = runBareMetal(o.program, options);
  trace?.flush();
  const cpu = machine.cpus[0]!;
  const state = cpuStateOfRegisters(cpu.snapshot(), cpu.cpuAddress + 1);
  if (o.json) {
    // The schema of `pvdump info --json`, so that tools read a run's end state as they read a dump.
    const info: Omit<InfoJson, 'decryption' | 'hypervisorCpus'> = {
      file: o.program,
      format: 'bare-metal run (pvdump exec --bare-metal)',
      fileSize: machine.image.fileSize,
      pv: false,
      protectedGuestWithoutPvData: false,
      warnings: [],
      cpus: [cpuToJson(state)],
      memory: [{ start: hex64(0n), size: hex64(BigInt(machine.memory.size)) }],
      pvSections: null,
      notes: { global: [] },
    };
    writeAll(1, Buffer.from(JSON.stringify({ ...info, stop: stopJson(stop) }, null, 2) + '\n'));
  } else {
    writeAll(1, Buffer.from(`${basename(o.program)}: ${stopText(stop)}\n${cpuToText(state, 'CPU 0')}\n`));
  }
  return 0;
}

function runProgram(o: ExecOptions): number {
  const trace = o.trace ? tracer() : undefined;
  const options: ConstructorParameters<typeof LinuxProcess>[1] = {
    args: o.args,
    argv0: o.program,
    stdout: (d) => {
      trace?.flush();
      writeAll(1, d);
    },
    stderr: (d) => {
      trace?.flush();
      writeAll(2, d);
    },
    stdin: readStdin,
  };
  if (o.memoryMiB !== undefined) options.memorySize = o.memoryMiB * 1024 * 1024;
  if (trace) options.trace = trace.hook;
  const result = new LinuxProcess(o.program, options).run(o.budget);
  trace?.flush();
  if (result.signal !== undefined) process.stderr.write(`pvdump: ${o.program}: ${result.message ?? `signal ${result.signal}`}\n`);
  return result.status;
}

export const command: Command = {
  summary: 'run a static s390x Linux program, or a bare-metal guest, on the interpreter',
  usage: USAGE,
  ownsHelp: true,
  runsSynchronously: true,
  async run(argv) {
    const o = parse(argv);
    if (o === 'help') {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    checkFile(o.program);
    return o.bareMetal ? runGuest(o) : runProgram(o);
  },
};
