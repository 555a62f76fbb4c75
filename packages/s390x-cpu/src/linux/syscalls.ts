// The Linux s390x system calls the runner implements (numbers from Linux
// arch/s390/kernel/syscalls/syscall.tbl): SVC n with n < 256 is call n, SVC 0 takes the number
// from r1; arguments in r2–r7, result (or −errno) in r2. Anything else returns −ENOSYS, as
// qemu-s390x does for calls it does not know.

import type { Cpu } from '../cpu/cpu.js';
import type { GuestMemory } from '../memory/guest-memory.js';

export const SYS_EXIT = 1;
export const SYS_READ = 3;
export const SYS_WRITE = 4;
export const SYS_BRK = 45;
export const SYS_GETPID = 20;
export const SYS_UNAME = 122;
export const SYS_WRITEV = 146;
export const SYS_SIGRETURN = 119;
export const SYS_RT_SIGRETURN = 173;
export const SYS_RT_SIGACTION = 174;
export const SYS_RT_SIGPROCMASK = 175;
export const SYS_EXIT_GROUP = 248;

const EBADF = 9;
const EFAULT = 14;
const EINVAL = 22;
const ENOSYS = 38;

/** The process state system calls read and change. */
export interface SyscallContext {
  readonly cpu: Cpu;
  readonly memory: GuestMemory;
  brk: number;
  readonly brkStart: number;
  readonly brkLimit: number;
  exitStatus: number | undefined;
  readonly stdout: (data: Uint8Array) => void;
  readonly stderr: (data: Uint8Array) => void;
  /** Reads up to `max` bytes of standard input (an empty result is end of file). */
  readonly stdin: (max: number) => Uint8Array;
  readonly signalActions: Map<number, { handler: bigint; flags: bigint; restorer: bigint }>;
  readonly signalFrames: ReturnType<Cpu['snapshot']>[];
}

/** Largest single read or write the runner copies at once (longer ones are short) [E]. */
const MAX_WRITE = 1 << 24;

function inMemory(ctx: SyscallContext, addr: bigint, len: bigint): boolean {
  return addr >= 0n && len >= 0n && addr + len <= BigInt(ctx.memory.size);
}

/** Performs the call for SVC `svcNumber`; the CPU's PSW already points after the SVC. */
export function handleSyscall(ctx: SyscallContext, svcNumber: number): void {
  const cpu = ctx.cpu;
  const nr = svcNumber !== 0 ? svcNumber : Number(cpu.getGpr(1) & 0xffffn);
  const arg = (i: number): bigint => cpu.getGpr(2 + i);
  let result: bigint;
  switch (nr) {
    case SYS_EXIT:
    case SYS_EXIT_GROUP:
      ctx.exitStatus = Number(arg(0) & 0xffn);
      return;
    case SYS_READ: {
      const fd = Number(BigInt.asIntN(64, arg(0)));
      const buf = arg(1);
      let len = arg(2);
      if (len > BigInt(MAX_WRITE)) len = BigInt(MAX_WRITE);
      if (fd !== 0) result = BigInt(-EBADF);
      else if (!inMemory(ctx, buf, len)) result = BigInt(-EFAULT);
      else {
        const data = ctx.stdin(Number(len));
        ctx.memory.write(Number(buf), data.subarray(0, Number(len)));
        result = BigInt(Math.min(data.length, Number(len)));
      }
      break;
    }
    case SYS_WRITE: {
      const fd = Number(BigInt.asIntN(64, arg(0)));
      const buf = arg(1);
      let len = arg(2);
      if (len > BigInt(MAX_WRITE)) len = BigInt(MAX_WRITE);
      if (fd !== 1 && fd !== 2) result = BigInt(-EBADF);
      else if (!inMemory(ctx, buf, len)) result = BigInt(-EFAULT);
      else {
        const data = ctx.memory.read(Number(buf), Number(len));
        (fd === 1 ? ctx.stdout : ctx.stderr)(data);
        result = len;
      }
      break;
    }
    case SYS_WRITEV: {
      const fd = Number(BigInt.asIntN(64, arg(0)));
      const iov = arg(1);
      const count = arg(2);
      if (fd !== 1 && fd !== 2) result = BigInt(-EBADF);
      else if (count < 0n || count > 1024n || !inMemory(ctx, iov, count * 16n)) result = BigInt(-EINVAL);
      else {
        let total = 0n;
        result = 0n;
        for (let i = 0; i < Number(count); i++) {
          const base = ctx.memory.readU64(Number(iov) + 16 * i);
          const len = ctx.memory.readU64(Number(iov) + 16 * i + 8);
          if (!inMemory(ctx, base, len) || len > BigInt(MAX_WRITE)) {
            result = BigInt(-EFAULT);
            break;
          }
          (fd === 1 ? ctx.stdout : ctx.stderr)(ctx.memory.read(Number(base), Number(len)));
          total += len;
          result = total;
        }
      }
      break;
    }
    case SYS_BRK: {
      // Linux returns the new break on success and the old one on failure.
      const want = arg(0);
      if (want >= BigInt(ctx.brkStart) && want <= BigInt(ctx.brkLimit)) {
        const next = Number(want);
        // Memory given back and taken again reads as zeros, as fresh anonymous pages do.
        if (next < ctx.brk) ctx.memory.bytes.fill(0, next, ctx.brk);
        ctx.brk = next;
      }
      result = BigInt(ctx.brk);
      break;
    }
    case SYS_GETPID:
      result = 1n;
      break;
    case SYS_RT_SIGACTION: {
      const signal = Number(arg(0));
      const act = arg(1);
      const old = arg(2);
      if (signal < 1 || signal > 64 || signal === 9 || signal === 19) {
        result = BigInt(-EINVAL);
        break;
      }
      if ((act !== 0n && !inMemory(ctx, act, 32n)) || (old !== 0n && !inMemory(ctx, old, 32n))) {
        result = BigInt(-EFAULT);
        break;
      }
      // struct sigaction (s390x kernel layout): handler, flags, restorer, mask — 8 bytes each.
      const prev = ctx.signalActions.get(signal) ?? { handler: 0n, flags: 0n, restorer: 0n };
      if (old !== 0n) {
        ctx.memory.writeU64(Number(old), prev.handler);
        ctx.memory.writeU64(Number(old) + 8, prev.flags);
        ctx.memory.writeU64(Number(old) + 16, prev.restorer);
        ctx.memory.writeU64(Number(old) + 24, 0n);
      }
      if (act !== 0n) {
        ctx.signalActions.set(signal, {
          handler: ctx.memory.readU64(Number(act)),
          flags: ctx.memory.readU64(Number(act) + 8),
          restorer: ctx.memory.readU64(Number(act) + 16),
        });
      }
      result = 0n;
      break;
    }
    case SYS_RT_SIGPROCMASK: {
      // The mask is not modelled: every signal is unblocked, so the old set reads as empty.
      const old = arg(2);
      if (old !== 0n && !inMemory(ctx, old, 8n)) {
        result = BigInt(-EFAULT);
        break;
      }
      if (old !== 0n) ctx.memory.writeU64(Number(old), 0n);
      result = 0n;
      break;
    }
    // The interrupted state is kept host-side, so both returns restore it the same way.
    case SYS_SIGRETURN:
    case SYS_RT_SIGRETURN: {
      const frame = ctx.signalFrames.pop();
      if (frame === undefined) {
        result = BigInt(-EINVAL);
        break;
      }
      cpu.restore(frame);
      return;
    }
    default:
      result = BigInt(-ENOSYS);
  }
  cpu.setGpr(2, result);
}
