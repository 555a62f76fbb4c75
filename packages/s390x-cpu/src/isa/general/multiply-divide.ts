// MULTIPLY and DIVIDE (PoO chapter 7): single-width products (MS*, MH*, MGHI), double-width
// products into an even/odd register pair (M, MR, MFY, ML*, MLG*), and the divides with quotient
// and remainder in a pair (D, DR, DL*, DSG*). A zero divisor or a quotient that does not fit
// raises a fixed-point-divide exception and leaves the registers unchanged.

import type { CpuCore } from '../../core/cpu-core.js';
import { PGM_FIXED_POINT_DIVIDE } from '../../core/exceptions.js';
import { fI16, fI32, fR1, fR2, fRreR1, fRreR2, type InsnA, type InsnB } from '../fields.js';
import type { Format } from '../formats.js';
import type { InstructionDef } from '../types.js';
import { big64s, big64u, def, eaRX, eaRXY, mulLow64, mulU32, OUT_HI, OUT_LO, read64, setGprBig, sx } from './alu.js';

/** A storage or register second operand fetcher. */
type Fetch32<F extends Format> = (cpu: CpuCore, a: InsnA<F>, b: InsnB<F>) => number;
const regRR: Fetch32<'RR'> = (cpu, a) => cpu.r[2 * fR2(a) + 1]!;
const regRRE: Fetch32<'RRE'> = (cpu, a) => cpu.r[2 * fRreR2(a) + 1]!;
const memRX: Fetch32<'RX-a'> = (cpu, a) => cpu.readU32(eaRX(cpu, a));
const memRXY: Fetch32<'RXY-a'> = (cpu, a, b) => cpu.readU32(eaRXY(cpu, a, b));
const half = (v: number): number => (v << 16) >> 16;

function evenPair(cpu: CpuCore, r1: number): void {
  cpu.requireSpec((r1 & 1) === 0);
}

/** R1 (low word) × operand, low 32 bits kept; no CC. */
function mul32<F extends 'RRE' | 'RX-a' | 'RXY-a' | 'RIL-a' | 'RI-a'>(mnemonic: string, opcode: number, format: F, fetch: Fetch32<NoInfer<F>>, r1Of: (a: InsnA<NoInfer<F>>) => number, operands: string): InstructionDef {
  return def(mnemonic, opcode, format, operands, (cpu, a, b) => {
    const i = 2 * r1Of(a) + 1;
    cpu.r[i] = Math.imul(cpu.r[i]!, fetch(cpu, a, b)) >>> 0;
  });
}

/** R1 (64) × 64-bit operand (hi, lo), low 64 bits kept; no CC. */
function mul64(cpu: CpuCore, r1: number, bh: number, bl: number): void {
  const i = 2 * r1;
  mulLow64(cpu.r[i]!, cpu.r[i + 1]!, bh, bl);
  cpu.r[i] = OUT_HI;
  cpu.r[i + 1] = OUT_LO;
}

/** Signed 32 × 32 → 64 into the pair: R1+1 (low word) × operand. */
function mulPairSigned32(cpu: CpuCore, r1: number, y: number): void {
  evenPair(cpu, r1);
  const x = cpu.r[2 * r1 + 3]! | 0;
  y |= 0;
  mulU32(Math.abs(x), Math.abs(y));
  let hi = OUT_HI;
  let lo = OUT_LO;
  if (x < 0 !== y < 0 && (hi | lo) !== 0) {
    // Two's complement of the 64-bit magnitude.
    hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
    lo = -lo >>> 0;
  }
  cpu.r[2 * r1 + 1] = hi;
  cpu.r[2 * r1 + 3] = lo;
}
/** Unsigned 32 × 32 → 64 into the pair. */
function mulPairLogical32(cpu: CpuCore, r1: number, y: number): void {
  evenPair(cpu, r1);
  mulU32(cpu.r[2 * r1 + 3]!, y);
  cpu.r[2 * r1 + 1] = OUT_HI;
  cpu.r[2 * r1 + 3] = OUT_LO;
}
/** Unsigned 64 × 64 → 128: R1+1 × operand, high half in R1, low half in R1+1 (32-bit partial products). */
function mulPairLogical64(cpu: CpuCore, r1: number, bh: number, bl: number): void {
  evenPair(cpu, r1);
  const ah = cpu.r[2 * r1 + 2]!;
  const al = cpu.r[2 * r1 + 3]!;
  mulU32(al, bl);
  const h0 = OUT_HI;
  const w3 = OUT_LO;
  mulU32(al, bh);
  const h1 = OUT_HI;
  const l1 = OUT_LO;
  mulU32(ah, bl);
  const h2 = OUT_HI;
  const l2 = OUT_LO;
  mulU32(ah, bh);
  const h3 = OUT_HI;
  const l3 = OUT_LO;
  const s2 = h0 + l1 + l2;
  const c2 = Math.floor(s2 / 4294967296);
  const s1 = h1 + h2 + l3 + c2;
  const c1 = Math.floor(s1 / 4294967296);
  cpu.r[2 * r1] = (h3 + c1) >>> 0;
  cpu.r[2 * r1 + 1] = s1 >>> 0;
  cpu.r[2 * r1 + 2] = s2 >>> 0;
  cpu.r[2 * r1 + 3] = w3;
}

