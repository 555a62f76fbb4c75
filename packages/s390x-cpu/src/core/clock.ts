// TOD clock (spec s390x-cpu.md §7): 64-bit value, bit 51 = 1 µs, epoch 1900-01-01. One clock is
// shared by all CPUs of a configuration. STCK values must be unique and increasing.

/** Source of the TOD clock for a configuration. */
export interface TodClock {
  /** Current TOD value, bits 0–63 (unique: each call returns a larger value). */
  read(): bigint;
  /**
   * The TOD epoch index and bits 0–63 read together (STCKE): with the multiple-epoch facility the
   * carry out of bit 0 increments the epoch index, modulo 256.
   */
  readExtended(): { epochIndex: number; tod: bigint };
  /** Sets bits 0–63 of the TOD clock (SCK); the epoch index is not changed. */
  set(value: bigint): void;
  /** TOD epoch index (a read of the clock). */
  readonly epochIndex: number;
  /** TOD offset: the logical TOD clock minus the physical clock, modulo 2^64 (PTFF). */
  readonly offset: bigint;
  /** Epoch difference of this level of interpretation: 0 for a configuration's own clock (PTFF-QTO). */
  readonly epochDifference: bigint;
}

/** TOD value of 1970-01-01 00:00 UTC. */
export const TOD_UNIX_EPOCH = 0x7d91048bca000000n;
/** TOD units per microsecond (bit 51). */
export const TOD_UNITS_PER_US = 4096n;

const TWO64 = 1n << 64n;

/**
 * [E] The default clock follows the host's wall clock (µs resolution, sub-µs from hrtime; the
 * physical clock) plus the TOD offset SCK adjusts; consecutive reads differ by at least one unit.
 * Values are kept beyond 64 bits, so a carry out of bit 0 steps the epoch index.
 */
export class HostTodClock implements TodClock {
  /** Logical minus physical clock, unbounded. */
  private offsetUnits = 0n;
  /** Epoch index of the extended values in [0, 2^64). */
  private epochBase = 0;
  /** Last extended value read. */
  private last = -1n;
  private readonly startHr = process.hrtime.bigint();
  private readonly startUs = BigInt(Date.now()) * 1000n;

  private physical(): bigint {
    const elapsedNs = process.hrtime.bigint() - this.startHr;
    return TOD_UNIX_EPOCH + this.startUs * TOD_UNITS_PER_US + (elapsedNs * 512n) / 125n;
  }

  private readRaw(): bigint {
    let value = this.physical() + this.offsetUnits;
    if (value <= this.last) value = this.last + 1n;
    this.last = value;
    return value;
  }

  read(): bigint {
    return BigInt.asUintN(64, this.readRaw());
  }

  readExtended(): { epochIndex: number; tod: bigint } {
    const value = this.readRaw();
    return { epochIndex: (this.epochBase + Number(value >> 64n)) & 0xff, tod: BigInt.asUintN(64, value) };
  }

  get epochIndex(): number {
    return this.readExtended().epochIndex;
  }

  get offset(): bigint {
    return BigInt.asUintN(64, this.offsetUnits);
  }

  readonly epochDifference = 0n;

  set(value: bigint): void {
    const { epochIndex } = this.readExtended();
    const v = BigInt.asUintN(64, value);
    this.offsetUnits = v - this.physical();
    this.epochBase = epochIndex;
    this.last = v - 1n;
  }
}

/** A deterministic clock for tests and reproducible runs: starts at `start`, +1 µs per read. */
export class ManualTodClock implements TodClock {
  /** Extended value (beyond 64 bits: its carry steps the epoch index). */
  private value: bigint;
  private epochBase = 0;
  private offsetUnits = 0n;
  constructor(start: bigint = TOD_UNIX_EPOCH, epochIndex = 0) {
    this.value = BigInt.asUintN(64, start);
    this.epochBase = epochIndex & 0xff;
  }
  read(): bigint {
    return this.readExtended().tod;
  }
  readExtended(): { epochIndex: number; tod: bigint } {
    this.value += TOD_UNITS_PER_US;
    return { epochIndex: (this.epochBase + Number(this.value >> 64n)) & 0xff, tod: BigInt.asUintN(64, this.value) };
  }
  get epochIndex(): number {
    return (this.epochBase + Number(this.value >> 64n)) & 0xff;
  }
  get offset(): bigint {
    return BigInt.asUintN(64, this.offsetUnits);
  }
  readonly epochDifference = 0n;
  set(value: bigint): void {
    const index = this.epochIndex;
    const v = BigInt.asUintN(64, value);
    this.offsetUnits += v - BigInt.asUintN(64, this.value);
    this.value = v;
    this.epochBase = index;
  }
  /** Moves the clock forward by `units` TOD units (a carry out of bit 0 steps the epoch index). */
  advance(units: bigint): void {
    this.value += units;
  }
}

/** `value` as the 64-bit TOD field, and whether forming it carried out of bit 0. */
export function todCarry(value: bigint): { tod: bigint; carry: number } {
  return { tod: BigInt.asUintN(64, value), carry: value >= TWO64 ? 1 : 0 };
}
