// The instruction-table entry (one table of mnemonic, opcode, format, operands,
// facility and privilege drives the decoder, the disassembler and the tests).

import type { CpuCore } from '../core/cpu-core.js';
import type { InsnA, InsnB } from './fields.js';
import type { Format } from './formats.js';

/**
 * Semantics of one instruction of format `F`. `a` = instruction bytes 0–3, `b` = bytes 4–5 (0 for
 * 2- and 4-byte instructions), typed by the format: the operand fields are read through the
 * accessors of `fields.ts` that serve `F`, and only through them.
 * On entry `cpu.nextIa` already holds the address of the next sequential instruction; a taken
 * branch calls `cpu.branchTo(target)`. Leave early with `cpu.programException(code)`.
 */
export type Semantics<F extends Format> = (cpu: CpuCore, a: InsnA<F>, b: InsnB<F>) => void;

/**
 * The same function as the run loop calls it: `a` = bytes 0–3 (unsigned 32-bit), `b` = bytes 4–5
 * (unsigned 16-bit), of an instruction whose opcode selected it.
 */
export type ExecFn = (cpu: CpuCore, a: number, b: number) => void;

export interface InstructionDef {
  /** GNU objdump mnemonic, lower case. */
  mnemonic: string;
  /**
   * Opcode in QEMU's `insn-data.h.inc` notation: one byte for opcodes without an extension
   * (0x18 LR, 0xd2 MVC), first byte << 8 | extension otherwise (0xb904 LGR, 0xa70a AHI with a
   * 4-bit extension, 0xe304 LG with the extension in byte 5).
   */
  opcode: number;
  format: Format;
  /**
   * Operand syntax for the disassembler, objdump order, comma-separated tokens (see
   * `disassembler.ts`): `r:R1` GPR, `f:R1` FPR, `v:V1` vector, `c:R1` control, `a:R1` access
   * register, `u:I2` unsigned, `u6:I4` its low 6 bits, `s:I2` signed, `m:M3` mask (unsigned), `m7:M4` its low 3 bits, `rel:RI2` relative target,
   * `dxb:2` D2(X2,B2), `db:2` D2(B2), `dlb:1` D1(L,B1) with the length + 1, `dvb:2` D2(V2,B2).
   * Empty string: no operands.
   */
  operands: string;
  /** Facility name the instruction needs (informational, e.g. 'z13', 'vector'). */
  facility?: string;
  /** Privileged: a privileged-operation exception in problem state. */
  privileged: boolean;
  exec: ExecFn;
  /**
   * Extended mnemonics for the disassembler only (e.g. `jne` for BRC 7): when every listed field
   * has the given value, print `mnemonic` with `operands` instead.
   */
  aliases?: readonly InstructionAlias[];
}

export interface InstructionAlias {
  mnemonic: string;
  /** Fields that must have exactly these values. */
  when: Readonly<Record<string, number>>;
  /** Fields whose bits under `mask` must equal `value`: `{ I4: [0xc0, 0x80] }` for RISBG's zero flag. */
  whenMasked?: Readonly<Record<string, readonly [mask: number, value: number]>>;
  operands: string;
}
