// Generators for AND, OR and EXCLUSIVE OR (register, three-operand, storage and immediate forms
// of `isa/general/logical.ts`): CC 0 when the result is zero, else 1, left pending.

import type { BlockEmitter } from '../emitter.js';
import type { Generator } from './types.js';

type Kind = '&' | '|' | '^';

function set32(e: BlockEmitter, r1: number, value: string): void {
  const v = e.tmp();
  e.emit(`${v} = (${value}) >>> 0; ${e.lo(r1)} = ${v};`);
  e.setCc({ kind: 'nz', v });
}
function set64(e: BlockEmitter, r1: number, high: string, low: string): void {
  const h = e.tmp();
  const l = e.tmp();
  e.emit(`${h} = (${high}) >>> 0; ${l} = (${low}) >>> 0; ${e.hi(r1)} = ${h}; ${e.lo(r1)} = ${l};`);
  e.setCc({ kind: 'nz', v: `(${h} | ${l})` });
}

function family(k: Kind, n: { rr: [string, number]; rx: [string, number]; rxy: [string, number]; rrk: [string, number]; gr: [string, number]; g: [string, number]; grk: [string, number] }): Generator[] {
  return [
    { mnemonic: n.rr[0], opcode: n.rr[1], emit: (e, f) => set32(e, f.R1!, `${e.lo(f.R1!)} ${k} ${e.lo(f.R2!)}`) },
    {
      mnemonic: n.rx[0],
      opcode: n.rx[1],
      emit: (e, f) => {
        const y = e.load(f.X2!, f.B2!, f.D2!, 4);
        set32(e, f.R1!, `${e.lo(f.R1!)} ${k} ${y}`);
      },
    },
    {
      mnemonic: n.rxy[0],
      opcode: n.rxy[1],
      emit: (e, f) => {
        const y = e.load(f.X2!, f.B2!, f.D2!, 4);
        set32(e, f.R1!, `${e.lo(f.R1!)} ${k} ${y}`);
      },
    },
    { mnemonic: n.rrk[0], opcode: n.rrk[1], emit: (e, f) => set32(e, f.R1!, `${e.lo(f.R2!)} ${k} ${e.lo(f.R3!)}`) },
    { mnemonic: n.gr[0], opcode: n.gr[1], emit: (e, f) => set64(e, f.R1!, `${e.hi(f.R1!)} ${k} ${e.hi(f.R2!)}`, `${e.lo(f.R1!)} ${k} ${e.lo(f.R2!)}`) },
    {
      mnemonic: n.g[0],
      opcode: n.g[1],
      emit: (e, f) => {
        const [h, l] = e.load64(f.X2!, f.B2!, f.D2!);
        set64(e, f.R1!, `${e.hi(f.R1!)} ${k} ${h}`, `${e.lo(f.R1!)} ${k} ${l}`);
      },
    },
    { mnemonic: n.grk[0], opcode: n.grk[1], emit: (e, f) => set64(e, f.R1!, `${e.hi(f.R2!)} ${k} ${e.hi(f.R3!)}`, `${e.lo(f.R2!)} ${k} ${e.lo(f.R3!)}`) },
  ];
}

/** Immediate forms on a word (`high`: bits 0–31). */
function immediate32(mnemonic: string, opcode: number, k: Kind, high: boolean): Generator {
  return {
    mnemonic,
    opcode,
    emit: (e, f) => {
      const word = high ? e.hi(f.R1!) : e.lo(f.R1!);
      const v = e.tmp();
      e.emit(`${v} = (${word} ${k} ${f.I2! >>> 0}) >>> 0; ${word} = ${v};`);
      e.setCc({ kind: 'nz', v });
    },
  };
}
/** Immediate forms on a halfword (`pos` 0 = bits 0–15 … 3 = bits 48–63): CC from those 16 bits. */
function immediate16(mnemonic: string, opcode: number, k: Kind, pos: number): Generator {
  return {
    mnemonic,
    opcode,
    emit: (e, f) => {
      const word = pos < 2 ? e.hi(f.R1!) : e.lo(f.R1!);
      const highHalf = (pos & 1) === 0;
      const v = e.tmp();
      const i2 = f.I2! & 0xffff;
      if (highHalf) e.emit(`${v} = ((${word} >>> 16) ${k} ${i2}) & 0xffff; ${word} = ((${word} & 0xffff) | (${v} << 16)) >>> 0;`);
      else e.emit(`${v} = ((${word} & 0xffff) ${k} ${i2}) & 0xffff; ${word} = ((${word} & 0xffff0000) | ${v}) >>> 0;`);
      e.setCc({ kind: 'nz', v });
    },
  };
}

export const logicalGenerators: Generator[] = [
  ...family('&', { rr: ['nr', 0x14], rx: ['n', 0x54], rxy: ['ny', 0xe354], rrk: ['nrk', 0xb9f4], gr: ['ngr', 0xb980], g: ['ng', 0xe380], grk: ['ngrk', 0xb9e4] }),
  ...family('|', { rr: ['or', 0x16], rx: ['o', 0x56], rxy: ['oy', 0xe356], rrk: ['ork', 0xb9f6], gr: ['ogr', 0xb981], g: ['og', 0xe381], grk: ['ogrk', 0xb9e6] }),
  ...family('^', { rr: ['xr', 0x17], rx: ['x', 0x57], rxy: ['xy', 0xe357], rrk: ['xrk', 0xb9f7], gr: ['xgr', 0xb982], g: ['xg', 0xe382], grk: ['xgrk', 0xb9e7] }),
  immediate16('nihh', 0xa54, '&', 0),
  immediate16('nihl', 0xa55, '&', 1),
  immediate16('nilh', 0xa56, '&', 2),
  immediate16('nill', 0xa57, '&', 3),
  immediate16('oihh', 0xa58, '|', 0),
  immediate16('oihl', 0xa59, '|', 1),
  immediate16('oilh', 0xa5a, '|', 2),
  immediate16('oill', 0xa5b, '|', 3),
  immediate32('nihf', 0xc0a, '&', true),
  immediate32('nilf', 0xc0b, '&', false),
  immediate32('oihf', 0xc0c, '|', true),
  immediate32('oilf', 0xc0d, '|', false),
  immediate32('xihf', 0xc06, '^', true),
  immediate32('xilf', 0xc07, '^', false),
];
