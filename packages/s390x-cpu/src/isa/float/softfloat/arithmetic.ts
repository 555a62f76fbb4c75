// BFP arithmetic on bit patterns (PoO chapter 19: ADD, SUBTRACT, MULTIPLY, DIVIDE, SQUARE ROOT,
// MULTIPLY AND ADD/SUBTRACT, COMPARE (AND SIGNAL), LOAD FP INTEGER, LOAD LENGTHENED/ROUNDED,
// CONVERT FROM/TO FIXED and LOGICAL, TEST DATA CLASS). Every finite result is computed exactly
// with bigint significands and rounded once by `roundPack`; quotients and square roots carry a
// sticky bit below at least two extra bits, which rounds correctly in every mode. NaN operands
// follow the s390 rules: a signalling NaN is an invalid operation and comes back quieted; the
// first operand's NaN wins over the second's, a signalling one over a quiet one; invalid
// operations without NaN operands deliver the default NaN.

import { bitLength, convertNaN, isInfinity, isNaN, isSignalling, isZero, signedInfinity, signedZero, signOf, unpack, type BfpFormat } from './format.js';
import { IEEE_DIVIDE_BY_ZERO, IEEE_INEXACT, IEEE_INVALID, Rounding, roundPack, shiftRound, wasInexact, type BfpEnv } from './round.js';

/** The default NaN with the invalid-operation exception. */
function invalid(f: BfpFormat, env: BfpEnv): bigint {
  env.exceptions |= IEEE_INVALID;
  return f.defaultNaN;
}

/** The NaN result of an operation with NaN operands, in operand order (first wins, SNaN over QNaN). */
export function pickNaN(f: BfpFormat, env: BfpEnv, ...operands: bigint[]): bigint {
  let quiet: bigint | undefined;
  for (const v of operands) {
    if (isSignalling(f, v)) {
      env.exceptions |= IEEE_INVALID;
      return v | f.quietBit;
    }
  }
  for (const v of operands) {
    if (isNaN(f, v)) {
      quiet = v;
      break;
    }
  }
  return quiet ?? f.defaultNaN;
}

/**
 * Exact sum of two finite nonzero values, rounded to `f`. An operand entirely below both the
 * other's lowest bit and its rounding position minus two is replaced by a smaller power of two:
 * the sum then lies strictly between the same two neighbours of the rounding grid, so rounding,
 * inexactness and tininess are unchanged while the shifts stay short.
 */
export function addFinite(f: BfpFormat, sa: 0 | 1, ma: bigint, ea: number, sb: 0 | 1, mb: bigint, eb: number, env: BfpEnv): bigint {
  const topA = ea + bitLength(ma) - 1;
  const topB = eb + bitLength(mb) - 1;
  const p = f.precision;
  if (topA > topB) {
    const limit = Math.min(ea, topA - p - 2);
    if (topB < limit - 1) {
      mb = 1n;
      eb = limit - 1;
    }
  } else if (topB > topA) {
    const limit = Math.min(eb, topB - p - 2);
    if (topA < limit - 1) {
      ma = 1n;
      ea = limit - 1;
    }
  }
  const e = Math.min(ea, eb);
  const a = ea === e ? ma : ma << BigInt(ea - e);
  const b = eb === e ? mb : mb << BigInt(eb - e);
  let sign: 0 | 1;
  let m: bigint;
  if (sa === sb) {
    sign = sa;
    m = a + b;
  } else if (a >= b) {
    sign = sa;
    m = a - b;
  } else {
    sign = sb;
    m = b - a;
  }
  if (m === 0n) return signedZero(f, env.rounding === Rounding.TowardNegative ? 1 : 0);
  return roundPack(f, sign, m, e, env);
}

/** a + b, or a − b when `subtract` (NaN operands keep their own sign). */
export function add(f: BfpFormat, a: bigint, b: bigint, env: BfpEnv, subtract = false): bigint {
  if (isNaN(f, a) || isNaN(f, b)) return pickNaN(f, env, a, b);
  if (subtract) b ^= f.signBit;
  const sa = signOf(f, a);
  const sb = signOf(f, b);
  if (isInfinity(f, a)) return isInfinity(f, b) && sa !== sb ? invalid(f, env) : a;
  if (isInfinity(f, b)) return b;
  const za = isZero(f, a);
  const zb = isZero(f, b);
  if (za && zb) return signedZero(f, sa === sb ? sa : env.rounding === Rounding.TowardNegative ? 1 : 0);
  if (za) return b;
  if (zb) return a;
  const x = unpack(f, a);
  const y = unpack(f, b);
  return addFinite(f, x.sign, x.significand, x.exponent, y.sign, y.significand, y.exponent, env);
}

