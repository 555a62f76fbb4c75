// One z/Architecture CPU (spec s390x-cpu.md §1–§5): architected state kept in typed arrays for
// speed, storage access with prefixing, program/SVC/restart interruptions through the lowcore,
// and the run loop that fetches, decodes through the 64K opcode table and executes until a stop
// condition. BigInt appears only at the API edges (snapshot, PSW, get/set of whole registers).

import { DECODE_TABLE, PROBLEM_DISPATCH, SUPERVISOR_DISPATCH } from '../isa/dispatch.js';
import type { ExecFn } from '../isa/types.js';
import { instructionLength, opcodeKey } from '../isa/decoder.js';
import type { InstructionDef } from '../isa/types.js';
import { decodeFields, type Format } from '../isa/formats.js';
import type { AbsoluteStorage } from '../memory/guest-memory.js';
import { DEFAULT_INACCESSIBLE_CODE } from '../memory/guest-memory.js';
import { compileBlock, MAX_BLOCK_BYTES, MAX_BLOCK_INSTRUCTIONS, type BlockFn, type BlockInstruction } from './blocks.js';
import { HostTodClock, type TodClock } from './clock.js';
import { translate } from './dat.js';
import {
  DXC_AFP_REGISTER,
  DXC_VECTOR,
  InterceptionRequest,
  isNullifying,
  PageAccessStop,
  PGM_ADDRESSING,
  PGM_DATA,
  PGM_EXECUTE,
  PGM_OPERATION,
  PGM_PRIVILEGED,
  PGM_SPECIFICATION,
  ProgramException,
  type InstructionInterception,
} from './exceptions.js';
import { pswInvalidReason, type Psw } from '../state/psw.js';
import { ARCH_MODE_ID_ABSOLUTE, encodeAdditionalStatus, encodeStoreStatus, STORE_STATUS, STORE_STATUS_ABSOLUTE } from '../state/store-status.js';
import {
  ACR_COUNT,
  CR_COUNT,
  GPR_COUNT,
  initialCpuResetSnapshot,
  initialCpuSnapshot,
  validateCpuSnapshot,
  VR_COUNT,
  type CpuSnapshot,
  type GuardedStorageBlock,
} from '../state/snapshot.js';

const TWO32 = 4294967296;
/** Addresses from here on are not exact as numbers (never inside guest memory). */
const TWO53 = 9007199254740992;
/** CR0 bits 52 (clock-comparator) and 53 (CPU-timer) external submasks. */
const CR0_CKC_SUBMASK = 0x800;
const CR0_CPU_TIMER_SUBMASK = 0x400;
const EXT_CLOCK_COMPARATOR = 0x1004;
const EXT_CPU_TIMER = 0x1005;
/** CR0 submask bit (low word) of each external-interruption code (§4, §5). */
const EXTERNAL_SUBMASKS: Readonly<Record<number, number>> = {
  0x1201: 0x4000,
  0x1202: 0x2000,
  0x1004: 0x800,
  0x1005: 0x400,
  0x2401: 0x200,
  0x0040: 0x40,
};
/** Slots of the direct-mapped block cache (indexed by instruction address / 2). */
const BLOCK_SLOTS = 1 << 14;
/** Times an address is reached through the generic loop before its block is compiled. */
const BLOCK_HOT = 16;
/**
 * Instructions after which a block ends: unconditional transfers (calls, returns, LPSW(E), SVC,
 * BSM) and branch-on-condition with mask 15. Conditional branches do not end a block: when taken
 * the block exits through its generic check, otherwise execution continues inside it.
 */
const BLOCK_END = /^(bras|brasl|bas|basr|bal|balr|bsm|bassm|lpsw|lpswe|svc)$/;
const BRANCH_ON_CONDITION = /^(bc|bcr|brc|brcl)$/;
/** Instructions between checks for timer interruptions while they are enabled. */
const TIMER_SLICE = 1024;
const LOWCORE_SIZE = 0x2000;

/** Real lowcore addresses (§5). */
export const LC = {
  EXT_PARAMS: 0x080,
  EXT_CPU_ADDR: 0x084,
  EXT_INT_CODE: 0x086,
  SVC_ILC: 0x088,
  SVC_CODE: 0x08a,
  PGM_ILC: 0x08c,
  PGM_CODE: 0x08e,
  DATA_EXC_CODE: 0x090,
  TRANS_EXC_ID: 0x0a8,
  SUBSYSTEM_ID: 0x0b8,
  IO_INT_PARAM: 0x0bc,
  IO_INT_WORD: 0x0c0,
  BEAR: 0x110,
  RESTART_OLD_PSW: 0x120,
  EXTERNAL_OLD_PSW: 0x130,
  SVC_OLD_PSW: 0x140,
  PROGRAM_OLD_PSW: 0x150,
  MCHECK_OLD_PSW: 0x160,
  IO_OLD_PSW: 0x170,
  RESTART_NEW_PSW: 0x1a0,
  EXTERNAL_NEW_PSW: 0x1b0,
  SVC_NEW_PSW: 0x1c0,
  PROGRAM_NEW_PSW: 0x1d0,
  MCHECK_NEW_PSW: 0x1e0,
  IO_NEW_PSW: 0x1f0,
} as const;

/** Why `run` returned. `executed` counts instructions (and interruptions) processed. */
export type StopReason =
  | { kind: 'budget'; executed: number }
  | { kind: 'wait'; executed: number; psw: Psw; disabled: boolean }
  | { kind: 'interception'; executed: number; interception: InstructionInterception }
  | { kind: 'page-access'; executed: number; absoluteAddress: number; write: boolean }
  | { kind: 'stopped'; executed: number };

export interface CpuOptions {
  /** CPU address (STAP, SIGP); default 0. */
  cpuAddress?: number;
  /** TOD clock shared by the configuration; default a host-time clock. */
  clock?: TodClock;
  /** Initial state; default the power-on state. */
  snapshot?: CpuSnapshot;
}

/** Handler run for every instruction when tracing (address, entry, a, b, length). */
export type TraceHook = (address: number, entry: InstructionDef | undefined, a: number, b: number, length: number) => void;