/** Below 2^52 a quotient from floating-point division needs at most one correction step. */
const FAST = 2 ** 52;
/** Truncating division of exact integers |x|, |d| < 2^52 (d ≠ 0): quotient in Q, remainder in R. */
let Q = 0;
let R = 0;
function divSmall(x: number, d: number): void {
  let q = Math.trunc(x / d);
  let r = x - q * d;
  // The rounded quotient can be one off; the remainder must be smaller than |d| with x's sign.
  if (r !== 0 && Math.sign(r) !== Math.sign(x)) {
    q -= Math.sign(x) * Math.sign(d);
    r = x - q * d;
  } else if (Math.abs(r) >= Math.abs(d)) {
    q += Math.sign(x) * Math.sign(d);
    r = x - q * d;
  }
  Q = q;
  R = r;
}
/** A 64-bit register pair value (hi, lo) as a number when it is below 2^52 in magnitude, else NaN. */
function small(hi: number, lo: number, signed: boolean): number {
  const h = signed ? hi | 0 : hi >>> 0;
  if (h >= 0x100000 || h < -0x100000) return NaN;
  return h * 4294967296 + (lo >>> 0);
}
/** Writes a signed number (|v| < 2^53) into GPR `i` as a 64-bit two's-complement value. */
function setGprBig64(cpu: CpuCore, i: number, v: number): void {
  if (v >= 0) setGprNumber(cpu, i, v);
  else {
    // -v fits; negate the 64-bit pattern of -v.
    setGprNumber(cpu, i, -v);
    const lo = cpu.r[2 * i + 1]!;
    cpu.r[2 * i + 1] = -lo >>> 0;
    cpu.r[2 * i] = (~cpu.r[2 * i]! + (lo === 0 ? 1 : 0)) >>> 0;
  }
}
/** Writes a number result (0 ≤ v < 2^53) into GPR `i`. */
function setGprNumber(cpu: CpuCore, i: number, v: number): void {
  const hi = Math.floor(v / 4294967296);
  cpu.r[2 * i] = hi >>> 0;
  cpu.r[2 * i + 1] = (v - hi * 4294967296) >>> 0;
}

function divideException(cpu: CpuCore): never {
  return cpu.programException(PGM_FIXED_POINT_DIVIDE);
}

