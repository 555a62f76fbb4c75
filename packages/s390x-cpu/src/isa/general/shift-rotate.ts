// Shifts and rotates (PoO chapter 7): SHIFT LEFT/RIGHT SINGLE/DOUBLE (logical and arithmetic),
// the 64-bit and distinct-operand forms, ROTATE LEFT SINGLE LOGICAL, and the rotate-then-
// insert/and/or/xor-selected-bits family (RISBG, RISBGN, RNSBG, ROSBG, RXSBG). The shift amount
// is the low 6 bits of the D2(B2) address.

import type { CpuCore } from '../../core/cpu-core.js';
import { fB2, fD2, fD20, fI3, fI4, fI5, fR1, fR2, fR3, type InsnA, type InsnB } from '../fields.js';
import type { InstructionDef } from '../types.js';
import { ccSigned32, ccSigned64, def, eaLow, eaRS, eaRSY, overflow } from './alu.js';

const SIGN = 0x80000000;

/** Shift amount of RS formats: the low 6 bits of D2(B2), without an address computation when B2 = 0. */
function amountRS(cpu: CpuCore, a: InsnA<'RS-a'>): number {
  const b2 = fB2(a);
  if (b2 === 0) return fD2(a) & 63;
  eaRS(cpu, a);
  return eaLow(cpu) & 63;
}
/** The same for RSY formats (20-bit displacement; its low 6 bits are DL's). */
function amountRSY(cpu: CpuCore, a: InsnA<'RSY-a'>, b: InsnB<'RSY-a'>): number {
  const b2 = fB2(a);
  if (b2 === 0) return fD20(a, b) & 63;
  eaRSY(cpu, a, b);
  return eaLow(cpu) & 63;
}

// ---- 64-bit shifts on halves; results in H / L ----
let H = 0;
let L = 0;

function shl64(hi: number, lo: number, n: number): void {
  if (n === 0) {
    H = hi;
    L = lo;
  } else if (n < 32) {
    H = ((hi << n) | (lo >>> (32 - n))) >>> 0;
    L = (lo << n) >>> 0;
  } else {
    H = (lo << (n - 32)) >>> 0;
    L = 0;
  }
}
function shr64(hi: number, lo: number, n: number, arithmetic: boolean): void {
  const fill = arithmetic && (hi & SIGN) !== 0 ? 0xffffffff : 0;
  if (n === 0) {
    H = hi;
    L = lo;
  } else if (n < 32) {
    L = ((lo >>> n) | (hi << (32 - n))) >>> 0;
    H = arithmetic ? (hi >> n) >>> 0 : hi >>> n;
  } else {
    L = arithmetic ? (hi >> (n - 32)) >>> 0 : hi >>> (n - 32);
    H = fill;
  }
}
function rotl64(hi: number, lo: number, n: number): void {
  if (n >= 32) {
    const t = hi;
    hi = lo;
    lo = t;
    n -= 32;
  }
  if (n === 0) {
    H = hi;
    L = lo;
  } else {
    H = ((hi << n) | (lo >>> (32 - n))) >>> 0;
    L = ((lo << n) | (hi >>> (32 - n))) >>> 0;
  }
}

/**
 * Arithmetic left shift of a 64-bit value by `n`: the sign stays, the other 63 bits shift; overflow
 * when a bit unlike the sign is shifted out. Result in H/L; returns overflow.
 */
function sla64(hi: number, lo: number, n: number): boolean {
  const sign = hi & SIGN;
  // Bits 1..n (MSB-0) must all equal the sign for no overflow.
  let ovf = false;
  for (let k = 1; k <= n && k < 64; k++) {
    const bit = k < 32 ? (hi >>> (31 - k)) & 1 : (lo >>> (63 - k)) & 1;
    if (bit !== (sign ? 1 : 0)) {
      ovf = true;
      break;
    }
  }
  shl64(hi, lo, n);
  H = ((H & 0x7fffffff) | sign) >>> 0;
  return ovf;
}

/** Register-pair value: R1 low word (high 32 bits) and R1+1 low word (low 32 bits). */
function pairGet(cpu: CpuCore, r1: number): [number, number] {
  cpu.requireSpec((r1 & 1) === 0);
  return [cpu.r[2 * r1 + 1]!, cpu.r[2 * r1 + 3]!];
}
function pairSet(cpu: CpuCore, r1: number, hi: number, lo: number): void {
  cpu.r[2 * r1 + 1] = hi;
  cpu.r[2 * r1 + 3] = lo;
}