export class Cpu {
  // ---- architected registers (hot) ----
  /** GPRs as 32-bit halves: GPR i = r[2i] (bits 0–31) : r[2i+1] (bits 32–63). */
  readonly r = new Uint32Array(GPR_COUNT * 2);
  /** Control registers, same layout as `r`. */
  readonly cr = new Uint32Array(CR_COUNT * 2);
  readonly acr = new Uint32Array(ACR_COUNT);
  /** Vector registers: V i at bytes 16i..16i+15, big-endian; FPR i = bytes 16i..16i+7. */
  readonly vr = new Uint8Array(VR_COUNT * 16);
  readonly vrView = new DataView(this.vr.buffer);
  fpc = 0;
  /** Condition code 0–3 (kept outside the PSW mask words). */
  cc = 0;
  /** PSW mask bits 0–31 with the CC bits (18–19) cleared. */
  maskHi = 0;
  /** PSW mask bits 32–63. */
  maskLo = 0;
  /** Address of the current instruction (the EX/EXRL while running an execute target). */
  ia = 0;
  /** Address of the next instruction; semantics change it to branch. */
  nextIa = 0;
  /** Length of the current instruction (of EX/EXRL while running its target). */
  ilen = 2;
  /** Addressing mode from the PSW. */
  amode: 24 | 31 | 64 = 24;
  /** Address mask for 24/31-bit mode (0xFFFFFF / 0x7FFFFFFF); unused in 64-bit mode. */
  amask = 0xffffff;
  problemState = false;
  /** Semantics by opcode key for the current state (problem or supervisor). */
  private dispatch: readonly ExecFn[] = SUPERVISOR_DISPATCH;
  prefix = 0;
  /** Breaking-event address (address of the last taken branch). */
  bear = 1;
  todProgrammable = 0;
  clockComparator = 0n;
  gsCb: GuardedStorageBlock = { reserved: 0n, gsd: 0n, gssm: 0n, gsepla: 0n };
  readonly cpuAddress: number;
  readonly clock: TodClock;
  /** Set by `ea()`: exact 64-bit effective address halves (after mode wrapping). */
  eaHi = 0;
  eaLo = 0;

  // ---- storage ----
  readonly mem: AbsoluteStorage;
  private readonly bytes: Uint8Array;
  private readonly view: DataView;
  private readonly memSize: number;
  private prefixEnd = LOWCORE_SIZE;
  /** Window of addresses `direct` accesses may touch (see `updateDirectWindow`). */
  private directLo = LOWCORE_SIZE;
  private directHi = 0;

  // ---- run-loop control ----
  /** Non-zero stops the fast loop: wait PSW, pending early PSW exception, stop request. */
  private attention = false;
  private earlyPswException = false;
  private invalidPsw: Psw | undefined = undefined;
  private earlyIlc = 0;
  /** Exact instruction address when `ia` is at or beyond 2^53 (a branch far outside memory). */
  private farIa: bigint | undefined = undefined;
  /** Exact value of the last far address computed by `ea` / `gprAddress`. */
  private lastFar = 0n;
  private stopRequested = false;
  private waitPsw = false;
  private timersArmed = false;
  private icount = 0;
  // ---- block cache (see blocks.ts) ----
  private readonly blockTag = new Float64Array(BLOCK_SLOTS).fill(-1);
  private readonly blockFn = new Array<BlockFn | undefined>(BLOCK_SLOTS).fill(undefined);
  private readonly blockLength = new Uint8Array(BLOCK_SLOTS);
  private readonly blockBytes = new Uint8Array(BLOCK_SLOTS);
  private readonly blockHeat = new Uint8Array(BLOCK_SLOTS);
  /** Instruction addresses of each block, to count what ran when one of them throws. */
  private readonly blockAddresses = new Array<Float64Array | undefined>(BLOCK_SLOTS).fill(undefined);
  /** Byte range of the block being run; a store into it sets `attention` so the block ends. */
  private blockLo = 0;
  private blockHi = 0;
  /** PSW bit 5: dynamic address translation is on. */
  private datOn = false;
  /** Translation lookaside buffer: (virtual page × 4 + ASCE id) → real page × 2 + protected. */
  private readonly tlb = new Map<number, number>();
  /** Use compiled blocks (on by default; off gives the plain interpreter loop). */
  useBlocks = true;
  private inExecute = false;
  private exTarget = 0;
  private cpuTimerValue = 0n;
  private cpuTimerSetAt = 0n;
  /** SVC stops the CPU with an interception instead of an SVC interruption (Linux user-mode runners). */
  interceptSvc = false;
  /** Called before each instruction when set (disassembly traces). */
  trace: TraceHook | undefined = undefined;
  /** The last interception the host has not yet completed (`completeInterception` clears it). */
  pendingInterception: InstructionInterception | undefined = undefined;

  constructor(memory: AbsoluteStorage, options: CpuOptions = {}) {
    this.mem = memory;
    this.bytes = memory.bytes;
    this.view = memory.view;
    this.memSize = memory.size;
    this.cpuAddress = options.cpuAddress ?? 0;
    this.clock = options.clock ?? new HostTodClock();
    this.restore(options.snapshot ?? initialCpuSnapshot());
  }

  // ======================= state at the API edge =======================

  /** Plain-data copy of the whole architected state. */
  snapshot(): CpuSnapshot {
    const gprs: bigint[] = [];
    const crs: bigint[] = [];
    for (let i = 0; i < 16; i++) {
      gprs.push(this.getGpr(i));
      crs.push(this.getCr(i));
    }
    const vrs: Uint8Array[] = [];
    for (let i = 0; i < VR_COUNT; i++) vrs.push(this.vr.slice(16 * i, 16 * i + 16));
    return {
      psw: this.getPsw(),
      gprs,
      acrs: Array.from(this.acr),
      crs,
      fpc: this.fpc >>> 0,
      vrs,
      prefix: this.prefix,
      cpuTimer: this.getCpuTimer(),
      clockComparator: this.clockComparator,
      todProgrammable: this.todProgrammable,
      bear: BigInt(this.bear),
      gsCb: { ...this.gsCb },
    };
  }

  /** Loads the whole architected state from a snapshot (validated first). */
  restore(s: CpuSnapshot): void {
    validateCpuSnapshot(s);
    for (let i = 0; i < 16; i++) {
      this.setGpr(i, s.gprs[i] ?? 0n);
      this.setCr(i, s.crs[i] ?? 0n);
      this.acr[i] = s.acrs[i] ?? 0;
    }
    for (let i = 0; i < VR_COUNT; i++) this.vr.set(s.vrs[i] ?? new Uint8Array(16), 16 * i);
    this.fpc = s.fpc >>> 0;
    this.setPrefix(s.prefix);
    this.setCpuTimer(s.cpuTimer);
    this.clockComparator = s.clockComparator;
    this.todProgrammable = s.todProgrammable;
    this.bear = Number(s.bear);
    this.gsCb = { ...s.gsCb };
    this.setPsw(s.psw);
    this.pendingInterception = undefined;
  }

