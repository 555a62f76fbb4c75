// Generators for COMPARE (signed and logical; register, immediate and storage forms) and the
// relative branches of `isa/general/compare-branch.ts`: BRANCH ON CONDITION, BRANCH ON COUNT,
// COMPARE AND BRANCH (which leave the CC alone) and BRANCH AND SAVE. A compare leaves its CC
// pending, so a following branch tests the operands directly. A taken branch to a constant
// target sets the BEAR and leaves the block, or loops when the target is the block's start.

import type { BlockEmitter, Fields } from '../emitter.js';
import { signed, type Generator } from './types.js';

/** 64-bit signed / unsigned compare of word pairs as a CC expression. */
const cmp64 = (ah: string, al: string, bh: string, bl: string, isSigned: boolean): string =>
  isSigned ? `${ah} !== ${bh} ? ((${ah} | 0) < (${bh} | 0) ? 1 : 2) : ${al} !== ${bl} ? (${al} < ${bl} ? 1 : 2) : 0` : `${ah} !== ${bh} ? (${ah} < ${bh} ? 1 : 2) : ${al} !== ${bl} ? (${al} < ${bl} ? 1 : 2) : 0`;

/** 32-bit compares: the CC as a pending comparison of two temporaries. */
function compare32(e: BlockEmitter, x: string, y: string, isSigned: boolean): void {
  const a = e.tmp();
  const b = e.tmp();
  e.emit(isSigned ? `${a} = ${x} | 0; ${b} = ${y} | 0;` : `${a} = ${x} >>> 0; ${b} = ${y} >>> 0;`);
  e.setCc({ kind: 'cmp', x: a, y: b });
}
function compare64(e: BlockEmitter, ah: string, al: string, bh: string, bl: string, isSigned: boolean): void {
  const t = [e.tmp(), e.tmp(), e.tmp(), e.tmp()] as const;
  e.emit(`${t[0]} = ${ah}; ${t[1]} = ${al}; ${t[2]} = ${bh}; ${t[3]} = ${bl};`);
  e.setCc({ kind: 'expr', e: cmp64(t[0], t[1], t[2], t[3], isSigned) });
}
const words = (v: number): [string, string] => [String(v < 0 ? 0xffffffff : 0), String(v >>> 0)];

function rr32(mnemonic: string, opcode: number, isSigned: boolean): Generator {
  return { mnemonic, opcode, emit: (e, f) => compare32(e, e.lo(f.R1!), e.lo(f.R2!), isSigned) };
}
function rx32(mnemonic: string, opcode: number, isSigned: boolean, len: 2 | 4): Generator {
  return {
    mnemonic,
    opcode,
    emit: (e, f) => {
      const v = e.load(f.X2!, f.B2!, f.D2!, len);
      compare32(e, e.lo(f.R1!), len === 2 ? `((${v} << 16) >> 16)` : v, isSigned);
    },
  };
}
function imm32(mnemonic: string, opcode: number, isSigned: boolean, value: (f: Fields) => number): Generator {
  return { mnemonic, opcode, emit: (e, f) => compare32(e, e.lo(f.R1!), String(value(f)), isSigned) };
}
function rr64(mnemonic: string, opcode: number, isSigned: boolean, second: 'g' | 'gfs' | 'gfu'): Generator {
  return {
    mnemonic,
    opcode,
    emit: (e, f) => {
      const y = e.lo(f.R2!);
      const bh = second === 'g' ? e.hi(f.R2!) : second === 'gfs' ? `((${y} | 0) >> 31 >>> 0)` : '0';
      compare64(e, e.hi(f.R1!), e.lo(f.R1!), bh, y, isSigned);
    },
  };
}
function rx64(mnemonic: string, opcode: number, isSigned: boolean, second: 'g' | 'gfs' | 'gfu'): Generator {
  return {
    mnemonic,
    opcode,
    emit: (e, f) => {
      if (second === 'g') {
        const [h, l] = e.load64(f.X2!, f.B2!, f.D2!);
        compare64(e, e.hi(f.R1!), e.lo(f.R1!), h, l, isSigned);
        return;
      }
      const v = e.load(f.X2!, f.B2!, f.D2!, 4);
      compare64(e, e.hi(f.R1!), e.lo(f.R1!), second === 'gfs' ? `((${v} | 0) >> 31 >>> 0)` : '0', v, isSigned);
    },
  };
}
function imm64(mnemonic: string, opcode: number, isSigned: boolean, value: (f: Fields) => number): Generator {
  return {
    mnemonic,
    opcode,
    emit: (e, f) => {
      const [bh, bl] = isSigned ? words(value(f)) : ['0', String(value(f) >>> 0)];
      compare64(e, e.hi(f.R1!), e.lo(f.R1!), bh, bl, isSigned);
    },
  };
}

