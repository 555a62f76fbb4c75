// Straight-line block compilation for the run loop (a performance technique, no architecture of
// its own): a hot sequence of instructions is turned into one generated JavaScript function that
// calls each instruction's semantics directly. Each call site then sees a single target, which
// the JavaScript engine can predict and inline; the generic loop's fetch, decode and indirect
// call disappear. Semantics are unchanged: before each instruction the function sets `ia`,
// `ilen`, `nextIa` and the instruction count exactly as the loop does, and it leaves as soon as
// an instruction branches, raises anything, or sets `attention` (PSW, mode or prefix change, a
// store into the running block, a stop request).
//
// A block is only valid while its bytes are unchanged: the generated function first compares
// every instruction word with the words it was compiled from and returns false when any
// differs, so stores by this or another CPU, host writes and page imports never run stale code.

import type { CpuCore } from '../core/cpu-core.js';
import type { ExecFn } from '../isa/types.js';

/** Runs the block for `cpu` with `n` instructions counted so far; false: bytes changed, nothing ran. */
export type BlockFn = (cpu: CpuCore, n: number) => boolean;

/** One decoded instruction of a block. */
export interface BlockInstruction {
  address: number;
  length: number;
  /** Address of the next sequential instruction in the block's addressing mode. */
  next: number;
  a: number;
  b: number;
  exec: ExecFn;
}

/** Most instructions in one block. */
export const MAX_BLOCK_INSTRUCTIONS = 32;
/** Most bytes one block covers (32 six-byte instructions). */
export const MAX_BLOCK_BYTES = MAX_BLOCK_INSTRUCTIONS * 6;

/**
 * Generates the block function. The instruction words are embedded as constants and compared
 * with storage (through `view`, at the same absolute addresses: blocks are only built inside the
 * CPU's direct window) before anything runs.
 */
export function compileBlock(instructions: readonly BlockInstruction[], view: DataView): BlockFn {
  const params: string[] = ['view'];
  const args: unknown[] = [view];
  const check: string[] = [];
  const body: string[] = [];
  let previousLength = 0;
  instructions.forEach((insn, i) => {
    params.push(`f${i}`);
    args.push(insn.exec);
    if (insn.length === 2) check.push(`(view.getUint16(${insn.address}) !== ${insn.a >>> 16})`);
    else check.push(`(view.getUint32(${insn.address}) !== ${insn.a >>> 0})`);
    if (insn.length === 6) check.push(`(view.getUint16(${insn.address + 4}) !== ${insn.b})`);
    const last = i === instructions.length - 1;
    // `ilen` only changes when the length does (semantics never write it).
    const setLength = insn.length === previousLength ? '' : ` cpu.ilen = ${insn.length};`;
    previousLength = insn.length;
    body.push(
      `cpu.ia = ${insn.address};${setLength} cpu.nextIa = ${insn.next};`,
      `f${i}(cpu, ${insn.a >>> 0}, ${insn.b});`,
      last ? `cpu.icount = n + ${i + 1}; cpu.ia = cpu.nextIa; return true;` : `if (cpu.nextIa !== ${insn.next} || cpu.attention) { cpu.icount = n + ${i + 1}; cpu.ia = cpu.nextIa; return true; }`,
    );
  });
  const source = `return function block(cpu, n) {\nif (${check.join(' || ')}) return false;\n${body.join('\n')}\n};`;
  // The generated code only calls the given semantics with constant operands.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the block compiler's generated code calls only the given semantics
  const factory = new Function(...params, source) as (...a: unknown[]) => BlockFn;
  return factory(...args);
}
