// Generators for ADD and SUBTRACT (signed and logical, 32 and 64 bits; register, immediate,
// three-operand and storage forms) and LOAD COMPLEMENT: the semantics of
// `isa/general/arithmetic.ts` / `hot.ts` with the CC left pending. A signed overflow stores the
// result, sets CC 3 and, when the program mask enables it, raises the fixed-point-overflow
// interruption through the CPU's own check.

import type { BlockEmitter, Fields } from '../emitter.js';
import { signed, type Generator } from './types.js';

type Op = 'add' | 'sub' | 'addL' | 'subL';
/** Where the second operand comes from: a register's low word / 64 bits, an immediate, storage. */
type Source32 = (e: BlockEmitter, f: Fields) => string;
type Source64 = (e: BlockEmitter, f: Fields) => [string, string];

/** Overflow path of a signed operation (result already stored). */
function overflowCheck(e: BlockEmitter, overflowed: string): void {
  e.emit(`if (${overflowed} && (cpu.maskHi & 0x800) !== 0) { ${e.sync()}cpu.cc = 3; overflow(cpu); }`);
}

/** 32-bit `op` of `x` and `y` (uint32/int32 expressions) into the low word of `r1`. */
function op32(e: BlockEmitter, op: Op, r1: number, x: string, y: string): void {
  const s = e.tmp();
  const v = e.tmp();
  if (op === 'add' || op === 'sub') {
    e.emit(`${s} = (${x} | 0) ${op === 'add' ? '+' : '-'} (${y} | 0); ${v} = ${s} | 0; ${e.lo(r1)} = ${v} >>> 0;`);
    overflowCheck(e, `${s} !== ${v}`);
    e.setCc({ kind: 'expr', e: `${s} !== ${v} ? 3 : ${v} === 0 ? 0 : ${v} < 0 ? 1 : 2` });
    return;
  }
  e.emit(`${s} = (${x} >>> 0) ${op === 'addL' ? '+' : '-'} (${y} >>> 0); ${v} = ${s} >>> 0; ${e.lo(r1)} = ${v};`);
  e.setCc({ kind: 'expr', e: op === 'addL' ? `(${v} !== 0 ? 1 : 0) | (${s} >= 4294967296 ? 2 : 0)` : `(${v} !== 0 ? 1 : 0) | (${s} >= 0 ? 2 : 0)` });
}

/** 64-bit `op` of (ah, al) and (bh, bl) (uint32 expressions, read before any write) into `r1`. */
function op64(e: BlockEmitter, op: Op, r1: number, ah: string, al: string, bh: string, bl: string): void {
  const xh = e.tmp();
  const yh = e.tmp();
  const lo = e.tmp();
  const hi = e.tmp();
  e.emit(`${xh} = ${ah}; ${yh} = ${bh};`);
  if (op === 'add' || op === 'addL') {
    e.emit(`${lo} = ${al} + ${bl};`);
    if (op === 'add') {
      e.emit(`${hi} = (${xh} + ${yh} + (${lo} >= 4294967296 ? 1 : 0)) >>> 0; ${e.hi(r1)} = ${hi}; ${e.lo(r1)} = ${lo} >>> 0;`);
      const ovf = `((~(${xh} ^ ${yh}) & (${xh} ^ ${hi}) & 0x80000000) !== 0)`;
      overflowCheck(e, ovf);
      e.setCc({ kind: 'expr', e: `${ovf} ? 3 : (${hi} | (${lo} >>> 0)) === 0 ? 0 : (${hi} & 0x80000000) !== 0 ? 1 : 2` });
      return;
    }
    // Logical: the high sum is kept unwrapped for the carry.
    e.emit(`${hi} = ${xh} + ${yh} + (${lo} >= 4294967296 ? 1 : 0); ${e.hi(r1)} = ${hi} >>> 0; ${e.lo(r1)} = ${lo} >>> 0;`);
    e.setCc({ kind: 'expr', e: `((${hi} >>> 0 | ${lo} >>> 0) !== 0 ? 1 : 0) | (${hi} >= 4294967296 ? 2 : 0)` });
    return;
  }
  e.emit(`${lo} = ${al} - ${bl};`);
  if (op === 'sub') {
    e.emit(`${hi} = (${xh} - ${yh} - (${lo} < 0 ? 1 : 0)) >>> 0; ${e.hi(r1)} = ${hi}; ${e.lo(r1)} = ${lo} >>> 0;`);
    const ovf = `(((${xh} ^ ${yh}) & (${xh} ^ ${hi}) & 0x80000000) !== 0)`;
    overflowCheck(e, ovf);
    e.setCc({ kind: 'expr', e: `${ovf} ? 3 : (${hi} | (${lo} >>> 0)) === 0 ? 0 : (${hi} & 0x80000000) !== 0 ? 1 : 2` });
    return;
  }
  e.emit(`${hi} = ${xh} - ${yh} - (${lo} < 0 ? 1 : 0); ${e.hi(r1)} = ${hi} >>> 0; ${e.lo(r1)} = ${lo} >>> 0;`);
  e.setCc({ kind: 'expr', e: `((${hi} >>> 0 | ${lo} >>> 0) !== 0 ? 1 : 0) | (${hi} >= 0 ? 2 : 0)` });
}

