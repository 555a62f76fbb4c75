// Generators for stores of immediates (MVI, MVIY, MVHHI, MVHI, MVGHI), TEST UNDER MASK (TM,
// TMLL, TMLH, TMHL, TMHH), the relative-long loads and stores (LRL, LGRL, LGFRL, LLGFRL, STRL,
// STGRL) and LOAD / STORE MULTIPLE (LMG, STMG) of `isa/general/load-store.ts` and
// `isa/general/logical.ts` (PoO chapter 7): the same results, with the operands folded in. A
// relative-long operand that is not aligned, and a multiple transfer that leaves its page or the
// direct window, run the semantics.

import type { BlockEmitter, Fields } from '../emitter.js';
import { signed, signWord, type Generator } from './types.js';

/** Store of a constant `len`-byte value at D1(B1). */
function storeImmediate(mnemonic: string, opcode: number, len: 1 | 2 | 4 | 8, value: (f: Fields) => number): Generator {
  return {
    mnemonic,
    opcode,
    emit: (e, f) => {
      const v = value(f);
      if (len === 8) e.store(0, f.B1!, f.D1!, 8, String(v >>> 0), String(v < 0 ? 0xffffffff : 0));
      else e.store(0, f.B1!, f.D1!, len, String(len === 4 ? v >>> 0 : v & (len === 2 ? 0xffff : 0xff)));
    },
  };
}

/** The CC of TEST UNDER MASK for the selected bits `sel` of `mask` (TM: mixed is 1). */
function testCc(sel: string, mask: number, leftmost: string | undefined): string {
  if (mask === 0) return '0';
  const mixed = leftmost === undefined ? '1' : `((${leftmost}) !== 0 ? 2 : 1)`;
  return `${sel} === 0 ? 0 : ${sel} === ${mask} ? 3 : ${mixed}`;
}

/** TMLL / TMLH / TMHL / TMHH: halfword `pos` (0 = bits 0–15) of R1 under the 16-bit mask. */
function testHalf(mnemonic: string, opcode: number, pos: number): Generator {
  return {
    mnemonic,
    opcode,
    emit: (e, f) => {
      const mask = f.I2! & 0xffff;
      const word = pos < 2 ? e.hi(f.R1!) : e.lo(f.R1!);
      const half = e.tmp();
      const sel = e.tmp();
      e.emit(`${half} = ${(pos & 1) === 0 ? `${word} >>> 16` : `${word} & 0xffff`}; ${sel} = ${half} & ${mask};`);
      const leftmost = mask === 0 ? undefined : `${half} & ${1 << (31 - Math.clz32(mask))}`;
      e.setCc({ kind: 'expr', e: testCc(sel, mask, leftmost) });
    },
  };
}

/** TM: the byte at D1(B1) under the mask I2. */
function testByte(mnemonic: string, opcode: number): Generator {
  return {
    mnemonic,
    opcode,
    emit: (e, f) => {
      const mask = f.I2! & 0xff;
      const v = e.load(0, f.B1!, f.D1!, 1);
      const sel = e.tmp();
      e.emit(`${sel} = ${v} & ${mask};`);
      e.setCc({ kind: 'expr', e: testCc(sel, mask, undefined) });
    },
  };
}

/** The aligned constant address of a relative-long operand of `size` bytes, or undefined. */
function relativeOperand(e: BlockEmitter, f: Fields, size: 4 | 8): number | undefined {
  const target = e.wrap(e.insn.address + 2 * (f.RI2! | 0));
  // Beyond 2^32 the address computation of the inline path is not exact; unaligned is a specification exception.
  return target === undefined || target % size !== 0 || target >= 2 ** 32 ? undefined : target;
}