  /**
   * STORE STATUS (§6): the 512-byte save area at absolute `address` (default 0x1200, not
   * prefixed; 512-byte aligned) and the architectural-mode id 1 at absolute 0xA3.
   */
  storeStatus(address: number = STORE_STATUS_ABSOLUTE): void {
    if (address % 512 !== 0 || address < 0 || address + STORE_STATUS.SIZE > this.memSize) {
      throw new RangeError(`store-status address 0x${address.toString(16)} must be 512-byte aligned inside guest memory`);
    }
    this.bytes.set(encodeStoreStatus(this.snapshot()), address);
    this.bytes[ARCH_MODE_ID_ABSOLUTE] = 1;
  }

  /**
   * STORE ADDITIONAL STATUS (§6, SIGP order 23): V0–V31 at absolute `address`, and the
   * guarded-storage block at +0x400 when `withGs` (a 2 KiB area).
   */
  storeAdditionalStatus(address: number, withGs: boolean): void {
    const image = encodeAdditionalStatus(this.snapshot(), withGs);
    if (address % 1024 !== 0 || address < 0 || address + image.length > this.memSize) {
      throw new RangeError(`additional-status address 0x${address.toString(16)} must be 1 KiB aligned with ${image.length} bytes inside guest memory`);
    }
    this.bytes.set(image, address);
  }

  /** Initial CPU reset (§7): PSW, prefix, FPC, timers, TOD-PR, CRs and BEAR reset; GPRs, ACRs, vector registers kept. */
  initialCpuReset(): void {
    this.restore(initialCpuResetSnapshot(this.snapshot()));
  }

  /** Clear reset (§7): every register to its initial value. */
  clearReset(): void {
    this.restore(initialCpuSnapshot());
  }

  getGpr(i: number): bigint {
    return (BigInt(this.r[2 * i] ?? 0) << 32n) | BigInt(this.r[2 * i + 1] ?? 0);
  }
  setGpr(i: number, v: bigint): void {
    const u = BigInt.asUintN(64, v);
    this.r[2 * i] = Number(u >> 32n);
    this.r[2 * i + 1] = Number(u & 0xffffffffn);
  }
  getCr(i: number): bigint {
    return (BigInt(this.cr[2 * i] ?? 0) << 32n) | BigInt(this.cr[2 * i + 1] ?? 0);
  }
  setCr(i: number, v: bigint): void {
    const u = BigInt.asUintN(64, v);
    this.cr[2 * i] = Number(u >> 32n);
    this.cr[2 * i + 1] = Number(u & 0xffffffffn);
    this.tlb.clear();
    if (i === 0) this.controlRegistersChanged();
  }
  /** FPR i (0–15) as its 64-bit pattern. */
  getFprBits(i: number): bigint {
    return this.vrView.getBigUint64(16 * i);
  }
  setFprBits(i: number, v: bigint): void {
    this.vrView.setBigUint64(16 * i, BigInt.asUintN(64, v));
  }

  /** The current PSW with the current condition code. */
  getPsw(): Psw {
    if (this.invalidPsw !== undefined && this.earlyPswException) return { ...this.invalidPsw };
    const hi = (this.maskHi | (this.cc << 12)) >>> 0;
    const addr = this.ia >= TWO53 && this.farIa !== undefined ? this.farIa : BigInt(this.ia);
    return { mask: (BigInt(hi) << 32n) | BigInt(this.maskLo >>> 0), addr };
  }

  /**
   * Loads a PSW. An invalid PSW (§2) is kept as loaded and raises an early specification
   * exception before the next instruction, as the architecture requires. `earlyIlc` is the ILC
   * that exception reports: 0 for LPSW/LPSWE/interruptions, the instruction length when SSM or
   * STOSM made the PSW invalid (as QEMU's exrl-ssm-early test expects).
   */
  setPsw(psw: Psw, earlyIlc = 0): void {
    const mask = BigInt.asUintN(64, psw.mask);
    const addr = BigInt.asUintN(64, psw.addr);
    const hi = Number(mask >> 32n);
    this.maskHi = (hi & ~0x3000) >>> 0;
    this.maskLo = Number(mask & 0xffffffffn) >>> 0;
    this.cc = (hi >>> 12) & 3;
    this.ia = Number(addr);
    this.farIa = addr >= BigInt(TWO53) ? addr : undefined;
    this.updateModeFromMask();
    this.earlyPswException = pswInvalidReason({ mask, addr }) !== undefined;
    // Kept exactly: an invalid PSW may hold an address beyond 2^53 and is stored as the old PSW.
    this.invalidPsw = this.earlyPswException ? { mask, addr } : undefined;
    this.earlyIlc = earlyIlc;
    this.updateAttention();
  }

  private updateModeFromMask(): void {
    const ea = (this.maskHi & 1) !== 0;
    const ba = (this.maskLo & 0x80000000) !== 0;
    this.amode = ea && ba ? 64 : ba ? 31 : 24;
    this.amask = this.amode === 31 ? 0x7fffffff : 0xffffff;
    this.datOn = (this.maskHi & 0x04000000) !== 0;
    this.updateDirectWindow();
    this.problemState = (this.maskHi & 0x00010000) !== 0;
    this.dispatch = this.problemState ? PROBLEM_DISPATCH : SUPERVISOR_DISPATCH;
    this.waitPsw = (this.maskHi & 0x00020000) !== 0;
    this.updateTimersArmed();
    // The fast loop keeps mode, dispatch table and prefix in locals: make it re-read them.
    this.attention = true;
  }

  /** External interruptions for the clock comparator / CPU timer can occur (PSW bit 7 and a CR0 submask). */
  private updateTimersArmed(): void {
    this.timersArmed = (this.maskHi & 0x01000000) !== 0 && (this.cr[1]! & (CR0_CKC_SUBMASK | CR0_CPU_TIMER_SUBMASK)) !== 0;
  }

  /**
   * Call after changing control registers directly (LCTL/LCTLG do): re-evaluates which external
   * interruptions are enabled.
   */
  controlRegistersChanged(): void {
    this.tlb.clear();
    this.updateTimersArmed();
    this.attention = true;
  }

  /** Code of an enabled, pending clock-comparator (0x1004) or CPU-timer (0x1005) interruption, or 0. */
  pendingTimerInterruption(): number {
    if ((this.maskHi & 0x01000000) === 0) return 0;
    const cr0 = this.cr[1]!;
    if ((cr0 & CR0_CKC_SUBMASK) !== 0 && this.clock.read() > this.clockComparator) return EXT_CLOCK_COMPARATOR;
    if ((cr0 & CR0_CPU_TIMER_SUBMASK) !== 0 && BigInt.asIntN(64, this.getCpuTimer()) < 0n) return EXT_CPU_TIMER;
    return 0;
  }

