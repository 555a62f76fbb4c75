// One z/Architecture CPU (spec s390x-cpu.md §1–§5): the core of `core/cpu-core.ts` plus what
// needs the instruction table: the run loop that fetches, decodes through the 64K opcode table
// and executes until a stop condition, EXECUTE, the compiled-block cache, and program, SVC,
// restart, external and I/O interruptions through the lowcore.

import { DECODE_TABLE, PROBLEM_DISPATCH, SUPERVISOR_DISPATCH } from '../isa/dispatch.js';
import type { ExecFn } from '../isa/types.js';
import { instructionLength, opcodeKey } from '../isa/decoder.js';
import { decodeFields } from '../isa/formats.js';
import type { InstructionDef } from '../isa/types.js';
import type { AbsoluteStorage } from '../memory/guest-memory.js';
import { compileBlock, MAX_BLOCK_INSTRUCTIONS, type BlockFn, type BlockInstruction } from './blocks.js';
import { GENERATORS } from './compile/index.js';
import { CpuCore, CR0_CKC_SUBMASK, CR0_CLOCK_COMPARATOR_SIGN, CR0_CPU_TIMER_SUBMASK, type CpuOptions } from '../core/cpu-core.js';
import { MULTIPLE_EPOCH_FACILITY } from '../core/facilities.js';
import { FAR_ADDRESS } from '../core/far-addresses.js';
import { InterceptionRequest, isNullifying, PageAccessStop, PGM_DATA, PGM_EXECUTE, PGM_OPERATION, PGM_PRIVILEGED, PGM_SPECIFICATION, ProgramException, type InstructionInterception } from '../core/exceptions.js';
import { LC } from '../core/lowcore.js';
import type { Psw } from '../state/psw.js';
import { startInterpretiveExecution, type ProgramInterruptionHook } from './sie/interpretive-execution.js';

export { LC } from '../core/lowcore.js';
export type { CpuOptions } from '../core/cpu-core.js';

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
/** Times an address is reached through the generic loop before its block is compiled (default). */
const BLOCK_HOT = 16;
/**
 * Instructions after which a block ends: unconditional transfers (calls, returns, LPSW(E), SVC,
 * BSM) and branch-on-condition with mask 15. Conditional branches do not end a block: when taken
 * the block exits through its generic check, otherwise execution continues inside it.
 */
/** Most frames each way around the instruction address that the run loop looks at for ones needing no check. */
const UNCHECKED_SPAN = 256;
const BLOCK_END = /^(bras|brasl|bas|basr|bal|balr|bsm|bassm|lpsw|lpswe|svc)$/;
const BRANCH_ON_CONDITION = /^(bc|bcr|brc|brcl)$/;
/** Relative jumps a trace follows when unconditional (mask 15). */
const RELATIVE_JUMP = /^(brc|brcl)$/;
/** Logical instruction addresses below which blocks are used with DAT on (exact cache tags). */
const DAT_BLOCK_LIMIT = 2 ** 40;
/** Instructions between checks for timer interruptions while they are enabled. */
const TIMER_SLICE = 1024;

/** Why `run` returned. `executed` counts instructions (and interruptions) processed. */
export type StopReason =
  | { kind: 'budget'; executed: number }
  | { kind: 'wait'; executed: number; psw: Psw; disabled: boolean }
  | { kind: 'interception'; executed: number; interception: InstructionInterception }
  | { kind: 'page-access'; executed: number; absoluteAddress: number; write: boolean }
  | { kind: 'stopped'; executed: number };

/** Handler run for every instruction when tracing (address, entry, a, b, length). */
export type TraceHook = (address: number, entry: InstructionDef | undefined, a: number, b: number, length: number) => void;

export class Cpu extends CpuCore {
  private icount = 0;
  // ---- block cache (see blocks.ts) ----
  private readonly blockTag = new Float64Array(BLOCK_SLOTS).fill(-1);
  private readonly blockFn = new Array<BlockFn | undefined>(BLOCK_SLOTS).fill(undefined);
  private readonly blockLength = new Uint8Array(BLOCK_SLOTS);
  /** Byte range [blockStart, blockEnd) each block's instructions cover. */
  private readonly blockStart = new Float64Array(BLOCK_SLOTS);
  private readonly blockEnd = new Float64Array(BLOCK_SLOTS);
  /** Absolute minus logical address of each block's code (0 without DAT). */
  private readonly blockOffset = new Float64Array(BLOCK_SLOTS);
  private readonly blockHeat = new Uint8Array(BLOCK_SLOTS);
  /** Instruction addresses of each block, to count what ran when one of them throws. */
  private readonly blockAddresses = new Array<Float64Array | undefined>(BLOCK_SLOTS).fill(undefined);
  /** Use compiled blocks (on by default; off gives the plain interpreter loop). */
  useBlocks = true;
  /**
   * Times an address is reached through the generic loop before its block is compiled (0–255;
   * 0 compiles code the first time it runs, as the tests of the compiler do).
   */
  compileThreshold = BLOCK_HOT;
  /** Called before each instruction when set (disassembly traces). */
  trace: TraceHook | undefined = undefined;