export function multiply(f: BfpFormat, a: bigint, b: bigint, env: BfpEnv): bigint {
  if (isNaN(f, a) || isNaN(f, b)) return pickNaN(f, env, a, b);
  const sign = (signOf(f, a) ^ signOf(f, b)) as 0 | 1;
  const ia = isInfinity(f, a);
  const ib = isInfinity(f, b);
  const za = isZero(f, a);
  const zb = isZero(f, b);
  if ((ia && zb) || (ib && za)) return invalid(f, env);
  if (ia || ib) return signedInfinity(f, sign);
  if (za || zb) return signedZero(f, sign);
  const x = unpack(f, a);
  const y = unpack(f, b);
  return roundPack(f, sign, x.significand * y.significand, x.exponent + y.exponent, env);
}

export function divide(f: BfpFormat, a: bigint, b: bigint, env: BfpEnv): bigint {
  if (isNaN(f, a) || isNaN(f, b)) return pickNaN(f, env, a, b);
  const sign = (signOf(f, a) ^ signOf(f, b)) as 0 | 1;
  const ia = isInfinity(f, a);
  const ib = isInfinity(f, b);
  const za = isZero(f, a);
  const zb = isZero(f, b);
  if ((ia && ib) || (za && zb)) return invalid(f, env);
  if (ia) return signedInfinity(f, sign);
  if (ib || za) return signedZero(f, sign);
  if (zb) {
    env.exceptions |= IEEE_DIVIDE_BY_ZERO;
    return signedInfinity(f, sign);
  }
  const x = unpack(f, a);
  const y = unpack(f, b);
  // At least p + 2 quotient bits, then a sticky bit for the remainder.
  const k = Math.max(0, f.precision + 2 + bitLength(y.significand) - bitLength(x.significand) + 1);
  const n = x.significand << BigInt(k);
  const q = n / y.significand;
  const sticky = n - q * y.significand !== 0n ? 1n : 0n;
  return roundPack(f, sign, (q << 1n) | sticky, x.exponent - y.exponent - k - 1, env);
}

