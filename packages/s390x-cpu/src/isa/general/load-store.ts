// Loads and stores of every width (PoO chapter 7): LOAD (with sign/zero extension, from
// registers, storage, immediates and relative-long addresses), LOAD AND TEST, LOAD COMPLEMENT /
// POSITIVE / NEGATIVE, LOAD REVERSED, INSERT IMMEDIATE / CHARACTER (UNDER MASK), STORE (CHARACTERS
// UNDER MASK), LOAD/STORE MULTIPLE, MOVE immediate, LOAD ADDRESS (RELATIVE LONG), load/store on
// condition, and COMPARE AND SWAP.

import type { CpuCore } from '../../core/cpu-core.js';
import { fI16, fI32, fI8, fM3, fR1, fR2, fR3, fRreR1, fRreR2, fRrfM3, fSilI2, fU16, fU32, type InsnA, type InsnB } from '../fields.js';
import type { InstructionDef } from '../types.js';
import { ccSigned32, ccSigned64, condAliases, def, eaRS, eaRSY, eaRX, eaRXY, eaSI, eaSIY, OUT_HI, OUT_LO, overflow, read64, setAddressReg, splitAddress, sx, TWO32 } from './alu.js';

const SIGN = 0x80000000;

/**
 * What a load takes from its source and how it extends it, the same for a register source (its
 * low word) and a storage operand (as many bytes as the kind takes): the whole word, a signed or
 * unsigned byte or halfword, the word byte-reversed, or its low 31 bits. A switch on a constant,
 * so calls stay monomorphic.
 */
type Extension = 'word' | 's8' | 's16' | 'u8' | 'u16' | 'reversed' | 't31';
function extend(kind: Extension, v: number): number {
  switch (kind) {
    case 'word':
      return v;
    case 's8':
      return (v << 24) >> 24;
    case 's16':
      return (v << 16) >> 16;
    case 'u8':
      return v & 0xff;
    case 'u16':
      return v & 0xffff;
    case 'reversed':
      return bswap32(v);
    default:
      return v & 0x7fffffff;
  }
}
/** The storage operand of a load of `kind`: only the bytes it takes are accessed. */
function load(kind: Extension, cpu: CpuCore, addr: number): number {
  switch (kind) {
    case 's8':
    case 'u8':
      return extend(kind, cpu.readU8(addr));
    case 's16':
    case 'u16':
      return extend(kind, cpu.readU16(addr));
    default:
      return extend(kind, cpu.readU32(addr));
  }
}

/** Register-to-register loads into the low word. */
function rr32(mnemonic: string, opcode: number, format: 'RR' | 'RRE', kind: Extension): InstructionDef {
  return format === 'RR'
    ? def(mnemonic, opcode, format, 'r:R1,r:R2', (cpu, a) => {
        cpu.r[2 * fR1(a) + 1] = extend(kind, cpu.r[2 * fR2(a) + 1]!) >>> 0;
      })
    : def(mnemonic, opcode, format, 'r:R1,r:R2', (cpu, a) => {
        cpu.r[2 * fRreR1(a) + 1] = extend(kind, cpu.r[2 * fRreR2(a) + 1]!) >>> 0;
      });
}
/** 64-bit target from the source's low word: `signed` sign-extends, else zero-extends. */
function rre64from32(mnemonic: string, opcode: number, kind: Extension, signed: boolean): InstructionDef {
  return def(mnemonic, opcode, 'RRE', 'r:R1,r:R2', (cpu, a) => {
    const v = extend(kind, cpu.r[2 * fRreR2(a) + 1]!);
    const i = 2 * fRreR1(a);
    cpu.r[i] = signed ? sx(v) : 0;
    cpu.r[i + 1] = v >>> 0;
  });
}
/** Loads from storage into the low word. */
function mem32(mnemonic: string, opcode: number, format: 'RX-a' | 'RXY-a', kind: Extension): InstructionDef {
  return format === 'RX-a'
    ? def(mnemonic, opcode, format, 'r:R1,dxb:2', (cpu, a) => {
        cpu.r[2 * fR1(a) + 1] = load(kind, cpu, eaRX(cpu, a)) >>> 0;
      })
    : def(mnemonic, opcode, format, 'r:R1,dxb:2', (cpu, a, b) => {
        cpu.r[2 * fR1(a) + 1] = load(kind, cpu, eaRXY(cpu, a, b)) >>> 0;
      });
}
/** Loads from storage into all 64 bits (sign- or zero-extended). */
function mem64(mnemonic: string, opcode: number, kind: Extension, signed: boolean): InstructionDef {
  return def(mnemonic, opcode, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    const v = load(kind, cpu, eaRXY(cpu, a, b));
    const i = 2 * fR1(a);
    cpu.r[i] = signed ? sx(v) : 0;
    cpu.r[i + 1] = v >>> 0;
  });
}

