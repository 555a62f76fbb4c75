// Code emission for one compiled block (a performance technique of the run loop, no architecture
// of its own): the generators of `generators/` write JavaScript for each instruction with its
// operands folded in as constants, through this emitter, which keeps the block's compile-time
// state: the pending condition code (computed only when something reads it), the temporaries, and
// the code that leaves the block or loops back to its start.
//
// Invariants the generated code keeps (so that results are exactly the interpreter's):
// - before anything that can raise an interruption or calls other code (`sync`), the CPU's `ia`,
//   `ilen`, `nextIa` and `cc` are what the interpreter would have at that instruction;
// - without DAT a storage access takes the inline path only inside the CPU's direct window (the
//   same test as `CpuCore.direct`; the block runs only while no frame needs checking); with DAT
//   only when the CPU's data TLB holds the exact virtual page of the operand, which lies inside
//   that page (for a store: the page is in the TLB for stores); otherwise the CPU's own access
//   helpers run it;
// - a store into the block's own bytes ends the block after the storing instruction;
// - every exit sets `cpu.icount` and `cpu.ia`; a loop back to the start counts the instructions of
//   the pass and checks the budget and `attention` before the next pass.

import { DATA_TLB_SLOTS } from '../../core/cpu-core.js';
import { FAR_ADDRESS } from '../../core/far-addresses.js';
import type { Format } from '../../isa/formats.js';

/** Decoded operand fields of an instruction (`decodeFields`). */
export type Fields = Readonly<Record<string, number>>;

/** What one instruction of a block is, as the generators see it. */
export interface BlockInsn {
  address: number;
  length: number;
  /** Address of the next sequential instruction (in the block's addressing mode). */
  next: number;
  a: number;
  b: number;
  format: Format;
  fields: Fields;
}

/**
 * The condition code as a function of temporaries. `cmp`: 0 when x = y, 1 when x < y, 2 when x > y
 * (x and y exact numbers); `nz`: 0 when v is zero, else 1; `expr`: any expression giving 0–3.
 */
export type PendingCc = { kind: 'cmp'; x: string; y: string } | { kind: 'nz'; v: string } | { kind: 'expr'; e: string };

export const TWO32 = 4294967296;

/** Condition-mask test (mask bit 8 >> cc) on a pending condition code. */
function conditionOf(cc: PendingCc | undefined, mask: number): string {
  const m = mask & 15;
  if (cc === undefined) return `((${m} << cpu.cc) & 8) !== 0`;
  if (cc.kind === 'cmp') {
    const eq = (m & 8) !== 0;
    const lt = (m & 4) !== 0;
    const gt = (m & 2) !== 0;
    const { x, y } = cc;
    if (eq && lt && gt) return 'true';
    if (!eq && !lt && !gt) return 'false';
    if (eq && lt) return `${x} <= ${y}`;
    if (eq && gt) return `${x} >= ${y}`;
    if (lt && gt) return `${x} !== ${y}`;
    if (eq) return `${x} === ${y}`;
    if (lt) return `${x} < ${y}`;
    return `${x} > ${y}`;
  }
  if (cc.kind === 'nz') {
    const zero = (m & 8) !== 0;
    const one = (m & 4) !== 0;
    if (zero && one) return 'true';
    if (zero) return `${cc.v} === 0`;
    if (one) return `${cc.v} !== 0`;
    return 'false';
  }
  return `((${m} << (${cc.e})) & 8) !== 0`;
}

function ccValue(cc: PendingCc): string {
  if (cc.kind === 'cmp') return `(${cc.x} === ${cc.y} ? 0 : ${cc.x} < ${cc.y} ? 1 : 2)`;
  if (cc.kind === 'nz') return `(${cc.v} === 0 ? 0 : 1)`;
  return `(${cc.e})`;
}

export class BlockEmitter {
  private readonly lines: string[] = [];
  private temps = 0;
  private cc: PendingCc | undefined = undefined;
  /** Fallback semantics passed to the generated function, by parameter name. */
  readonly fallbacks: unknown[] = [];
  /** The instruction being emitted, and its 1-based position in the block. */
  insn!: BlockInsn;
  position = 0;
  /** Whether some instruction loops back to the start. */
  loops = false;

  constructor(
    readonly amode: 24 | 31 | 64,
    /** Address of the first instruction (loop target). */
    readonly start: number,
    /** Byte range the block's instructions cover (stores into it end the block). */
    readonly rangeLo: number,
    readonly rangeHi: number,
    /** Instructions of one whole pass (budget check before looping). */
    readonly total: number,
    /** Loop back to the start when a branch targets it. */
    readonly allowLoop: boolean,
    /** DAT is on: operands are reached through the data TLB. */
    readonly dat = false,
    /** Absolute byte range of the block's instructions (stores into it end the block). */
    readonly absoluteLo = rangeLo,
    readonly absoluteHi = rangeHi,
  ) {}

