// Generators for the shifts and rotates of `isa/general/shift-rotate.ts`: single logical and
// arithmetic right shifts, 32/64-bit left logical shifts, ROTATE LEFT SINGLE LOGICAL and the
// rotate-then-insert/and/or/xor-selected-bits family. A shift amount from D2(B2) with B2 = 0 is a
// constant; otherwise it is the low 6 bits of the sum (the address computation's low bits).

import type { BlockEmitter, Fields } from '../emitter.js';
import { ccSigned64, type Generator } from './types.js';

/** The shift amount (0–63) as a constant or an expression. */
function amount(e: BlockEmitter, f: Fields): number | string {
  const b2 = f.B2!;
  if (b2 === 0) return f.D2! & 63;
  const t = e.tmp();
  e.emit(`${t} = (${e.lo(b2)} + ${f.D2!}) & 63;`);
  return t;
}

/** 32-bit shifts: R1 = source shifted (source R1 for RS-a, R3 for RSY-a). */
function shift32(mnemonic: string, opcode: number, kind: 'll' | 'rl' | 'ra', source: 'R1' | 'R3'): Generator {
  return {
    mnemonic,
    opcode,
    emit: (e, f) => {
      const n = amount(e, f);
      const src = e.lo(f[source]!);
      const dst = e.lo(f.R1!);
      if (kind === 'ra') {
        const v = e.tmp();
        e.emit(typeof n === 'number' ? `${v} = (${src} | 0) >> ${Math.min(n, 31)};` : `${v} = (${src} | 0) >> Math.min(${n}, 31);`);
        e.emit(`${dst} = ${v} >>> 0;`);
        e.setCc({ kind: 'cmp', x: v, y: '0' });
        return;
      }
      const op = kind === 'll' ? '<<' : '>>>';
      if (typeof n === 'number') e.emit(n >= 32 ? `${dst} = 0;` : `${dst} = (${src} ${op} ${n}) >>> 0;`);
      else e.emit(`${dst} = ${n} >= 32 ? 0 : (${src} ${op} ${n}) >>> 0;`);
    },
  };
}

/** 64-bit shifts and rotate (RSY-a): R1 = R3 shifted; `ra` sets the CC. */
function shift64(mnemonic: string, opcode: number, kind: 'll' | 'rl' | 'ra' | 'rot'): Generator {
  return {
    mnemonic,
    opcode,
    emit: (e, f) => {
      const n = amount(e, f);
      const h = e.tmp();
      const l = e.tmp();
      const H = e.tmp();
      const L = e.tmp();
      const k = e.tmp();
      e.emit(`${h} = ${e.hi(f.R3!)}; ${l} = ${e.lo(f.R3!)}; ${k} = ${n};`);
      switch (kind) {
        case 'll':
          e.emit(`if (${k} === 0) { ${H} = ${h}; ${L} = ${l}; } else if (${k} < 32) { ${H} = ((${h} << ${k}) | (${l} >>> (32 - ${k}))) >>> 0; ${L} = (${l} << ${k}) >>> 0; } else { ${H} = (${l} << (${k} - 32)) >>> 0; ${L} = 0; }`);
          break;
        case 'rl':
          e.emit(`if (${k} === 0) { ${H} = ${h}; ${L} = ${l}; } else if (${k} < 32) { ${L} = ((${l} >>> ${k}) | (${h} << (32 - ${k}))) >>> 0; ${H} = ${h} >>> ${k}; } else { ${L} = ${h} >>> (${k} - 32); ${H} = 0; }`);
          break;
        case 'ra':
          e.emit(
            `if (${k} === 0) { ${H} = ${h}; ${L} = ${l}; } else if (${k} < 32) { ${L} = ((${l} >>> ${k}) | (${h} << (32 - ${k}))) >>> 0; ${H} = (${h} >> ${k}) >>> 0; } else { ${L} = (${h} >> (${k} - 32)) >>> 0; ${H} = (${h} & 0x80000000) !== 0 ? 0xffffffff : 0; }`,
          );
          break;
        default:
          e.emit(
            `if (${k} >= 32) { ${H} = ${h}; ${h} = ${l}; ${l} = ${H}; ${k} -= 32; } if (${k} === 0) { ${H} = ${h}; ${L} = ${l}; } else { ${H} = ((${h} << ${k}) | (${l} >>> (32 - ${k}))) >>> 0; ${L} = ((${l} << ${k}) | (${h} >>> (32 - ${k}))) >>> 0; }`,
          );
      }
      e.emit(`${e.hi(f.R1!)} = ${H}; ${e.lo(f.R1!)} = ${L};`);
      if (kind === 'ra') e.setCc({ kind: 'expr', e: ccSigned64(H, L) });
    },
  };
}