/** 32-bit single shifts (RS-a: R1 in place; RSY-a with K: R1 = R3 shifted). */
function single32(mnemonic: string, opcode: number, format: 'RS-a' | 'RSY-a', kind: 'll' | 'rl' | 'la' | 'ra'): InstructionDef {
  const shift = (cpu: CpuCore, n: number, src: number, dst: number): void => {
    switch (kind) {
      case 'll':
        cpu.r[dst] = n >= 32 ? 0 : (src << n) >>> 0;
        break;
      case 'rl':
        cpu.r[dst] = n >= 32 ? 0 : src >>> n;
        break;
      case 'ra': {
        const v = (src | 0) >> Math.min(n, 31);
        cpu.r[dst] = v >>> 0;
        ccSigned32(cpu, v);
        break;
      }
      case 'la': {
        const ovf = sla64(src, 0, n);
        cpu.r[dst] = H;
        if (ovf) overflow(cpu);
        else ccSigned32(cpu, H);
        break;
      }
    }
  };
  return format === 'RS-a'
    ? def(mnemonic, opcode, format, 'r:R1,db:2', (cpu, a) => shift(cpu, amountRS(cpu, a), cpu.r[2 * fR1(a) + 1]!, 2 * fR1(a) + 1))
    : def(mnemonic, opcode, format, 'r:R1,r:R3,db:2', (cpu, a, b) => shift(cpu, amountRSY(cpu, a, b), cpu.r[2 * fR3(a) + 1]!, 2 * fR1(a) + 1));
}

/** 64-bit shifts (RSY-a: R1 = R3 shifted). */
function single64(mnemonic: string, opcode: number, kind: 'll' | 'rl' | 'la' | 'ra' | 'rot'): InstructionDef {
  return def(mnemonic, opcode, 'RSY-a', 'r:R1,r:R3,db:2', (cpu, a, b) => {
    const n = amountRSY(cpu, a, b);
    const j = 2 * fR3(a);
    const hi = cpu.r[j]!;
    const lo = cpu.r[j + 1]!;
    let ovf = false;
    if (kind === 'll') shl64(hi, lo, n);
    else if (kind === 'rl') shr64(hi, lo, n, false);
    else if (kind === 'ra') shr64(hi, lo, n, true);
    else if (kind === 'rot') rotl64(hi, lo, n);
    else ovf = sla64(hi, lo, n);
    const i = 2 * fR1(a);
    cpu.r[i] = H;
    cpu.r[i + 1] = L;
    if (kind === 'la' || kind === 'ra') {
      if (ovf) overflow(cpu);
      else ccSigned64(cpu, H, L);
    }
  });
}

/** Double shifts on the even/odd pair R1, R1+1 (low words). */
function double(mnemonic: string, opcode: number, kind: 'll' | 'rl' | 'la' | 'ra'): InstructionDef {
  return def(mnemonic, opcode, 'RS-a', 'r:R1,db:2', (cpu, a) => {
    const n = amountRS(cpu, a);
    const r1 = fR1(a);
    const [hi, lo] = pairGet(cpu, r1);
    let ovf = false;
    if (kind === 'll') shl64(hi, lo, n);
    else if (kind === 'rl') shr64(hi, lo, n, false);
    else if (kind === 'ra') shr64(hi, lo, n, true);
    else ovf = sla64(hi, lo, n);
    pairSet(cpu, r1, H, L);
    if (kind === 'la' || kind === 'ra') {
      if (ovf) overflow(cpu);
      else ccSigned64(cpu, H, L);
    }
  });
}

/** Mask of MSB-0 bits start..end of a 32-bit word (start ≤ end, both 0–31). */
function range32(start: number, end: number): number {
  return ((0xffffffff >>> start) & (0xffffffff << (31 - end))) >>> 0;
}
let MH = 0;
let ML = 0;
/** Mask of MSB-0 bits start..end of 64 (wrapping around when start > end) into MH/ML. */
function range64(start: number, end: number): void {
  if (start <= end) {
    MH = start <= 31 ? range32(start, Math.min(end, 31)) : 0;
    ML = end >= 32 ? range32(Math.max(start, 32) - 32, end - 32) : 0;
  } else {
    range64(start, 63);
    const h = MH;
    const l = ML;
    range64(0, end);
    MH = (MH | h) >>> 0;
    ML = (ML | l) >>> 0;
  }
}

/** Precomputed masks for every (start, end) pair: index start * 64 + end. */
const MASK_HI = new Uint32Array(64 * 64);
const MASK_LO = new Uint32Array(64 * 64);
for (let start = 0; start < 64; start++) {
  for (let end = 0; end < 64; end++) {
    range64(start, end);
    MASK_HI[start * 64 + end] = MH;
    MASK_LO[start * 64 + end] = ML;
  }
}

