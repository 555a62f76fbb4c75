// The core of one z/Architecture CPU that instruction semantics work on (spec s390x-cpu.md
// §1–§5): architected registers in typed arrays, the PSW and addressing mode, address
// arithmetic, storage access with DAT, prefixing and page accessibility, real (lowcore)
// accesses, and the exceptions semantics raise. It knows nothing of the instruction table: the
// run loop, interruptions and compiled blocks live in `cpu/cpu.ts`, which extends this class, so
// the ISA depends on the core and the run loop on the ISA. BigInt appears only at the API edges.

import type { AbsoluteStorage } from '../memory/guest-memory.js';
import { DEFAULT_INACCESSIBLE_CODE } from '../memory/guest-memory.js';
import { pswInvalidReason, type Psw } from '../state/psw.js';
import { ARCH_MODE_ID_ABSOLUTE, encodeAdditionalStatus, encodeStoreStatus, STORE_STATUS, STORE_STATUS_ABSOLUTE } from '../state/store-status.js';
import { ACR_COUNT, CR_COUNT, GPR_COUNT, initialCpuResetSnapshot, initialCpuSnapshot, validateCpuSnapshot, VR_COUNT, type CpuSnapshot, type GuardedStorageBlock } from '../state/snapshot.js';
import { decodeFields, instructionLength, type Format } from '../isa/formats.js';
import { wholeA, wholeB, type InsnA, type InsnB } from '../isa/fields.js';
import { HostTodClock, type TodClock } from './clock.js';
import { FACILITY_BITS, facilityListBytes } from './facilities.js';
import { translate } from './dat.js';
import { FAR_ADDRESS, FAR_STRIDE, FarAddresses } from './far-addresses.js';
import { CR0_EDAT, CR0_INSTRUCTION_EXECUTION_PROTECTION, CR0_LOW_ADDRESS_PROTECTION, inFetchOverrideRange, isLowAddress, keyPermits, protectionTeid, TEID_PROTECTION_KEY, TEID_PROTECTION_LOW_ADDRESS } from './protection.js';
import { DXC_AFP_REGISTER, DXC_VECTOR, InterceptionRequest, PageAccessStop, PGM_ADDRESSING, PGM_DATA, PGM_PROTECTION, PGM_SPECIFICATION, ProgramException, type InstructionInterception } from './exceptions.js';
import { LOWCORE_SIZE } from './lowcore.js';

const TWO32 = 4294967296;
/** Slots of the data TLB (a power of two dividing 2^20: the slot is the page number's low bits). */
export const DATA_TLB_SLOTS = 32768;
/** Fills a data TLB flush empties one by one; past that it empties every slot. */
const DATA_TLB_FILL_LOG = 1024;
/** Slots of the code TLB (block entry under DAT). */
const CODE_TLB_SLOTS = 1024;
/** Translations the TLB holds before it is purged to make room. */
const TLB_CAPACITY = 65536;
/** CR0 bits 52 (clock-comparator) and 53 (CPU-timer) external submasks. */
export const CR0_CKC_SUBMASK = 0x800;
export const CR0_CPU_TIMER_SUBMASK = 0x400;
/** CR0 bit 10, in the register's high word: clock-comparator sign control (multiple-epoch facility). */
export const CR0_CLOCK_COMPARATOR_SIGN = 0x00200000;

export interface CpuOptions {
  /** CPU address (STAP, SIGP); default 0. */
  cpuAddress?: number;
  /** TOD clock shared by the configuration; default a host-time clock. */
  clock?: TodClock;
  /** Initial state; default the power-on state. */
  snapshot?: CpuSnapshot;
  /** Facility bits STFL/STFLE report (the host's CPU model); default `FACILITY_BITS`. */
  facilities?: readonly number[];
  /**
   * An enabled wait with a timer interruption enabled moves the TOD clock forward to the timer
   * event (default true). False: `run` stops with the enabled wait until the event is due (a
   * hypervisor that sleeps the CPU, such as KVM, decides how time passes; `timerDeadline`).
   */
  waitSkipsTime?: boolean;
}

export abstract class CpuCore {
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
  /** PSW key (bits 8–11): the access key of the CPU's storage accesses. */
  pswKey = 0;
  prefix = 0;
  /** Breaking-event address (address of the last taken branch). */
  bear = 1;
  todProgrammable = 0;
  clockComparator = 0n;
  gsCb: GuardedStorageBlock = { reserved: 0n, gsd: 0n, gssm: 0n, gsepla: 0n };
  readonly cpuAddress: number;
  readonly clock: TodClock;
  /** `CpuOptions.waitSkipsTime`. */
  readonly waitSkipsTime: boolean;
  /** Set by `ea()`: exact 64-bit effective address halves (after mode wrapping). */
  eaHi = 0;
  eaLo = 0;
  /** Set by `readDoubleword`: the doubleword's high and low words. */
  dwHi = 0;
  dwLo = 0;

