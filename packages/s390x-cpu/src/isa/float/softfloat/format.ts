// The three BFP formats of z/Architecture (PoO chapter 19, "Binary-Floating-Point Data Formats";
// IEEE 754-2008 binary32, binary64 and binary128): their parameters, the classes of a bit
// pattern (zero, normal, subnormal, infinity, quiet and signalling NaN), unpacking a finite
// value into sign, integer significand and exponent, and the default NaN s390 returns
// (sign 0, leftmost fraction bit 1, rest 0).

/** Parameters of one BFP format. Values are `bigint` bit patterns of `bits` bits. */
export interface BfpFormat {
  readonly name: 'short' | 'long' | 'extended';
  readonly bits: 32 | 64 | 128;
  /** Precision in bits including the implicit unit bit. */
  readonly precision: number;
  readonly fractionBits: number;
  readonly bias: number;
  /** Largest and smallest unbiased exponents of normal numbers. */
  readonly emax: number;
  readonly emin: number;
  /** Exponent adjustment of trapped overflow/underflow results (PoO "scaled result"). */
  readonly alpha: number;
  readonly signBit: bigint;
  readonly exponentMask: bigint;
  readonly fractionMask: bigint;
  /** The quiet bit (leftmost fraction bit). */
  readonly quietBit: bigint;
  readonly defaultNaN: bigint;
  readonly infinity: bigint;
  /** Largest finite magnitude. */
  readonly maxFinite: bigint;
}

function format(name: BfpFormat['name'], bits: 32 | 64 | 128, exponentBits: number, alpha: number): BfpFormat {
  const fractionBits = bits - 1 - exponentBits;
  const bias = 2 ** (exponentBits - 1) - 1;
  const fractionMask = (1n << BigInt(fractionBits)) - 1n;
  const exponentMask = ((1n << BigInt(exponentBits)) - 1n) << BigInt(fractionBits);
  const quietBit = 1n << BigInt(fractionBits - 1);
  return {
    name,
    bits,
    precision: fractionBits + 1,
    fractionBits,
    bias,
    emax: bias,
    emin: 1 - bias,
    alpha,
    signBit: 1n << BigInt(bits - 1),
    exponentMask,
    fractionMask,
    quietBit,
    defaultNaN: exponentMask | quietBit,
    infinity: exponentMask,
    maxFinite: exponentMask - (1n << BigInt(fractionBits)) + fractionMask,
  };
}

/** Short (32-bit), long (64-bit) and extended (128-bit) BFP; alpha 192, 1536, 24576. */
export const SHORT = format('short', 32, 8, 192);
export const LONG = format('long', 64, 11, 1536);
export const EXTENDED = format('extended', 128, 15, 24576);

export const BfpClass = { Zero: 0, Normal: 1, Subnormal: 2, Infinity: 3, QuietNaN: 4, SignallingNaN: 5 } as const;
export type BfpClass = (typeof BfpClass)[keyof typeof BfpClass];

export function classify(f: BfpFormat, v: bigint): BfpClass {
  const exp = v & f.exponentMask;
  const frac = v & f.fractionMask;
  if (exp === 0n) return frac === 0n ? BfpClass.Zero : BfpClass.Subnormal;
  if (exp === f.exponentMask) {
    if (frac === 0n) return BfpClass.Infinity;
    return (frac & f.quietBit) !== 0n ? BfpClass.QuietNaN : BfpClass.SignallingNaN;
  }
  return BfpClass.Normal;
}

export const isNaN = (f: BfpFormat, v: bigint): boolean => (v & f.exponentMask) === f.exponentMask && (v & f.fractionMask) !== 0n;
export const isSignalling = (f: BfpFormat, v: bigint): boolean => isNaN(f, v) && (v & f.quietBit) === 0n;
export const isNegative = (f: BfpFormat, v: bigint): boolean => (v & f.signBit) !== 0n;
export const isZero = (f: BfpFormat, v: bigint): boolean => (v & ~f.signBit) === 0n;
export const isInfinity = (f: BfpFormat, v: bigint): boolean => (v & ~f.signBit) === f.exponentMask;

/** A finite nonzero value: (-1)^sign × significand × 2^exponent, significand > 0. */
export interface Finite {
  sign: 0 | 1;
  significand: bigint;
  exponent: number;
}

/** Unpacks a finite nonzero pattern (normal or subnormal). */
export function unpack(f: BfpFormat, v: bigint): Finite {
  const biased = Number((v & f.exponentMask) >> BigInt(f.fractionBits));
  const frac = v & f.fractionMask;
  const sign = (v & f.signBit) !== 0n ? 1 : 0;
  if (biased === 0) return { sign, significand: frac, exponent: f.emin - f.fractionBits };
  return { sign, significand: frac | (1n << BigInt(f.fractionBits)), exponent: biased - f.bias - f.fractionBits };
}

export const signOf = (f: BfpFormat, v: bigint): 0 | 1 => ((v & f.signBit) !== 0n ? 1 : 0);
export const signedZero = (f: BfpFormat, sign: 0 | 1): bigint => (sign === 1 ? f.signBit : 0n);
export const signedInfinity = (f: BfpFormat, sign: 0 | 1): bigint => (sign === 1 ? f.signBit | f.infinity : f.infinity);

/** Number of significant bits of a positive bigint. */
export function bitLength(v: bigint): number {
  if (v <= 0xffffffffn) return 32 - Math.clz32(Number(v));
  if (v < 0x20000000000000n) return 64 - Math.clz32(Math.floor(Number(v) / 4294967296));
  // Larger values: the hexadecimal digit count is exact and cheap.
  const hex = v.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0]!, 16)));
}

/** Converts a NaN to another format: the sign and the leftmost fraction bits that fit are kept. */
export function convertNaN(from: BfpFormat, to: BfpFormat, v: bigint): bigint {
  const sign = (v & from.signBit) !== 0n ? to.signBit : 0n;
  const frac = v & from.fractionMask;
  const shift = to.fractionBits - from.fractionBits;
  const moved = shift >= 0 ? frac << BigInt(shift) : frac >> BigInt(-shift);
  return sign | to.exponentMask | (moved & to.fractionMask);
}
