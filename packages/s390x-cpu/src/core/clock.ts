// TOD clock (spec s390x-cpu.md §7): 64-bit value, bit 51 = 1 µs, epoch 1900-01-01. One clock is
// shared by all CPUs of a configuration. STCK values must be unique and increasing.

/** Source of the TOD clock for a configuration. */
export interface TodClock {
  /** Current TOD value (unique: each call returns a larger value). */
  read(): bigint;
  /** Sets the TOD clock (SCK). */
  set(value: bigint): void;
  /** TOD epoch index (multiple-epoch facility); 0 here. */
  readonly epochIndex: number;
}

/** TOD value of 1970-01-01 00:00 UTC. */
export const TOD_UNIX_EPOCH = 0x7d91048bca000000n;
/** TOD units per microsecond (bit 51). */
export const TOD_UNITS_PER_US = 4096n;

/**
 * [E] The default clock follows the host's wall clock (µs resolution, sub-µs from hrtime) plus an
 * offset that SCK adjusts; consecutive reads differ by at least one unit.
 */
export class HostTodClock implements TodClock {
  private offset = 0n;
  private last = 0n;
  readonly epochIndex = 0;
  private readonly startHr = process.hrtime.bigint();
  private readonly startUs = BigInt(Date.now()) * 1000n;

  read(): bigint {
    const elapsedNs = process.hrtime.bigint() - this.startHr;
    const base = TOD_UNIX_EPOCH + this.startUs * TOD_UNITS_PER_US + (elapsedNs * 512n) / 125n;
    let value = BigInt.asUintN(64, base + this.offset);
    if (value <= this.last) value = this.last + 1n;
    this.last = value;
    return value;
  }

  set(value: bigint): void {
    const now = this.read() - this.offset;
    this.offset = BigInt.asUintN(64, value) - now;
    this.last = 0n;
  }
}

/** A deterministic clock for tests and reproducible runs: starts at `start`, +1 µs per read. */
export class ManualTodClock implements TodClock {
  readonly epochIndex = 0;
  constructor(private value: bigint = TOD_UNIX_EPOCH) {}
  read(): bigint {
    this.value = BigInt.asUintN(64, this.value + TOD_UNITS_PER_US);
    return this.value;
  }
  set(value: bigint): void {
    this.value = BigInt.asUintN(64, value);
  }
  /** Moves the clock forward by `units` TOD units. */
  advance(units: bigint): void {
    this.value = BigInt.asUintN(64, this.value + units);
  }
}