  // ---- storage ----
  readonly mem: AbsoluteStorage;
  protected readonly bytes: Uint8Array;
  protected readonly view: DataView;
  protected readonly memSize: number;
  protected prefixEnd = LOWCORE_SIZE;
  /** Window of addresses `direct` accesses may touch (see `updateDirectWindow`). */
  protected directLo = LOWCORE_SIZE;
  protected directHi = 0;

  // ---- run-loop control ----
  /** Non-zero stops the fast loop: wait PSW, pending early PSW exception, stop request. */
  protected attention = false;
  protected earlyPswException = false;
  protected invalidPsw: Psw | undefined = undefined;
  protected earlyIlc = 0;
  /** The pages of the addresses at or above 2^52 (`far-addresses.ts`), made when first needed. */
  private farAddresses: FarAddresses | undefined = undefined;
  /** Exact halves set by `split`. */
  addrHi = 0;
  addrLo = 0;
  /** The exact BEAR when it is a far address (its number may name a page the table has dropped). */
  private farBear = 0n;
  /**
   * Translations of far virtual pages, one map per address-space control, keyed by the exact page
   * number (high word × 2^20 + page of the low word); the entries encode as in `tlb`.
   */
  private readonly farTlb: readonly Map<number, number>[] = [new Map(), new Map(), new Map(), new Map()];
  protected stopRequested = false;
  protected waitPsw = false;
  protected timersArmed = false;
  /** Byte range of the code block the run loop is running; a store into it sets `attention`. */
  protected blockLo = 0;
  protected blockHi = 0;
  /** PSW bit 5: dynamic address translation is on. */
  protected datOn = false;
  /** Absolute byte range of the code block the run loop is running (stores into it set `attention`). */
  protected blockAbsLo = 0;
  protected blockAbsHi = 0;
  /**
   * Translation lookaside buffer: (virtual page × 4 + ASCE id) → real page × 8 + 4 × absolute
   * (large/huge frame) + 2 × IEP + DAT-protected.
   */
  private readonly tlb = new Map<number, number>();
  /** DAT protection of the last translation (TPROT reads it). */
  protected lastTranslationProtected = false;
  /** CR0's EDAT and IEP bits and CR1, CR7, CR13 (as words) the TLB's translations were made with. */
  private readonly translationControls = new Uint32Array(7);
  /** Exact virtual page number (address / 4096) of the last translation. */
  private lastVirtualPage = 0;
  /**
   * Data TLB of the compiled blocks (a performance cache, no architecture of its own): by slot
   * (virtual page number mod DATA_TLB_SLOTS), the exact virtual page a data access reached
   * through `absolute` with PSW key 0 and no frame to check, and its absolute frame; the page
   * again in `dataTlbWritePage` when stores may use it too (not DAT protected, not the low-address
   * pages 0 and 1). -1: empty. A subset of the TLB for the current address-space control, prefix
   * and key: emptied with every TLB purge or replacement and every change of those.
   */
  readonly dataTlbPage = new Float64Array(DATA_TLB_SLOTS).fill(-1);
  readonly dataTlbWritePage = new Float64Array(DATA_TLB_SLOTS).fill(-1);
  readonly dataTlbFrame = new Float64Array(DATA_TLB_SLOTS);
  /** The same for the pages `cachedInstructionAbsolute` found in the TLB for instruction fetch. */
  private readonly codeTlbPage = new Float64Array(CODE_TLB_SLOTS).fill(-1);
  private readonly codeTlbFrame = new Float64Array(CODE_TLB_SLOTS);
  /** Whether the data or code TLB may hold an entry (a flush has something to empty). */
  private dataTlbUsed = false;
  /** Data TLB slots filled since the last flush (a flush empties just these), while they fit. */
  private readonly dataTlbFilled = new Int32Array(DATA_TLB_FILL_LOG);
  private dataTlbFilledCount = 0;
  /** Address-space control, DAT and key the data TLB was filled under. */
  private dataTlbMode = -1;
  /** The last translation gave an absolute address (large or huge frame: no prefixing). */
  private translatedAbsolute = false;
  protected inExecute = false;
  protected exTarget = 0;
  private cpuTimerValue = 0n;
  protected cpuTimerSetAt = 0n;
  /** SVC stops the CPU with an interception instead of an SVC interruption (Linux user-mode runners). */
  interceptSvc = false;
  /** The facility list STFLE stores (`CpuOptions.facilities`). */
  readonly facilityList: Uint8Array;
  /**
   * The host's completion of an interception without stopping the CPU (a hypervisor serving an
   * instruction in its interception handler and re-entering at once): true when it set the
   * instruction's results (registers, condition code) and nothing else; false stops the CPU.
   */
  completeInPlace: ((interception: InstructionInterception) => boolean) | undefined = undefined;
  /** The last interception the host has not yet completed (`completeInterception` clears it). */
  pendingInterception: InstructionInterception | undefined = undefined;
  /**
   * START INTERPRETIVE EXECUTION of the state description at real address `stateDescription`
   * (installed by the run-loop layer, `cpu/sie/`); undefined: SIE is an operation exception.
   */
  interpretiveExecution: ((stateDescription: number) => void) | undefined = undefined;