  /**
   * [E] An enabled wait skips the TOD clock forward to the nearest enabled timer event (clock
   * comparator or CPU timer), so waiting guests run without real delays. Returns false when no
   * timer event is enabled.
   */
  private skipToTimerEvent(): boolean {
    if ((this.maskHi & 0x01000000) === 0) return false;
    const cr0 = this.cr[1]!;
    const now = this.clock.read();
    let target: bigint | undefined;
    if ((cr0 & CR0_CKC_SUBMASK) !== 0) target = this.clockComparator + 1n;
    if ((cr0 & CR0_CPU_TIMER_SUBMASK) !== 0 && this.cpuTimerSetAt !== 0n) {
      const remaining = BigInt.asIntN(64, this.getCpuTimer());
      const t = now + (remaining < 0n ? 0n : remaining + 1n);
      if (target === undefined || t < target) target = t;
    }
    if (target === undefined) return false;
    if (target > now) this.clock.set(target);
    return true;
  }

  private updateAttention(): void {
    this.attention = this.waitPsw || this.earlyPswException || this.stopRequested;
  }

  /** Changes only the addressing mode (SAM24/31/64). */
  setAddressingMode(mode: 24 | 31 | 64): void {
    this.maskHi = (this.maskHi & ~1) | (mode === 64 ? 1 : 0);
    this.maskLo = mode === 24 ? this.maskLo & ~0x80000000 : this.maskLo | 0x80000000;
    this.updateModeFromMask();
  }

  setPrefix(prefix: number): void {
    this.prefix = prefix & 0x7fffe000;
    this.prefixEnd = this.prefix + LOWCORE_SIZE;
    this.updateDirectWindow();
    this.attention = true;
  }

  /** Current CPU timer value (decremented at the TOD rate since it was set). */
  getCpuTimer(): bigint {
    if (this.cpuTimerSetAt === 0n) return this.cpuTimerValue;
    const elapsed = this.clock.read() - this.cpuTimerSetAt;
    return BigInt.asUintN(64, this.cpuTimerValue - elapsed);
  }
  setCpuTimer(value: bigint): void {
    this.cpuTimerValue = BigInt.asUintN(64, value);
    this.cpuTimerSetAt = 0n;
  }
  /** Starts the CPU timer decrementing from its current value (SPT does this). */
  startCpuTimer(value: bigint): void {
    this.cpuTimerValue = BigInt.asUintN(64, value);
    this.cpuTimerSetAt = this.clock.read();
  }

  /** Asks a running `run` loop (e.g. from a trace hook or page handler) to stop after this instruction. */
  requestStop(): void {
    this.stopRequested = true;
    this.attention = true;
  }

  /** Marks the pending interception as completed by the host. */
  completeInterception(): void {
    this.pendingInterception = undefined;
  }

  // ======================= addresses =======================

  /**
   * Effective address D(X,B) for the current addressing mode (`d` signed). Returns it as a number
   * and leaves the exact halves in `eaHi`/`eaLo` (for LA-type instructions).
   */
  ea(x: number, b: number, d: number): number {
    const r = this.r;
    let lo = d;
    // A negative displacement is carried by `lo` itself; the carry step below propagates it.
    let hi = 0;
    if (x !== 0) {
      lo += r[2 * x + 1]!;
      hi += r[2 * x]!;
    }
    if (b !== 0) {
      lo += r[2 * b + 1]!;
      hi += r[2 * b]!;
    }
    if (this.amode === 64) {
      // lo lies in [-2^19, 2^33 + 2^19): at most two carries up or one borrow.
      if (lo >= TWO32) {
        lo -= TWO32;
        hi++;
        if (lo >= TWO32) {
          lo -= TWO32;
          hi++;
        }
      } else if (lo < 0) {
        lo += TWO32;
        hi--;
      }
      hi >>>= 0;
      this.eaHi = hi;
      this.eaLo = lo;
      if (hi >= 0x200000) this.lastFar = (BigInt(hi) << 32n) | BigInt(lo);
      return hi * TWO32 + lo;
    }
    lo = (lo & this.amask) >>> 0;
    this.eaHi = 0;
    this.eaLo = lo;
    return lo;
  }

  /** GPR `i` used as an address in the current mode (branch targets). */
  gprAddress(i: number): number {
    const lo = this.r[2 * i + 1]!;
    if (this.amode === 64) {
      const hi = this.r[2 * i]!;
      if (hi >= 0x200000) this.lastFar = (BigInt(hi) << 32n) | BigInt(lo);
      return hi * TWO32 + lo;
    }
    return (lo & this.amask) >>> 0;
  }

  /** Wraps an address to the current mode. */
  wrap(address: number): number {
    if (this.amode === 64) {
      if (address >= 0 && address < 18446744073709551616) return address;
      const m = address % 18446744073709551616;
      return m < 0 ? m + 18446744073709551616 : m;
    }
    return (address & this.amask) >>> 0;
  }

  /** Target of a relative operand: `halfwords` from the current instruction (or EX target). */
  relative(halfwords: number): number {
    const base = this.inExecute ? this.exTarget : this.ia;
    return this.wrap(base + halfwords * 2);
  }

  /** Takes a branch: sets the next instruction address and the BEAR. */
  branchTo(target: number): void {
    this.nextIa = target;
    this.bear = this.ia;
    // Far targets can only fault; keep their exact value for the old PSW.
    if (target >= TWO53) this.farIa = this.lastFar;
  }

  // ======================= storage access =======================

  /** True when [addr, addr+len) can be accessed directly at the same absolute address. */
  private direct(addr: number, len: number): boolean {
    return addr >= this.directLo && addr + len <= this.directHi && this.mem.inaccessibleCount === 0;
  }

  /**
   * Recomputes the one contiguous window [directLo, directHi) of addresses that map to the same
   * absolute address without wrapping: above the lowcore, below memory end and the 24/31-bit
   * wrap point, and on the larger side of the prefix area. Accesses outside it take the checked
   * path, which handles prefixing and wrapping.
   */
  private updateDirectWindow(): void {
    if (this.datOn) {
      // Every access is translated: no direct window.
      this.directLo = 1;
      this.directHi = 0;
      return;
    }
    const limit = this.amode === 64 ? this.memSize : Math.min(this.memSize, this.amask + 1);
    let lo = LOWCORE_SIZE;
    let hi = limit;
    if (this.prefix !== 0 && this.prefix < limit) {
      if (limit - this.prefixEnd >= this.prefix - LOWCORE_SIZE) lo = this.prefixEnd;
      else hi = this.prefix;
    }
    this.directLo = lo;
    this.directHi = Math.max(lo, hi);
  }

