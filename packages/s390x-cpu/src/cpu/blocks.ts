// Block compilation for the run loop (a performance technique, no architecture of its own): a hot
// trace of instructions (straight-line code, following unconditional relative jumps, leaving on
// taken conditional branches) is turned into one generated JavaScript function. Instructions with
// a generator (`compile/`) become their semantics inlined with the operands as constants, the
// condition code computed only where something reads it; the others become direct calls of their
// semantics. A branch back to the block's start loops inside the function, counting each pass
// against the budget and checking `attention` (interruptions, stop requests, mode changes) first.
//
// A block is only valid while its bytes are unchanged: the generated function first compares
// every instruction word with the words it was compiled from and returns false when any
// differs, so stores by this or another CPU, host writes and page imports never run stale code;
// a store into the running block ends it after the storing instruction.

import type { CpuCore } from '../core/cpu-core.js';
import { overflow } from '../isa/general/alu.js';
import type { ExecFn } from '../isa/types.js';
import { BlockEmitter, type BlockInsn } from './compile/emitter.js';
import type { Generator } from './compile/index.js';

/**
 * Runs the block for `cpu` with `n` instructions counted so far and at most `budget` in all;
 * false: its bytes changed and nothing ran. It leaves `cpu.icount` and `cpu.ia` at the end.
 */
export type BlockFn = (cpu: CpuCore, n: number, budget: number) => boolean;

/** One instruction of a block: what the generators see (`BlockInsn`), plus what the run loop needs. */
export interface BlockInstruction extends BlockInsn {
  /** Absolute address of the instruction's bytes (the same as `address` without DAT). */
  absolute: number;
  exec: ExecFn;
  generator: Generator | undefined;
  /** An unconditional relative jump the trace follows (its target is the next instruction here). */
  follow: boolean;
}

/** Most instructions in one block. */
export const MAX_BLOCK_INSTRUCTIONS = 128;

/**
 * Generates the block function for the addressing mode `amode` (`dat`: DAT is on, operands are
 * reached through the data TLB). The instruction words are embedded as constants and compared
 * with storage (through `view`, at their absolute addresses) before anything runs.
 */
export function compileBlock(instructions: readonly BlockInstruction[], view: DataView, bytes: Uint8Array, amode: 24 | 31 | 64, dat: boolean): BlockFn {
  const first = instructions[0]!;
  const last = instructions[instructions.length - 1]!;
  let lo = first.address;
  let hi = 0;
  let absoluteLo = first.absolute;
  let absoluteHi = 0;
  const check: string[] = [];
  for (const insn of instructions) {
    lo = Math.min(lo, insn.address);
    hi = Math.max(hi, insn.address + insn.length);
    absoluteLo = Math.min(absoluteLo, insn.absolute);
    absoluteHi = Math.max(absoluteHi, insn.absolute + insn.length);
    if (insn.length === 2) check.push(`view.getUint16(${insn.absolute}) !== ${insn.a >>> 16}`);
    else check.push(`view.getUint32(${insn.absolute}) !== ${insn.a >>> 0}`);
    if (insn.length === 6) check.push(`view.getUint16(${insn.absolute + 4}) !== ${insn.b}`);
  }
  const e = new BlockEmitter(amode, first.address, lo, hi, instructions.length, true, dat, absoluteLo, absoluteHi);
  instructions.forEach((insn, i) => {
    e.insn = insn;
    e.position = i + 1;
    if (insn.follow) e.emit(`cpu.bear = ${insn.address};`);
    else if (insn.generator !== undefined) insn.generator.emit(e, insn.fields, insn.exec);
    else e.fallback(insn.exec);
  });
  e.emit(e.exitTo(String(last.next)));
  const source = e.source(check.join(' || '));
  // The generated code only uses the CPU, its storage views and the given semantics.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the block compiler's generated code calls only the given semantics
  const factory = new Function('view', 'bytes', 'overflow', ...e.fallbacks.map((_, i) => `f${i}`), source) as (...a: unknown[]) => BlockFn;
  return factory(view, bytes, overflow, ...e.fallbacks);
}
