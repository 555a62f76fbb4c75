// The DIAGNOSE 0x288 watchdog (QEMU's `-device diag288`, hw/watchdog/wdt_diag288.c and
// target/s390x/diag.c; z/VM CP Programming Services SC24-6084): R1 (even) the function, R1+1 the
// timeout in seconds, R3 the action (only 0, "restart", is accepted).
// - R1 odd, an action other than 0, a timeout under 15 s (except for cancel), or no watchdog
//   device: specification exception.
// - 0 init: enables and arms the timer; 1 change: re-arms it (not enabled → specification
//   exception); 2 cancel: disarms it (not enabled → specification exception); others:
//   specification exception.
// When the timer expires the machine performs the `--watchdog-action`: `inject-nmi` is an NMI,
// which on s390 is a restart interruption on CPU 0; `shutdown` / `poweroff` stop the machine;
// `none` does nothing. The timer runs on the host's monotonic clock, as QEMU's virtual clock
// without instruction counting does.
import { PGM_SPECIFICATION } from '@pvdump/s390x-cpu';
import type { DiagnoseCall } from './host.js';
import { MachineError, type HostMachine, type MachineStop } from './host.js';

export type WatchdogAction = 'inject-nmi' | 'shutdown' | 'poweroff' | 'none';
export const WATCHDOG_ACTIONS: readonly string[] = ['inject-nmi', 'shutdown', 'poweroff', 'none'];

const MIN_TIMEOUT_SECONDS = 15;

export class Watchdog {
  private enabled = false;
  /** Host time (ms) when the timer expires; undefined when disarmed. */
  private expiry: number | undefined;

  constructor(
    private readonly m: HostMachine,
    readonly action: WatchdogAction,
  ) {
    if (!WATCHDOG_ACTIONS.includes(action)) throw new MachineError(`watchdog action "${action}" is not offered (${WATCHDOG_ACTIONS.join(', ')})`);
  }

  /** DIAGNOSE 0x288 from the guest. */
  diagnose({ m, v, run, r1, r3, gprs }: DiagnoseCall): undefined {
    const fn = gprs[r1]!;
    const timeout = gprs[(r1 + 1) & 0xf]!;
    if (r1 % 2 !== 0 || gprs[r3] !== 0n) return m.programInterruption(v, run, PGM_SPECIFICATION);
    if (fn !== 2n && timeout < BigInt(MIN_TIMEOUT_SECONDS)) return m.programInterruption(v, run, PGM_SPECIFICATION);
    switch (fn) {
      case 0n:
        this.enabled = true;
        this.expiry = performance.now() + Number(timeout) * 1000;
        break;
      case 1n:
        if (!this.enabled) return m.programInterruption(v, run, PGM_SPECIFICATION);
        this.expiry = performance.now() + Number(timeout) * 1000;
        break;
      case 2n:
        if (!this.enabled) return m.programInterruption(v, run, PGM_SPECIFICATION);
        this.enabled = false;
        this.expiry = undefined;
        break;
      default:
        return m.programInterruption(v, run, PGM_SPECIFICATION);
    }
    m.complete(v, run, m.ccOf(run));
    return undefined;
  }

  /** Milliseconds until the timer expires (0 when it has), undefined when it is disarmed. */
  msUntilExpiry(): number | undefined {
    return this.expiry === undefined ? undefined : Math.max(0, this.expiry - performance.now());
  }

  /** Called by the run loop: performs the action once the timer has expired. */
  tick(): MachineStop | undefined {
    if (this.expiry === undefined || performance.now() < this.expiry) return undefined;
    this.expiry = undefined;
    switch (this.action) {
      case 'inject-nmi':
        this.m.restart(this.m.vcpus[0]!.id);
        return undefined;
      case 'shutdown':
      case 'poweroff':
        return { kind: 'shutdown', cpu: this.m.vcpus[0]!.id };
      case 'none':
        return undefined;
    }
  }
}