/** Integer square root (floor) of n ≥ 0. */
export function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  // Newton's iteration from a power of two above the root.
  let x = 1n << BigInt((bitLength(n) >> 1) + 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

export function squareRoot(f: BfpFormat, a: bigint, env: BfpEnv): bigint {
  if (isNaN(f, a)) return pickNaN(f, env, a);
  if (isZero(f, a)) return a;
  if (signOf(f, a) === 1) return invalid(f, env);
  if (isInfinity(f, a)) return a;
  const x = unpack(f, a);
  // Scale so the root has at least p + 2 bits and the exponent is even.
  let k = Math.max(0, 2 * (f.precision + 2) - bitLength(x.significand) + 2);
  if ((x.exponent - k) % 2 !== 0) k++;
  const n = x.significand << BigInt(k);
  const s = isqrt(n);
  const sticky = n - s * s !== 0n ? 1n : 0n;
  return roundPack(f, 0, (s << 1n) | sticky, (x.exponent - k) / 2 - 1, env);
}

/**
 * Fused a × b + c (c negated when `negateAddend`), rounded once. NaN precedence a, b, c
 * (signalling first); ∞ × 0 is invalid even with a quiet-NaN addend (as qemu-s390x does).
 */
export function multiplyAdd(f: BfpFormat, a: bigint, b: bigint, c: bigint, env: BfpEnv, negateAddend = false): bigint {
  const ia = isInfinity(f, a);
  const ib = isInfinity(f, b);
  const za = isZero(f, a);
  const zb = isZero(f, b);
  if ((ia && zb) || (ib && za)) return invalid(f, env);
  if (isNaN(f, a) || isNaN(f, b) || isNaN(f, c)) return pickNaN(f, env, a, b, c);
  if (negateAddend) c ^= f.signBit;
  const sp = (signOf(f, a) ^ signOf(f, b)) as 0 | 1;
  const sc = signOf(f, c);
  const ic = isInfinity(f, c);
  if (ia || ib) return ic && sc !== sp ? invalid(f, env) : signedInfinity(f, sp);
  if (ic) return c;
  const zc = isZero(f, c);
  if (za || zb) {
    if (zc) return signedZero(f, sp === sc ? sp : env.rounding === Rounding.TowardNegative ? 1 : 0);
    return c;
  }
  const x = unpack(f, a);
  const y = unpack(f, b);
  const m = x.significand * y.significand;
  const e = x.exponent + y.exponent;
  if (zc) return roundPack(f, sp, m, e, env);
  const z = unpack(f, c);
  return addFinite(f, sp, m, e, z.sign, z.significand, z.exponent, env);
}

/**
 * Compare: condition code 0 equal, 1 first low, 2 first high, 3 unordered. A signalling NaN
 * is an invalid operation; with `signalling` (COMPARE AND SIGNAL) any NaN is.
 */
export function compare(f: BfpFormat, a: bigint, b: bigint, env: BfpEnv, signalling: boolean): number {
  if (isNaN(f, a) || isNaN(f, b)) {
    if (signalling || isSignalling(f, a) || isSignalling(f, b)) env.exceptions |= IEEE_INVALID;
    return 3;
  }
  if (isZero(f, a) && isZero(f, b)) return 0;
  const sa = signOf(f, a);
  const sb = signOf(f, b);
  if (sa !== sb) return sa === 1 ? 1 : 2;
  const ma = a & ~f.signBit;
  const mb = b & ~f.signBit;
  if (ma === mb) return 0;
  return ma < mb !== (sa === 1) ? 1 : 2;
}

/** The exact signed integer value of a finite pattern rounded by `env.rounding` (inexact recorded by the caller). */
function roundedInteger(f: BfpFormat, a: bigint, mode: Rounding): bigint {
  if (isZero(f, a)) return 0n;
  const x = unpack(f, a);
  const magnitude = shiftRound(x.sign, x.significand, -x.exponent, mode);
  return x.sign === 1 ? -magnitude : magnitude;
}

/** LOAD FP INTEGER: rounds to an integral value in the same format. */
export function roundToIntegral(f: BfpFormat, a: bigint, env: BfpEnv): bigint {
  if (isNaN(f, a)) return pickNaN(f, env, a);
  if (isInfinity(f, a) || isZero(f, a)) return a;
  const x = unpack(f, a);
  if (x.exponent >= 0) return a;
  const magnitude = shiftRound(x.sign, x.significand, -x.exponent, env.rounding);
  if (wasInexact()) env.exceptions |= IEEE_INEXACT;
  if (magnitude === 0n) return signedZero(f, x.sign);
  return roundPack(f, x.sign, magnitude, 0, env);
}

/** LOAD LENGTHENED / LOAD ROUNDED: a pattern of format `from` converted to format `to`. */
export function convertFormat(from: BfpFormat, to: BfpFormat, a: bigint, env: BfpEnv): bigint {
  if (isNaN(from, a)) {
    if (isSignalling(from, a)) env.exceptions |= IEEE_INVALID;
    return convertNaN(from, to, a | from.quietBit);
  }
  const sign = signOf(from, a);
  if (isInfinity(from, a)) return signedInfinity(to, sign);
  if (isZero(from, a)) return signedZero(to, sign);
  const x = unpack(from, a);
  return roundPack(to, sign, x.significand, x.exponent, env);
}

/** CONVERT FROM FIXED / FROM LOGICAL: an integer to format `f`. */
export function fromInteger(f: BfpFormat, v: bigint, env: BfpEnv): bigint {
  if (v === 0n) return 0n;
  return v < 0n ? roundPack(f, 1, -v, 0, env) : roundPack(f, 0, v, 0, env);
}

/** Result of CONVERT TO FIXED / TO LOGICAL. */
export interface IntegerResult {
  /** The result as an unsigned pattern of `bits` bits. */
  value: bigint;
  cc: number;
}

/**
 * CONVERT TO FIXED (signed) and TO LOGICAL: rounds by `env.rounding`. A NaN or a rounded value
 * out of range is an invalid operation (with inexact, PoO figure "CONVERT TO FIXED") and gives
 * the most negative / largest value (0 for logical NaNs and negative values) with CC 3; otherwise
 * the CC is the source's sign (0 zero, 1 negative, 2 positive).
 */
export function toInteger(f: BfpFormat, a: bigint, bits: 32 | 64, signed: boolean, env: BfpEnv): IntegerResult {
  const width = BigInt(bits);
  const max = signed ? (1n << (width - 1n)) - 1n : (1n << width) - 1n;
  const min = signed ? -(1n << (width - 1n)) : 0n;
  const out = (v: bigint, cc: number): IntegerResult => ({ value: BigInt.asUintN(bits, v), cc });
  if (isNaN(f, a)) {
    env.exceptions |= IEEE_INVALID | IEEE_INEXACT;
    return out(min, 3);
  }
  const sign = signOf(f, a);
  if (isInfinity(f, a)) {
    env.exceptions |= IEEE_INVALID | IEEE_INEXACT;
    return out(sign === 1 ? min : max, 3);
  }
  if (isZero(f, a)) return out(0n, 0);
  const r = roundedInteger(f, a, env.rounding);
  const inexact = wasInexact();
  if (r > max || r < min) {
    env.exceptions |= IEEE_INVALID | IEEE_INEXACT;
    return out(sign === 1 ? min : max, 3);
  }
  if (inexact) env.exceptions |= IEEE_INEXACT;
  return out(r, sign === 1 ? 1 : 2);
}

/**
 * TEST DATA CLASS: the 12-bit mask's bit for the operand's class and sign (bit 52 + 2 × class +
 * sign of the address: +0, −0, +normal, …, −SNaN), as CC 1 when set.
 */
export function dataClassBit(f: BfpFormat, a: bigint): number {
  const sign = signOf(f, a);
  let cls: number;
  if (isZero(f, a)) cls = 0;
  else if (isNaN(f, a)) cls = isSignalling(f, a) ? 5 : 4;
  else if (isInfinity(f, a)) cls = 3;
  else cls = (a & f.exponentMask) === 0n ? 2 : 1;
  return 1 << (11 - 2 * cls - sign);
}