  constructor(memory: AbsoluteStorage, options: CpuOptions = {}) {
    this.mem = memory;
    this.bytes = memory.bytes;
    this.view = memory.view;
    this.memSize = memory.size;
    this.cpuAddress = options.cpuAddress ?? 0;
    this.clock = options.clock ?? new HostTodClock();
    this.waitSkipsTime = options.waitSkipsTime ?? true;
    this.facilityList = facilityListBytes(options.facilities ?? FACILITY_BITS);
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
      bear: this.snapshotBear(),
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
    this.setBear(s.bear);
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
    this.purgeTlb();
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
    const addr = this.addressBig(this.ia);
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
    this.ia = this.represent(Number(addr >> 32n), Number(addr & 0xffffffffn));
    this.updateModeFromMask();
    // Without storage keys (facility 169, isa/control/storage-key-removal.ts) a PSW key is a format error.
    this.earlyPswException = pswInvalidReason({ mask, addr }) !== undefined || (this.pswKey !== 0 && this.hasFacility(169));
    // Kept exactly: an invalid PSW may hold an address beyond 2^53 and is stored as the old PSW.
    this.invalidPsw = this.earlyPswException ? { mask, addr } : undefined;
    this.earlyIlc = earlyIlc;
    // The run loop keeps the mode, dispatch table and windows in locals: always make it re-read them.
    this.attention = true;
  }

  private updateModeFromMask(): void {
    const ea = (this.maskHi & 1) !== 0;
    const ba = (this.maskLo & 0x80000000) !== 0;
    this.amode = ea && ba ? 64 : ba ? 31 : 24;
    this.amask = this.amode === 31 ? 0x7fffffff : 0xffffff;
    this.datOn = (this.maskHi & 0x04000000) !== 0;
    this.pswKey = (this.maskHi >>> 20) & 15;
    // Address-space control (PSW bits 16–17), key (8–11) and DAT (5).
    const dataTlbMode = (this.maskHi >>> 14) & 0x13c3;
    if (dataTlbMode !== this.dataTlbMode) {
      this.dataTlbMode = dataTlbMode;
      this.flushDataTlb();
    }
    this.updateDirectWindow();
    this.problemState = (this.maskHi & 0x00010000) !== 0;
    this.waitPsw = (this.maskHi & 0x00020000) !== 0;
    this.updateTimersArmed();
    // The run loop keeps mode, dispatch table and prefix in locals: make it re-read them.
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
    // The TLB holds translations of the ASCEs in CR1, CR7 and CR13 made with CR0's EDAT and IEP
    // controls: it is purged when one of those changed.
    const cr = this.cr;
    const controls = this.translationControls;
    const now = [cr[1]! & (CR0_EDAT | CR0_INSTRUCTION_EXECUTION_PROTECTION), cr[2]!, cr[3]!, cr[14]!, cr[15]!, cr[26]!, cr[27]!];
    if (now.some((v, i) => v !== controls[i])) {
      controls.set(now);
      this.purgeTlb();
    }
    this.updateTimersArmed();
    this.attention = true;
  }

  protected updateAttention(): void {
    this.attention = this.waitPsw || this.earlyPswException || this.stopRequested;
  }

  /** Changes only the PSW key (SPKA). */
  setPswKey(key: number): void {
    this.maskHi = ((this.maskHi & ~0x00f00000) | ((key & 15) << 20)) >>> 0;
    this.updateModeFromMask();
  }

