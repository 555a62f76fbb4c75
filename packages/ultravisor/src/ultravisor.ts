// The emulated Ultravisor (spec ultravisor.md): UV calls on control blocks in the real byte
// layout (in host storage, or in a byte array), typed wrappers for each call, the host's
// isolating view of storage, and running secure CPUs. All state is private to the instance.
import type { HostKeyPair } from './host-key/index.js';
import { parseQuery, type QueryInfo } from './calls/query.js';
import { SecureCpuError, UvcProgramException } from './errors.js';
import { systemRandom, type RandomSource } from './random.js';
import { runSecureCpu, type HostExit, type InterceptionCompletion, type SecureCpuRunner } from './secure-cpu-run.js';
import type { GuestPageListener, GuestTranslator, HostOperandReader, HostPageListener, UvContext, UvResult } from './state.js';
import { PAGE_SIZE, type HostStorage } from './storage/host-storage.js';
import { checkHostAccess, defaultExportBackend, hostAccessible, type ExportBackend } from './storage/pages.js';
import { convertFromSecureMany } from './calls/storage.js';
import { resetUltravisor } from './calls/lifecycle.js';
import { UvCommand } from './uvc/codes.js';
import { executeGuestCall, executeHostCall } from './uvc/dispatch.js';
import { CGC, CFS, CPU_SET_STATE, CSC, CTS, ControlBlock, DUMP_CPU, DUMP_STOR_STATE, INIT, NODATA, QUI_SIZE, SHARE, SSC, UNP, UVCB_HEADER, newControlBlock } from './uvc/layout.js';
import { QUERY_VALUES } from './calls/query.js';

export interface UltravisorOptions {
  /** The machine's host absolute storage. */
  storage: HostStorage;
  /** This machine's host key pairs (P-521), used to open SE headers. */
  hostKeys?: readonly HostKeyPair[];
  /** Randomness for keys, nonces, seeds and IVs; default crypto.getRandomValues. */
  random?: RandomSource;
  /**
   * Guest absolute → host absolute translation of a configuration (the host's DAT tables for
   * `asce`). [E] Default: the guest storage lies contiguously in host storage starting at the
   * ASCE's origin (asce & ~0xFFF).
   */
  translateGuestAddress?: GuestTranslator;
  /** Called whenever a guest page becomes secure, shared or non-secure. */
  onGuestPageChange?: GuestPageListener;
  /**
   * Called whenever a host page becomes inaccessible to the host's CPUs (donated to the UV, made
   * secure) or accessible again (returned, non-secure, shared by its guest): a machine model
   * keeps its CPUs' view in step, so that they get secure-storage access exceptions there.
   */
  onHostPageChange?: HostPageListener;
  /**
   * The number of host CPUs running when INIT_UV is issued (the machine refuses INIT_UV with rc
   * 0x102 unless only the issuing CPU runs). Default: always 1, a host with one CPU.
   */
  runningHostCpus?: () => number;
  /**
   * Lowest origin INIT_UV accepts for the UV storage (rc 0x108 below it). The machine wants it
   * at or above 2 GiB (`MACHINE_MINIMUM_UV_STORAGE_ORIGIN`, where Linux allocates it). [E]
   * Default 0, so that small emulated hosts can run protected guests.
   */
  minimumUvStorageOrigin?: bigint;
  /**
   * How exported pages are encrypted [E]: `node` (batched AES-XTS through node:crypto; the default
   * where OpenSSL has AES-ECB and WebAssembly SIMD is present) or `noble` (the reference XTS, page
   * by page). Both give the same ciphertext.
   */
  exportBackend?: ExportBackend;
}

/** INIT_UV's lower bound for the UV storage origin on the machine: 2 GiB (rc 0x108 below). */
export const MACHINE_MINIMUM_UV_STORAGE_ORIGIN = 0x80000000n;

export interface CreateConfigurationArgs {
  guestStorageLength: bigint;
  guestAsce: bigint;
  baseStorageOrigin: bigint;
  variableStorageOrigin: bigint;
  sca: bigint;
  guestStorageOrigin?: bigint;
}