/** Signed 64-bit dividend (R1 low : R1+1 low) / signed 32 → remainder R1, quotient R1+1 (low words). */
function divSigned32(cpu: CpuCore, r1: number, y: number): void {
  evenPair(cpu, r1);
  const divisor = BigInt(y | 0);
  if (divisor === 0n) divideException(cpu);
  const dividend = BigInt.asIntN(64, (BigInt(cpu.r[2 * r1 + 1]!) << 32n) | BigInt(cpu.r[2 * r1 + 3]!));
  const q = dividend / divisor;
  if (q < -2147483648n || q > 2147483647n) divideException(cpu);
  const rem = dividend % divisor;
  cpu.r[2 * r1 + 1] = Number(BigInt.asUintN(32, rem));
  cpu.r[2 * r1 + 3] = Number(BigInt.asUintN(32, q));
}
/** Unsigned 64-bit dividend / unsigned 32. */
function divLogical32(cpu: CpuCore, r1: number, y: number): void {
  evenPair(cpu, r1);
  const divisor = BigInt(y >>> 0);
  if (divisor === 0n) divideException(cpu);
  const dividend = (BigInt(cpu.r[2 * r1 + 1]!) << 32n) | BigInt(cpu.r[2 * r1 + 3]!);
  const q = dividend / divisor;
  if (q > 0xffffffffn) divideException(cpu);
  cpu.r[2 * r1 + 1] = Number(dividend % divisor);
  cpu.r[2 * r1 + 3] = Number(q);
}
/** Unsigned 128-bit dividend (R1 : R1+1) / unsigned 64. */
function divLogical64(cpu: CpuCore, r1: number, bh: number, bl: number): void {
  evenPair(cpu, r1);
  if ((cpu.r[2 * r1]! | cpu.r[2 * r1 + 1]!) === 0) {
    const x = small(cpu.r[2 * r1 + 2]!, cpu.r[2 * r1 + 3]!, false);
    const d = small(bh, bl, false);
    if (x < FAST && d < FAST && d > 0) {
      divSmall(x, d);
      setGprNumber(cpu, r1, R);
      setGprNumber(cpu, r1 + 1, Q);
      return;
    }
  }
  const divisor = big64u(bh, bl);
  if (divisor === 0n) divideException(cpu);
  const dividend = (big64u(cpu.r[2 * r1]!, cpu.r[2 * r1 + 1]!) << 64n) | big64u(cpu.r[2 * r1 + 2]!, cpu.r[2 * r1 + 3]!);
  const q = dividend / divisor;
  if (q >> 64n !== 0n) divideException(cpu);
  setGprBig(cpu, r1, dividend % divisor);
  setGprBig(cpu, r1 + 1, q);
}
/** Signed 64-bit dividend R1+1 / signed 64 → remainder R1, quotient R1+1. */
function divSingle64(cpu: CpuCore, r1: number, bh: number, bl: number): void {
  evenPair(cpu, r1);
  const x = small(cpu.r[2 * r1 + 2]!, cpu.r[2 * r1 + 3]!, true);
  const d = small(bh, bl, true);
  if (Math.abs(x) < FAST && Math.abs(d) < FAST && d !== 0) {
    divSmall(x, d);
    // Both results are signed 64-bit: two's complement into the registers.
    setGprBig64(cpu, r1, R);
    setGprBig64(cpu, r1 + 1, Q);
    return;
  }
  const divisor = big64s(bh, bl);
  if (divisor === 0n) divideException(cpu);
  const dividend = big64s(cpu.r[2 * r1 + 2]!, cpu.r[2 * r1 + 3]!);
  const q = dividend / divisor;
  if (q > 0x7fffffffffffffffn) divideException(cpu);
  setGprBig(cpu, r1, dividend % divisor);
  setGprBig(cpu, r1 + 1, q);
}

