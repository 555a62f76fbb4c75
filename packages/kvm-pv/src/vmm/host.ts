// What the VMM's host services (SCLP, SIGP, STSI, DIAGNOSE, TEST BLOCK) see of the machine: the
// vCPU handles, how a run ends, the machine's errors, and the operations they use. The machine
// (machine.ts) implements `HostMachine`; the services import only this file, so they and the
// machine do not import each other.
import type { KvmApi } from '../api/kvm-api.js';
import type { CpuTopology } from './topology.js';
import type { KvmProcess } from '../kernel/host-kernel.js';
import type { StructBytes } from '../uapi/structs.js';

export interface VcpuHandle {
  id: number;
  fd: number;
  /** User address of its `struct kvm_run`. */
  run: bigint;
}

/** Why the machine stopped running. */
export type MachineStop =
  | { kind: 'panic'; cpu: number; psw: { mask: bigint; addr: bigint } }
  | { kind: 'shutdown'; cpu: number }
  | { kind: 'rounds'; rounds: number }
  /** Every vCPU that runs sleeps in an enabled wait: `waitForWork` (or `skipToWake`), then `run` again. */
  | { kind: 'idle' }
  | { kind: 'all-stopped' };

/** A KVM or VMM failure the machine cannot continue from. */
export class MachineError extends Error {
  override readonly name = 'MachineError';
  readonly userError = true;
}

/** The machine as its host services use it. */
export interface HostMachine {
  readonly process: KvmProcess;
  readonly api: KvmApi;
  readonly vmFd: number;
  readonly memorySize: number;
  readonly maxCpus: number;
  readonly vcpus: readonly VcpuHandle[];
  /** The CPU model's facilities (STFLE). */
  readonly facilities: readonly number[];
  /** Where the CPUs sit, their polarization (configuration topology, facility 11). */
  readonly topology: CpuTopology;
  readonly protected_: boolean;
  /** `-name` and `--uuid`. */
  readonly guestName: string | undefined;
  readonly uuid: string | undefined;
  /** Plain vCPUs in a disabled wait. */
  readonly halted: Set<number>;
  /** Each vCPU's page-fault handshake token (DIAGNOSE 0x258). */
  readonly pfaultTokens: Map<number, bigint>;
  /** The IPL parameter block DIAGNOSE 0x308 subcode 5 set. */
  iplParameterBlock: Uint8Array | undefined;
  readGuest(gaddr: number, length: number): Uint8Array;
  writeGuest(gaddr: number, data: Uint8Array): void;
  mpState(id: number): number;
  setMpState(id: number, state: number): number;
  readRun(v: VcpuHandle): StructBytes;
  writeRun(v: VcpuHandle, s: StructBytes): void;
  gprs(run: StructBytes): bigint[];
  complete(v: VcpuHandle, run: StructBytes, cc: number, registers?: ReadonlyMap<number, bigint>): void;
  operandAddress(run: StructBytes, ipb: number): bigint;
  ccOf(run: StructBytes): number;
  prefixOf(run: StructBytes): number;
  yieldTurn(v: VcpuHandle): void;
  programInterruption(v: VcpuHandle, run: StructBytes, code: number): undefined;
  raiseServiceSignal(parameter: number): void;
  hasPendingExternalCall(v: VcpuHandle): boolean;
  restart(id: number): void;
  reIpl(): void;
  /** The machine reset the guest (DIAGNOSE 0x308 subcodes 0, 1, 3): a guest acting as UV host finds its UV uninitialised. */
  resetGuestUltravisor(): void;
  /** The machine reset clears the pages' CMMA states (DIAGNOSE 0x308 subcodes 0, 1, 3). */
  resetStorageAttributes(): void;
  /** The machine reset the topology: horizontal polarization, no topology-change report. */
  resetTopology(): void;
  /** Before a load-normal reset of a secure guest: every vCPU stopped, KVM_PV_VM_UNSHARE_ALL, KVM_PV_PREP_RESET. */
  prepareProtectedReset(): void;
  printConsole(text: string): void;
}

/** One DIAGNOSE as the VMM sees it. */
export interface DiagnoseCall {
  m: HostMachine;
  v: VcpuHandle;
  run: StructBytes;
  code: number;
  r1: number;
  r3: number;
  /** The GPRs at the interception. */
  gprs: bigint[];
}

export type DiagnoseHandler = (call: DiagnoseCall) => MachineStop | undefined;