/** The constant target `address + 2 * halfwords` in the block's mode, or undefined when not exact. */
const targetOf = (e: BlockEmitter, halfwords: number): number | undefined => e.wrap(e.insn.address + 2 * halfwords);

/** Branches to `target` when `condition` holds. */
function relativeBranch(e: BlockEmitter, target: number, condition: string): void {
  if (condition === 'false') return;
  if (condition === 'true') e.emit(e.branchTo(target));
  else e.emit(`if (${condition}) { ${e.branchTo(target)} }`);
}

/**
 * A branch generator whose target is relative: `body` runs with the exact target, the semantics
 * run instead when the target is not exact (beyond 2^53 in the 64-bit mode).
 */
function relative(mnemonic: string, opcode: number, halfwords: (f: Fields) => number, body: (e: BlockEmitter, f: Fields, target: number) => void): Generator {
  return {
    mnemonic,
    opcode,
    emit: (e, f, exec) => {
      const target = targetOf(e, halfwords(f));
      if (target === undefined) e.fallback(exec);
      else body(e, f, target);
    },
  };
}
const ri2 = (f: Fields): number => signed(f.RI2!, 16);
const ri2Long = (f: Fields): number => f.RI2! | 0;
const ri4 = (f: Fields): number => signed(f.RI4!, 16);

/** Compare-and-branch: taken when mask bit (8 >> compare result) is set; CC unchanged. */
function compareBranch(e: BlockEmitter, mask: number, x: string, y: string, target: number): void {
  const parts: string[] = [];
  if ((mask & 8) !== 0) parts.push(`${x} === ${y}`);
  if ((mask & 4) !== 0) parts.push(`${x} < ${y}`);
  if ((mask & 2) !== 0) parts.push(`${x} > ${y}`);
  const condition = (mask & 14) === 14 ? 'true' : parts.length === 0 ? 'false' : parts.join(' || ');
  relativeBranch(e, target, condition);
}
function compareBranch64(e: BlockEmitter, mask: number, cc: string, target: number): void {
  const t = e.tmp();
  e.emit(`${t} = ${cc};`);
  relativeBranch(e, target, `((${mask & 15} << ${t}) & 8) !== 0`);
}

function crj(mnemonic: string, opcode: number, isSigned: boolean): Generator {
  return relative(mnemonic, opcode, ri4, (e, f, target) => {
    const x = e.tmp();
    const y = e.tmp();
    e.emit(isSigned ? `${x} = ${e.lo(f.R1!)} | 0; ${y} = ${e.lo(f.R2!)} | 0;` : `${x} = ${e.lo(f.R1!)}; ${y} = ${e.lo(f.R2!)};`);
    compareBranch(e, f.M3!, x, y, target);
  });
}
function cgrj(mnemonic: string, opcode: number, isSigned: boolean): Generator {
  return relative(mnemonic, opcode, ri4, (e, f, target) => compareBranch64(e, f.M3!, cmp64(e.hi(f.R1!), e.lo(f.R1!), e.hi(f.R2!), e.lo(f.R2!), isSigned), target));
}
function cij(mnemonic: string, opcode: number, isSigned: boolean): Generator {
  return relative(mnemonic, opcode, ri4, (e, f, target) => {
    const x = e.tmp();
    e.emit(isSigned ? `${x} = ${e.lo(f.R1!)} | 0;` : `${x} = ${e.lo(f.R1!)};`);
    compareBranch(e, f.M3!, x, String(isSigned ? signed(f.I2!, 8) : f.I2! & 0xff), target);
  });
}
function cgij(mnemonic: string, opcode: number, isSigned: boolean): Generator {
  return relative(mnemonic, opcode, ri4, (e, f, target) => {
    const [bh, bl] = isSigned ? words(signed(f.I2!, 8)) : ['0', String(f.I2! & 0xff)];
    compareBranch64(e, f.M3!, cmp64(e.hi(f.R1!), e.lo(f.R1!), bh, bl, isSigned), target);
  });
}