const reg2: Source32 = (e, f) => e.lo(f.R2!);
const imm16: Source32 = (_e, f) => String(signed(f.I2!, 16));
const imm32s: Source32 = (_e, f) => String(f.I2! | 0);
const imm32u: Source32 = (_e, f) => String(f.I2! >>> 0);
const mem32: Source32 = (e, f) => e.load(f.X2!, f.B2!, f.D2!, 4);

/** R1 = R1 op source (32 bits). */
function into32(mnemonic: string, opcode: number, op: Op, source: Source32): Generator {
  return {
    mnemonic,
    opcode,
    emit: (e, f) => {
      const y = source(e, f);
      op32(e, op, f.R1!, e.lo(f.R1!), y);
    },
  };
}
/** R1 = R2 op R3 (32 bits, RRF-a). */
function three32(mnemonic: string, opcode: number, op: Op): Generator {
  return { mnemonic, opcode, emit: (e, f) => op32(e, op, f.R1!, e.lo(f.R2!), e.lo(f.R3!)) };
}
/** R1 = R3 + I2 (RIE-d, 32 bits). */
function imm3(mnemonic: string, opcode: number): Generator {
  return { mnemonic, opcode, emit: (e, f) => op32(e, 'add', f.R1!, e.lo(f.R3!), String(signed(f.I2!, 16))) };
}

const reg64: Source64 = (e, f) => [e.hi(f.R2!), e.lo(f.R2!)];
/** R2's low word sign-extended (a temporary, so it is read before R1 changes). */
const reg64s: Source64 = (e, f) => {
  const v = e.tmp();
  e.emit(`${v} = ${e.lo(f.R2!)};`);
  return [`((${v} | 0) >> 31 >>> 0)`, v];
};
const reg64u: Source64 = (e, f) => ['0', e.lo(f.R2!)];
const immediate64 = (v: number): [string, string] => [String(v < 0 ? 0xffffffff : 0), String(v >>> 0)];
const imm64_16: Source64 = (_e, f) => immediate64(signed(f.I2!, 16));
const imm64_32: Source64 = (_e, f) => immediate64(f.I2! | 0);
const imm64_u32: Source64 = (_e, f) => ['0', String(f.I2! >>> 0)];
const mem64: Source64 = (e, f) => e.load64(f.X2!, f.B2!, f.D2!);
const mem64s: Source64 = (e, f) => {
  const v = e.load(f.X2!, f.B2!, f.D2!, 4);
  return [`((${v} | 0) >> 31 >>> 0)`, v];
};
const mem64u: Source64 = (e, f) => ['0', e.load(f.X2!, f.B2!, f.D2!, 4)];

