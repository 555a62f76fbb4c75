// One entry on kvm-pv's VMM, as `qemu-system-s390x -machine s390-ccw-virtio -kernel FILE` runs
// it under the suite's runner: a plain (non-PV) host, the ELF loaded like `-kernel` with the
// `-append` text, CPU 0 started and the others stopped, and the vCPUs run until the guest stops
// every CPU (after its EXIT line), enters a disabled wait, or the machine fails. A configuration
// the machine refuses to build ends the run before the guest starts, as QEMU exiting at start-up.
import { HostKernel, MachineError, VirtualMachine, WATCHDOG_ACTIONS, type WatchdogAction } from '@pvdump/kvm-pv';
import type { MachineEnd } from './outcome.js';
import type { RunSpec } from './plan.js';
import { buildTestImage, hostKeyPairOf, type RunHostKey } from './secure-image.js';

const MIB = 1024 * 1024;
/** KVM_RUN rounds between looks at the clock. */
const ROUNDS_PER_CHECK = 64;

export interface EntryRunOptions {
  /** Receives the guest's console text as it is printed. */
  console: (text: string) => void;
  /** Ends the run with a timeout after this many seconds. */
  timeoutSeconds: number;
  /** The run's host key, for a secure (`NAME_PV`) entry. */
  hostKey?: RunHostKey;
}

function watchdogAction(action: string): WatchdogAction {
  if (!WATCHDOG_ACTIONS.includes(action)) throw new MachineError(`--watchdog-action ${action} is not offered (${WATCHDOG_ACTIONS.join(', ')})`);
  return action as WatchdogAction;
}

/** Builds the machine of `spec` and runs it to its end. */
export function runEntry(spec: RunSpec, options: EntryRunOptions): MachineEnd {
  const started = performance.now();
  const secure = spec.secure === true;
  if (secure && options.hostKey === undefined) return { kind: 'machine-error', message: "a secure entry needs the run's host key" };
  let vm: VirtualMachine;
  try {
    vm = new VirtualMachine({
      kernel: new HostKernel(secure ? { protectedVirtualization: true, hostKeys: [hostKeyPairOf(options.hostKey!)] } : { protectedVirtualization: false, guestUltravisor: spec.ultravisorCall }),
      // s390x/run adds `-machine confidential-guest-support=pv0 -object s390-pv-guest,id=pv0` for a _PV entry.
      confidentialGuestSupport: secure,
      memorySize: spec.memoryMiB * MIB,
      cpus: spec.cpus,
      maxCpus: spec.maxCpus,
      extraCpuAddresses: spec.extraCpus.map((c) => c.coreId),
      topology: spec.geometry,
      cpuPlacements: new Map(spec.extraCpus.map((c) => [c.coreId, c.placement])),
      virtioNetCcw: spec.virtioNetCcw,
      ...(Object.keys(spec.cpuModel.features).length === 0 ? {} : { cpuFeatures: spec.cpuModel.features }),
      console: options.console,
      ...(spec.guestName === undefined ? {} : { guestName: spec.guestName }),
      ...(spec.uuid === undefined ? {} : { uuid: spec.uuid }),
      ...(spec.watchdog === undefined ? {} : { watchdog: { action: watchdogAction(spec.watchdog.action) } }),
    });
  } catch (e) {
    // QEMU refusing this configuration exits before it loads the kernel: the runner's premature failure.
    if (e instanceof MachineError) return { kind: 'refused', message: e.message };
    return { kind: 'machine-error', message: e instanceof Error ? e.message : String(e) };
  }
  try {
    // A secure entry boots its SE image as QEMU boots NAME.pv.bin with -kernel: stage3a at 0
    // switches to protected mode (DIAGNOSE 0x308 subcodes 8 and 10); the -append text is in the image.
    if (secure) vm.loadRawImage(buildTestImage(spec.kernel, options.hostKey!, spec.commandLine));
    else vm.loadElf(spec.kernel, spec.commandLine ?? '');
  } catch (e) {
    return { kind: 'machine-error', message: e instanceof Error ? e.message : String(e) };
  }
  try {
    for (;;) {
      const stop = vm.run(ROUNDS_PER_CHECK);
      switch (stop.kind) {
        case 'rounds':
          if (performance.now() - started > options.timeoutSeconds * 1000) return { kind: 'timeout', seconds: options.timeoutSeconds };
          continue;
        case 'idle': {
          // Every CPU waits: emulated time moves to the nearest timer event (the entry's own
          // process has nothing else to do); with no timer armed nothing can wake the guest, so
          // it sleeps out its time limit.
          if (vm.skipToWake()) continue;
          const left = options.timeoutSeconds * 1000 - (performance.now() - started);
          if (left > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, left);
          return { kind: 'timeout', seconds: options.timeoutSeconds };
        }
        case 'all-stopped':
        case 'shutdown':
          return { kind: 'stopped' };
        case 'panic':
          return { kind: 'disabled-wait', cpu: stop.cpu, pswMask: stop.psw.mask.toString(16).padStart(16, '0'), pswAddr: stop.psw.addr.toString(16).padStart(16, '0') };
      }
    }
  } catch (e) {
    if (e instanceof MachineError) return { kind: 'machine-error', message: e.message };
    throw e;
  } finally {
    vm.close();
  }
}
