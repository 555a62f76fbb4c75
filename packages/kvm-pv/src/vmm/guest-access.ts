// The VMM's access to guest storage for an intercepted instruction's operands, as KVM's
// read/write_guest_real: a real address of the issuing vCPU (prefixing applied) checked against
// guest memory; a range past the end is an addressing exception for the guest.
import { PGM_ADDRESSING } from '@pvdump/s390x-cpu';
import type { StructBytes } from '../uapi/structs.js';
import type { HostMachine, VcpuHandle } from './host.js';

const LOWCORE = 0x2000;

/** Thrown when an operand lies outside guest memory; the caller turns it into a program interruption. */
export class GuestAccessError extends Error {
  override readonly name = 'GuestAccessError';
  constructor(readonly code: number) {
    super(`program interruption 0x${code.toString(16)}`);
  }
}

/** Absolute pieces of a real range, split at 8 KiB boundaries (prefixing swaps real 0-8K and the prefix area). */
function pieces(prefix: number, real: number, length: number): { absolute: number; offset: number; length: number }[] {
  const out: { absolute: number; offset: number; length: number }[] = [];
  for (let offset = 0; offset < length;) {
    const r = real + offset;
    const n = Math.min(length - offset, LOWCORE - (r % LOWCORE));
    const absolute = r < LOWCORE ? r + prefix : r >= prefix && r < prefix + LOWCORE ? r - prefix : r;
    out.push({ absolute, offset, length: n });
    offset += n;
  }
  return out;
}

/** Real storage of one vCPU as the last exit showed it (its prefix). */
export class RealStorage {
  private readonly prefix: number;

  constructor(
    private readonly m: HostMachine,
    run: StructBytes,
  ) {
    this.prefix = m.prefixOf(run);
  }

  private check(real: bigint, length: number): number {
    if (real < 0n || real + BigInt(length) > BigInt(this.m.memorySize)) throw new GuestAccessError(PGM_ADDRESSING);
    return Number(real);
  }

  read(real: bigint, length: number): Uint8Array {
    const at = this.check(real, length);
    const out = new Uint8Array(length);
    for (const p of pieces(this.prefix, at, length)) out.set(this.m.readGuest(p.absolute, p.length), p.offset);
    return out;
  }

  write(real: bigint, data: Uint8Array): void {
    const at = this.check(real, data.length);
    for (const p of pieces(this.prefix, at, data.length)) this.m.writeGuest(p.absolute, data.subarray(p.offset, p.offset + p.length));
  }

  /** True when the whole range lies in guest memory. */
  valid(real: bigint, length: number): boolean {
    return real >= 0n && real + BigInt(length) <= BigInt(this.m.memorySize);
  }
}

/** Runs an operand access; an access error becomes the guest's program interruption. */
export function withGuestAccess(m: HostMachine, v: VcpuHandle, run: StructBytes, body: () => undefined): undefined {
  try {
    return body();
  } catch (e) {
    if (e instanceof GuestAccessError) return m.programInterruption(v, run, e.code);
    throw e;
  }
}

/** Whether the vCPU's PSW has DAT on (bit 5): operand addresses are then virtual. */
export function datEnabled(run: StructBytes, pswMaskOffset: number): boolean {
  return (run.u64(pswMaskOffset) & 0x0400000000000000n) !== 0n;
}