  /** Called before a program interruption is delivered; true means it was taken elsewhere (SIE's interceptions). */
  onProgramInterruption: ProgramInterruptionHook | undefined = undefined;

  constructor(memory: AbsoluteStorage, options: CpuOptions = {}) {
    super(memory, options);
    this.interpretiveExecution = (sd) => startInterpretiveExecution(this, sd, (storage, guestOptions) => new Cpu(storage, guestOptions));
  }

  /** Code of an enabled, pending clock-comparator (0x1004) or CPU-timer (0x1005) interruption, or 0. */
  pendingTimerInterruption(): number {
    if ((this.maskHi & 0x01000000) === 0) return 0;
    const cr0 = this.cr[1]!;
    if ((cr0 & CR0_CKC_SUBMASK) !== 0 && this.clockComparatorPassed(this.clock.read())) return EXT_CLOCK_COMPARATOR;
    if ((cr0 & CR0_CPU_TIMER_SUBMASK) !== 0 && BigInt.asIntN(64, this.getCpuTimer()) < 0n) return EXT_CPU_TIMER;
    return 0;
  }

  /**
   * Clock-comparator sign control (CR0 bit 10, multiple-epoch facility 139): the clock comparator
   * and the TOD clock compare as signed binary integers.
   */
  private clockComparatorSigned(): boolean {
    return (this.cr[0]! & CR0_CLOCK_COMPARATOR_SIGN) !== 0 && this.hasFacility(MULTIPLE_EPOCH_FACILITY);
  }

  /** The clock-comparator condition: the TOD clock (bits 0–63) is past the clock comparator. */
  private clockComparatorPassed(tod: bigint): boolean {
    return this.clockComparatorSigned() ? BigInt.asIntN(64, tod) > BigInt.asIntN(64, this.clockComparator) : tod > this.clockComparator;
  }

  /**
   * The TOD value at which the nearest enabled timer event (clock comparator or CPU timer) makes
   * its external interruption pending, or undefined when none is enabled or none can come (a
   * clock comparator at the TOD's last value).
   */
  timerDeadline(): bigint | undefined {
    if ((this.maskHi & 0x01000000) === 0) return undefined;
    const cr0 = this.cr[1]!;
    let target: bigint | undefined;
    if ((cr0 & CR0_CKC_SUBMASK) !== 0) {
      if (this.clockComparatorSigned()) {
        // Signed comparison: due at once when already passed; never for the largest positive value.
        const now = this.clock.read();
        if (this.clockComparatorPassed(now)) target = now;
        else if (this.clockComparator !== 0x7fffffffffffffffn) target = BigInt.asUintN(64, this.clockComparator + 1n);
      } else if (this.clockComparator < 0xffffffffffffffffn) target = this.clockComparator + 1n;
    }
    if ((cr0 & CR0_CPU_TIMER_SUBMASK) !== 0 && this.cpuTimerSetAt !== 0n) {
      const remaining = BigInt.asIntN(64, this.getCpuTimer());
      const t = this.clock.read() + (remaining < 0n ? 0n : remaining + 1n);
      if (target === undefined || t < target) target = t;
    }
    return target;
  }

  /**
   * [E] An enabled wait skips the TOD clock forward to the nearest enabled timer event (clock
   * comparator or CPU timer), so waiting guests run without real delays. Returns false when no
   * timer event is enabled.
   */
  private skipToTimerEvent(): boolean {
    const target = this.timerDeadline();
    if (target === undefined) return false;
    if (target > this.clock.read()) this.clock.set(target);
    return true;
  }