  /** A fresh temporary (declared at the top of the function). */
  tmp(): string {
    return `t${this.temps++}`;
  }
  emit(code: string): void {
    this.lines.push(code);
  }
  /** The high / low word of GPR `i` in the CPU's register array. */
  hi(i: number): string {
    return `r[${2 * i}]`;
  }
  lo(i: number): string {
    return `r[${2 * i + 1}]`;
  }

  // ---- condition code ----

  setCc(cc: PendingCc): void {
    this.cc = cc;
  }
  /** The CC as an expression (0–3). */
  ccNow(): string {
    return this.cc === undefined ? 'cpu.cc' : ccValue(this.cc);
  }
  /** Code that stores a pending CC into the CPU (the state stays pending for the code after). */
  ccFlush(): string {
    return this.cc === undefined ? '' : `cpu.cc = ${ccValue(this.cc)}; `;
  }
  /** The CC is in `cpu.cc` from here on (after code that set it there). */
  ccInCpu(): void {
    this.cc = undefined;
  }
  /** Stores a pending CC now and forgets it (before code that reads `cpu.cc`). */
  ccMaterialize(): void {
    if (this.cc !== undefined) this.emit(`cpu.cc = ${ccValue(this.cc)};`);
    this.cc = undefined;
  }
  /** Whether condition mask `mask` holds, as an expression. */
  condition(mask: number): string {
    return conditionOf(this.cc, mask);
  }

  // ---- state for interruptions and calls ----

  /** Code that makes the CPU's state the interpreter's at the current instruction. */
  sync(): string {
    const i = this.insn;
    return `${this.ccFlush()}cpu.ia = ${i.address}; cpu.ilen = ${i.length}; cpu.nextIa = ${i.next}; `;
  }
  /** Code that leaves the block with the next instruction at `target` (after this one). */
  exitTo(target: string): string {
    return `${this.ccFlush()}cpu.icount = n + ${this.position}; cpu.ia = ${target}; return true;`;
  }
  /** Code for a taken branch to the constant `target`: loops back when it is the start. */
  branchTo(target: number): string {
    const bear = `cpu.bear = ${this.insn.address}; `;
    if (target === this.start && this.allowLoop) {
      this.loops = true;
      return `${bear}${this.ccFlush()}n += ${this.position}; cpu.icount = n; if (n + ${this.total} > budget || cpu.attention) { cpu.ia = ${target}; return true; } continue;`;
    }
    return bear + this.exitTo(String(target));
  }

  /** Calls the instruction's own semantics (everything without a generator, and rare paths). */
  fallback(exec: unknown): void {
    const name = `f${this.fallbacks.length}`;
    this.fallbacks.push(exec);
    const i = this.insn;
    this.emit(`${this.sync()}${name}(cpu, ${i.a >>> 0}, ${i.b});`);
    this.cc = undefined;
    this.emit(`if (cpu.nextIa !== ${i.next} || cpu.attention || mem.checkedFrameCount !== 0) { cpu.icount = n + ${this.position}; cpu.ia = cpu.nextIa; return true; }`);
  }
  /** A call of the semantics as an expression statement inside a rare path (no exit check). */
  semanticsCall(exec: unknown): string {
    const name = `f${this.fallbacks.length}`;
    this.fallbacks.push(exec);
    const i = this.insn;
    return `${name}(cpu, ${i.a >>> 0}, ${i.b});`;
  }

  // ---- addresses and storage ----

  /** Wraps a constant address to the block's addressing mode (undefined: not exact). */
  wrap(address: number): number | undefined {
    if (this.amode === 64) return address >= 0 && address < FAR_ADDRESS ? address : undefined;
    return (address & (this.amode === 31 ? 0x7fffffff : 0xffffff)) >>> 0;
  }

  /**
   * Emits the address computation of D(X,B) for a `len`-byte operand; returns the condition under
   * which the inline path may access it (`store`: for a store) and its absolute address there.
   */
  operandAddress(x: number, b: number, d: number, len: number, store = false): { fast: string; abs: string } {
    const parts: string[] = [];
    const highs: string[] = [];
    for (const reg of [x, b]) {
      if (reg === 0) continue;
      parts.push(this.lo(reg));
      highs.push(this.hi(reg));
    }
    if (d !== 0 || parts.length === 0) parts.push(String(d));
    const sum = parts.join(' + ');
    if (this.dat) return this.datOperand(sum, highs, len, store);
    const at = this.tmp();
    const window = `${at} >= dlo && ${at} + ${len} <= dhi`;
    if (this.amode === 64) {
      this.emit(`${at} = ${sum};`);
      return { abs: at, fast: highs.length === 0 ? window : `(${highs.join(' | ')}) === 0 && ${window}` };
    }
    const mask = this.amode === 31 ? '0x7fffffff' : '0xffffff';
    this.emit(`${at} = (${sum}) & ${mask};`);
    return { abs: at, fast: window };
  }