const bswap32 = (v: number): number => (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
const bswap16 = (v: number): number => ((v & 0xff) << 8) | ((v >>> 8) & 0xff);

/** Relative-long storage address (RIL-b): halfwords from this instruction. */
const relAddr = (cpu: CpuCore, a: InsnA<'RIL-b'>, b: InsnB<'RIL-b'>): number => cpu.relative(fI32(a, b));
/** A word (4) or doubleword (8) relative-long operand, which must be aligned. */
const relAligned = (cpu: CpuCore, a: InsnA<'RIL-b'>, b: InsnB<'RIL-b'>, size: 4 | 8): number => cpu.relativeAligned(fI32(a, b), size);

/** Stores the low `bytes` of the low word, or all 64 bits. */
function store(mnemonic: string, opcode: number, format: 'RX-a' | 'RXY-a', bytes: 1 | 2 | 4 | 8): InstructionDef {
  const put = (cpu: CpuCore, r1: number, addr: number): void => {
    const i = 2 * r1;
    if (bytes === 8) cpu.writeU64(addr, cpu.r[i]!, cpu.r[i + 1]!);
    else if (bytes === 4) cpu.writeU32(addr, cpu.r[i + 1]!);
    else if (bytes === 2) cpu.writeU16(addr, cpu.r[i + 1]! & 0xffff);
    else cpu.writeU8(addr, cpu.r[i + 1]! & 0xff);
  };
  return format === 'RX-a' ? def(mnemonic, opcode, format, 'r:R1,dxb:2', (cpu, a) => put(cpu, fR1(a), eaRX(cpu, a))) : def(mnemonic, opcode, format, 'r:R1,dxb:2', (cpu, a, b) => put(cpu, fR1(a), eaRXY(cpu, a, b)));
}

/** Insert/load 16 bits at halfword `pos` (0 = bits 0–15 … 3 = bits 48–63); `clear` zeroes the rest. */
function immediate16(mnemonic: string, opcode: number, pos: number, clear: boolean): InstructionDef {
  return def(mnemonic, opcode, 'RI-a', 'r:R1,u:I2', (cpu, a) => {
    const i = 2 * fR1(a) + (pos >>> 1);
    const v = fU16(a);
    if (clear) {
      cpu.r[2 * fR1(a)] = 0;
      cpu.r[2 * fR1(a) + 1] = 0;
    }
    cpu.r[i] = (pos & 1) === 0 ? ((cpu.r[i]! & 0xffff) | (v << 16)) >>> 0 : ((cpu.r[i]! & 0xffff0000) | v) >>> 0;
  });
}
/** Insert/load 32 bits into the high (`hi`) or low word; `clear` zeroes the other. */
function immediate32(mnemonic: string, opcode: number, hi: boolean, clear: boolean): InstructionDef {
  return def(mnemonic, opcode, 'RIL-a', 'r:R1,u:I2', (cpu, a, b) => {
    const i = 2 * fR1(a);
    const v = fU32(a, b);
    if (hi) {
      cpu.r[i] = v;
      if (clear) cpu.r[i + 1] = 0;
    } else {
      cpu.r[i + 1] = v;
      if (clear) cpu.r[i] = 0;
    }
  });
}

/** Byte positions selected by a 4-bit mask, leftmost first. */
function maskBytes(mask: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < 4; k++) if ((mask & (8 >>> k)) !== 0) out.push(k);
  return out;
}

