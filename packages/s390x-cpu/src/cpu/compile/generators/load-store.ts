// Generators for loads, stores, load address and register moves (PoO chapter 7, the entries of
// `isa/general/load-store.ts` and FPR/GPR moves of `isa/float`): the same results as those
// semantics, with register numbers, displacements and immediates folded in.

import type { BlockEmitter, Fields } from '../emitter.js';
import { ccSigned64, signed, signWord, type Generator } from './types.js';

type Ext = 'word' | 's8' | 's16' | 'u8' | 'u16';
/** The value of `v` (a uint32 expression) extended as `kind`, as an int32/uint32 expression. */
function extend(kind: Ext, v: string): string {
  switch (kind) {
    case 'word':
      return v;
    case 's8':
      return `((${v} << 24) >> 24)`;
    case 's16':
      return `((${v} << 16) >> 16)`;
    case 'u8':
      return `(${v} & 0xff)`;
    default:
      return `(${v} & 0xffff)`;
  }
}
const loadSize = (kind: Ext): 1 | 2 | 4 => (kind === 's8' || kind === 'u8' ? 1 : kind === 's16' || kind === 'u16' ? 2 : 4);

/** RR / RRE moves into the low word. */
function move32(mnemonic: string, opcode: number, kind: Ext): Generator {
  return {
    mnemonic,
    opcode,
    emit: (e, f) => e.emit(`${e.lo(f.R1!)} = ${extend(kind, e.lo(f.R2!))} >>> 0;`),
  };
}
/** RRE moves of the low word into all 64 bits. */
function move64(mnemonic: string, opcode: number, kind: Ext, signExtend: boolean): Generator {
  return {
    mnemonic,
    opcode,
    emit: (e, f) => {
      const v = e.tmp();
      e.emit(`${v} = ${extend(kind, e.lo(f.R2!))} >>> 0; ${e.hi(f.R1!)} = ${signExtend ? signWord(v) : '0'}; ${e.lo(f.R1!)} = ${v};`);
    },
  };
}
/** Storage loads into the low word (RX-a / RXY-a). */
function memory32(mnemonic: string, opcode: number, kind: Ext): Generator {
  return {
    mnemonic,
    opcode,
    emit: (e, f) => {
      const v = e.load(f.X2!, f.B2!, f.D2!, loadSize(kind));
      e.emit(`${e.lo(f.R1!)} = ${extend(kind, v)} >>> 0;`);
    },
  };
}
/** Storage loads into all 64 bits. */
function memory64(mnemonic: string, opcode: number, kind: Ext, signExtend: boolean): Generator {
  return {
    mnemonic,
    opcode,
    emit: (e, f) => {
      const raw = e.load(f.X2!, f.B2!, f.D2!, loadSize(kind));
      const v = e.tmp();
      e.emit(`${v} = ${extend(kind, raw)} >>> 0; ${e.hi(f.R1!)} = ${signExtend ? signWord(v) : '0'}; ${e.lo(f.R1!)} = ${v};`);
    },
  };
}
/** Stores of the low 1, 2 or 4 bytes, or all 8. */
function store(mnemonic: string, opcode: number, len: 1 | 2 | 4 | 8): Generator {
  return {
    mnemonic,
    opcode,
    emit: (e, f) => {
      const r1 = f.R1!;
      const v = e.tmp();
      if (len === 8) {
        const h = e.tmp();
        e.emit(`${h} = ${e.hi(r1)}; ${v} = ${e.lo(r1)};`);
        e.store(f.X2!, f.B2!, f.D2!, 8, v, h);
        return;
      }
      e.emit(`${v} = ${len === 4 ? e.lo(r1) : len === 2 ? `${e.lo(r1)} & 0xffff` : `${e.lo(r1)} & 0xff`};`);
      e.store(f.X2!, f.B2!, f.D2!, len, v);
    },
  };
}

/** LA / LAY: D(X,B) as the addressing mode's address in R1 (`setAddressReg`). */
function loadAddress(e: BlockEmitter, f: Fields): void {
  const x = f.X2!;
  const b = f.B2!;
  const regs = [x, b].filter((reg) => reg !== 0);
  const lows = [...regs.map((reg) => e.lo(reg)), String(f.D2!)].join(' + ');
  const r1 = f.R1!;
  if (e.amode !== 64) {
    e.emit(`${e.lo(r1)} = ((${lows}) & ${e.amode === 31 ? '0x7fffffff' : '0xffffff'}) >>> 0;`);
    return;
  }
  const lo = e.tmp();
  const hi = e.tmp();
  const highs = regs.length === 0 ? '0' : regs.map((reg) => e.hi(reg)).join(' + ');
  // The exact words: an access through R1 later computes its address (and page) from them.
  e.emit(`${lo} = ${lows}; ${hi} = (${highs} + Math.floor(${lo} / 4294967296)) >>> 0; ${e.hi(r1)} = ${hi}; ${e.lo(r1)} = ${lo} >>> 0;`);
}