  /**
   * EXECUTE: runs the instruction at `target` with bits 8–15 ORed with `orByte`. Exceptions
   * report the EX/EXRL's address and length; relative operands count from `target`.
   */
  execute(target: number, orByte: number): void {
    if (this.inExecute) throw new ProgramException(PGM_EXECUTE);
    if ((target & 1) !== 0) throw new ProgramException(PGM_SPECIFICATION);
    const first = this.fetchU16(target);
    const len = instructionLength(first >>> 8);
    let a = (first << 16) >>> 0;
    let b = 0;
    if (len >= 4) a = (a | this.fetchU16(this.step(target, 2))) >>> 0;
    if (len === 6) b = this.fetchU16(this.step(target, 4));
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
    this.writeRealU64(oldAt + 8, typeof oldAddress === 'bigint' ? oldAddress : this.addressBig(oldAddress));
    this.setPsw({ mask: this.readRealU64(newAt), addr: this.readRealU64(newAt + 8) });
  }

  /**
   * Program interruption (§5): old PSW (nullified → this instruction, otherwise the next one),
   * ILC, code, DXC for data exceptions (also in the FPC when AFP is on), TEID, BEAR; new PSW from
   * 0x1D0. `ilc` 0 marks an early PSW exception (old PSW = the current, invalid PSW).
   */
  deliverProgramInterruption(code: number, ilc: number, dxc = 0, teid: number | bigint = 0, early = false): void {
    if (this.onProgramInterruption?.(code, ilc, dxc, teid, early) === true) return;
    const oldAddress = early || ilc === 0 || isNullifying(code) ? this.getPsw().addr : this.step(this.ia, ilc);
    this.writeRealU16(LC.PGM_ILC, ilc);
    this.writeRealU16(LC.PGM_CODE, code);
    if ((code & 0x7f) === PGM_DATA || (code & 0x7f) === 0x1b) {
      this.writeRealU32(LC.DATA_EXC_CODE, dxc);
      if ((this.cr[1]! & 0x40000) !== 0) this.fpc = ((this.fpc & ~0xff00) | ((dxc & 0xff) << 8)) >>> 0;
    }
    if (teid !== 0 || isNullifying(code) || (code & 0x7f) === 0x04) this.writeRealU64(LC.TRANS_EXC_ID, BigInt(teid));
    this.writeRealU64(LC.BEAR, this.snapshotBear());
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
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- requestStop() sets it from a callback during the run
        if (this.stopRequested) {
          this.stopRequested = false;
          this.updateAttention();
          return { kind: 'stopped', executed: this.icount };
        }
        if (this.waitPsw && this.timersArmed && (!this.waitSkipsTime || this.skipToTimerEvent())) {
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
    // A far instruction address gets a current number for its page, so it stays valid while the instruction runs.
    if (ia >= FAR_ADDRESS) ia = this.ia = this.refreshFar(ia);
    if ((ia & 1) !== 0) {
      // Odd instruction address: specification exception, PSW left at the odd address.
      this.ilen = 0;
      throw new ProgramException(PGM_SPECIFICATION);
    }
    const first = this.fetchU16(ia);
    const len = instructionLength(first >>> 8);
    this.ilen = len;
    let a = (first << 16) >>> 0;
    let b = 0;
    if (len >= 4) a = (a | this.fetchU16(this.step(ia, 2))) >>> 0;
    if (len === 6) b = this.fetchU16(this.step(ia, 4));
    return [a, b, len];
  }

  private runFast(budget: number): void {
    const view = this.view;
    // Invariants while `attention` stays false (mode and prefix changes set it).
    const dispatch = this.problemState ? PROBLEM_DISPATCH : SUPERVISOR_DISPATCH;
    const wide = this.amode === 64;
    const amask = this.amask;
    // One contiguous window of instruction addresses that need no prefixing, bounds or
    // accessibility checks: above the lowcore and outside the prefix area. Pages cannot become
    // inaccessible while this loop runs (only the access handler, reached from the slow path when
    // some page already is, changes them), so the check is made once here.
    let fastLo = this.directLo;
    let fastHi = this.directHi - 6;
    // While some frames need checking, instructions are fetched (and blocks built and run, their
    // operands all on the checked path) only from the unchecked frames around `ia`, until one
    // more frame comes to need checking (the storage's check epoch moves).
    const mem = this.mem;
    let epoch = -1;
    if (mem.checkedFrameCount !== 0) {
      if (mem.checkEpoch !== undefined && this.directHi > this.directLo && this.uncheckedAround(this.ia)) {
        fastLo = Math.max(fastLo, this.uncheckedLo);
        fastHi = Math.min(this.directHi, this.uncheckedHi) - 6;
        epoch = mem.checkEpoch;
      } else fastHi = -1;
    }
    // Blocks need their whole extent inside the window; their cache tags include the mode.
    const blocks = this.useBlocks && fastHi >= fastLo;
    // With DAT on, a block covers one page, entered through the TLB's translation of it (only
    // while no access needs key or frame checks: then its storage accesses take the checked path).
    const datBlocks = this.useBlocks && this.datOn && this.pswKey === 0 && this.mem.checkedFrameCount === 0;
    const modeKey = (wide ? 2 : this.amode === 31 ? 1 : 0) + (this.problemState ? 4 : 0) + (this.datOn ? 8 + 16 * ((this.maskHi >>> 14) & 3) : 0);
    const blockTag = this.blockTag;
    let n = this.icount;
    let inBlock = false;
    let blockSlot = 0;
    try {
      while (n < budget && !this.attention && (epoch < 0 || mem.checkEpoch === epoch)) {
        const ia = this.ia;
        // Absolute minus logical address of the code at `ia`, and the window a block there may span.
        let code = false;
        let offset = 0;
        let codeLo = fastLo;
        let codeHi = fastHi;
        if (blocks) {
          code = ia >= fastLo && ia <= fastHi && (ia & 1) === 0;
        } else if (datBlocks && (ia & 1) === 0 && ia < DAT_BLOCK_LIMIT) {
          const absolute = this.cachedInstructionAbsolute(ia);
          if (absolute >= 0) {
            code = true;
            offset = absolute - ia;
            codeLo = ia - (ia % 4096);
            codeHi = codeLo + 4096 - 6;
          }
        }
        if (code) {
          const slot = (ia >>> 1) & (BLOCK_SLOTS - 1);
          const tag = ia * 64 + modeKey;
          if (blockTag[slot] === tag) {
            if (n + this.blockLength[slot]! <= budget && this.blockStart[slot]! >= codeLo && this.blockEnd[slot]! <= codeHi + 6 && this.blockOffset[slot] === offset) {
              this.icount = n;
              this.blockLo = this.blockStart[slot]!;
              this.blockHi = this.blockEnd[slot]!;
              this.blockAbsLo = this.blockLo + offset;
              this.blockAbsHi = this.blockHi + offset;
              inBlock = true;
              blockSlot = slot;
              const ran = this.blockFn[slot]!(this, n, budget);
              inBlock = false;
              this.blockHi = 0;
              this.blockAbsHi = 0;
              if (ran) {
                n = this.icount;
                continue;
              }
            }
            if (this.blockOffset[slot] !== offset || this.blockStart[slot]! < codeLo || this.blockEnd[slot]! > codeHi + 6 || n + this.blockLength[slot]! <= budget) {
              // Its bytes or their place changed: forget it and let the address heat up again.
              blockTag[slot] = -1;
              this.blockHeat[slot] = 0;
            }
          } else if (++this.blockHeat[slot]! > this.compileThreshold) {
            this.blockHeat[slot] = 0;
            this.buildBlock(ia, slot, tag, dispatch, wide, amask, codeLo, codeHi, offset);
            if (blockTag[slot] === tag) continue;
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
        // A far instruction address (`fetchSlow` refreshed its number) advances exactly.
        this.nextIa = wide ? (ia < FAR_ADDRESS - 6 ? ia + len : this.step(this.ia, len)) : ((ia + len) & amask) >>> 0;
        n++;
        // The dispatch table of the current state raises operation/privileged-operation itself.
        dispatch[opcodeKey(a, b)]!(this, a, b);
        this.ia = this.nextIa;
      }
    } finally {
      if (inBlock) {
        // An instruction of the block threw: it and the ones before it in this pass ran (the
        // block keeps `icount` at the start of its current pass).
        const index = this.blockAddresses[blockSlot]?.indexOf(this.ia) ?? -1;
        this.icount += index < 0 ? 1 : index + 1;
      } else this.icount = n;
      this.blockHi = 0;
      this.blockAbsHi = 0;
    }
  }

  /** The run of frames needing no check around the last `uncheckedAround` (byte range), and the epoch it was found in. */
  private uncheckedLo = 0;
  private uncheckedHi = 0;
  private uncheckedEpoch = -1;

  /**
   * Finds the frames that need no check around `ia` (at most UNCHECKED_SPAN frames each way; kept
   * while the storage's check epoch stays and `ia` lies inside); false when `ia`'s own frame needs checking.
   */
  private uncheckedAround(ia: number): boolean {
    const mem = this.mem;
    if (this.uncheckedEpoch === mem.checkEpoch && ia >= this.uncheckedLo && ia + 6 <= this.uncheckedHi) return true;
    const frame = Math.floor(ia / 4096);
    const frames = Math.floor(this.memSize / 4096);
    if (frame >= frames || mem.frameNeedsCheck === undefined || mem.frameNeedsCheck(frame)) return false;
    let lo = frame;
    while (lo > 0 && frame - lo < UNCHECKED_SPAN && !mem.frameNeedsCheck(lo - 1)) lo--;
    let hi = frame + 1;
    while (hi < frames && hi - frame < UNCHECKED_SPAN && !mem.frameNeedsCheck(hi)) hi++;
    this.uncheckedLo = lo * 4096;
    this.uncheckedHi = hi * 4096;
    this.uncheckedEpoch = mem.checkEpoch ?? -1;
    return true;
  }

  /**
   * Decodes a trace at `ia` (inside the direct window [fastLo, fastHi]) up to an unconditional
   * transfer, an unknown opcode, the window's edge or MAX_BLOCK_INSTRUCTIONS, following
   * unconditional relative jumps to code not yet in the trace, and installs its compiled function
   * in `slot`.
   */
  private buildBlock(ia: number, slot: number, tag: number, dispatch: readonly ExecFn[], wide: boolean, amask: number, fastLo: number, fastHi: number, offset: number): void {
    const view = this.view;
    const instructions: BlockInstruction[] = [];
    const seen = new Set<number>();
    let at = ia;
    while (instructions.length < MAX_BLOCK_INSTRUCTIONS && at >= fastLo && at <= fastHi && (at & 1) === 0 && !seen.has(at)) {
      const a = view.getUint32(at + offset);
      const top = a >>> 30;
      const length = top === 0 ? 2 : top === 3 ? 6 : 4;
      const b = length === 6 ? view.getUint16(at + offset + 4) : 0;
      const key = opcodeKey(a, b);
      const entry = DECODE_TABLE[key];
      if (entry === undefined) break;
      seen.add(at);
      const next = wide ? at + length : ((at + length) & amask) >>> 0;
      const fields = decodeFields(entry.format, a, b);
      // Privileged entries in the problem state run the dispatch table's exception.
      const generator = entry.privileged && this.problemState ? undefined : GENERATORS.get(entry);
      // Only the bytes an instruction has are compared later: clear the rest of a 2-byte word.
      const insn: BlockInstruction = { address: at, absolute: at + offset, length, next, a: length === 2 ? (a & 0xffff0000) >>> 0 : a, b, format: entry.format, fields, exec: dispatch[key]!, generator, follow: false };
      instructions.push(insn);
      if (next !== at + length) break;
      if (BRANCH_ON_CONDITION.test(entry.mnemonic) && fields.M1 === 15) {
        if (!RELATIVE_JUMP.test(entry.mnemonic)) break;
        const halfwords = entry.mnemonic === 'brc' ? (fields.RI2! << 16) >> 16 : fields.RI2! | 0;
        const target = wide ? at + 2 * halfwords : ((at + 2 * halfwords) & amask) >>> 0;
        // A jump back to the start loops inside the block; other known targets are followed.
        if (target === ia || seen.has(target) || target < fastLo || target > fastHi) break;
        insn.follow = true;
        at = target;
        continue;
      }
      if (BLOCK_END.test(entry.mnemonic)) break;
      at = next;
    }
    if (instructions.length === 0) return;
    let fn: BlockFn;
    try {
      fn = compileBlock(instructions, view, this.bytes, this.amode, this.datOn);
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
    let start = ia;
    let end = 0;
    for (const insn of instructions) {
      start = Math.min(start, insn.address);
      end = Math.max(end, insn.address + insn.length);
    }
    this.blockFn[slot] = fn;
    this.blockAddresses[slot] = Float64Array.from(instructions, (insn) => insn.address);
    this.blockLength[slot] = instructions.length;
    this.blockStart[slot] = start;
    this.blockEnd[slot] = end;
    this.blockOffset[slot] = offset;
    this.blockTag[slot] = tag;
  }

  private runTraced(budget: number): void {
    const table = DECODE_TABLE;
    while (this.icount < budget && !this.attention) {
      const ia = this.ia;
      const [a, b, len] = this.fetchSlow(ia);
      this.nextIa = this.step(this.ia, len);
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