  /** Changes only the address-space control, PSW bits 16–17 (0 primary, 1 access register, 2 secondary, 3 home). */
  setAddressSpaceControl(asc: number): void {
    this.maskHi = ((this.maskHi & ~0x0000c000) | ((asc & 3) << 14)) >>> 0;
    this.updateModeFromMask();
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
    this.flushDataTlb();
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
      if (hi >= 0x100000) return this.far(hi, lo);
      return hi * TWO32 + lo;
    }
    lo = (lo & this.amask) >>> 0;
    this.eaHi = 0;
    this.eaLo = lo;
    return lo;
  }

  /** GPR `i` used as an address in the current mode (branch targets). */
  gprAddress(i: number): number {
    return this.addressOf(this.r[2 * i]!, this.r[2 * i + 1]!);
  }

  /** A 64-bit value (hi, lo) used as an address in the current mode (branch targets from storage). */
  addressOf(hi: number, lo: number): number {
    if (this.amode === 64) {
      if (hi >= 0x100000) return this.far(hi, lo);
      return hi * TWO32 + lo;
    }
    return (lo & this.amask) >>> 0;
  }

  /** The number for the 64-bit value hi:lo taken whole (a PSW's address). */
  private represent(hi: number, lo: number): number {
    return hi >= 0x100000 ? this.far(hi, lo) : hi * TWO32 + lo;
  }

  /** The exact virtual page number of far address `addr`, or -1 (not a page of the far table). */
  private farPage(addr: number): number {
    return this.farAddresses === undefined ? -1 : this.farAddresses.page(addr);
  }

  /** The number for a far address (at or above 2^52, `far-addresses.ts`). */
  private far(hi: number, lo: number): number {
    return (this.farAddresses ??= new FarAddresses()).represent(hi, lo);
  }

  /**
   * Sets `addrHi` / `addrLo` to the exact halves of address `addr`. A number at or above 2^52 that
   * names no page of the far table (an address computed outside `step`) is an addressing
   * exception [E].
   */
  split(addr: number): void {
    if (addr < FAR_ADDRESS) {
      const hi = Math.floor(addr / TWO32);
      this.addrHi = hi;
      this.addrLo = addr - hi * TWO32;
      return;
    }
    const far = this.farAddresses;
    if (far === undefined || !far.decode(addr)) throw new ProgramException(PGM_ADDRESSING);
    this.addrHi = far.hi;
    this.addrLo = far.lo;
  }

  /** Address `addr` as an exact bigint (PSWs, TEIDs, interception reports). */
  addressBig(addr: number): bigint {
    if (addr < FAR_ADDRESS) return BigInt(addr);
    this.split(addr);
    return (BigInt(this.addrHi) << 32n) | BigInt(this.addrLo);
  }

  /**
   * `addr + k` wrapped in the current addressing mode, exact for every 64-bit address (`k` a
   * signed integer below 2^52 in magnitude): the bytes of an operand, the next instruction, a
   * register advanced past what an instruction processed.
   */
  step(addr: number, k: number): number {
    if (this.amode !== 64) return ((addr + k) & this.amask) >>> 0;
    const s = addr + k;
    if (addr < FAR_ADDRESS) {
      if (s >= 0 && s < FAR_ADDRESS) return s;
    } else if (k >= 0 && (addr % FAR_STRIDE) + k < FAR_STRIDE) return s;
    this.split(addr);
    let lo = this.addrLo + k;
    const carry = Math.floor(lo / TWO32);
    lo -= carry * TWO32;
    return this.represent((this.addrHi + carry) >>> 0, lo);
  }

  /** Whether two addresses are the same (a far address may have more than one number). */
  sameAddress(a: number, b: number): boolean {
    if (a === b) return true;
    if (a < FAR_ADDRESS || b < FAR_ADDRESS || a % 4096 !== b % 4096) return false;
    this.split(a);
    const hi = this.addrHi;
    const lo = this.addrLo;
    this.split(b);
    return hi === this.addrHi && lo === this.addrLo;
  }

  /** Wraps an address to the current mode (a far one, from `step` or `ea`, is kept). */
  wrap(address: number): number {
    if (this.amode === 64) {
      if (address >= 0 && address < FAR_ADDRESS * 2) return address;
      const m = address % 18446744073709551616;
      return m < 0 ? m + 18446744073709551616 : m;
    }
    return (address & this.amask) >>> 0;
  }

  /** A far address given a current number for its page (`far-addresses.ts`). */
  protected refreshFar(addr: number): number {
    this.split(addr);
    return this.represent(this.addrHi, this.addrLo);
  }

  /** The BEAR as a 64-bit value. */
  snapshotBear(): bigint {
    return this.bear >= FAR_ADDRESS ? this.farBear : BigInt(this.bear);
  }

  /** Sets the BEAR to a 64-bit value. */
  setBear(value: bigint): void {
    const v = BigInt.asUintN(64, value);
    this.bear = this.represent(Number(v >> 32n), Number(v & 0xffffffffn));
    this.farBear = v;
  }

  /** The current instruction is a breaking event (a taken branch, LPSW/LPSWE): its address goes to the BEAR. */
  recordBreakingEvent(): void {
    this.bear = this.ia;
    if (this.ia >= FAR_ADDRESS) this.farBear = this.addressBig(this.ia);
  }

  /** Target of a relative operand: `halfwords` from the current instruction (or EX target). */
  relative(halfwords: number): number {
    return this.step(this.inExecute ? this.exTarget : this.ia, halfwords * 2);
  }

  /**
   * Address of a relative-long storage operand of `size` bytes (LRL, LGRL, STRL, CRL, ...): it
   * must lie on a `size` boundary, otherwise a specification exception (PoO chapter 7).
   */
  relativeAligned(halfwords: number, size: 4 | 8): number {
    const target = this.relative(halfwords);
    if (target % size !== 0) throw new ProgramException(PGM_SPECIFICATION);
    return target;
  }

  /** Takes a branch: sets the next instruction address and the BEAR. */
  branchTo(target: number): void {
    this.nextIa = target;
    this.bear = this.ia;
    if (this.ia >= FAR_ADDRESS) this.farBear = this.addressBig(this.ia);
  }

  // ======================= storage access =======================

  /** True when [addr, addr+len) can be accessed directly at the same absolute address. */
  private direct(addr: number, len: number): boolean {
    return addr >= this.directLo && addr + len <= this.directHi && this.mem.checkedFrameCount === 0;
  }

  /**
   * Recomputes the one contiguous window [directLo, directHi) of addresses that map to the same
   * absolute address without wrapping: above the lowcore, below memory end and the 24/31-bit
   * wrap point, and on the larger side of the prefix area. Accesses outside it take the checked
   * path, which handles prefixing and wrapping.
   */
  protected updateDirectWindow(): void {
    if (this.datOn || this.pswKey !== 0) {
      // Every access is translated or key checked: no direct window.
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
   * Logical address → absolute address: low-address protection, DAT when PSW bit 5 is on, then
   * prefixing, with addressing, page-accessibility and key-controlled protection checks, and
   * the reference and change bits recorded. `instruction` marks an instruction fetch.
   */
  absolute(logical: number, write: boolean, instruction = false): number {
    if (this.datOn && !instruction && this.mem.checkedFrameCount === 0) {
      // A page the data TLB holds: nothing else to check (PSW key 0, no low-address page for stores).
      const page = logical < FAR_ADDRESS ? Math.floor(logical / 4096) : this.farPage(logical);
      const slot = page % DATA_TLB_SLOTS;
      if ((write ? this.dataTlbWritePage : this.dataTlbPage)[slot] === page) {
        const a = this.dataTlbFrame[slot]! + (logical % 4096);
        if (write && a < this.blockAbsHi && a + 8 > this.blockAbsLo) this.attention = true;
        return a;
      }
    }
    if (write && this.lowAddressProtected(logical)) {
      throw new ProgramException(PGM_PROTECTION, 0, protectionTeid(logical, true, TEID_PROTECTION_LOW_ADDRESS, this.asceId()));
    }
    let a = logical;
    if (this.datOn) {
      a = this.translateAddress(logical, write, instruction);
      if (!this.translatedAbsolute) a = this.prefixed(a);
    } else a = this.prefixed(a);
    if (a >= this.memSize) throw new ProgramException(PGM_ADDRESSING, 0, a >= FAR_ADDRESS ? this.addressBig(a) : a);
    if (this.mem.checkedFrameCount !== 0 || this.pswKey !== 0) this.checkFrame(logical, a, write);
    else if (this.datOn && !instruction) this.fillDataTlb(a);
    // A store into the running block's bytes through any address ends it after this instruction.
    if (write && a < this.blockAbsHi && a + 8 > this.blockAbsLo) this.attention = true;
    return a;
  }

  /** Enters the page of the last translation, now known to reach absolute `a`, in the data TLB. */
  private fillDataTlb(a: number): void {
    this.dataTlbUsed = true;
    const page = this.lastVirtualPage;
    const slot = page % DATA_TLB_SLOTS;
    if (this.dataTlbFilledCount < DATA_TLB_FILL_LOG) this.dataTlbFilled[this.dataTlbFilledCount] = slot;
    this.dataTlbFilledCount++;
    this.dataTlbPage[slot] = page;
    this.dataTlbFrame[slot] = a - (a % 4096);
    this.dataTlbWritePage[slot] = this.lastTranslationProtected || page < 2 ? -1 : page;
  }

  private flushDataTlb(): void {
    if (!this.dataTlbUsed) return;
    this.dataTlbUsed = false;
    if (this.dataTlbFilledCount <= DATA_TLB_FILL_LOG) {
      for (let i = 0; i < this.dataTlbFilledCount; i++) {
        const slot = this.dataTlbFilled[i]!;
        this.dataTlbPage[slot] = -1;
        this.dataTlbWritePage[slot] = -1;
      }
    } else {
      this.dataTlbPage.fill(-1);
      this.dataTlbWritePage.fill(-1);
    }
    this.dataTlbFilledCount = 0;
    this.codeTlbPage.fill(-1);
  }

  /** Frame checks of the slow path: accessibility, key-controlled protection, R and C recording. */
  private checkFrame(logical: number, a: number, write: boolean): void {
    const mem = this.mem;
    const frame = Math.floor(a / 4096);
    if (mem.inaccessibleCount !== 0) {
      for (;;) {
        if (mem.isPageAccessible(frame)) break;
        const handler = mem.onInaccessibleAccess;
        if (handler === undefined) throw new ProgramException(DEFAULT_INACCESSIBLE_CODE, 0, frame * 4096);
        const res = handler({ absoluteAddress: a, page: frame, write, cpuAddress: this.cpuAddress });
        if (res.kind === 'program') throw new ProgramException(res.code, 0, frame * 4096);
        if (res.kind === 'stop') throw new PageAccessStop(a, write);
      }
    }
    const key = mem.storageKeys[frame]!;
    if (this.pswKey !== 0 && !keyPermits(this.pswKey, key, write, this.cr[1]!, inFetchOverrideRange(logical) && !this.privateSpace())) {
      throw new ProgramException(PGM_PROTECTION, 0, this.protectionTeidOf(logical, write, TEID_PROTECTION_KEY));
    }
    if ((key & 6) !== 6) mem.recordAccess(frame, write);
  }

  /** TEID of a protection exception for logical `logical`, exact for a far address. */
  private protectionTeidOf(logical: number, write: boolean, code: number): number | bigint {
    if (logical < FAR_ADDRESS) return protectionTeid(logical, write, code, this.asceId());
    return (this.addressBig(logical) & ~0xfffn) + BigInt(protectionTeid(logical % 4096, write, code, this.asceId()));
  }

  /** Fetch-protection override can apply to logical `logical` (0–2047, no private space). */
  fetchOverrideApplies(logical: number): boolean {
    return inFetchOverrideRange(logical) && !this.privateSpace();
  }

  /** DAT protection of the last translation (`absoluteNoCheck`). */
  get translationProtected(): boolean {
    return this.lastTranslationProtected;
  }

  /**
   * Logical → absolute with translation (fetch), prefixing and the addressing check only; DAT
   * protection of the translation is left in `lastTranslationProtected`.
   */
  absoluteNoCheck(logical: number): number {
    this.lastTranslationProtected = false;
    let a = logical;
    if (this.datOn) {
      a = this.translateAddress(logical, false);
      if (!this.translatedAbsolute) a = this.prefixed(a);
    } else a = this.prefixed(a);
    if (a >= this.memSize) throw new ProgramException(PGM_ADDRESSING, 0, a);
    return a;
  }

  /** Real → absolute (prefixing). */
  private prefixed(real: number): number {
    if (real < LOWCORE_SIZE) return real + this.prefix;
    if (real >= this.prefix && real < this.prefixEnd) return real - this.prefix;
    return real;
  }

  /** Real address → absolute address (prefixing) with the addressing check (SSKE, ISKE, RRBE, IPTE). */
  realToAbsoluteChecked(real: number): number {
    const a = this.prefixed(real);
    if (a >= this.memSize) throw new ProgramException(PGM_ADDRESSING);
    return a;
  }

  /** An absolute frame address with the addressing check (PFMF's large frames). */
  absoluteFrameChecked(absolute: number): number {
    if (absolute >= this.memSize) throw new ProgramException(PGM_ADDRESSING);
    return absolute;
  }

  /**
   * Tells the run loop that `len` bytes at logical `addr` were stored by a path other than the
   * write helpers (whole-page moves and clears), so a running block re-checks its code.
   */
  noteHostStore(addr: number, len: number): void {
    this.storeTouchesBlock(addr, len);
  }

  /** ASCE identification of the PSW's address-space control for a TEID (0 when DAT is off). */
  private asceId(): number {
    return this.datOn ? (this.maskHi >>> 14) & 3 : 0;
  }

  /** Low-address protection refuses stores to this logical address (CR0 bit 35, addresses 0–511 and 4096–4607, no private space). */
  lowAddressProtected(logical: number): boolean {
    return (this.cr[1]! & CR0_LOW_ADDRESS_PROTECTION) !== 0 && isLowAddress(logical) && !this.privateSpace();
  }

  /** DAT is on and the ASCE in use has the private-space control (bit 55): no low-address protection or fetch override. */
  private privateSpace(): boolean {
    if (!this.datOn) return false;
    const id = (this.maskHi >>> 14) & 3;
    const cr = id === 2 ? 7 : id === 3 ? 13 : 1;
    return (this.cr[2 * cr + 1]! & 0x100) !== 0;
  }

  /**
   * Virtual → real through the TLB or the DAT tables of the ASCE the PSW's address-space control
   * selects (primary CR1, secondary CR7, home CR13; access-register mode uses the primary ASCE
   * [E]).
   */
  private translateAddress(vaddr: number, write: boolean, instruction = false): number {
    if (vaddr >= FAR_ADDRESS) return this.translateFar(vaddr, write, instruction);
    const asceId = (this.maskHi >>> 14) & 3;
    const vpage = Math.floor(vaddr / 4096);
    const key = vpage * 4 + asceId;
    const cached = this.tlb.get(key);
    const offset = vaddr - vpage * 4096;
    this.lastVirtualPage = vpage;
    if (cached !== undefined && !(write && cached % 2 === 1) && !(instruction && Math.floor(cached / 2) % 2 === 1)) {
      this.lastTranslationProtected = cached % 2 === 1;
      this.translatedAbsolute = Math.floor(cached / 4) % 2 === 1;
      return Math.floor(cached / 8) * 4096 + offset;
    }
    const vhi = Math.floor(vaddr / TWO32);
    const { real, absolute, protectedPage, noExecute } = translate(vhi, vaddr - vhi * TWO32, write, this.datContext(asceId, instruction));
    // A compiled block runs on the translations it was entered with: any change of the TLB ends it.
    if (this.tlb.size >= TLB_CAPACITY) this.purgeTlb();
    else if (cached !== undefined) {
      this.attention = true;
      this.flushDataTlb();
    }
    this.tlb.set(key, Math.floor(real / 4096) * 8 + (absolute ? 4 : 0) + (noExecute ? 2 : 0) + (protectedPage ? 1 : 0));
    this.lastTranslationProtected = protectedPage;
    this.translatedAbsolute = absolute;
    return real;
  }

  private datContext(asceId: number, instruction: boolean) {
    const cr = asceId === 2 ? 7 : asceId === 3 ? 13 : 1;
    const cr0 = this.cr[1]!;
    return {
      asceHi: this.cr[2 * cr]!,
      asceLo: this.cr[2 * cr + 1]!,
      asceId,
      edat1: (cr0 & CR0_EDAT) !== 0,
      edat2: (cr0 & CR0_EDAT) !== 0,
      iep: (cr0 & CR0_INSTRUCTION_EXECUTION_PROTECTION) !== 0,
      instruction,
      readEntry: (at: number): [number, number] => this.readTableEntry(at),
    };
  }

  /**
   * A virtual address at or above 2^52 is translated from its exact value (`split`). Its
   * translation is kept in the TLB like any other (`farTlb`, purged with it).
   */
  private translateFar(vaddr: number, write: boolean, instruction: boolean): number {
    this.split(vaddr);
    const vhi = this.addrHi;
    const vlo = this.addrLo;
    const asceId = (this.maskHi >>> 14) & 3;
    const tlb = this.farTlb[asceId]!;
    const key = vhi * 1048576 + (vlo >>> 12);
    const offset = vlo & 0xfff;
    this.lastVirtualPage = key;
    const cached = tlb.get(key);
    if (cached !== undefined && !(write && cached % 2 === 1) && !(instruction && Math.floor(cached / 2) % 2 === 1)) {
      this.lastTranslationProtected = cached % 2 === 1;
      this.translatedAbsolute = Math.floor(cached / 4) % 2 === 1;
      return Math.floor(cached / 8) * 4096 + offset;
    }
    const t = translate(vhi, vlo, write, this.datContext(asceId, instruction));
    // A compiled block runs on the translations it was entered with: any change of the TLB ends it.
    if (tlb.size >= TLB_CAPACITY) this.purgeTlb();
    else if (cached !== undefined) {
      this.attention = true;
      this.flushDataTlb();
    }
    tlb.set(key, Math.floor(t.real / 4096) * 8 + (t.absolute ? 4 : 0) + (t.noExecute ? 2 : 0) + (t.protectedPage ? 1 : 0));
    this.lastTranslationProtected = t.protectedPage;
    this.translatedAbsolute = t.absolute;
    return t.real;
  }

  /**
   * With DAT on: the absolute address of the instruction at `ia` when the TLB already maps its
   * page for instruction fetch (and nothing else would be checked: PSW key 0, no frame to check),
   * else -1. Changes nothing: the interpreter's fetch translates and raises what is due.
   */
  protected cachedInstructionAbsolute(ia: number): number {
    if (ia >= FAR_ADDRESS) return -1;
    const vpage = Math.floor(ia / 4096);
    const slot = vpage % CODE_TLB_SLOTS;
    if (this.codeTlbPage[slot] === vpage) return this.codeTlbFrame[slot]! + (ia - vpage * 4096);
    const cached = this.tlb.get(vpage * 4 + ((this.maskHi >>> 14) & 3));
    if (cached === undefined || Math.floor(cached / 2) % 2 === 1) return -1;
    let frame = Math.floor(cached / 8) * 4096;
    if (Math.floor(cached / 4) % 2 === 0) frame = this.prefixed(frame);
    if (frame + 4096 > this.memSize) return -1;
    this.dataTlbUsed = true;
    this.codeTlbPage[slot] = vpage;
    this.codeTlbFrame[slot] = frame;
    return frame + (ia - vpage * 4096);
  }

  /** An 8-byte DAT table entry at real address `real` (prefixing applies). */
  protected readTableEntry(real: number): [number, number] {
    const a = this.prefixed(real);
    if (a + 8 > this.memSize) throw new ProgramException(PGM_ADDRESSING);
    return [this.view.getUint32(a), this.view.getUint32(a + 4)];
  }

  /** Purges the TLB (PTLB, IPTE, control-register changes). */
  purgeTlb(): void {
    this.tlb.clear();
    for (const far of this.farTlb) far.clear();
    this.flushDataTlb();
    // A compiled block runs on the translations it was entered with: make the run loop look again.
    this.attention = true;
  }

  /**
   * Checks that all `len` bytes at logical `addr` can be accessed (for instructions that must
   * recognise access exceptions before changing anything). Checks one byte per page.
   */
  probe(addr: number, len: number, write: boolean): void {
    if (len <= 0 || this.direct(addr, len)) return;
    if (this.onePage(addr, len)) {
      this.absolute(addr, write);
      return;
    }
    this.absolute(addr, write);
    let next = Math.floor(addr / 4096) * 4096 + 4096;
    while (next - addr < len) {
      this.absolute(this.step(addr, next - addr), write);
      next += 4096;
    }
    this.absolute(this.step(addr, len - 1), write);
  }

  /** A halfword of an instruction (instruction fetch: fetch protection and IEP apply). */
  fetchU16(addr: number): number {
    if (this.direct(addr, 2)) return this.view.getUint16(addr);
    // Instruction addresses are even: the halfword never crosses a page or a wrap point.
    return this.view.getUint16(this.absolute(addr, false, true));
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
  /**
   * Reads the doubleword at `addr` into `dwHi` / `dwLo`. Inside one page a single translation
   * serves both words; across a page boundary (or the wrap of the addressing mode) each word is
   * translated from its own exact address.
   */
  readDoubleword(addr: number): void {
    if (this.direct(addr, 8)) {
      this.dwHi = this.view.getUint32(addr);
      this.dwLo = this.view.getUint32(addr + 4);
    } else if (this.onePage(addr, 8)) {
      const a = this.absolute(addr, false);
      this.dwHi = this.view.getUint32(a);
      this.dwLo = this.view.getUint32(a + 4);
    } else {
      this.probe(addr, 8, false);
      this.dwHi = this.readSlow(addr, 4);
      this.dwLo = this.readSlow(this.step(addr, 4), 4);
    }
  }
  /** Loads the doubleword at `addr` into GPR `reg`. */
  loadGpr64(reg: number, addr: number): void {
    this.readDoubleword(addr);
    this.r[2 * reg] = this.dwHi;
    this.r[2 * reg + 1] = this.dwLo;
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

  /** Whether `len` bytes at `addr` stay inside one 4 KiB page without wrapping: one translation serves them all. */
  private onePage(addr: number, len: number): boolean {
    // Exact for far addresses too: their number keeps the offset in the page.
    return (addr % 4096) + len <= 4096 && (this.amode === 64 || addr + len - 1 <= this.amask);
  }

  private readSlow(addr: number, len: number): number {
    if (this.onePage(addr, len)) {
      const a = this.absolute(addr, false);
      return len === 4 ? this.view.getUint32(a) : len === 2 ? this.view.getUint16(a) : this.bytes[a]!;
    }
    let v = 0;
    for (let i = 0; i < len; i++) v = v * 256 + this.bytes[this.absolute(this.step(addr, i), false)]!;
    return v;
  }

  private writeSlow(addr: number, len: number, hi: number, lo: number): void {
    this.storeTouchesBlock(addr, len);
    if (this.onePage(addr, len)) {
      const a = this.absolute(addr, true);
      if (len === 8) {
        this.view.setUint32(a, hi);
        this.view.setUint32(a + 4, lo);
      } else if (len === 4) this.view.setUint32(a, lo);
      else if (len === 2) this.view.setUint16(a, lo);
      else this.bytes[a] = lo;
      return;
    }
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
  writeRealU8(real: number, v: number): void {
    this.bytes[this.realToAbsolute(real, 1)] = v & 0xff;
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
  /** Whether the CPU model has facility `bit` (its bit in the STFLE list). */
  hasFacility(bit: number): boolean {
    return (this.facilityList[bit >>> 3]! & (0x80 >>> (bit & 7))) !== 0;
  }
  /**
   * Operation exception (0x01) when the CPU model lacks the vector facility (129), else data exception DXC 0xFE unless CR0 bits 45 (AFP) and 46 (vector) are
   * both on.
   */
  checkVector(): void {
    if (!this.hasFacility(129)) throw new ProgramException(0x01);
    if ((this.cr[1]! & 0x60000) !== 0x60000) throw new ProgramException(PGM_DATA, DXC_VECTOR);
  }
  /**
   * Stops the CPU with an interception for the host (PSW already at the next instruction), unless
   * `completeInPlace` completes it at once: then the instruction ends here and the CPU runs on.
   */
  intercept<F extends Format>(mnemonic: string, format: F, insnA: InsnA<F>, insnB: InsnB<F>, operandAddress?: number): void {
    const a = wholeA(insnA);
    const b = wholeB(insnB);
    const length = instructionLength(a >>> 24);
    const bytes = new Uint8Array(length);
    bytes[0] = a >>> 24;
    bytes[1] = a >>> 16;
    if (length >= 4) {
      bytes[2] = a >>> 8;
      bytes[3] = a;
    }
    if (length === 6) {
      bytes[4] = b >>> 8;
      bytes[5] = b;
    }
    const interception: InstructionInterception = {
      mnemonic,
      address: this.addressBig(this.ia),
      length,
      bytes,
      fields: decodeFields(format, a, b),
    };
    if (operandAddress !== undefined) interception.operandAddress = this.addressBig(operandAddress);
    if (this.completeInPlace?.(interception) === true) return;
    throw new InterceptionRequest(interception);
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

  /**
   * EXECUTE (EX, EXRL): runs the instruction at `target` with bits 8–15 ORed with `orByte`. The
   * run loop implements it, since it needs the instruction table.
   */
  abstract execute(target: number, orByte: number): void;

  /** SVC interruption for the SVC instruction (old PSW at the next instruction). */
  abstract deliverSvcInterruption(svcNumber: number): void;
}