  /**
   * With DAT: the exact virtual page of the operand (high word × 2^20 + low word's page, exact
   * for every 64-bit address) looked up in the CPU's data TLB.
   */
  private datOperand(sum: string, highs: string[], len: number, store: boolean): { fast: string; abs: string } {
    const lo = this.tmp();
    const page = this.tmp();
    const slot = this.tmp();
    if (this.amode === 64) {
      const hi = this.tmp();
      // The low words' sum lies in [-2^19, 2^33 + 2^19): its carry into the high word is -1, 0, 1 or 2.
      const carry = `Math.floor(${lo} / ${TWO32})`;
      this.emit(`${lo} = ${sum}; ${hi} = (${highs.length === 0 ? carry : `${highs.join(' + ')} + ${carry}`}) >>> 0; ${lo} = ${lo} >>> 0;`);
      this.emit(`${slot} = ${lo} >>> 12; ${page} = ${hi} * 1048576 + ${slot}; ${slot} &= ${DATA_TLB_SLOTS - 1};`);
    } else {
      const mask = this.amode === 31 ? '0x7fffffff' : '0xffffff';
      this.emit(`${lo} = (${sum}) & ${mask}; ${page} = ${lo} >>> 12; ${slot} = ${page} & ${DATA_TLB_SLOTS - 1};`);
    }
    const inPage = len === 1 ? '' : ` && (${lo} & 4095) <= ${4096 - len}`;
    return { fast: `${store ? 'dtw' : 'dtp'}[${slot}] === ${page}${inPage}`, abs: `(dtf[${slot}] + (${lo} & 4095))` };
  }

  /** Loads a 1-, 2- or 4-byte unsigned operand at D(X,B) into a new temporary. */
  load(x: number, b: number, d: number, len: 1 | 2 | 4): string {
    const { abs, fast } = this.operandAddress(x, b, d, len);
    const v = this.tmp();
    const inline = len === 1 ? `bytes[${abs}]` : len === 2 ? `view.getUint16(${abs})` : `view.getUint32(${abs})`;
    const helper = len === 1 ? 'readU8' : len === 2 ? 'readU16' : 'readU32';
    this.emit(`if (${fast}) ${v} = ${inline}; else { ${this.sync()}${v} = cpu.${helper}(cpu.ea(${x}, ${b}, ${d})); }`);
    return v;
  }

  /** Loads a doubleword operand at D(X,B) as the semantics' `read64` does; returns [hi, lo] temporaries. */
  load64(x: number, b: number, d: number): [string, string] {
    const { abs, fast } = this.operandAddress(x, b, d, 8);
    const h = this.tmp();
    const l = this.tmp();
    const a = this.tmp();
    this.emit(`if (${fast}) { ${a} = ${abs}; ${h} = view.getUint32(${a}); ${l} = view.getUint32(${a} + 4); } else { ${this.sync()}cpu.readDoubleword(cpu.ea(${x}, ${b}, ${d})); ${h} = cpu.dwHi; ${l} = cpu.dwLo; }`);
    return [h, l];
  }

  /**
   * Stores `len` bytes of `value` (`hiValue` too for 8) at D(X,B). A store into the block's own
   * bytes, or one the CPU reports through `attention`, ends the block after this instruction.
   */
  store(x: number, b: number, d: number, len: 1 | 2 | 4 | 8, value: string, hiValue = '0'): void {
    const { abs, fast } = this.operandAddress(x, b, d, len, true);
    const at = this.tmp();
    const inline = len === 1 ? `bytes[${at}] = ${value};` : len === 2 ? `view.setUint16(${at}, ${value});` : len === 4 ? `view.setUint32(${at}, ${value});` : `view.setUint32(${at}, ${hiValue}); view.setUint32(${at} + 4, ${value});`;
    const helper = len === 1 ? `writeU8(e, ${value})` : len === 2 ? `writeU16(e, ${value})` : len === 4 ? `writeU32(e, ${value})` : `writeU64(e, ${hiValue}, ${value})`;
    const next = String(this.insn.next);
    this.emit(
      `if (${fast}) { ${at} = ${abs}; ${inline} if (${at} < ${this.absoluteHi} && ${at} + ${len} > ${this.absoluteLo}) { ${this.exitTo(next)} } } else { ${this.sync()}const e = cpu.ea(${x}, ${b}, ${d}); cpu.${helper}; if (cpu.attention) { ${this.exitTo(next)} } }`,
    );
  }

  /** The function source: entry check, temporaries, and the body (in a loop when it loops back). */
  source(check: string): string {
    const temps = this.temps === 0 ? '' : `let ${Array.from({ length: this.temps }, (_, i) => `t${i} = 0`).join(', ')};\n`;
    const body = this.lines.join('\n');
    return `return function block(cpu, n, budget) {\nif (${check}) return false;\nconst r = cpu.r, vr = cpu.vrView, mem = cpu.mem, dlo = mem.checkedFrameCount === 0 ? cpu.directLo : 1, dhi = mem.checkedFrameCount === 0 ? cpu.directHi : 0${this.dat ? ', dtp = cpu.dataTlbPage, dtw = cpu.dataTlbWritePage, dtf = cpu.dataTlbFrame' : ''};\n${temps}for (;;) {\n${body}\n}\n};`;
  }
}