  /**
   * Logical address → absolute address: DAT when PSW bit 5 is on, then prefixing, with
   * addressing and page-accessibility checks.
   */
  absolute(logical: number, write: boolean): number {
    let a = this.datOn ? this.translateAddress(logical, write) : logical;
    if (a < LOWCORE_SIZE) a += this.prefix;
    else if (a >= this.prefix && a < this.prefixEnd) a -= this.prefix;
    if (a >= this.memSize) throw new ProgramException(PGM_ADDRESSING, 0, a);
    if (this.mem.inaccessibleCount !== 0) {
      for (;;) {
        const page = Math.floor(a / 4096);
        if (this.mem.isPageAccessible(page)) break;
        const handler = this.mem.onInaccessibleAccess;
        if (handler === undefined) throw new ProgramException(DEFAULT_INACCESSIBLE_CODE, 0, page * 4096);
        const res = handler({ absoluteAddress: a, page, write, cpuAddress: this.cpuAddress });
        if (res.kind === 'program') throw new ProgramException(res.code, 0, page * 4096);
        if (res.kind === 'stop') throw new PageAccessStop(a, write);
      }
    }
    return a;
  }

  /**
   * Virtual → real through the TLB or the DAT tables of the ASCE the PSW's address-space control
   * selects (primary CR1, secondary CR7, home CR13; access-register mode uses the primary ASCE
   * [E]). Addresses at or above 2^53 cannot be represented exactly and give an addressing
   * exception [E].
   */
  private translateAddress(vaddr: number, write: boolean): number {
    if (vaddr >= TWO53) throw new ProgramException(PGM_ADDRESSING);
    const asceId = (this.maskHi >>> 14) & 3;
    const vpage = Math.floor(vaddr / 4096);
    const key = vpage * 4 + asceId;
    const cached = this.tlb.get(key);
    const offset = vaddr - vpage * 4096;
    if (cached !== undefined && !(write && cached % 2 === 1)) return Math.floor(cached / 2) * 4096 + offset;
    const cr = asceId === 2 ? 7 : asceId === 3 ? 13 : 1;
    const { real, protectedPage } = translate(vaddr, write, {
      asceHi: this.cr[2 * cr]!,
      asceLo: this.cr[2 * cr + 1]!,
      asceId,
      edat1: (this.cr[1]! & 0x00800000) !== 0,
      readEntry: (at) => this.readTableEntry(at),
    });
    if (this.tlb.size >= 4096) this.tlb.clear();
    this.tlb.set(key, Math.floor(real / 4096) * 2 + (protectedPage ? 1 : 0));
    return real;
  }

  /** An 8-byte DAT table entry at real address `real` (prefixing applies). */
  private readTableEntry(real: number): [number, number] {
    let a = real;
    if (a < LOWCORE_SIZE) a += this.prefix;
    else if (a >= this.prefix && a < this.prefixEnd) a -= this.prefix;
    if (a + 8 > this.memSize) throw new ProgramException(PGM_ADDRESSING);
    return [this.view.getUint32(a), this.view.getUint32(a + 4)];
  }

  /** Purges the TLB (PTLB, IPTE, control-register changes). */
  purgeTlb(): void {
    this.tlb.clear();
  }

  /** Byte `i` of an operand at `addr`, wrapped in the current mode. */
  private step(addr: number, i: number): number {
    return this.amode === 64 ? addr + i : ((addr + i) & this.amask) >>> 0;
  }

  /**
   * Checks that all `len` bytes at logical `addr` can be accessed (for instructions that must
   * recognise access exceptions before changing anything). Checks one byte per page.
   */
  probe(addr: number, len: number, write: boolean): void {
    if (len <= 0 || this.direct(addr, len)) return;
    this.absolute(addr, write);
    let next = Math.floor(addr / 4096) * 4096 + 4096;
    while (next - addr < len) {
      this.absolute(this.step(addr, next - addr), write);
      next += 4096;
    }
    this.absolute(this.step(addr, len - 1), write);
  }

  readU8(addr: number): number {
    if (this.direct(addr, 1)) return this.bytes[addr]!;
    return this.bytes[this.absolute(addr, false)]!;
  }
  readU16(addr: number): number {
    if (this.direct(addr, 2)) return this.view.getUint16(addr);
    return this.readSlow(addr, 2);
  }
  readU32(addr: number): number {
    if (this.direct(addr, 4)) return this.view.getUint32(addr);
    return this.readSlow(addr, 4);
  }
  /** A store into the running block ends it after this instruction (the bytes are re-checked). */
  private storeTouchesBlock(addr: number, len: number): void {
    if (addr < this.blockHi && addr + len > this.blockLo) this.attention = true;
  }