/** Mask of MSB-0 bits start..end of a 32-bit word (start ≤ end, both 0–31). */
const range32 = (start: number, end: number): number => ((0xffffffff >>> start) & (0xffffffff << (31 - end))) >>> 0;
/** Mask of MSB-0 bits start..end of 64, wrapping when start > end: [high word, low word]. */
function range64(start: number, end: number): [number, number] {
  if (start <= end) return [start <= 31 ? range32(start, Math.min(end, 31)) : 0, end >= 32 ? range32(Math.max(start, 32) - 32, end - 32) : 0];
  const [h1, l1] = range64(start, 63);
  const [h2, l2] = range64(0, end);
  return [(h1 | h2) >>> 0, (l1 | l2) >>> 0];
}

/** RISBG(N), RNSBG, ROSBG, RXSBG with their constant positions and rotation folded in. */
function rotateSelected(mnemonic: string, opcode: number, op: 'insert' | 'and' | 'or' | 'xor', setsCc: boolean): Generator {
  return {
    mnemonic,
    opcode,
    emit: (e, f) => {
      const i3 = f.I3!;
      const i4 = f.I4!;
      const rot = f.I5! & 63;
      const [mh, ml] = range64(i3 & 63, i4 & 63);
      const src = [e.hi(f.R2!), e.lo(f.R2!)];
      // The rotated second operand as two expressions over temporaries.
      const h = e.tmp();
      const l = e.tmp();
      const [a, b] = rot >= 32 ? [src[1]!, src[0]!] : [src[0]!, src[1]!];
      const n = rot & 31;
      e.emit(`${h} = ${a}; ${l} = ${b};`);
      const H = n === 0 ? h : `((${h} << ${n}) | (${l} >>> ${32 - n}))`;
      const L = n === 0 ? l : `((${l} << ${n}) | (${h} >>> ${32 - n}))`;
      const oh = e.hi(f.R1!);
      const ol = e.lo(f.R1!);
      if (op === 'insert') {
        const zero = (i4 & 0x80) !== 0;
        const rh = e.tmp();
        const rl = e.tmp();
        e.emit(`${rh} = ((${H} & ${mh | 0})${zero || mh === 0xffffffff ? '' : ` | (${oh} & ${~mh})`}) >>> 0; ${rl} = ((${L} & ${ml | 0})${zero || ml === 0xffffffff ? '' : ` | (${ol} & ${~ml})`}) >>> 0;`);
        e.emit(`${oh} = ${rh}; ${ol} = ${rl};`);
        if (setsCc) e.setCc({ kind: 'expr', e: ccSigned64(rh, rl) });
        return;
      }
      const k = op === 'and' ? '&' : op === 'or' ? '|' : '^';
      const sh = e.tmp();
      const sl = e.tmp();
      e.emit(`${sh} = ((${oh} ${k} ${H}) & ${mh | 0}) >>> 0; ${sl} = ((${ol} ${k} ${L}) & ${ml | 0}) >>> 0;`);
      if ((i3 & 0x80) === 0) e.emit(`${oh} = (${sh} | (${oh} & ${~mh})) >>> 0; ${ol} = (${sl} | (${ol} & ${~ml})) >>> 0;`);
      e.setCc({ kind: 'nz', v: `(${sh} | ${sl})` });
    },
  };
}

export const shiftRotateGenerators: Generator[] = [
  shift32('sll', 0x89, 'll', 'R1'),
  shift32('srl', 0x88, 'rl', 'R1'),
  shift32('sra', 0x8a, 'ra', 'R1'),
  shift32('sllk', 0xebdf, 'll', 'R3'),
  shift32('srlk', 0xebde, 'rl', 'R3'),
  shift32('srak', 0xebdc, 'ra', 'R3'),
  shift64('sllg', 0xeb0d, 'll'),
  shift64('srlg', 0xeb0c, 'rl'),
  shift64('srag', 0xeb0a, 'ra'),
  shift64('rllg', 0xeb1c, 'rot'),
  {
    mnemonic: 'rll',
    opcode: 0xeb1d,
    emit: (e, f) => {
      const n = amount(e, f);
      const src = e.lo(f.R3!);
      const dst = e.lo(f.R1!);
      if (typeof n === 'number') {
        const k = n & 31;
        e.emit(k === 0 ? `${dst} = ${src};` : `${dst} = ((${src} << ${k}) | (${src} >>> ${32 - k})) >>> 0;`);
        return;
      }
      const v = e.tmp();
      const k = e.tmp();
      e.emit(`${v} = ${src}; ${k} = ${n} & 31; ${dst} = ${k} === 0 ? ${v} : ((${v} << ${k}) | (${v} >>> (32 - ${k}))) >>> 0;`);
    },
  },
  rotateSelected('risbg', 0xec55, 'insert', true),
  rotateSelected('risbgn', 0xec59, 'insert', false),
  rotateSelected('rnsbg', 0xec54, 'and', true),
  rotateSelected('rosbg', 0xec56, 'or', true),
  rotateSelected('rxsbg', 0xec57, 'xor', true),
];