type RelativeKind = 'word' | 'double' | 'signed' | 'unsigned';
function loadRelative(mnemonic: string, opcode: number, kind: RelativeKind): Generator {
  return {
    mnemonic,
    opcode,
    emit: (e, f, exec) => {
      const target = relativeOperand(e, f, kind === 'double' ? 8 : 4);
      if (target === undefined) {
        e.fallback(exec);
        return;
      }
      const r1 = f.R1!;
      if (kind === 'double') {
        const [h, l] = e.load64(0, 0, target);
        e.emit(`${e.hi(r1)} = ${h}; ${e.lo(r1)} = ${l};`);
        return;
      }
      const v = e.load(0, 0, target, 4);
      if (kind === 'word') e.emit(`${e.lo(r1)} = ${v};`);
      else e.emit(`${e.hi(r1)} = ${kind === 'signed' ? signWord(v) : '0'}; ${e.lo(r1)} = ${v};`);
    },
  };
}
function storeRelative(mnemonic: string, opcode: number, size: 4 | 8): Generator {
  return {
    mnemonic,
    opcode,
    emit: (e, f, exec) => {
      const target = relativeOperand(e, f, size);
      if (target === undefined) {
        e.fallback(exec);
        return;
      }
      const v = e.tmp();
      if (size === 8) {
        const h = e.tmp();
        e.emit(`${h} = ${e.hi(f.R1!)}; ${v} = ${e.lo(f.R1!)};`);
        e.store(0, 0, target, 8, v, h);
      } else {
        e.emit(`${v} = ${e.lo(f.R1!)};`);
        e.store(0, 0, target, 4, v);
      }
    },
  };
}

/**
 * LMG / STMG: registers R1 to R3 (wrapping after 15) from / to consecutive doublewords at
 * D2(B2). Inline only while the whole operand lies in one page of the data TLB or in the
 * direct window; otherwise the semantics run (they check every byte first).
 */
function multiple(mnemonic: string, opcode: number, loads: boolean): Generator {
  return {
    mnemonic,
    opcode,
    emit: (e, f, exec) => {
      const count = ((f.R3! - f.R1!) & 15) + 1;
      const { abs, fast } = e.operandAddress(0, f.B2!, f.D2!, 8 * count, !loads);
      const at = e.tmp();
      const transfers: string[] = [];
      for (let k = 0; k < count; k++) {
        const reg = (f.R1! + k) & 15;
        transfers.push(loads ? `${e.hi(reg)} = view.getUint32(${at} + ${8 * k}); ${e.lo(reg)} = view.getUint32(${at} + ${8 * k + 4});` : `view.setUint32(${at} + ${8 * k}, ${e.hi(reg)}); view.setUint32(${at} + ${8 * k + 4}, ${e.lo(reg)});`);
      }
      const next = String(e.insn.next);
      const ownBytes = loads ? '' : ` if (${at} < ${e.absoluteHi} && ${at} + ${8 * count} > ${e.absoluteLo}) { ${e.exitTo(next)} }`;
      const slow = `${e.sync()}${e.semanticsCall(exec)} if (cpu.attention) { ${e.exitTo(next)} }`;
      e.emit(`if (${fast}) { ${at} = ${abs}; ${transfers.join(' ')}${ownBytes} } else { ${slow} }`);
    },
  };
}

export const storageImmediateGenerators: Generator[] = [
  storeImmediate('mvi', 0x92, 1, (f) => f.I2!),
  storeImmediate('mviy', 0xeb52, 1, (f) => f.I2!),
  storeImmediate('mvhhi', 0xe544, 2, (f) => signed(f.I2!, 16)),
  storeImmediate('mvhi', 0xe54c, 4, (f) => signed(f.I2!, 16)),
  storeImmediate('mvghi', 0xe548, 8, (f) => signed(f.I2!, 16)),
  testByte('tm', 0x91),
  testHalf('tmhh', 0xa72, 0),
  testHalf('tmhl', 0xa73, 1),
  testHalf('tmlh', 0xa70, 2),
  testHalf('tmll', 0xa71, 3),
  loadRelative('lrl', 0xc4d, 'word'),
  loadRelative('lgrl', 0xc48, 'double'),
  loadRelative('lgfrl', 0xc4c, 'signed'),
  loadRelative('llgfrl', 0xc4e, 'unsigned'),
  storeRelative('strl', 0xc4f, 4),
  storeRelative('stgrl', 0xc4b, 8),
  multiple('lmg', 0xeb04, true),
  multiple('stmg', 0xeb24, false),
];