/** ICM family: inserts the bytes at `addr` into the word `word` (0 high, 1 low) at mask positions; CC from the inserted bits. */
function insertUnderMask(cpu: CpuCore, reg: number, word: number, mask: number, addr: number): void {
  const positions = maskBytes(mask);
  if (positions.length === 0) {
    // A zero mask still accesses nothing but sets CC 0.
    cpu.cc = 0;
    return;
  }
  let v = cpu.r[2 * reg + word]!;
  let inserted = 0;
  let first = -1;
  positions.forEach((p, k) => {
    const byte = cpu.readU8(cpu.step(addr, k));
    if (first < 0) first = byte;
    inserted |= byte;
    const shift = 24 - 8 * p;
    v = ((v & ~(0xff << shift)) | (byte << shift)) >>> 0;
  });
  cpu.r[2 * reg + word] = v;
  cpu.cc = inserted === 0 ? 0 : (first & 0x80) !== 0 ? 1 : 2;
}
function storeUnderMask(cpu: CpuCore, reg: number, word: number, mask: number, addr: number): void {
  const positions = maskBytes(mask);
  const v = cpu.r[2 * reg + word]!;
  cpu.probe(addr, positions.length, true);
  positions.forEach((p, k) => cpu.writeU8(cpu.step(addr, k), (v >>> (24 - 8 * p)) & 0xff));
}

/** LM/STM over R1..R3 (wrapping at 15): `size` 4 → low words, 8 → whole registers, 'h' → high words. */
function multiple(mnemonic: string, opcode: number, format: 'RS-a' | 'RSY-a', loads: boolean, size: 4 | 8 | 'h'): InstructionDef {
  const transfer = (cpu: CpuCore, r1: number, r3: number, start: number): void => {
    const count = ((r3 - r1) & 15) + 1;
    const step = size === 8 ? 8 : 4;
    cpu.probe(start, count * step, !loads);
    if (loads) {
      // Read everything first: a base register may be among the targets.
      const words: number[] = [];
      for (let k = 0; k < count * (step / 4); k++) words.push(cpu.readU32(cpu.step(start, 4 * k)));
      for (let k = 0; k < count; k++) {
        const reg = (r1 + k) & 15;
        if (size === 8) {
          cpu.r[2 * reg] = words[2 * k]!;
          cpu.r[2 * reg + 1] = words[2 * k + 1]!;
        } else cpu.r[2 * reg + (size === 'h' ? 0 : 1)] = words[k]!;
      }
    } else {
      for (let k = 0; k < count; k++) {
        const reg = (r1 + k) & 15;
        if (size === 8) cpu.writeU64(cpu.step(start, 8 * k), cpu.r[2 * reg]!, cpu.r[2 * reg + 1]!);
        else cpu.writeU32(cpu.step(start, 4 * k), cpu.r[2 * reg + (size === 'h' ? 0 : 1)]!);
      }
    }
  };
  return format === 'RS-a'
    ? def(mnemonic, opcode, format, 'r:R1,r:R3,db:2', (cpu, a) => transfer(cpu, fR1(a), fR3(a), eaRS(cpu, a)))
    : def(mnemonic, opcode, format, 'r:R1,r:R3,db:2', (cpu, a, b) => transfer(cpu, fR1(a), fR3(a), eaRSY(cpu, a, b)));
}

/** Whether branch-style mask `m` selects the current CC. */
export const condition = (cpu: CpuCore, m: number): boolean => ((m << cpu.cc) & 8) !== 0;