type SelectOp = 'insert' | 'and' | 'or' | 'xor';
/**
 * Rotate R2 left by I5, then combine the bits I3..I4 with R1. RISBG(N): insert (I4 bit 0 zeroes the
 * other bits); RNSBG/ROSBG/RXSBG: and/or/xor the selected bits (I3 bit 0 = test only), CC 0 when
 * the selected result bits are zero, else 1.
 */
function rotateSelected(mnemonic: string, opcode: number, op: SelectOp, setsCc: boolean): InstructionDef {
  return def(mnemonic, opcode, 'RIE-f', 'r:R1,r:R2,u:I3,u:I4,u:I5', (cpu, a, b) => {
    const i3 = fI3(a);
    const i4 = fI4(a);
    const j = 2 * fR2(a);
    rotl64(cpu.r[j]!, cpu.r[j + 1]!, fI5(b) & 63);
    const m = (i3 & 63) * 64 + (i4 & 63);
    const MH = MASK_HI[m]!;
    const ML = MASK_LO[m]!;
    const i = 2 * fR1(a);
    const oh = cpu.r[i]!;
    const ol = cpu.r[i + 1]!;
    if (op === 'insert') {
      const zero = (i4 & 0x80) !== 0;
      const rh = ((H & MH) | (zero ? 0 : oh & ~MH)) >>> 0;
      const rl = ((L & ML) | (zero ? 0 : ol & ~ML)) >>> 0;
      cpu.r[i] = rh;
      cpu.r[i + 1] = rl;
      if (setsCc) ccSigned64(cpu, rh, rl);
      return;
    }
    const fh = op === 'and' ? oh & H : op === 'or' ? oh | H : oh ^ H;
    const fl = op === 'and' ? ol & L : op === 'or' ? ol | L : ol ^ L;
    const sh = (fh & MH) >>> 0;
    const sl = (fl & ML) >>> 0;
    cpu.cc = (sh | sl) === 0 ? 0 : 1;
    if ((i3 & 0x80) === 0) {
      cpu.r[i] = (sh | (oh & ~MH)) >>> 0;
      cpu.r[i + 1] = (sl | (ol & ~ML)) >>> 0;
    }
  });
}

/**
 * objdump shows RISBG(N) with the zero-remaining-bits flag (I4 bit 0) set and bit 1 clear as
 * `risbgz`/`risbgnz`, printing only I4's 6-bit end position.
 */
function withZeroFlagAlias(entry: InstructionDef): InstructionDef {
  return { ...entry, aliases: [{ mnemonic: `${entry.mnemonic}z`, when: {}, whenMasked: { I4: [0xc0, 0x80] }, operands: 'r:R1,r:R2,u:I3,u6:I4,u:I5' }] };
}

export const shiftRotateInstructions: InstructionDef[] = [
  single32('sll', 0x89, 'RS-a', 'll'),
  single32('srl', 0x88, 'RS-a', 'rl'),
  single32('sla', 0x8b, 'RS-a', 'la'),
  single32('sra', 0x8a, 'RS-a', 'ra'),
  single32('sllk', 0xebdf, 'RSY-a', 'll'),
  single32('srlk', 0xebde, 'RSY-a', 'rl'),
  single32('slak', 0xebdd, 'RSY-a', 'la'),
  single32('srak', 0xebdc, 'RSY-a', 'ra'),
  single64('sllg', 0xeb0d, 'll'),
  single64('srlg', 0xeb0c, 'rl'),
  single64('slag', 0xeb0b, 'la'),
  single64('srag', 0xeb0a, 'ra'),
  single64('rllg', 0xeb1c, 'rot'),
  def('rll', 0xeb1d, 'RSY-a', 'r:R1,r:R3,db:2', (cpu, a, b) => {
    const n = amountRSY(cpu, a, b) & 31;
    const v = cpu.r[2 * fR3(a) + 1]!;
    cpu.r[2 * fR1(a) + 1] = n === 0 ? v : ((v << n) | (v >>> (32 - n))) >>> 0;
  }),
  double('sldl', 0x8d, 'll'),
  double('srdl', 0x8c, 'rl'),
  double('slda', 0x8f, 'la'),
  double('srda', 0x8e, 'ra'),
  withZeroFlagAlias(rotateSelected('risbg', 0xec55, 'insert', true)),
  withZeroFlagAlias(rotateSelected('risbgn', 0xec59, 'insert', false)),
  rotateSelected('rnsbg', 0xec54, 'and', true),
  rotateSelected('rosbg', 0xec56, 'or', true),
  rotateSelected('rxsbg', 0xec57, 'xor', true),
];