/** Sets R1 to a constant address of the block's mode (`setAddressReg`). */
function setAddress(e: BlockEmitter, r1: number, address: number): void {
  if (e.amode === 64) {
    const hi = Math.floor(address / 4294967296);
    e.emit(`${e.hi(r1)} = ${hi >>> 0}; ${e.lo(r1)} = ${address - hi * 4294967296};`);
  } else e.emit(`${e.lo(r1)} = ${address};`);
}

/** FPR i's first byte in the vector registers (FPR i = bytes 16i..16i+7). */
const fpr = (i: number): number => 16 * i;
/** AFP-register control check of `checkFpr` for FPRs other than 0, 2, 4, 6: the semantics raise it. */
function fprCheck(e: BlockEmitter, reg: number, exec: unknown): void {
  if (reg <= 6 && (reg & 1) === 0) return;
  e.emit(`if ((cpu.cr[1] & 0x40000) === 0) { ${e.sync()}${e.semanticsCall(exec)} }`);
}

export const loadStoreGenerators: Generator[] = [
  move32('lr', 0x18, 'word'),
  {
    mnemonic: 'lgr',
    opcode: 0xb904,
    emit: (e, f) => e.emit(`${e.hi(f.R1!)} = ${e.hi(f.R2!)}; ${e.lo(f.R1!)} = ${e.lo(f.R2!)};`),
  },
  move64('lgfr', 0xb914, 'word', true),
  move64('llgfr', 0xb916, 'word', false),
  move32('lbr', 0xb926, 's8'),
  move64('lgbr', 0xb906, 's8', true),
  move32('lhr', 0xb927, 's16'),
  move64('lghr', 0xb907, 's16', true),
  move32('llcr', 0xb994, 'u8'),
  move64('llgcr', 0xb984, 'u8', false),
  move32('llhr', 0xb995, 'u16'),
  move64('llghr', 0xb985, 'u16', false),
  {
    mnemonic: 'ltr',
    opcode: 0x12,
    emit: (e, f) => {
      const v = e.tmp();
      e.emit(`${v} = ${e.lo(f.R2!)}; ${e.lo(f.R1!)} = ${v};`);
      e.setCc({ kind: 'cmp', x: `(${v} | 0)`, y: '0' });
    },
  },
  {
    mnemonic: 'ltgr',
    opcode: 0xb902,
    emit: (e, f) => {
      const h = e.tmp();
      const l = e.tmp();
      e.emit(`${h} = ${e.hi(f.R2!)}; ${l} = ${e.lo(f.R2!)}; ${e.hi(f.R1!)} = ${h}; ${e.lo(f.R1!)} = ${l};`);
      e.setCc({ kind: 'expr', e: ccSigned64(h, l) });
    },
  },
  {
    mnemonic: 'ltgfr',
    opcode: 0xb912,
    emit: (e, f) => {
      const v = e.tmp();
      e.emit(`${v} = ${e.lo(f.R2!)}; ${e.hi(f.R1!)} = ${signWord(v)}; ${e.lo(f.R1!)} = ${v};`);
      e.setCc({ kind: 'cmp', x: `(${v} | 0)`, y: '0' });
    },
  },
  // Immediates.
  { mnemonic: 'lhi', opcode: 0xa78, emit: (e, f) => e.emit(`${e.lo(f.R1!)} = ${signed(f.I2!, 16) >>> 0};`) },
  {
    mnemonic: 'lghi',
    opcode: 0xa79,
    emit: (e, f) => {
      const v = signed(f.I2!, 16);
      e.emit(`${e.hi(f.R1!)} = ${v < 0 ? 0xffffffff : 0}; ${e.lo(f.R1!)} = ${v >>> 0};`);
    },
  },
  {
    mnemonic: 'lgfi',
    opcode: 0xc01,
    emit: (e, f) => {
      const v = f.I2! | 0;
      e.emit(`${e.hi(f.R1!)} = ${v < 0 ? 0xffffffff : 0}; ${e.lo(f.R1!)} = ${v >>> 0};`);
    },
  },
  { mnemonic: 'llilf', opcode: 0xc0f, emit: (e, f) => e.emit(`${e.hi(f.R1!)} = 0; ${e.lo(f.R1!)} = ${f.I2! >>> 0};`) },
  { mnemonic: 'llihf', opcode: 0xc0e, emit: (e, f) => e.emit(`${e.hi(f.R1!)} = ${f.I2! >>> 0}; ${e.lo(f.R1!)} = 0;`) },
  { mnemonic: 'iilf', opcode: 0xc09, emit: (e, f) => e.emit(`${e.lo(f.R1!)} = ${f.I2! >>> 0};`) },
  { mnemonic: 'iihf', opcode: 0xc08, emit: (e, f) => e.emit(`${e.hi(f.R1!)} = ${f.I2! >>> 0};`) },
  { mnemonic: 'llill', opcode: 0xa5f, emit: (e, f) => e.emit(`${e.hi(f.R1!)} = 0; ${e.lo(f.R1!)} = ${f.I2! & 0xffff};`) },
  { mnemonic: 'iill', opcode: 0xa53, emit: (e, f) => e.emit(`${e.lo(f.R1!)} = ((${e.lo(f.R1!)} & 0xffff0000) | ${f.I2! & 0xffff}) >>> 0;`) },
  // Storage loads.
  memory32('l', 0x58, 'word'),
  memory32('ly', 0xe358, 'word'),
  memory32('lh', 0x48, 's16'),
  memory32('lhy', 0xe378, 's16'),
  memory32('lb', 0xe376, 's8'),
  memory32('llc', 0xe394, 'u8'),
  memory32('llh', 0xe395, 'u16'),
  memory64('lgf', 0xe314, 'word', true),
  memory64('llgf', 0xe316, 'word', false),
  memory64('lgh', 0xe315, 's16', true),
  memory64('lgb', 0xe377, 's8', true),
  memory64('llgc', 0xe390, 'u8', false),
  memory64('llgh', 0xe391, 'u16', false),
  {
    mnemonic: 'lg',
    opcode: 0xe304,
    emit: (e, f) => {
      const [h, l] = e.load64(f.X2!, f.B2!, f.D2!);
      e.emit(`${e.hi(f.R1!)} = ${h}; ${e.lo(f.R1!)} = ${l};`);
    },
  },
  {
    mnemonic: 'lt',
    opcode: 0xe312,
    emit: (e, f) => {
      const v = e.load(f.X2!, f.B2!, f.D2!, 4);
      e.emit(`${e.lo(f.R1!)} = ${v};`);
      e.setCc({ kind: 'cmp', x: `(${v} | 0)`, y: '0' });
    },
  },
  {
    mnemonic: 'ltg',
    opcode: 0xe302,
    emit: (e, f) => {
      const [h, l] = e.load64(f.X2!, f.B2!, f.D2!);
      e.emit(`${e.hi(f.R1!)} = ${h}; ${e.lo(f.R1!)} = ${l};`);
      e.setCc({ kind: 'expr', e: ccSigned64(h, l) });
    },
  },
  {
    mnemonic: 'ic',
    opcode: 0x43,
    emit: (e, f) => {
      const v = e.load(f.X2!, f.B2!, f.D2!, 1);
      e.emit(`${e.lo(f.R1!)} = ((${e.lo(f.R1!)} & 0xffffff00) | ${v}) >>> 0;`);
    },
  },
  {
    mnemonic: 'icy',
    opcode: 0xe373,
    emit: (e, f) => {
      const v = e.load(f.X2!, f.B2!, f.D2!, 1);
      e.emit(`${e.lo(f.R1!)} = ((${e.lo(f.R1!)} & 0xffffff00) | ${v}) >>> 0;`);
    },
  },
  // Stores.
  store('st', 0x50, 4),
  store('sty', 0xe350, 4),
  store('stg', 0xe324, 8),
  store('sth', 0x40, 2),
  store('sthy', 0xe370, 2),
  store('stc', 0x42, 1),
  store('stcy', 0xe372, 1),
  // Addresses.
  { mnemonic: 'la', opcode: 0x41, emit: loadAddress },
  { mnemonic: 'lay', opcode: 0xe371, emit: loadAddress },
  {
    mnemonic: 'larl',
    opcode: 0xc00,
    emit: (e, f, exec) => {
      const target = e.wrap(e.insn.address + 2 * (f.RI2! | 0));
      if (target === undefined) e.fallback(exec);
      else setAddress(e, f.R1!, target);
    },
  },
  // Conditional moves.
  {
    mnemonic: 'locr',
    opcode: 0xb9f2,
    emit: (e, f) => e.emit(`if (${e.condition(f.M3!)}) ${e.lo(f.R1!)} = ${e.lo(f.R2!)};`),
  },
  {
    mnemonic: 'locgr',
    opcode: 0xb9e2,
    emit: (e, f) => e.emit(`if (${e.condition(f.M3!)}) { ${e.hi(f.R1!)} = ${e.hi(f.R2!)}; ${e.lo(f.R1!)} = ${e.lo(f.R2!)}; }`),
  },
  // GPR ↔ FPR bit moves.
  {
    mnemonic: 'ldgr',
    opcode: 0xb3c1,
    emit: (e, f, exec) => {
      fprCheck(e, f.R1!, exec);
      e.emit(`vr.setUint32(${fpr(f.R1!)}, ${e.hi(f.R2!)}); vr.setUint32(${fpr(f.R1!) + 4}, ${e.lo(f.R2!)});`);
    },
  },
  {
    mnemonic: 'lgdr',
    opcode: 0xb3cd,
    emit: (e, f, exec) => {
      fprCheck(e, f.R2!, exec);
      e.emit(`${e.hi(f.R1!)} = vr.getUint32(${fpr(f.R2!)}); ${e.lo(f.R1!)} = vr.getUint32(${fpr(f.R2!) + 4});`);
    },
  },
];
