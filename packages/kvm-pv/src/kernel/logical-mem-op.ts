// KVM_S390_MEM_OP's logical operations on a plain vCPU (Linux v6.0 kvm_s390_vcpu_mem_op, as QEMU
// reads and writes an intercepted instruction's storage operands): the guest address is logical,
// translated as the vCPU's PSW says (DAT on or off, its address-space control, prefixing), with
// low-address and DAT protection; key-controlled protection only with SKEY_PROTECTION and the
// operation's key (QEMU 7.2 passes none, so no key checks: the CPU checks the instruction's
// operand with the PSW key before it intercepts). An access exception ends the operation before
// any byte is stored: its program-interruption code is the positive result, and with
// INJECT_EXCEPTION it is made pending for the intercepted instruction.
import { ProgramException, type Cpu } from '@pvdump/s390x-cpu';
import { Errno, MEM_OP_MAX_SIZE, MemOp, MemOpFlags } from '../uapi/constants.js';

export interface LogicalMemOp {
  op: number;
  gaddr: bigint;
  size: number;
  flags: bigint;
  ar: number;
  key: number;
}

/** The outcome: an errno, a program-interruption code with its TEID, or the absolute pieces to copy. */
export type LogicalMemOpResult = { kind: 'errno'; errno: number } | { kind: 'exception'; code: number; teid: bigint } | { kind: 'pieces'; pieces: { absolute: number; offset: number; length: number }[] };

const PAGE = 4096;

/**
 * The checks before the vCPU is looked at, in Linux v6.0's order (docs/kvm-pv-api.md §11):
 * unknown flags, an access register above 15 or size 0 → EINVAL, more than 64 KiB → E2BIG.
 * Then the caller refuses a protected vCPU (EINVAL), and `translateLogicalMemOp` checks the key.
 */
export function logicalMemOpArgumentErrno(mop: Pick<LogicalMemOp, 'flags' | 'ar' | 'size'>): number | undefined {
  const known = MemOpFlags.CHECK_ONLY | MemOpFlags.INJECT_EXCEPTION | MemOpFlags.SKEY_PROTECTION;
  if ((mop.flags & ~known) !== 0n || mop.ar >= 16 || mop.size === 0) return Errno.EINVAL;
  if (mop.size > MEM_OP_MAX_SIZE) return Errno.E2BIG;
  return undefined;
}

/** Checks the operation and translates every page of its range; nothing is copied here. */
export function translateLogicalMemOp(cpu: Cpu, mop: LogicalMemOp): LogicalMemOpResult {
  const errno = logicalMemOpArgumentErrno(mop);
  if (errno !== undefined) return { kind: 'errno', errno };
  if ((mop.flags & MemOpFlags.SKEY_PROTECTION) !== 0n && mop.key > 15) return { kind: 'errno', errno: Errno.EINVAL };
  const write = mop.op === MemOp.LOGICAL_WRITE;
  const key = (mop.flags & MemOpFlags.SKEY_PROTECTION) !== 0n ? mop.key : 0;
  const start = Number(mop.gaddr);
  const savedKey = cpu.pswKey;
  cpu.setPswKey(key);
  try {
    const pieces: { absolute: number; offset: number; length: number }[] = [];
    for (let offset = 0; offset < mop.size;) {
      const logical = start + offset;
      const length = Math.min(mop.size - offset, PAGE - (logical % PAGE));
      pieces.push({ absolute: cpu.absolute(logical, write), offset, length });
      offset += length;
    }
    return { kind: 'pieces', pieces };
  } catch (e) {
    if (e instanceof ProgramException) return { kind: 'exception', code: e.code, teid: BigInt(e.teid) };
    throw e;
  } finally {
    cpu.setPswKey(savedKey);
  }
}
