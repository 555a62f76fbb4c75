// vCPU threads asleep in KVM_RUN (arch/s390/kvm: kvm_s390_handle_wait arms an hrtimer for the
// clock comparator or CPU timer, then kvm_vcpu_block sleeps until an interruption is deliverable,
// the timer fires, or a signal arrives). [E] One JavaScript thread runs every vCPU, so KVM_RUN
// of a sleeping vCPU returns at once as a signal makes it return (-EINTR, KVM_EXIT_INTR), and the
// VMM sleeps here instead: until a vCPU's timer is due (real time: the emulated time left to the
// deadline), an interruption is made pending for one of them, or the VMM's own event (a monitor
// command, a signal) aborts the sleep. A vCPU woken by its timer finds its VM's TOD clock at the
// deadline (a clock that lags behind, such as a deterministic one, is set to it), so what the guest
// sees does not depend on how long the host took.
import { TOD_UNITS_PER_US, type TodClock } from '@pvdump/s390x-cpu';

/** What the wait queue needs of a vCPU. */
export interface SleepingVcpu {
  /** The TOD value its timer wakes it at, null when only an interruption wakes it, undefined when it does not sleep. */
  sleepDeadline(): bigint | null | undefined;
  readonly clock: TodClock;
}

export interface SleepOptions {
  /** Wake after this many milliseconds at most (e.g. a VMM timer of its own). */
  maxMs?: number;
  /** Aborting it ends the sleep (the VMM's events). */
  signal?: AbortSignal;
}

/** Longest single setTimeout delay. */
const MAX_TIMEOUT_MS = 0x7fffffff;

interface Deadline {
  clock: TodClock;
  wakeAt: bigint;
  ms: number;
}

export class WaitQueue {
  private readonly waiters = new Set<() => void>();

  /** Wakes every sleep in progress (an interruption was made pending). */
  wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** 'runnable' when one of `vcpus` does not sleep; else the earliest timer deadline, if any. */
  private earliest(vcpus: readonly SleepingVcpu[]): Deadline | 'runnable' | undefined {
    let best: Deadline | undefined;
    for (const v of vcpus) {
      const wakeAt = v.sleepDeadline();
      if (wakeAt === undefined) return 'runnable';
      if (wakeAt === null) continue;
      const left = wakeAt - v.clock.read();
      const ms = left <= 0n ? 0 : Number(left) / Number(TOD_UNITS_PER_US) / 1000;
      if (best === undefined || ms < best.ms) best = { clock: v.clock, wakeAt, ms };
    }
    return best;
  }

  /**
   * Moves the clock at once to the earliest timer deadline of `vcpus` (virtual time, for runners
   * that must not wait); false when none of them has a timer or one of them does not sleep.
   */
  skipToWake(vcpus: readonly SleepingVcpu[]): boolean {
    const next = this.earliest(vcpus);
    if (next === undefined || next === 'runnable') return false;
    if (next.clock.read() < next.wakeAt) next.clock.set(next.wakeAt);
    return true;
  }

  /** Sleeps until one of `vcpus` can run again (see the file's header), `maxMs` passed, or `signal` aborted. */
  async sleep(vcpus: readonly SleepingVcpu[], options: SleepOptions = {}): Promise<void> {
    const { signal } = options;
    if (signal?.aborted === true) return;
    const next = this.earliest(vcpus);
    if (next === 'runnable') return;
    const ms = Math.min(next?.ms ?? Infinity, options.maxMs ?? Infinity);
    const untilDeadline = next !== undefined && ms === next.ms && ms <= MAX_TIMEOUT_MS;
    let timedOut = false;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer =
        ms === Infinity
          ? undefined
          : setTimeout(
              () => {
                timedOut = true;
                done();
              },
              Math.min(ms, MAX_TIMEOUT_MS),
            );
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the timer callback sets timedOut
    if (timedOut && untilDeadline && next !== undefined && next.clock.read() < next.wakeAt) next.clock.set(next.wakeAt);
  }
}
