// The one rounding routine of the BFP soft-float (PoO chapter 19, "Rounding", "IEEE Exceptions";
// IEEE 754-2008 §4, §7): an exact value (-1)^s × m × 2^e becomes a pattern of a target format
// under one of the six BFP rounding methods, recording the IEEE exceptions it causes. Tininess
// is detected before rounding, as z/Architecture does (PoO "IEEE Underflow"; QEMU's s390x model
// agrees). A trapped overflow or underflow delivers the scaled result: the exact value × 2^∓alpha
// rounded to the format's precision (PoO "IEEE Overflow", "IEEE Underflow").

import { bitLength, type BfpFormat } from './format.js';

/** BFP rounding methods (the FPC BFP-rounding-mode field and the M3/M4 modifier fields map onto these). */
export const Rounding = {
  NearestEven: 0,
  TowardZero: 1,
  TowardPositive: 2,
  TowardNegative: 3,
  NearestAway: 4,
  /** Round to prepare for shorter precision: truncate, then set the last bit if inexact. */
  PrepareShorter: 5,
} as const;
export type Rounding = (typeof Rounding)[keyof typeof Rounding];

/** IEEE exception bits, in the layout of the FPC mask and flag bytes. */
export const IEEE_INVALID = 0x80;
export const IEEE_DIVIDE_BY_ZERO = 0x40;
export const IEEE_OVERFLOW = 0x20;
export const IEEE_UNDERFLOW = 0x10;
export const IEEE_INEXACT = 0x08;

/** Rounding method, enabled traps and the exceptions of one operation. */
export interface BfpEnv {
  rounding: Rounding;
  /** The FPC IEEE mask byte: enabled traps (IEEE_* bits). */
  traps: number;
  /** Exceptions the operation recognised (IEEE_* bits). */
  exceptions: number;
  /** The delivered result's magnitude exceeds the exact value's (DXC bit 0x04). */
  incremented: boolean;
}

export function newEnv(rounding: Rounding = Rounding.NearestEven, traps = 0): BfpEnv {
  return { rounding, traps, exceptions: 0, incremented: false };
}

/** Set by `shiftRound`: the discarded bits were not all zero / the magnitude went up. */
let lastInexact = false;
let lastIncremented = false;

/**
 * `m × 2^-shift` rounded to an integer by `mode` (for a value of sign `sign`); `shift` ≤ 0
 * scales up exactly.
 */
export function shiftRound(sign: 0 | 1, m: bigint, shift: number, mode: Rounding): bigint {
  lastInexact = false;
  lastIncremented = false;
  if (shift <= 0) return shift === 0 ? m : m << BigInt(-shift);
  const s = BigInt(shift);
  const q = m >> s;
  const r = m - (q << s);
  if (r === 0n) return q;
  lastInexact = true;
  let up: boolean;
  switch (mode) {
    case Rounding.NearestEven: {
      const half = 1n << (s - 1n);
      up = r > half || (r === half && (q & 1n) === 1n);
      break;
    }
    case Rounding.NearestAway:
      up = r >= 1n << (s - 1n);
      break;
    case Rounding.TowardPositive:
      up = sign === 0;
      break;
    case Rounding.TowardNegative:
      up = sign === 1;
      break;
    case Rounding.PrepareShorter:
      lastIncremented = (q & 1n) === 0n;
      return q | 1n;
    default:
      up = false;
  }
  lastIncremented = up;
  return up ? q + 1n : q;
}

export const wasInexact = (): boolean => lastInexact;
export const wasIncremented = (): boolean => lastIncremented;

/** Packs sign, biased exponent field value and fraction. */
function assemble(f: BfpFormat, sign: 0 | 1, biased: number, fraction: bigint): bigint {
  return (sign === 1 ? f.signBit : 0n) | (BigInt(biased) << BigInt(f.fractionBits)) | fraction;
}

/** Packs a significand M < 2^p with quantum exponent q (value M × 2^q) known to be in range. */
function packInRange(f: BfpFormat, sign: 0 | 1, M: bigint, q: number): bigint {
  const unit = 1n << BigInt(f.fractionBits);
  if (M < unit) return assemble(f, sign, 0, M);
  return assemble(f, sign, q + f.fractionBits + f.bias, M - unit);
}

/**
 * The scaled result of a trapped overflow or underflow: `m × 2^e` (already scaled by ∓alpha)
 * rounded to the precision with an unbounded exponent range.
 */
function packScaled(f: BfpFormat, sign: 0 | 1, m: bigint, e: number, env: BfpEnv, kind: number): bigint {
  const p = f.precision;
  let q = e + bitLength(m) - p;
  let M = shiftRound(sign, m, q - e, env.rounding);
  if (M >> BigInt(p) !== 0n) {
    M >>= 1n;
    q += 1;
  }
  env.exceptions |= kind | (lastInexact ? IEEE_INEXACT : 0);
  env.incremented = lastIncremented;
  const biased = q + f.fractionBits + f.bias;
  // Scaling brings every result of the arithmetic instructions into range; clamp defensively.
  if (biased <= 0) return assemble(f, sign, 0, 0n);
  if (biased >= 2 * f.bias + 1) return (sign === 1 ? f.signBit : 0n) | f.maxFinite;
  return assemble(f, sign, biased, M - (1n << BigInt(f.fractionBits)));
}

/**
 * Rounds the exact nonzero value (-1)^sign × m × 2^e (m > 0) to format `f`: the result pattern,
 * with IEEE exceptions and the incremented indication added to `env`.
 */
export function roundPack(f: BfpFormat, sign: 0 | 1, m: bigint, e: number, env: BfpEnv): bigint {
  const p = f.precision;
  const top = e + bitLength(m) - 1;
  const tiny = top < f.emin;
  if (tiny && (env.traps & IEEE_UNDERFLOW) !== 0) return packScaled(f, sign, m, e + f.alpha, env, IEEE_UNDERFLOW);
  let q = Math.max(top, f.emin) - (p - 1);
  let M = shiftRound(sign, m, q - e, env.rounding);
  if (M >> BigInt(p) !== 0n) {
    M >>= 1n;
    q += 1;
  }
  if (q + p - 1 > f.emax) {
    if ((env.traps & IEEE_OVERFLOW) !== 0) return packScaled(f, sign, m, e - f.alpha, env, IEEE_OVERFLOW);
    env.exceptions |= IEEE_OVERFLOW | IEEE_INEXACT;
    const mode = env.rounding;
    const toInfinity = mode === Rounding.NearestEven || mode === Rounding.NearestAway || (mode === Rounding.TowardPositive && sign === 0) || (mode === Rounding.TowardNegative && sign === 1);
    env.incremented = toInfinity;
    return (sign === 1 ? f.signBit : 0n) | (toInfinity ? f.infinity : f.maxFinite);
  }
  if (lastInexact) {
    env.exceptions |= tiny ? IEEE_INEXACT | IEEE_UNDERFLOW : IEEE_INEXACT;
    env.incremented = lastIncremented;
  }
  return packInRange(f, sign, M, q);
}