export const loadStoreInstructions: InstructionDef[] = [
  // Register loads.
  rr32('lr', 0x18, 'RR', 'word'),
  def('lgr', 0xb904, 'RRE', 'r:R1,r:R2', (cpu, a) => {
    const i = 2 * fRreR1(a);
    const j = 2 * fRreR2(a);
    cpu.r[i] = cpu.r[j]!;
    cpu.r[i + 1] = cpu.r[j + 1]!;
  }),
  rre64from32('lgfr', 0xb914, 'word', true),
  rre64from32('llgfr', 0xb916, 'word', false),
  rre64from32('llgtr', 0xb917, 't31', false),
  rr32('lbr', 0xb926, 'RRE', 's8'),
  rre64from32('lgbr', 0xb906, 's8', true),
  rr32('lhr', 0xb927, 'RRE', 's16'),
  rre64from32('lghr', 0xb907, 's16', true),
  rr32('llcr', 0xb994, 'RRE', 'u8'),
  rre64from32('llgcr', 0xb984, 'u8', false),
  rr32('llhr', 0xb995, 'RRE', 'u16'),
  rre64from32('llghr', 0xb985, 'u16', false),
  rr32('lrvr', 0xb91f, 'RRE', 'reversed'),
  def('lrvgr', 0xb90f, 'RRE', 'r:R1,r:R2', (cpu, a) => {
    const j = 2 * fRreR2(a);
    const hi = bswap32(cpu.r[j + 1]!);
    const lo = bswap32(cpu.r[j]!);
    const i = 2 * fRreR1(a);
    cpu.r[i] = hi;
    cpu.r[i + 1] = lo;
  }),
  // Load and test, complement, positive, negative.
  def('ltr', 0x12, 'RR', 'r:R1,r:R2', (cpu, a) => {
    const v = cpu.r[2 * fR2(a) + 1]!;
    cpu.r[2 * fR1(a) + 1] = v;
    ccSigned32(cpu, v);
  }),
  def('ltgr', 0xb902, 'RRE', 'r:R1,r:R2', (cpu, a) => {
    const j = 2 * fRreR2(a);
    const i = 2 * fRreR1(a);
    const hi = cpu.r[j]!;
    const lo = cpu.r[j + 1]!;
    cpu.r[i] = hi;
    cpu.r[i + 1] = lo;
    ccSigned64(cpu, hi, lo);
  }),
  def('ltgfr', 0xb912, 'RRE', 'r:R1,r:R2', (cpu, a) => {
    const v = cpu.r[2 * fRreR2(a) + 1]!;
    const i = 2 * fRreR1(a);
    cpu.r[i] = sx(v);
    cpu.r[i + 1] = v;
    ccSigned32(cpu, v);
  }),
  def('lcr', 0x13, 'RR', 'r:R1,r:R2', (cpu, a) => {
    const v = cpu.r[2 * fR2(a) + 1]! | 0;
    cpu.r[2 * fR1(a) + 1] = -v >>> 0;
    if (v === -2147483648) overflow(cpu);
    else ccSigned32(cpu, -v);
  }),
  def('lpr', 0x10, 'RR', 'r:R1,r:R2', (cpu, a) => {
    const v = cpu.r[2 * fR2(a) + 1]! | 0;
    cpu.r[2 * fR1(a) + 1] = Math.abs(v) >>> 0;
    if (v === -2147483648) overflow(cpu);
    else cpu.cc = v === 0 ? 0 : 2;
  }),
  def('lnr', 0x11, 'RR', 'r:R1,r:R2', (cpu, a) => {
    const v = cpu.r[2 * fR2(a) + 1]! | 0;
    cpu.r[2 * fR1(a) + 1] = -Math.abs(v) >>> 0;
    cpu.cc = v === 0 ? 0 : 1;
  }),
  ...(
    [
      ['lcgr', 0xb903, 'c', false],
      ['lcgfr', 0xb913, 'c', true],
      ['lpgr', 0xb900, 'p', false],
      ['lpgfr', 0xb910, 'p', true],
      ['lngr', 0xb901, 'n', false],
      ['lngfr', 0xb911, 'n', true],
    ] as const
  ).map(([mn, op, kind, from32]) =>
    def(mn, op, 'RRE', 'r:R1,r:R2', (cpu, a) => {
      const j = 2 * fRreR2(a);
      const lo = cpu.r[j + 1]!;
      const hi = from32 ? sx(lo) : cpu.r[j]!;
      const negative = (hi & SIGN) !== 0;
      const negate = kind === 'c' || (kind === 'p' && negative) || (kind === 'n' && !negative);
      let rh = hi;
      let rl = lo;
      if (negate) {
        rl = (TWO32 - lo) % TWO32;
        rh = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
      }
      const i = 2 * fRreR1(a);
      cpu.r[i] = rh;
      cpu.r[i + 1] = rl;
      // Only the most negative 64-bit number overflows (it is its own complement).
      if (negate && hi === SIGN && lo === 0) overflow(cpu);
      else ccSigned64(cpu, rh, rl);
    }),
  ),
  // Storage loads.
  mem32('l', 0x58, 'RX-a', 'word'),
  mem32('ly', 0xe358, 'RXY-a', 'word'),
  def('lg', 0xe304, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    cpu.loadGpr64(fR1(a), eaRXY(cpu, a, b));
  }),
  mem64('lgf', 0xe314, 'word', true),
  mem64('llgf', 0xe316, 'word', false),
  mem64('llgt', 0xe317, 't31', false),
  mem32('lh', 0x48, 'RX-a', 's16'),
  mem32('lhy', 0xe378, 'RXY-a', 's16'),
  mem64('lgh', 0xe315, 's16', true),
  mem32('lb', 0xe376, 'RXY-a', 's8'),
  mem64('lgb', 0xe377, 's8', true),
  mem32('llc', 0xe394, 'RXY-a', 'u8'),
  mem64('llgc', 0xe390, 'u8', false),
  mem32('llh', 0xe395, 'RXY-a', 'u16'),
  mem64('llgh', 0xe391, 'u16', false),
  mem32('lrv', 0xe31e, 'RXY-a', 'reversed'),
  def('lrvh', 0xe31f, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    const i = 2 * fR1(a) + 1;
    cpu.r[i] = ((cpu.r[i]! & 0xffff0000) | bswap16(cpu.readU16(eaRXY(cpu, a, b)))) >>> 0;
  }),
  def('lrvg', 0xe30f, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    read64(cpu, eaRXY(cpu, a, b));
    const i = 2 * fR1(a);
    const hi = bswap32(OUT_LO);
    cpu.r[i + 1] = bswap32(OUT_HI);
    cpu.r[i] = hi;
  }),
  def('lt', 0xe312, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    const v = cpu.readU32(eaRXY(cpu, a, b));
    cpu.r[2 * fR1(a) + 1] = v;
    ccSigned32(cpu, v);
  }),
  def('ltg', 0xe302, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    read64(cpu, eaRXY(cpu, a, b));
    const i = 2 * fR1(a);
    cpu.r[i] = OUT_HI;
    cpu.r[i + 1] = OUT_LO;
    ccSigned64(cpu, OUT_HI, OUT_LO);
  }),
  def('ltgf', 0xe332, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    const v = cpu.readU32(eaRXY(cpu, a, b));
    const i = 2 * fR1(a);
    cpu.r[i] = sx(v);
    cpu.r[i + 1] = v;
    ccSigned32(cpu, v);
  }),
  // Immediates.
  def('lhi', 0xa78, 'RI-a', 'r:R1,s:I2', (cpu, a) => {
    cpu.r[2 * fR1(a) + 1] = fI16(a) >>> 0;
  }),
  def('lghi', 0xa79, 'RI-a', 'r:R1,s:I2', (cpu, a) => {
    const v = fI16(a);
    cpu.r[2 * fR1(a)] = sx(v);
    cpu.r[2 * fR1(a) + 1] = v >>> 0;
  }),
  def('lgfi', 0xc01, 'RIL-a', 'r:R1,s:I2', (cpu, a, b) => {
    const v = fI32(a, b);
    cpu.r[2 * fR1(a)] = sx(v);
    cpu.r[2 * fR1(a) + 1] = v >>> 0;
  }),
  immediate32('llilf', 0xc0f, false, true),
  immediate32('llihf', 0xc0e, true, true),
  immediate32('iilf', 0xc09, false, false),
  immediate32('iihf', 0xc08, true, false),
  immediate16('llihh', 0xa5c, 0, true),
  immediate16('llihl', 0xa5d, 1, true),
  immediate16('llilh', 0xa5e, 2, true),
  immediate16('llill', 0xa5f, 3, true),
  immediate16('iihh', 0xa50, 0, false),
  immediate16('iihl', 0xa51, 1, false),
  immediate16('iilh', 0xa52, 2, false),
  immediate16('iill', 0xa53, 3, false),
  // Relative-long loads and stores.
  def('lrl', 0xc4d, 'RIL-b', 'r:R1,rel:RI2', (cpu, a, b) => {
    cpu.r[2 * fR1(a) + 1] = cpu.readU32(relAligned(cpu, a, b, 4));
  }),
  def('lgrl', 0xc48, 'RIL-b', 'r:R1,rel:RI2', (cpu, a, b) => {
    cpu.loadGpr64(fR1(a), relAligned(cpu, a, b, 8));
  }),
  ...(
    [
      ['lgfrl', 0xc4c, 'word', true],
      ['llgfrl', 0xc4e, 'word', false],
      ['lghrl', 0xc44, 's16', true],
      ['llghrl', 0xc46, 'u16', false],
    ] as const
  ).map(([mn, op, kind, signed]) =>
    def(mn, op, 'RIL-b', 'r:R1,rel:RI2', (cpu, a, b) => {
      const v = load(kind, cpu, kind === 'word' ? relAligned(cpu, a, b, 4) : relAddr(cpu, a, b));
      cpu.r[2 * fR1(a)] = signed ? sx(v) : 0;
      cpu.r[2 * fR1(a) + 1] = v >>> 0;
    }),
  ),
  def('lhrl', 0xc45, 'RIL-b', 'r:R1,rel:RI2', (cpu, a, b) => {
    cpu.r[2 * fR1(a) + 1] = load('s16', cpu, relAddr(cpu, a, b)) >>> 0;
  }),
  def('llhrl', 0xc42, 'RIL-b', 'r:R1,rel:RI2', (cpu, a, b) => {
    cpu.r[2 * fR1(a) + 1] = load('u16', cpu, relAddr(cpu, a, b));
  }),
  def('strl', 0xc4f, 'RIL-b', 'r:R1,rel:RI2', (cpu, a, b) => {
    cpu.writeU32(relAligned(cpu, a, b, 4), cpu.r[2 * fR1(a) + 1]!);
  }),
  def('stgrl', 0xc4b, 'RIL-b', 'r:R1,rel:RI2', (cpu, a, b) => {
    cpu.storeGpr64(fR1(a), relAligned(cpu, a, b, 8));
  }),
  def('sthrl', 0xc47, 'RIL-b', 'r:R1,rel:RI2', (cpu, a, b) => {
    cpu.writeU16(relAddr(cpu, a, b), cpu.r[2 * fR1(a) + 1]! & 0xffff);
  }),
  // Stores.
  store('st', 0x50, 'RX-a', 4),
  store('sty', 0xe350, 'RXY-a', 4),
  def('stg', 0xe324, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    cpu.storeGpr64(fR1(a), eaRXY(cpu, a, b));
  }),
  store('sth', 0x40, 'RX-a', 2),
  store('sthy', 0xe370, 'RXY-a', 2),
  store('stc', 0x42, 'RX-a', 1),
  store('stcy', 0xe372, 'RXY-a', 1),
  def('strv', 0xe33e, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    cpu.writeU32(eaRXY(cpu, a, b), bswap32(cpu.r[2 * fR1(a) + 1]!));
  }),
  def('strvh', 0xe33f, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    cpu.writeU16(eaRXY(cpu, a, b), bswap16(cpu.r[2 * fR1(a) + 1]! & 0xffff));
  }),
  def('strvg', 0xe32f, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    const i = 2 * fR1(a);
    cpu.writeU64(eaRXY(cpu, a, b), bswap32(cpu.r[i + 1]!), bswap32(cpu.r[i]!));
  }),
  // Insert character, insert/store characters under mask.
  def('ic', 0x43, 'RX-a', 'r:R1,dxb:2', (cpu, a) => {
    const i = 2 * fR1(a) + 1;
    cpu.r[i] = ((cpu.r[i]! & 0xffffff00) | cpu.readU8(eaRX(cpu, a))) >>> 0;
  }),
  def('icy', 0xe373, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    const i = 2 * fR1(a) + 1;
    cpu.r[i] = ((cpu.r[i]! & 0xffffff00) | cpu.readU8(eaRXY(cpu, a, b))) >>> 0;
  }),
  def('icm', 0xbf, 'RS-b', 'r:R1,m:M3,db:2', (cpu, a) => insertUnderMask(cpu, fR1(a), 1, fM3(a), eaRS(cpu, a))),
  def('icmy', 0xeb81, 'RSY-b', 'r:R1,m:M3,db:2', (cpu, a, b) => insertUnderMask(cpu, fR1(a), 1, fM3(a), eaRSY(cpu, a, b))),
  def('icmh', 0xeb80, 'RSY-b', 'r:R1,m:M3,db:2', (cpu, a, b) => insertUnderMask(cpu, fR1(a), 0, fM3(a), eaRSY(cpu, a, b))),
  def('stcm', 0xbe, 'RS-b', 'r:R1,m:M3,db:2', (cpu, a) => storeUnderMask(cpu, fR1(a), 1, fM3(a), eaRS(cpu, a))),
  def('stcmy', 0xeb2d, 'RSY-b', 'r:R1,m:M3,db:2', (cpu, a, b) => storeUnderMask(cpu, fR1(a), 1, fM3(a), eaRSY(cpu, a, b))),
  def('stcmh', 0xeb2c, 'RSY-b', 'r:R1,m:M3,db:2', (cpu, a, b) => storeUnderMask(cpu, fR1(a), 0, fM3(a), eaRSY(cpu, a, b))),
  // Load / store multiple.
  multiple('lm', 0x98, 'RS-a', true, 4),
  multiple('lmy', 0xeb98, 'RSY-a', true, 4),
  multiple('lmg', 0xeb04, 'RSY-a', true, 8),
  multiple('lmh', 0xeb96, 'RSY-a', true, 'h'),
  multiple('stm', 0x90, 'RS-a', false, 4),
  multiple('stmy', 0xeb90, 'RSY-a', false, 4),
  multiple('stmg', 0xeb24, 'RSY-a', false, 8),
  multiple('stmh', 0xeb26, 'RSY-a', false, 'h'),
  // Move immediate.
  def('mvi', 0x92, 'SI', 'db:1,u:I2', (cpu, a) => cpu.writeU8(eaSI(cpu, a), fI8(a))),
  def('mviy', 0xeb52, 'SIY', 'db:1,u:I2', (cpu, a, b) => cpu.writeU8(eaSIY(cpu, a, b), fI8(a))),
  def('mvhhi', 0xe544, 'SIL', 'db:1,s:I2', (cpu, a, b) => cpu.writeU16(eaSI(cpu, a), fSilI2(b) & 0xffff)),
  def('mvhi', 0xe54c, 'SIL', 'db:1,s:I2', (cpu, a, b) => cpu.writeU32(eaSI(cpu, a), fSilI2(b) >>> 0)),
  def('mvghi', 0xe548, 'SIL', 'db:1,s:I2', (cpu, a, b) => {
    const v = fSilI2(b);
    cpu.writeU64(eaSI(cpu, a), sx(v), v >>> 0);
  }),
  // Load address.
  def('la', 0x41, 'RX-a', 'r:R1,dxb:2', (cpu, a) => {
    eaRX(cpu, a);
    setAddressReg(cpu, fR1(a), cpu.eaHi, cpu.eaLo);
  }),
  def('lay', 0xe371, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    eaRXY(cpu, a, b);
    setAddressReg(cpu, fR1(a), cpu.eaHi, cpu.eaLo);
  }),
  def('larl', 0xc00, 'RIL-b', 'r:R1,rel:RI2', (cpu, a, b) => {
    splitAddress(cpu, cpu.relative(fI32(a, b)));
    setAddressReg(cpu, fR1(a), OUT_HI, OUT_LO);
  }),
  // Load / store on condition.
  def(
    'locr',
    0xb9f2,
    'RRF-c',
    'r:R1,r:R2,m:M3',
    (cpu, a) => {
      if (condition(cpu, fRrfM3(a))) cpu.r[2 * fRreR1(a) + 1] = cpu.r[2 * fRreR2(a) + 1]!;
    },
    condAliases('locr', 'M3', 'r:R1,r:R2'),
  ),
  def(
    'locgr',
    0xb9e2,
    'RRF-c',
    'r:R1,r:R2,m:M3',
    (cpu, a) => {
      if (condition(cpu, fRrfM3(a))) {
        const i = 2 * fRreR1(a);
        const j = 2 * fRreR2(a);
        cpu.r[i] = cpu.r[j]!;
        cpu.r[i + 1] = cpu.r[j + 1]!;
      }
    },
    condAliases('locgr', 'M3', 'r:R1,r:R2'),
  ),
  def(
    'loc',
    0xebf2,
    'RSY-b',
    'r:R1,db:2,m:M3',
    (cpu, a, b) => {
      if (condition(cpu, fM3(a))) cpu.r[2 * fR1(a) + 1] = cpu.readU32(eaRSY(cpu, a, b));
    },
    condAliases('loc', 'M3', 'r:R1,db:2'),
  ),
  def(
    'locg',
    0xebe2,
    'RSY-b',
    'r:R1,db:2,m:M3',
    (cpu, a, b) => {
      if (condition(cpu, fM3(a))) cpu.loadGpr64(fR1(a), eaRSY(cpu, a, b));
    },
    condAliases('locg', 'M3', 'r:R1,db:2'),
  ),
  def(
    'stoc',
    0xebf3,
    'RSY-b',
    'r:R1,db:2,m:M3',
    (cpu, a, b) => {
      if (condition(cpu, fM3(a))) cpu.writeU32(eaRSY(cpu, a, b), cpu.r[2 * fR1(a) + 1]!);
    },
    condAliases('stoc', 'M3', 'r:R1,db:2'),
  ),
  def(
    'stocg',
    0xebe3,
    'RSY-b',
    'r:R1,db:2,m:M3',
    (cpu, a, b) => {
      if (condition(cpu, fM3(a))) cpu.storeGpr64(fR1(a), eaRSY(cpu, a, b));
    },
    condAliases('stocg', 'M3', 'r:R1,db:2'),
  ),
  def(
    'lochi',
    0xec42,
    'RIE-g',
    'r:R1,s:I2,m:M3',
    (cpu, a) => {
      if (condition(cpu, fM3(a))) cpu.r[2 * fR1(a) + 1] = fI16(a) >>> 0;
    },
    condAliases('lochi', 'M3', 'r:R1,s:I2'),
  ),
  def(
    'locghi',
    0xec46,
    'RIE-g',
    'r:R1,s:I2,m:M3',
    (cpu, a) => {
      if (condition(cpu, fM3(a))) {
        const v = fI16(a);
        cpu.r[2 * fR1(a)] = sx(v);
        cpu.r[2 * fR1(a) + 1] = v >>> 0;
      }
    },
    condAliases('locghi', 'M3', 'r:R1,s:I2'),
  ),
  // LOAD LENGTHENED (HFP short → long) only appends 32 zero bits; gcc uses it to move a 32-bit
  // integer into an FPR as a spill slot.
  def('lde', 0xed24, 'RXE', 'f:R1,dxb:2', (cpu, a) => {
    const f1 = fR1(a);
    cpu.checkFpr(f1);
    const v = cpu.readU32(eaRX(cpu, a));
    cpu.vrView.setUint32(16 * f1, v);
    cpu.vrView.setUint32(16 * f1 + 4, 0);
  }),
  // Compare and swap (interlocked update; one CPU here, so a plain compare-and-store).
  def('cs', 0xba, 'RS-a', 'r:R1,r:R3,db:2', (cpu, a) => compareAndSwap32(cpu, fR1(a), fR3(a), eaRS(cpu, a))),
  def('csy', 0xeb14, 'RSY-a', 'r:R1,r:R3,db:2', (cpu, a, b) => compareAndSwap32(cpu, fR1(a), fR3(a), eaRSY(cpu, a, b))),
  def('csg', 0xeb30, 'RSY-a', 'r:R1,r:R3,db:2', (cpu, a, b) => {
    const addr = eaRSY(cpu, a, b);
    cpu.requireSpec(addr % 8 === 0);
    read64(cpu, addr);
    const i = 2 * fR1(a);
    if (OUT_HI === cpu.r[i] && OUT_LO === cpu.r[i + 1]) {
      const k = 2 * fR3(a);
      cpu.writeU64(addr, cpu.r[k]!, cpu.r[k + 1]!);
      cpu.cc = 0;
    } else {
      cpu.r[i] = OUT_HI;
      cpu.r[i + 1] = OUT_LO;
      cpu.cc = 1;
    }
  }),
];

function compareAndSwap32(cpu: CpuCore, r1: number, r3: number, addr: number): void {
  cpu.requireSpec(addr % 4 === 0);
  const v = cpu.readU32(addr);
  if (v === cpu.r[2 * r1 + 1]) {
    cpu.writeU32(addr, cpu.r[2 * r3 + 1]!);
    cpu.cc = 0;
  } else {
    cpu.r[2 * r1 + 1] = v;
    cpu.cc = 1;
  }
}
