// VECTOR FP MAXIMUM and MINIMUM (PoO chapter 24, vector-enhancements facility 1): the M6 field
// picks how NaNs and zeros of either sign are treated. 0 is IEEE maxNum/minNum (a quiet NaN loses
// to a number, a signalling NaN is invalid and the usual NaN rules pick the result); 1 is Java's
// Math.max/min (any NaN wins, a signalling one quieted; −0 < +0); 2 is the C macro `a > b ? a : b`
// (any NaN is invalid and gives the second operand, equal zeros the second); 3 is C++'s
// std::max/min (`a < b ? b : a`: NaN invalid, the first operand); 4 is C's fmax/fmin (a NaN loses,
// −0 < +0). Adding 8 compares magnitudes: mode 8 keeps the operands' signs, modes 9–12 deliver
// the absolute value. A signalling-NaN operand is an invalid operation in every mode.

import { isNaN, isSignalling, isZero, type BfpFormat } from './format.js';
import { IEEE_INVALID, type BfpEnv } from './round.js';
import { pickNaN } from './arithmetic.js';

export const MinMaxMode = { Ieee: 0, Java: 1, CMacro: 2, Cpp: 3, LibraryFunction: 4 } as const;

/** Whether M6 names a mode (0–4, 8–12). */
export const isMinMaxMode = (m6: number): boolean => (m6 & 7) <= 4 && m6 < 13;

/** The larger (`max`) or smaller of two non-NaN values; −0 < +0; equal values give `a`. */
function ordered(f: BfpFormat, a: bigint, b: bigint, max: boolean): bigint {
  const sa = (a & f.signBit) !== 0n;
  const sb = (b & f.signBit) !== 0n;
  let aGreater: boolean;
  if (sa !== sb) aGreater = sb;
  else {
    const ma = a & ~f.signBit;
    const mb = b & ~f.signBit;
    if (ma === mb) return a;
    aGreater = ma > mb !== sa;
  }
  return aGreater === max ? a : b;
}

/** VFMAX (`max`) / VFMIN of element values a (second operand) and b (third) under mode `m6`. */
export function minMax(f: BfpFormat, a: bigint, b: bigint, env: BfpEnv, max: boolean, m6: number): bigint {
  const magnitude = m6 >= 8;
  const mode = m6 & 7;
  if (mode === MinMaxMode.Ieee) {
    const na = isNaN(f, a);
    const nb = isNaN(f, b);
    if (na || nb) {
      if (na !== nb && !isSignalling(f, a) && !isSignalling(f, b)) return na ? b : a;
      return pickNaN(f, env, a, b);
    }
    if (magnitude) {
      const ma = a & ~f.signBit;
      const mb = b & ~f.signBit;
      if (ma !== mb) return ma > mb === max ? a : b;
    }
    return ordered(f, a, b, max);
  }
  if (magnitude) {
    a &= ~f.signBit;
    b &= ~f.signBit;
  }
  const na = isNaN(f, a);
  const nb = isNaN(f, b);
  if (na || nb) {
    const sa = isSignalling(f, a);
    if (sa || isSignalling(f, b)) env.exceptions |= IEEE_INVALID;
    switch (mode) {
      case MinMaxMode.Java:
        if (sa) return a | f.quietBit;
        if (isSignalling(f, b)) return b | f.quietBit;
        return na ? a : b;
      case MinMaxMode.LibraryFunction:
        return nb ? a : b;
      case MinMaxMode.CMacro:
        env.exceptions |= IEEE_INVALID;
        return b;
      default:
        env.exceptions |= IEEE_INVALID;
        return a;
    }
  }
  if (isZero(f, a) && isZero(f, b)) {
    if (mode === MinMaxMode.CMacro) return b;
    if (mode === MinMaxMode.Cpp) return a;
    const aNegative = (a & f.signBit) !== 0n;
    return aNegative === max ? b : a;
  }
  return ordered(f, a, b, max);
}