/** R1 = R1 op source (64 bits). */
function into64(mnemonic: string, opcode: number, op: Op, source: Source64): Generator {
  return {
    mnemonic,
    opcode,
    emit: (e, f) => {
      const [bh, bl] = source(e, f);
      op64(e, op, f.R1!, e.hi(f.R1!), e.lo(f.R1!), bh, bl);
    },
  };
}
/** R1 = R2 op R3 (64 bits, RRF-a). */
function three64(mnemonic: string, opcode: number, op: Op): Generator {
  return { mnemonic, opcode, emit: (e, f) => op64(e, op, f.R1!, e.hi(f.R2!), e.lo(f.R2!), e.hi(f.R3!), e.lo(f.R3!)) };
}

export const arithmeticGenerators: Generator[] = [
  into32('ar', 0x1a, 'add', reg2),
  into32('sr', 0x1b, 'sub', reg2),
  into32('alr', 0x1e, 'addL', reg2),
  into32('slr', 0x1f, 'subL', reg2),
  into32('ahi', 0xa7a, 'add', imm16),
  into32('afi', 0xc29, 'add', imm32s),
  into32('alfi', 0xc2b, 'addL', imm32u),
  into32('slfi', 0xc25, 'subL', imm32u),
  into32('a', 0x5a, 'add', mem32),
  into32('ay', 0xe35a, 'add', mem32),
  into32('s', 0x5b, 'sub', mem32),
  into32('sy', 0xe35b, 'sub', mem32),
  into32('al', 0x5e, 'addL', mem32),
  into32('aly', 0xe35e, 'addL', mem32),
  into32('sl', 0x5f, 'subL', mem32),
  into32('sly', 0xe35f, 'subL', mem32),
  three32('ark', 0xb9f8, 'add'),
  three32('srk', 0xb9f9, 'sub'),
  three32('alrk', 0xb9fa, 'addL'),
  three32('slrk', 0xb9fb, 'subL'),
  imm3('ahik', 0xecd8),
  into64('agr', 0xb908, 'add', reg64),
  into64('sgr', 0xb909, 'sub', reg64),
  into64('algr', 0xb90a, 'addL', reg64),
  into64('slgr', 0xb90b, 'subL', reg64),
  into64('agfr', 0xb918, 'add', reg64s),
  into64('sgfr', 0xb919, 'sub', reg64s),
  into64('algfr', 0xb91a, 'addL', reg64u),
  into64('slgfr', 0xb91b, 'subL', reg64u),
  into64('aghi', 0xa7b, 'add', imm64_16),
  into64('agfi', 0xc28, 'add', imm64_32),
  into64('algfi', 0xc2a, 'addL', imm64_u32),
  into64('slgfi', 0xc24, 'subL', imm64_u32),
  into64('ag', 0xe308, 'add', mem64),
  into64('sg', 0xe309, 'sub', mem64),
  into64('alg', 0xe30a, 'addL', mem64),
  into64('slg', 0xe30b, 'subL', mem64),
  into64('agf', 0xe318, 'add', mem64s),
  into64('sgf', 0xe319, 'sub', mem64s),
  into64('algf', 0xe31a, 'addL', mem64u),
  into64('slgf', 0xe31b, 'subL', mem64u),
  three64('agrk', 0xb9e8, 'add'),
  three64('sgrk', 0xb9e9, 'sub'),
  three64('algrk', 0xb9ea, 'addL'),
  three64('slgrk', 0xb9eb, 'subL'),
  {
    mnemonic: 'aghik',
    opcode: 0xecd9,
    emit: (e, f) => {
      const [bh, bl] = immediate64(signed(f.I2!, 16));
      op64(e, 'add', f.R1!, e.hi(f.R3!), e.lo(f.R3!), bh, bl);
    },
  },
];
