// Running a secure CPU (spec ultravisor.md §7.7 [E], kvm-pv-api.md §6): the UV hands the CPU's
// private registers to an interpreter, keeps the result, and shows the host only what an
// interception exposes. An instruction interception stays pending (the has_osii condition of a
// CPU dump) until the host re-enters the CPU, optionally passing the results it computed.
// Which registers the host sees is decided from the intercepted instruction (interception.ts).
// Completing a SIGP store-status order with condition code 0 makes the stores of the target's
// status the SIE writes on re-entry (secure-status-store.ts).
import { cloneCpuSnapshot, validateCpuSnapshot, type CpuSnapshot } from '@pvdump/s390x-cpu/state';
import { SecureCpuError } from './errors.js';
import { instructionInterceptionReport, setsConditionCode, type InstructionInterceptionReport } from './interception.js';
import { pendingStatusStoreOf, statusStores, type GuestStore } from './secure-status-store.js';
import type { UvContext } from './state.js';
import { PvCpuState } from './uvc/codes.js';

/** Why the interpreter stopped running the secure CPU. */
export type SecureCpuExit =
  /** An instruction the host must complete: its bytes (the UV decides what it exposes). */
  | { kind: 'instruction'; instruction: Uint8Array }
  /** Any other exit (wait state, stop, budget exhausted): nothing but the reason is exposed. */
  | { kind: 'other'; reason: string };

/**
 * Runs the CPU on a private copy of its registers; may mutate the copy. `stores` are what the SIE
 * writes into guest absolute storage before the CPU runs on (the completed instruction's results).
 */
export type SecureCpuRunner = (cpu: CpuSnapshot, stores: readonly GuestStore[]) => SecureCpuExit;

/** The host's results for the pending instruction interception. */
export interface InterceptionCompletion {
  /** New values of exposed GPRs (only those the interception report lists). */
  registers?: ReadonlyMap<number, bigint>;
  /** The condition code the instruction sets (PSW bits 18-19), as the host's state description gives it. */
  conditionCode?: number;
}

/** What the host learns from one run. */
export type HostExit = { kind: 'instruction'; interception: InstructionInterceptionReport } | { kind: 'other'; reason: string };

export function runSecureCpu(ctx: UvContext, cpuHandle: bigint, runner: SecureCpuRunner, completion?: InterceptionCompletion): HostExit {
  const cpu = ctx.cpus.get(cpuHandle);
  if (cpu === undefined) throw new SecureCpuError(`no secure CPU with handle 0x${cpuHandle.toString(16)}`);
  if (cpu.state !== PvCpuState.OPERATING) {
    throw new SecureCpuError(`secure CPU ${cpu.number} is not operating (state ${cpu.state}); set it operating with CPU_SET_STATE first`);
  }
  if (completion?.registers !== undefined && completion.registers.size > 0) {
    const exposed = cpu.pendingInterception;
    if (exposed === undefined) throw new SecureCpuError(`secure CPU ${cpu.number} has no pending interception to complete`);
    for (const [r, value] of completion.registers) {
      if (!exposed.includes(r)) throw new SecureCpuError(`GPR ${r} of secure CPU ${cpu.number} is not exposed by the pending interception`);
      cpu.snapshot.gprs[r] = BigInt.asUintN(64, value);
    }
  }
  if (completion?.conditionCode !== undefined) {
    if (cpu.pendingInterception === undefined) throw new SecureCpuError(`secure CPU ${cpu.number} has no pending interception to complete`);
    const cc = BigInt(completion.conditionCode & 3);
    if (cpu.pendingSetsConditionCode !== false) cpu.snapshot.psw = { ...cpu.snapshot.psw, mask: (cpu.snapshot.psw.mask & ~0x0000300000000000n) | (cc << 44n) };
  }
  const statusStore = cpu.pendingStatusStore;
  const stores = completion?.conditionCode === 0 && statusStore !== undefined ? statusStores(cpu.config, statusStore) : [];
  // Re-entering the CPU completes whatever interception was pending.
  cpu.pendingInterception = undefined;
  cpu.pendingStatusStore = undefined;
  const working = cloneCpuSnapshot(cpu.snapshot);
  const exit = runner(working, stores);
  validateCpuSnapshot(working);
  cpu.snapshot = working;
  if (exit.kind === 'other') return { kind: 'other', reason: exit.reason };
  const interception = instructionInterceptionReport(working, exit.instruction, cpu.number);
  cpu.pendingInterception = [...interception.registers.keys()];
  cpu.pendingStatusStore = pendingStatusStoreOf(interception, working);
  cpu.pendingSetsConditionCode = setsConditionCode(interception.mnemonic);
  return { kind: 'instruction', interception };
}