export const multiplyDivideInstructions: InstructionDef[] = [
  // Single-width products.
  mul32('msr', 0xb252, 'RRE', regRRE, fRreR1, 'r:R1,r:R2'),
  mul32('ms', 0x71, 'RX-a', memRX, fR1, 'r:R1,dxb:2'),
  mul32('msy', 0xe351, 'RXY-a', memRXY, fR1, 'r:R1,dxb:2'),
  mul32('msfi', 0xc21, 'RIL-a', (_cpu, a, b) => fI32(a, b), fR1, 'r:R1,s:I2'),
  mul32('mhi', 0xa7c, 'RI-a', (_cpu, a) => fI16(a), fR1, 'r:R1,s:I2'),
  mul32('mh', 0x4c, 'RX-a', (cpu, a) => half(cpu.readU16(eaRX(cpu, a))), fR1, 'r:R1,dxb:2'),
  mul32('mhy', 0xe37c, 'RXY-a', (cpu, a, b) => half(cpu.readU16(eaRXY(cpu, a, b))), fR1, 'r:R1,dxb:2'),
  def('msgr', 0xb90c, 'RRE', 'r:R1,r:R2', (cpu, a) => {
    const j = 2 * fRreR2(a);
    mul64(cpu, fRreR1(a), cpu.r[j]!, cpu.r[j + 1]!);
  }),
  def('msgfr', 0xb91c, 'RRE', 'r:R1,r:R2', (cpu, a) => {
    const y = cpu.r[2 * fRreR2(a) + 1]!;
    mul64(cpu, fRreR1(a), sx(y), y);
  }),
  def('msg', 0xe30c, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    read64(cpu, eaRXY(cpu, a, b));
    mul64(cpu, fR1(a), OUT_HI, OUT_LO);
  }),
  def('msgf', 0xe31c, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    const y = cpu.readU32(eaRXY(cpu, a, b));
    mul64(cpu, fR1(a), sx(y), y);
  }),
  def('msgfi', 0xc20, 'RIL-a', 'r:R1,s:I2', (cpu, a, b) => {
    const y = fI32(a, b);
    mul64(cpu, fR1(a), sx(y), y >>> 0);
  }),
  def('mghi', 0xa7d, 'RI-a', 'r:R1,s:I2', (cpu, a) => {
    const y = fI16(a);
    mul64(cpu, fR1(a), sx(y), y >>> 0);
  }),
  // Double-width products.
  def('mr', 0x1c, 'RR', 'r:R1,r:R2', (cpu, a, b) => mulPairSigned32(cpu, fR1(a), regRR(cpu, a, b))),
  def('m', 0x5c, 'RX-a', 'r:R1,dxb:2', (cpu, a, b) => mulPairSigned32(cpu, fR1(a), memRX(cpu, a, b))),
  def('mfy', 0xe35c, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => mulPairSigned32(cpu, fR1(a), memRXY(cpu, a, b))),
  def('mlr', 0xb996, 'RRE', 'r:R1,r:R2', (cpu, a, b) => mulPairLogical32(cpu, fRreR1(a), regRRE(cpu, a, b))),
  def('ml', 0xe396, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => mulPairLogical32(cpu, fR1(a), memRXY(cpu, a, b))),
  def('mlgr', 0xb986, 'RRE', 'r:R1,r:R2', (cpu, a) => {
    const j = 2 * fRreR2(a);
    mulPairLogical64(cpu, fRreR1(a), cpu.r[j]!, cpu.r[j + 1]!);
  }),
  def('mlg', 0xe386, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    read64(cpu, eaRXY(cpu, a, b));
    mulPairLogical64(cpu, fR1(a), OUT_HI, OUT_LO);
  }),
  // Divides.
  def('dr', 0x1d, 'RR', 'r:R1,r:R2', (cpu, a, b) => divSigned32(cpu, fR1(a), regRR(cpu, a, b))),
  def('d', 0x5d, 'RX-a', 'r:R1,dxb:2', (cpu, a, b) => divSigned32(cpu, fR1(a), memRX(cpu, a, b))),
  def('dlr', 0xb997, 'RRE', 'r:R1,r:R2', (cpu, a, b) => divLogical32(cpu, fRreR1(a), regRRE(cpu, a, b))),
  def('dl', 0xe397, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => divLogical32(cpu, fR1(a), memRXY(cpu, a, b))),
  def('dlgr', 0xb987, 'RRE', 'r:R1,r:R2', (cpu, a) => {
    const j = 2 * fRreR2(a);
    divLogical64(cpu, fRreR1(a), cpu.r[j]!, cpu.r[j + 1]!);
  }),
  def('dlg', 0xe387, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    read64(cpu, eaRXY(cpu, a, b));
    divLogical64(cpu, fR1(a), OUT_HI, OUT_LO);
  }),
  def('dsgr', 0xb90d, 'RRE', 'r:R1,r:R2', (cpu, a) => {
    const j = 2 * fRreR2(a);
    divSingle64(cpu, fRreR1(a), cpu.r[j]!, cpu.r[j + 1]!);
  }),
  def('dsgfr', 0xb91d, 'RRE', 'r:R1,r:R2', (cpu, a) => {
    const y = cpu.r[2 * fRreR2(a) + 1]!;
    divSingle64(cpu, fRreR1(a), sx(y), y);
  }),
  def('dsg', 0xe30d, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    read64(cpu, eaRXY(cpu, a, b));
    divSingle64(cpu, fR1(a), OUT_HI, OUT_LO);
  }),
  def('dsgf', 0xe31d, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    const y = cpu.readU32(eaRXY(cpu, a, b));
    divSingle64(cpu, fR1(a), sx(y), y);
  }),
];