export interface CreateCpuArgs {
  configHandle: bigint;
  cpuNumber: number;
  storageOrigin: bigint;
  stateOrigin: bigint;
}

/** The UV's answer plus the data a successful dump call wrote (a copy of its buffer). */
export interface UvDataResult extends UvResult {
  data?: Uint8Array;
}

/** The condition code with the rc/rrc the UV wrote into the control block's header. */
function resultOf(cb: ControlBlock, cc: number): UvResult {
  return { cc, rc: cb.u16(UVCB_HEADER.rc), rrc: cb.u16(UVCB_HEADER.rrc) };
}

export class Ultravisor {
  readonly #ctx: UvContext;
  /** The host's view of host storage: touching a secure page or donated storage throws SecureStorageAccessError. */
  readonly hostStorage: HostStorage;

  constructor(options: UltravisorOptions) {
    const storage = options.storage;
    const translate: GuestTranslator =
      options.translateGuestAddress ??
      ((asce, gaddr) => {
        const address = Number(asce & ~0xfffn) + gaddr;
        return Number.isSafeInteger(address) && address + PAGE_SIZE <= storage.size ? address : undefined;
      });
    this.#ctx = {
      storage,
      random: options.random ?? systemRandom,
      hostKeys: options.hostKeys ?? [],
      translate,
      listener: options.onGuestPageChange,
      hostPageListener: options.onHostPageChange,
      hostOperandReader: undefined,
      uvStorage: undefined,
      runningHostCpus: options.runningHostCpus ?? (() => 1),
      minimumUvStorageOrigin: options.minimumUvStorageOrigin ?? 0n,
      exportBackend: options.exportBackend ?? defaultExportBackend(),
      configs: new Map(),
      cpus: new Map(),
      pageOwners: new Map(),
      nextConfigNumber: 1,
      nextCpuNumber: 1,
    };
    const ctx = this.#ctx;
    this.hostStorage = {
      size: storage.size,
      read(address, length) {
        checkHostAccess(ctx, address, length);
        return storage.read(address, length);
      },
      write(address, data) {
        checkHostAccess(ctx, address, data.length);
        storage.write(address, data);
      },
    };
  }

  /** The query values this UV reports. */
  static readonly queryValues = QUERY_VALUES;

  /**
   * The UVC instruction with the control block at host absolute `address`: runs the call,
   * writes rc/rrc and outputs back into storage, returns the condition code.
   */
  call(address: number | bigint): number {
    const storage = this.#ctx.storage;
    const at = Number(address);
    if (!Number.isSafeInteger(at) || at % 8 !== 0) throw new UvcProgramException(0x06, `UVC control block address 0x${address.toString(16)} is not 8-byte aligned`);
    if (at < 0 || at + UVCB_HEADER.size > storage.size) throw new UvcProgramException(0x05, `UVC control block at 0x${address.toString(16)} is outside host storage`);
    checkHostAccess(this.#ctx, at, UVCB_HEADER.size);
    const len = new DataView(storage.read(at, 2).buffer).getUint16(0);
    const size = Math.max(UVCB_HEADER.size, Math.min(len, 0x1000));
    if (at + size > storage.size) throw new UvcProgramException(0x05, `UVC control block at 0x${at.toString(16)} (len 0x${len.toString(16)}) extends beyond host storage`);
    checkHostAccess(this.#ctx, at, size);
    const block = storage.read(at, size);
    const cc = executeHostCall(this.#ctx, new ControlBlock(block));
    storage.write(at, block);
    return cc;
  }

  /**
   * Runs a host UV call on a control block held in `block` (updated in place); returns the cc.
   * `readOperand` reaches what the block names by host virtual address (the SE header), as the
   * machine does through the host's home space; default: host absolute storage.
   */
  execute(block: Uint8Array, readOperand?: HostOperandReader): number {
    return executeHostCall(this.#ctx, new ControlBlock(block), readOperand);
  }

  /** [E] The machine reset the host: every configuration and CPU ends, donated storage comes back cleared, the UV is uninitialised. */
  reset(): void {
    resetUltravisor(this.#ctx);
  }

  /** Runs a UV call issued by the secure guest CPU `cpuHandle` (SET/REMOVE_SHARED_ACCESS, QUI). */
  guestCall(cpuHandle: bigint, block: Uint8Array): number {
    return executeGuestCall(this.#ctx, cpuHandle, new ControlBlock(block));
  }

  // ---- typed wrappers: each builds the real control block and runs it through execute() ----

  private run(cb: ControlBlock): UvResult {
    return resultOf(cb, this.execute(cb.bytes));
  }

  private nodata(cmd: number, handle: bigint): UvResult {
    const cb = newControlBlock(cmd);
    cb.setU64(NODATA.handle, handle);
    return this.run(cb);
  }

  query(length = QUI_SIZE): UvResult & { info: QueryInfo } {
    const cb = new ControlBlock(new Uint8Array(Math.max(length, UVCB_HEADER.size)));
    cb.setU16(UVCB_HEADER.len, length);
    cb.setU16(UVCB_HEADER.cmd, UvCommand.QUERY);
    const result = this.run(cb);
    return { ...result, info: parseQuery(cb) };
  }

  initialize(storageOrigin: bigint, storageLength: bigint): UvResult {
    const cb = newControlBlock(UvCommand.INIT_UV);
    cb.setU64(INIT.storOrigin, storageOrigin);
    cb.setU64(INIT.storLen, storageLength);
    return this.run(cb);
  }

  createSecureConfiguration(args: CreateConfigurationArgs): UvResult & { handle: bigint } {
    const cb = newControlBlock(UvCommand.CREATE_SEC_CONF);
    cb.setU64(CGC.confBaseStorOrigin, args.baseStorageOrigin);
    cb.setU64(CGC.confVirtStorOrigin, args.variableStorageOrigin);
    cb.setU64(CGC.guestStorOrigin, args.guestStorageOrigin ?? 0n);
    cb.setU64(CGC.guestStorLen, args.guestStorageLength);
    cb.setU64(CGC.guestSca, args.sca);
    cb.setU64(CGC.guestAsce, args.guestAsce);
    const result = this.run(cb);
    return { ...result, handle: cb.u64(CGC.guestHandle) };
  }

  destroySecureConfiguration(configHandle: bigint): UvResult {
    return this.nodata(UvCommand.DESTROY_SEC_CONF, configHandle);
  }

  createSecureCpu(args: CreateCpuArgs): UvResult & { handle: bigint } {
    const cb = newControlBlock(UvCommand.CREATE_SEC_CPU);
    cb.setU64(CSC.guestHandle, args.configHandle);
    cb.setU64(CSC.storOrigin, args.storageOrigin);
    cb.setU16(CSC.num, args.cpuNumber);
    cb.setU64(CSC.stateOrigin, args.stateOrigin);
    const result = this.run(cb);
    return { ...result, handle: cb.u64(CSC.cpuHandle) };
  }

  destroySecureCpu(cpuHandle: bigint): UvResult {
    return this.nodata(UvCommand.DESTROY_SEC_CPU, cpuHandle);
  }

  /** SET_SEC_CONF_PARAMS with the SE header at host address `headerOrigin`. */
  setSecureConfigurationParameters(configHandle: bigint, headerOrigin: bigint, headerLength: number): UvResult {
    const cb = newControlBlock(UvCommand.SET_SEC_CONF_PARAMS);
    cb.setU64(SSC.guestHandle, configHandle);
    cb.setU64(SSC.secHeaderOrigin, headerOrigin);
    cb.setU32(SSC.secHeaderLen, headerLength);
    return this.run(cb);
  }

  /** UNPACK_IMG of the encrypted image page the host placed at guest address `gaddr`. */
  unpack(configHandle: bigint, gaddr: bigint, tweak0: bigint, tweak1: bigint): UvResult {
    const cb = newControlBlock(UvCommand.UNPACK_IMG);
    cb.setU64(UNP.guestHandle, configHandle);
    cb.setU64(UNP.gaddr, gaddr);
    cb.setU64(UNP.tweak0, tweak0);
    cb.setU64(UNP.tweak1, tweak1);
    return this.run(cb);
  }

  verify(configHandle: bigint): UvResult {
    return this.nodata(UvCommand.VERIFY_IMG, configHandle);
  }

  prepareReset(configHandle: bigint): UvResult {
    return this.nodata(UvCommand.PREPARE_RESET, configHandle);
  }

  resetCpu(cpuHandle: bigint, kind: 'normal' | 'initial' | 'clear'): UvResult {
    const cmd = kind === 'normal' ? UvCommand.CPU_RESET : kind === 'initial' ? UvCommand.CPU_RESET_INITIAL : UvCommand.CPU_RESET_CLEAR;
    return this.nodata(cmd, cpuHandle);
  }

  /** `state` is a PvCpuStateValue, or any byte (the UV answers an invalid one). */
  setCpuState(cpuHandle: bigint, state: number): UvResult {
    const cb = newControlBlock(UvCommand.CPU_SET_STATE);
    cb.setU64(CPU_SET_STATE.cpuHandle, cpuHandle);
    cb.bytes[CPU_SET_STATE.state] = state & 0xff;
    return this.run(cb);
  }

  setUnshareAll(configHandle: bigint): UvResult {
    return this.nodata(UvCommand.SET_UNSHARE_ALL, configHandle);
  }

  /** CONV_TO_SEC_STOR (import) of guest page `gaddr`. */
  convertToSecure(configHandle: bigint, gaddr: bigint): UvResult {
    const cb = newControlBlock(UvCommand.CONV_TO_SEC_STOR);
    cb.setU64(CTS.guestHandle, configHandle);
    cb.setU64(CTS.gaddr, gaddr);
    return this.run(cb);
  }

  private pageCall(cmd: number, paddr: bigint): UvResult {
    const cb = newControlBlock(cmd);
    cb.setU64(CFS.paddr, paddr);
    return this.run(cb);
  }

  /** CONV_FROM_SEC_STOR (export) of the host page at `paddr`. */
  convertFromSecure(paddr: bigint): UvResult {
    return this.pageCall(UvCommand.CONV_FROM_SEC_STOR, paddr);
  }

  /**
   * [E] CONV_FROM_SEC_STOR of many host pages (host absolute addresses), with the result of
   * issuing the calls one by one in this order and stopping at the first refusal: `done` calls
   * succeeded, `result` is the last call's. The pages' encryption is batched; a host model uses
   * this when it touches a range of guest memory (the way a dump reads it).
   */
  convertFromSecurePages(paddrs: readonly number[]): { done: number; result: UvResult } {
    return convertFromSecureMany(this.#ctx, paddrs);
  }

  destroySecurePage(paddr: bigint): UvResult {
    return this.pageCall(UvCommand.DESTR_SEC_STOR, paddr);
  }

  pinPageShared(paddr: bigint): UvResult {
    return this.pageCall(UvCommand.PIN_PAGE_SHARED, paddr);
  }

  unpinPageShared(paddr: bigint): UvResult {
    return this.pageCall(UvCommand.UNPIN_PAGE_SHARED, paddr);
  }

  /** Guest call SET_SHARED_ACCESS (shared = true) or REMOVE_SHARED_ACCESS, issued by `cpuHandle`. */
  changeSharedAccess(cpuHandle: bigint, gaddr: bigint, shared: boolean): UvResult {
    const cb = newControlBlock(shared ? UvCommand.SET_SHARED_ACCESS : UvCommand.REMOVE_SHARED_ACCESS);
    cb.setU64(SHARE.paddr, gaddr);
    return resultOf(cb, this.guestCall(cpuHandle, cb.bytes));
  }

  dumpInit(configHandle: bigint): UvResult {
    return this.nodata(UvCommand.DUMP_INIT, configHandle);
  }

  private dumpCall(cmd: number, handle: bigint, origin: bigint, length: bigint, gaddr?: bigint): UvDataResult {
    const cb = newControlBlock(cmd);
    cb.setU64(DUMP_CPU.cpuHandle, handle); // all dump blocks have the handle at 0x18 and origin at 0x20
    cb.setU64(DUMP_CPU.dumpAreaOrigin, origin);
    if (gaddr !== undefined) cb.setU64(DUMP_STOR_STATE.gaddr, gaddr);
    const result = this.run(cb);
    if (result.cc !== 0) return result;
    return { ...result, data: this.hostStorage.read(Number(origin), Number(length)) };
  }

  /** DUMP_CPU into the cpu_stor_len-byte host buffer at `origin`. */
  dumpCpu(cpuHandle: bigint, origin: bigint): UvDataResult {
    return this.dumpCall(UvCommand.DUMP_CPU, cpuHandle, origin, QUERY_VALUES.cpuStorLen);
  }

  /** DUMP_CONF_STOR_STATE for the 1 MiB at `gaddr` into the host buffer at `origin`. */
  dumpStorageState(configHandle: bigint, origin: bigint, gaddr: bigint): UvDataResult {
    return this.dumpCall(UvCommand.DUMP_CONF_STOR_STATE, configHandle, origin, QUERY_VALUES.confDumpStorageStateLen, gaddr);
  }

  /** DUMP_COMPLETE into the conf_dump_finalize_len-byte host buffer at `origin`. */
  dumpComplete(configHandle: bigint, origin: bigint): UvDataResult {
    return this.dumpCall(UvCommand.DUMP_COMPLETE, configHandle, origin, QUERY_VALUES.confDumpFinalizeLen);
  }

  // ---- secure CPUs and pages as the host may observe them ----

  /** Runs secure CPU `cpuHandle` with `runner` (the CPU interpreter); see secure-cpu-run.ts. */
  runSecureCpu(cpuHandle: bigint, runner: SecureCpuRunner, completion?: InterceptionCompletion): HostExit {
    return runSecureCpu(this.#ctx, cpuHandle, runner, completion);
  }

  /**
   * The prefix the hypervisor puts in a secure CPU's state description (KVM's
   * kvm_s390_set_prefix, after the VMM served a guest's SIGP SET PREFIX). [E] The UV takes it on
   * the CPU's next entry whatever its state (real KVM sets it at KVM_RUN, when the CPU may already
   * be operating again); the prefix is 8 KiB aligned below 2 GiB. Throws SecureCpuError for an
   * unknown CPU.
   */
  setSecureCpuPrefix(cpuHandle: bigint, prefix: number): void {
    const cpu = this.#ctx.cpus.get(cpuHandle);
    if (cpu === undefined) throw new SecureCpuError(`no secure CPU with handle 0x${cpuHandle.toString(16)}`);
    cpu.snapshot = { ...cpu.snapshot, prefix: prefix & 0x7fffe000 };
  }

  /** The CPU_SET_STATE state of a secure CPU, or undefined if there is no such CPU. */
  secureCpuState(cpuHandle: bigint): number | undefined {
    return this.#ctx.cpus.get(cpuHandle)?.state;
  }

  /** True if the host may access the host page holding `address` (inside storage; not secure, or shared). */
  isHostAccessible(address: number): boolean {
    return hostAccessible(this.#ctx, address, 1);
  }

  /** State of a guest page as the host can observe it through faults. */
  guestPageState(configHandle: bigint, gaddr: number): 'secure' | 'shared' | 'exported' | 'non-secure' | undefined {
    const config = this.#ctx.configs.get(configHandle);
    if (config === undefined) return undefined;
    const page = Math.floor(gaddr / PAGE_SIZE);
    if (config.sharedPages.has(page)) return 'shared';
    if (config.securePages.has(page)) return 'secure';
    if (config.exported.has(page)) return 'exported';
    return 'non-secure';
  }
}
