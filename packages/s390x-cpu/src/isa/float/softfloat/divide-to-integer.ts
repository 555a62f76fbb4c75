// DIVIDE TO INTEGER (PoO chapter 19, DIEBR/DIDBR): the dividend a divided by the divisor b gives
// an integer quotient n, rounded by the instruction's M4 method, and the remainder r = a − b × n.
// When n has no more than the format's precision p of bits (|n| ≤ 2^p, or the division is exact)
// the result is complete (CC 0): n and r are exact, a zero remainder has the dividend's sign.
// Otherwise a partial result is delivered (CC 2): the quotient truncated toward zero to p bits
// and the remainder a − b × that quotient, rounded toward zero; when even that quotient exceeds
// the format (quotient overflow) it is delivered scaled by 2^−alpha and the CC is 1 (complete) or 3.
// NaN operands give a NaN quotient and remainder (CC 1): a signalling one (first operand first)
// quieted with the invalid exception, else the first quiet one; an infinite dividend or a zero
// divisor give the default NaN with invalid; a zero dividend or an infinite divisor give r = a and
// a zero quotient with the sign of a / b.

import { bitLength, isInfinity, isNaN, isSignalling, isZero, signedZero, signOf, unpack, type BfpFormat } from './format.js';
import { IEEE_INVALID, newEnv, Rounding, roundPack, shiftRound, type BfpEnv } from './round.js';

export interface DivideToIntegerResult {
  remainder: bigint;
  quotient: bigint;
  cc: number;
}

/** A bigint of magnitude m and sign s (0 or 1) as a pattern of `f`, rounded toward zero without flags. */
function packQuiet(f: BfpFormat, sign: 0 | 1, m: bigint, e: number): bigint {
  if (m === 0n) return signedZero(f, sign);
  return roundPack(f, sign, m, e, newEnv(Rounding.TowardZero));
}

/**
 * a ÷ b to an integer quotient rounded by `quotientRounding`; the remainder of a complete result is
 * rounded by `env` (it is exact, so only a trapped underflow of a tiny remainder shows there).
 */
export function divideToInteger(f: BfpFormat, a: bigint, b: bigint, quotientRounding: Rounding, env: BfpEnv): DivideToIntegerResult {
  const nan = (v: bigint): DivideToIntegerResult => ({ remainder: v, quotient: v, cc: 1 });
  for (const v of [a, b]) {
    if (isSignalling(f, v)) {
      env.exceptions |= IEEE_INVALID;
      return nan(v | f.quietBit);
    }
  }
  if (isNaN(f, a)) return nan(a);
  if (isNaN(f, b)) return nan(b);
  if (isInfinity(f, a) || isZero(f, b)) {
    env.exceptions |= IEEE_INVALID;
    return nan(f.defaultNaN);
  }
  const quotientSign = (signOf(f, a) ^ signOf(f, b)) as 0 | 1;
  if (isZero(f, a) || isInfinity(f, b)) return { remainder: a, quotient: signedZero(f, quotientSign), cc: 0 };

  const x = unpack(f, a);
  const y = unpack(f, b);
  // The exact quotient x / y = num / den.
  const shift = x.exponent - y.exponent;
  const num = shift >= 0 ? x.significand << BigInt(shift) : x.significand;
  const den = shift >= 0 ? y.significand : y.significand << BigInt(-shift);
  const whole = num / den;
  const exact = whole * den === num;
  // Two more bits and a sticky bit round the quotient to an integer in every method.
  const scaled = (num << 2n) / den;
  const sticky = scaled * den === num << 2n ? 0n : 1n;
  const n = shiftRound(quotientSign, (scaled << 1n) | sticky, 3, quotientRounding);
  const p = f.precision;
  // Remainder a − b × q for a quotient magnitude q, exactly, at the smaller exponent.
  const low = Math.min(x.exponent, y.exponent);
  const remainderOf = (q: bigint): { sign: 0 | 1; magnitude: bigint } => {
    const dividend = (x.sign === 1 ? -x.significand : x.significand) << BigInt(x.exponent - low);
    // b × n has the dividend's sign.
    const product = (x.sign === 1 ? -q : q) * (y.significand << BigInt(y.exponent - low));
    const r = dividend - product;
    return r < 0n ? { sign: 1, magnitude: -r } : { sign: 0, magnitude: r };
  };
  const q = exact ? whole : n;
  if ((exact || n <= 1n << BigInt(p)) && bitLength(q) - 1 <= f.emax) {
    const r = remainderOf(q);
    const remainder = r.magnitude === 0n ? signedZero(f, x.sign) : roundPack(f, r.sign, r.magnitude, low, env);
    return { remainder, quotient: packQuiet(f, quotientSign, q, 0), cc: 0 };
  }
  // Partial result: the quotient truncated toward zero to p bits.
  const drop = bitLength(whole) - p;
  const partial = drop > 0 ? (whole >> BigInt(drop)) << BigInt(drop) : whole;
  const r = remainderOf(partial);
  const remainder = r.magnitude === 0n ? signedZero(f, x.sign) : packQuiet(f, r.sign, r.magnitude, low);
  const overflow = bitLength(partial) - 1 > f.emax;
  const quotient = overflow ? packQuiet(f, quotientSign, partial, -f.alpha) : packQuiet(f, quotientSign, partial, 0);
  if (overflow) return { remainder, quotient, cc: r.magnitude === 0n ? 1 : 3 };
  return { remainder, quotient, cc: 2 };
}