  writeU8(addr: number, v: number): void {
    if (addr < this.blockHi) this.storeTouchesBlock(addr, 1);
    if (this.direct(addr, 1)) this.bytes[addr] = v;
    else this.bytes[this.absolute(addr, true)] = v;
  }
  writeU16(addr: number, v: number): void {
    if (addr < this.blockHi) this.storeTouchesBlock(addr, 2);
    if (this.direct(addr, 2)) this.view.setUint16(addr, v);
    else this.writeSlow(addr, 2, 0, v);
  }
  writeU32(addr: number, v: number): void {
    if (addr < this.blockHi) this.storeTouchesBlock(addr, 4);
    if (this.direct(addr, 4)) this.view.setUint32(addr, v);
    else this.writeSlow(addr, 4, 0, v);
  }
  /** Stores a doubleword given as two 32-bit halves. */
  writeU64(addr: number, hi: number, lo: number): void {
    if (addr < this.blockHi) this.storeTouchesBlock(addr, 8);
    if (this.direct(addr, 8)) {
      this.view.setUint32(addr, hi);
      this.view.setUint32(addr + 4, lo);
    } else this.writeSlow(addr, 8, hi, lo);
  }
  /** Loads the doubleword at `addr` into GPR `reg`. */
  loadGpr64(reg: number, addr: number): void {
    if (this.direct(addr, 8)) {
      this.r[2 * reg] = this.view.getUint32(addr);
      this.r[2 * reg + 1] = this.view.getUint32(addr + 4);
    } else {
      this.probe(addr, 8, false);
      this.r[2 * reg] = this.readSlow(addr, 4);
      this.r[2 * reg + 1] = this.readSlow(this.step(addr, 4), 4);
    }
  }
  /** Stores GPR `reg` as a doubleword at `addr`. */
  storeGpr64(reg: number, addr: number): void {
    this.writeU64(addr, this.r[2 * reg]!, this.r[2 * reg + 1]!);
  }
  /** Doubleword at `addr` as a bigint (for slow paths). */
  readU64(addr: number): bigint {
    this.probe(addr, 8, false);
    const hi = this.readU32(addr);
    const lo = this.readU32(this.step(addr, 4));
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  private readSlow(addr: number, len: number): number {
    let v = 0;
    for (let i = 0; i < len; i++) v = v * 256 + this.bytes[this.absolute(this.step(addr, i), false)]!;
    return v;
  }

  private writeSlow(addr: number, len: number, hi: number, lo: number): void {
    this.storeTouchesBlock(addr, len);
    // Recognise every access exception before storing anything.
    this.probe(addr, len, true);
    for (let i = 0; i < len; i++) {
      const shift = len - 1 - i;
      const byte = shift >= 4 ? (hi >>> (8 * (shift - 4))) & 0xff : (lo >>> (8 * shift)) & 0xff;
      this.bytes[this.absolute(this.step(addr, i), true)] = byte;
    }
  }

  /** Real-address accesses to the lowcore and for interruptions (prefixing, no access callback). */
  private realToAbsolute(real: number, len: number): number {
    let a = real;
    if (a < LOWCORE_SIZE) a += this.prefix;
    else if (a >= this.prefix && a < this.prefixEnd) a -= this.prefix;
    if (a + len > this.memSize) throw new Error(`real-storage access at 0x${real.toString(16)} is outside guest memory (prefix 0x${this.prefix.toString(16)}); callers must check the address first`);
    return a;
  }
  /** Reads a doubleword at a real address as a bigint (interruption PSWs). */
  readRealU64(real: number): bigint {
    return this.view.getBigUint64(this.realToAbsolute(real, 8));
  }
  writeRealU64(real: number, v: bigint): void {
    this.view.setBigUint64(this.realToAbsolute(real, 8), BigInt.asUintN(64, v));
  }
  writeRealU32(real: number, v: number): void {
    this.view.setUint32(this.realToAbsolute(real, 4), v >>> 0);
  }
  writeRealU16(real: number, v: number): void {
    this.view.setUint16(this.realToAbsolute(real, 2), v & 0xffff);
  }
  readRealU16(real: number): number {
    return this.view.getUint16(this.realToAbsolute(real, 2));
  }
  readRealU32(real: number): number {
    return this.view.getUint32(this.realToAbsolute(real, 4));
  }

  // ======================= checks used by semantics =======================

  /** Leaves the instruction with a program interruption. */
  programException(code: number, dxc = 0): never {
    throw new ProgramException(code, dxc);
  }
  /** Specification exception unless `ok`. */
  requireSpec(ok: boolean): void {
    if (!ok) throw new ProgramException(PGM_SPECIFICATION);
  }
  /** Data exception DXC 1 when AFP-register control (CR0 bit 45) is off and `fpr` is not 0/2/4/6. */
  checkFpr(fpr: number): void {
    if ((this.cr[1]! & 0x40000) === 0 && (fpr > 6 || (fpr & 1) !== 0)) throw new ProgramException(PGM_DATA, DXC_AFP_REGISTER);
  }
  /** Data exception DXC 0xFE unless CR0 bits 45 (AFP) and 46 (vector) are both on. */
  checkVector(): void {
    if ((this.cr[1]! & 0x60000) !== 0x60000) throw new ProgramException(PGM_DATA, DXC_VECTOR);
  }
  /** Stops the CPU with an interception for the host (PSW already at the next instruction). */
  intercept(mnemonic: string, format: Format, a: number, b: number, operandAddress?: number): never {
    const length = instructionLength(a >>> 24);
    const bytes = new Uint8Array(length);
    const dv = new DataView(bytes.buffer);
    if (length === 2) dv.setUint16(0, a >>> 16);
    else dv.setUint32(0, a >>> 0);
    if (length === 6) dv.setUint16(4, b);
    const interception: InstructionInterception = {
      mnemonic,
      address: BigInt(this.ia),
      length,
      bytes,
      fields: decodeFields(format, a, b),
    };
    if (operandAddress !== undefined) interception.operandAddress = BigInt(operandAddress);
    throw new InterceptionRequest(interception);
  }

  /**
   * EXECUTE: runs the instruction at `target` with bits 8–15 ORed with `orByte`. Exceptions
   * report the EX/EXRL's address and length; relative operands count from `target`.
   */
  execute(target: number, orByte: number): void {
    if (this.inExecute) throw new ProgramException(PGM_EXECUTE);
    if ((target & 1) !== 0) throw new ProgramException(PGM_SPECIFICATION);
    const first = this.readU16(target);
    const len = instructionLength(first >>> 8);
    let a = (first << 16) >>> 0;
    let b = 0;
    if (len >= 4) a = (a | this.readU16(this.step(target, 2))) >>> 0;
    if (len === 6) b = this.readU16(this.step(target, 4));
    a = (a | ((orByte & 0xff) << 16)) >>> 0;
    const key = opcodeKey(a, b);
    if (key === 0x4400 || key === 0xc600) throw new ProgramException(PGM_EXECUTE);
    const entry = DECODE_TABLE[key];
    if (entry === undefined) throw new ProgramException(PGM_OPERATION);
    if (entry.privileged && this.problemState) throw new ProgramException(PGM_PRIVILEGED);
    this.inExecute = true;
    this.exTarget = target;
    try {
      entry.exec(this, a, b);
    } finally {
      this.inExecute = false;
    }
  }

  // ======================= interruptions =======================

  /** Stores the current PSW at real `oldAt` and loads the PSW at real `newAt`. */
  private swapPsw(oldAt: number, newAt: number, oldAddress: number | bigint): void {
    const cur = this.getPsw();
    this.writeRealU64(oldAt, cur.mask);
    this.writeRealU64(oldAt + 8, BigInt(oldAddress));
    this.setPsw({ mask: this.readRealU64(newAt), addr: this.readRealU64(newAt + 8) });
  }

  /**
   * Program interruption (§5): old PSW (nullified → this instruction, otherwise the next one),
   * ILC, code, DXC for data exceptions (also in the FPC when AFP is on), TEID, BEAR; new PSW from
   * 0x1D0. `ilc` 0 marks an early PSW exception (old PSW = the current, invalid PSW).
   */
  deliverProgramInterruption(code: number, ilc: number, dxc = 0, teid = 0, early = false): void {
    const oldAddress = early || ilc === 0 || isNullifying(code) ? this.getPsw().addr : this.wrap(this.ia + ilc);
    this.writeRealU16(LC.PGM_ILC, ilc);
    this.writeRealU16(LC.PGM_CODE, code);
    if ((code & 0x7f) === PGM_DATA || (code & 0x7f) === 0x1b) {
      this.writeRealU32(LC.DATA_EXC_CODE, dxc);
      if ((this.cr[1]! & 0x40000) !== 0) this.fpc = ((this.fpc & ~0xff00) | ((dxc & 0xff) << 8)) >>> 0;
    }
    if (teid !== 0 || isNullifying(code) || (code & 0x7f) === 0x04) this.writeRealU64(LC.TRANS_EXC_ID, BigInt(teid));
    this.writeRealU64(LC.BEAR, BigInt(this.bear));
    this.swapPsw(LC.PROGRAM_OLD_PSW, LC.PROGRAM_NEW_PSW, oldAddress);
  }

  /** SVC interruption: old PSW at the next instruction, ILC and SVC number stored. */
  deliverSvcInterruption(svcNumber: number): void {
    this.writeRealU16(LC.SVC_ILC, this.ilen);
    this.writeRealU16(LC.SVC_CODE, svcNumber & 0xff);
    this.swapPsw(LC.SVC_OLD_PSW, LC.SVC_NEW_PSW, this.nextIa);
    // The new PSW is already loaded; the run loop must not overwrite it with nextIa.
    this.nextIa = this.ia;
  }

  /** Restart interruption (SIGP restart / operator restart): old PSW 0x120, new from 0x1A0. */
  deliverRestartInterruption(): void {
    this.swapPsw(LC.RESTART_OLD_PSW, LC.RESTART_NEW_PSW, this.getPsw().addr);
  }

  /** External interruption with `code` (and optional CPU address / parameter). */
  deliverExternalInterruption(code: number, cpuAddress = 0, parameter = 0): void {
    this.writeRealU16(LC.EXT_INT_CODE, code);
    this.writeRealU16(LC.EXT_CPU_ADDR, cpuAddress);
    this.writeRealU32(LC.EXT_PARAMS, parameter);
    this.swapPsw(LC.EXTERNAL_OLD_PSW, LC.EXTERNAL_NEW_PSW, this.getPsw().addr);
  }

  /**
   * I/O interruption (injected by the host): subsystem-identification word (0xB8), interruption
   * parameter (0xBC) and interruption-identification word (0xC0); old PSW 0x170, new from 0x1F0.
   */
  deliverIoInterruption(subsystemId: number, parameter: number, identification: number): void {
    this.writeRealU32(LC.SUBSYSTEM_ID, subsystemId);
    this.writeRealU32(LC.IO_INT_PARAM, parameter);
    this.writeRealU32(LC.IO_INT_WORD, identification);
    this.swapPsw(LC.IO_OLD_PSW, LC.IO_NEW_PSW, this.getPsw().addr);
  }

  /**
   * Whether an external interruption with `code` can be taken now: PSW bit 7 and its CR0
   * submask (§4; emergency signal 0x1201 → bit 49, external call 0x1202 → 50, clock comparator
   * 0x1004 → 52, CPU timer 0x1005 → 53, service signal 0x2401 → 54, interrupt key 0x0040 → 57).
   * Codes without a submask need only PSW bit 7.
   */
  isExternalInterruptionEnabled(code: number): boolean {
    if (!this.externalEnabled) return false;
    const submask = EXTERNAL_SUBMASKS[code];
    return submask === undefined || (this.cr[1]! & submask) !== 0;
  }

  /** Whether the PSW enables I/O (bit 6) / external (bit 7) interruptions: hosts check before injecting. */
  get ioEnabled(): boolean {
    return (this.maskHi & 0x02000000) !== 0;
  }
  get externalEnabled(): boolean {
    return (this.maskHi & 0x01000000) !== 0;
  }

  /** Loads a PSW from an instruction (LPSW/LPSWE): the next instruction is the new PSW's. */
  loadPswFromInstruction(psw: Psw): void {
    this.setPsw(psw);
    this.nextIa = this.ia;
  }

  // ======================= run loop =======================

  /** Runs at most `budget` instructions; returns why it stopped. */
  run(budget: number): StopReason {
    this.icount = 0;
    this.stopRequested = false;
    this.updateAttention();
    for (;;) {
      if (this.attention) {
        // Interruptions delivered here count against the budget too, so a new PSW that raises
        // the same interruption again cannot loop forever.
        if (this.earlyPswException) {
          if (this.icount >= budget) return { kind: 'budget', executed: this.icount };
          this.icount++;
          // The old PSW is the invalid PSW itself; its address is not advanced.
          this.deliverProgramInterruption(PGM_SPECIFICATION, this.earlyIlc, 0, 0, true);
          continue;
        }
        if (this.stopRequested) {
          this.stopRequested = false;
          this.updateAttention();
          return { kind: 'stopped', executed: this.icount };
        }
        if (this.waitPsw && this.timersArmed && this.skipToTimerEvent()) {
          const code = this.pendingTimerInterruption();
          if (code !== 0) {
            if (this.icount >= budget) return { kind: 'budget', executed: this.icount };
            this.icount++;
            this.deliverExternalInterruption(code, 0);
            continue;
          }
        }
        if (this.waitPsw) {
          const psw = this.getPsw();
          return { kind: 'wait', executed: this.icount, psw, disabled: (this.maskHi & 0x03000000) === 0 };
        }
      }
      if (this.icount >= budget) return { kind: 'budget', executed: this.icount };
      if (this.timersArmed) {
        const code = this.pendingTimerInterruption();
        if (code !== 0) {
          this.icount++;
          this.deliverExternalInterruption(code, 0);
          continue;
        }
      }
      this.updateAttention();
      try {
        // With timers armed, run in slices so pending timer interruptions are seen promptly.
        const limit = this.timersArmed ? Math.min(budget, this.icount + TIMER_SLICE) : budget;
        if (this.trace === undefined) this.runFast(limit);
        else this.runTraced(limit);
      } catch (e) {
        if (e instanceof ProgramException) {
          // Count the interruption too (up to the budget), so a loop of faulting fetches still
          // ends on the budget.
          if (this.icount < budget) this.icount++;
          this.deliverProgramInterruption(e.code, this.ilen, e.dxc, e.teid);
        } else if (e instanceof InterceptionRequest) {
          this.ia = this.nextIa;
          this.pendingInterception = e.interception;
          return { kind: 'interception', executed: this.icount, interception: e.interception };
        } else if (e instanceof PageAccessStop) {
          // Nullified: the instruction re-runs when the host resumes the CPU.
          return { kind: 'page-access', executed: this.icount, absoluteAddress: e.absoluteAddress, write: e.write };
        } else throw e;
      }
    }
  }

  /** Fetches the instruction at `ia` through the checked path; returns [a, b, length]. */
  private fetchSlow(ia: number): [number, number, number] {
    this.ilen = 2;
    const odd = ia >= TWO53 && this.farIa !== undefined ? (this.farIa & 1n) !== 0n : (ia & 1) !== 0;
    if (odd) {
      // Odd instruction address: specification exception, PSW left at the odd address.
      this.ilen = 0;
      throw new ProgramException(PGM_SPECIFICATION);
    }
    const first = this.readU16(ia);
    const len = instructionLength(first >>> 8);
    this.ilen = len;
    let a = (first << 16) >>> 0;
    let b = 0;
    if (len >= 4) a = (a | this.readU16(this.step(ia, 2))) >>> 0;
    if (len === 6) b = this.readU16(this.step(ia, 4));
    return [a, b, len];
  }

  private runFast(budget: number): void {
    const view = this.view;
    // Invariants while `attention` stays false (mode and prefix changes set it).
    const dispatch = this.dispatch;
    const wide = this.amode === 64;
    const amask = this.amask;
    // One contiguous window of instruction addresses that need no prefixing, bounds or
    // accessibility checks: above the lowcore and outside the prefix area. Pages cannot become
    // inaccessible while this loop runs (only the access handler, reached from the slow path when
    // some page already is, changes them), so the check is made once here.
    const fastLo = this.directLo;
    let fastHi = this.directHi - 6;
    if (this.mem.inaccessibleCount !== 0) fastHi = -1;
    // Blocks need their whole extent inside the window; their cache tags include the mode.
    const blockHigh = this.useBlocks ? fastHi + 6 - MAX_BLOCK_BYTES : -1;
    const modeKey = (wide ? 2 : this.amode === 31 ? 1 : 0) + (this.problemState ? 4 : 0);
    const blockTag = this.blockTag;
    let n = this.icount;
    let inBlock = false;
    let blockSlot = 0;
    try {
      while (n < budget && !this.attention) {
        const ia = this.ia;
        if (ia >= fastLo && ia <= blockHigh && (ia & 1) === 0) {
          const slot = (ia >>> 1) & (BLOCK_SLOTS - 1);
          const tag = ia * 8 + modeKey;
          if (blockTag[slot] === tag) {
            if (n + this.blockLength[slot]! <= budget) {
              this.icount = n;
              this.blockLo = ia;
              this.blockHi = ia + this.blockBytes[slot]!;
              inBlock = true;
              blockSlot = slot;
              const ran = (this.blockFn[slot] as BlockFn)(this, n);
              inBlock = false;
              this.blockHi = 0;
              if (ran) {
                n = this.icount;
                continue;
              }
              // Its bytes changed: forget it and let the address heat up again.
              blockTag[slot] = -1;
              this.blockHeat[slot] = 0;
            }
          } else if (++this.blockHeat[slot]! >= BLOCK_HOT) {
            this.blockHeat[slot] = 0;
            this.buildBlock(ia, slot, tag, dispatch, wide, amask);
          }
        }
        let a: number;
        let b = 0;
        let len: number;
        if (ia >= fastLo && ia <= fastHi && (ia & 1) === 0) {
          a = view.getUint32(ia);
          const top = a >>> 30;
          len = top === 0 ? 2 : top === 3 ? 6 : 4;
          if (len === 6) b = view.getUint16(ia + 4);
        } else {
          const f = this.fetchSlow(ia);
          a = f[0];
          b = f[1];
          len = f[2];
        }
        this.ilen = len;
        this.nextIa = wide ? ia + len : ((ia + len) & amask) >>> 0;
        n++;
        // The dispatch table of the current state raises operation/privileged-operation itself.
        (dispatch[opcodeKey(a, b)] as ExecFn)(this, a, b);
        this.ia = this.nextIa;
      }
    } finally {
      if (inBlock) {
        // An instruction of the block threw: it and the ones before it ran.
        const index = this.blockAddresses[blockSlot]?.indexOf(this.ia) ?? -1;
        this.icount = n + (index < 0 ? 1 : index + 1);
      } else this.icount = n;
      this.blockHi = 0;
    }
  }

  /**
   * Decodes a block at `ia` (inside the direct window) up to a branch, an unknown opcode or
   * MAX_BLOCK_INSTRUCTIONS, and installs its compiled function in `slot`.
   */
  private buildBlock(ia: number, slot: number, tag: number, dispatch: readonly ExecFn[], wide: boolean, amask: number): void {
    const view = this.view;
    const instructions: BlockInstruction[] = [];
    let at = ia;
    while (instructions.length < MAX_BLOCK_INSTRUCTIONS) {
      const a = view.getUint32(at);
      const top = a >>> 30;
      const length = top === 0 ? 2 : top === 3 ? 6 : 4;
      const b = length === 6 ? view.getUint16(at + 4) : 0;
      const key = opcodeKey(a, b);
      const entry = DECODE_TABLE[key];
      if (entry === undefined) break;
      const next = wide ? at + length : ((at + length) & amask) >>> 0;
      // Only the bytes an instruction has are compared later: clear the rest of a 2-byte word.
      instructions.push({ address: at, length, next, a: length === 2 ? (a & 0xffff0000) >>> 0 : a, b, exec: dispatch[key] as ExecFn });
      const unconditional = BLOCK_END.test(entry.mnemonic) || (BRANCH_ON_CONDITION.test(entry.mnemonic) && ((a >>> 20) & 15) === 15);
      if (unconditional || next !== at + length) break;
      at = next;
    }
    const last = instructions[instructions.length - 1];
    if (last === undefined || instructions.length < 2) return;
    let fn: BlockFn;
    try {
      fn = compileBlock(instructions, view);
    } catch (e) {
      // Code generation from strings can be disabled (--disallow-code-generation-from-strings):
      // keep interpreting without blocks.
      if (e instanceof EvalError) {
        this.useBlocks = false;
        this.attention = true;
        return;
      }
      throw e;
    }
    this.blockFn[slot] = fn;
    this.blockAddresses[slot] = Float64Array.from(instructions, (insn) => insn.address);
    this.blockLength[slot] = instructions.length;
    this.blockBytes[slot] = last.address + last.length - ia;
    this.blockTag[slot] = tag;
  }

  private runTraced(budget: number): void {
    const table = DECODE_TABLE;
    while (this.icount < budget && !this.attention) {
      const ia = this.ia;
      const [a, b, len] = this.fetchSlow(ia);
      this.nextIa = this.amode === 64 ? ia + len : ((ia + len) & this.amask) >>> 0;
      this.icount++;
      const entry = table[opcodeKey(a, b)];
      this.trace?.(ia, entry, a, b, len);
      if (entry === undefined) throw new ProgramException(PGM_OPERATION);
      if (entry.privileged && this.problemState) throw new ProgramException(PGM_PRIVILEGED);
      entry.exec(this, a, b);
      this.ia = this.nextIa;
    }
  }
}
