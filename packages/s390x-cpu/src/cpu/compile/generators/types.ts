// The shape of an instruction generator: the table entry it compiles (mnemonic and opcode, as
// in the instruction table, checked at load) and the function that writes its code.

import type { BlockEmitter, Fields } from '../emitter.js';

export interface Generator {
  mnemonic: string;
  opcode: number;
  /** Writes the instruction's code; `exec` is its semantics (for rare paths). */
  emit(e: BlockEmitter, f: Fields, exec: unknown): void;
}

/** Sign-extends the low `bits` bits of `v`. */
export const signed = (v: number, bits: number): number => (v << (32 - bits)) >> (32 - bits);
/** A 32-bit value's sign extension word as an expression: 0xffffffff when negative, else 0. */
export const signWord = (v: string): string => `((${v} | 0) >> 31 >>> 0)`;
/** Signed 64-bit CC (0 zero, 1 negative, 2 positive) of the words `h`, `l`. */
export const ccSigned64 = (h: string, l: string): string => `(${h} | ${l}) === 0 ? 0 : (${h} & 0x80000000) !== 0 ? 1 : 2`;