/** BRAS / BRASL: link (`link` of the semantics) and branch; the block ends here. */
function branchAndSave(e: BlockEmitter, r1: number, target: number): void {
  const next = e.insn.next;
  if (e.amode === 64) {
    const hi = Math.floor(next / 4294967296);
    e.emit(`${e.hi(r1)} = ${hi >>> 0}; ${e.lo(r1)} = ${next - hi * 4294967296};`);
  } else if (e.amode === 31) e.emit(`${e.lo(r1)} = ${(next | 0x80000000) >>> 0};`);
  else e.emit(`${e.lo(r1)} = ${next & 0xffffff};`);
  e.emit(e.branchTo(target));
}

export const compareBranchGenerators: Generator[] = [
  rr32('cr', 0x19, true),
  rr32('clr', 0x15, false),
  rx32('c', 0x59, true, 4),
  rx32('cy', 0xe359, true, 4),
  rx32('cl', 0x55, false, 4),
  rx32('cly', 0xe355, false, 4),
  rx32('ch', 0x49, true, 2),
  rx32('chy', 0xe379, true, 2),
  imm32('chi', 0xa7e, true, (f) => signed(f.I2!, 16)),
  imm32('cfi', 0xc2d, true, (f) => f.I2! | 0),
  imm32('clfi', 0xc2f, false, (f) => f.I2! >>> 0),
  rr64('cgr', 0xb920, true, 'g'),
  rr64('cgfr', 0xb930, true, 'gfs'),
  rr64('clgr', 0xb921, false, 'g'),
  rr64('clgfr', 0xb931, false, 'gfu'),
  rx64('cg', 0xe320, true, 'g'),
  rx64('cgf', 0xe330, true, 'gfs'),
  rx64('clg', 0xe321, false, 'g'),
  rx64('clgf', 0xe331, false, 'gfu'),
  imm64('cghi', 0xa7f, true, (f) => signed(f.I2!, 16)),
  imm64('cgfi', 0xc2c, true, (f) => f.I2! | 0),
  imm64('clgfi', 0xc2e, false, (f) => f.I2! >>> 0),
  {
    mnemonic: 'cli',
    opcode: 0x95,
    emit: (e, f) => {
      const v = e.load(0, f.B1!, f.D1!, 1);
      compare32(e, v, String(f.I2! & 0xff), false);
    },
  },
  {
    mnemonic: 'cliy',
    opcode: 0xeb55,
    emit: (e, f) => {
      const v = e.load(0, f.B1!, f.D1!, 1);
      compare32(e, v, String(f.I2! & 0xff), false);
    },
  },
  // Branches.
  relative('brc', 0xa74, ri2, (e, f, target) => relativeBranch(e, target, e.condition(f.M1!))),
  relative('brcl', 0xc04, ri2Long, (e, f, target) => relativeBranch(e, target, e.condition(f.M1!))),
  relative('brct', 0xa76, ri2, (e, f, target) => {
    const v = e.tmp();
    e.emit(`${v} = (${e.lo(f.R1!)} - 1) >>> 0; ${e.lo(f.R1!)} = ${v};`);
    relativeBranch(e, target, `${v} !== 0`);
  }),
  relative('brctg', 0xa77, ri2, (e, f, target) => {
    const l = e.tmp();
    const h = e.tmp();
    e.emit(`${l} = ${e.lo(f.R1!)}; ${h} = ${l} === 0 ? (${e.hi(f.R1!)} - 1) >>> 0 : ${e.hi(f.R1!)}; ${l} = (${l} - 1) >>> 0; ${e.hi(f.R1!)} = ${h}; ${e.lo(f.R1!)} = ${l};`);
    relativeBranch(e, target, `(${h} | ${l}) !== 0`);
  }),
  crj('crj', 0xec76, true),
  crj('clrj', 0xec77, false),
  cgrj('cgrj', 0xec64, true),
  cgrj('clgrj', 0xec65, false),
  cij('cij', 0xec7e, true),
  cij('clij', 0xec7f, false),
  cgij('cgij', 0xec7c, true),
  cgij('clgij', 0xec7d, false),
  relative('bras', 0xa75, ri2, (e, f, target) => branchAndSave(e, f.R1!, target)),
  relative('brasl', 0xc05, ri2Long, (e, f, target) => branchAndSave(e, f.R1!, target)),
];
