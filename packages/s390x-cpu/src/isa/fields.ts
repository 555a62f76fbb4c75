// Operand-field accessors for the semantics (spec s390x-cpu.md §8), derived from the one definition
// of the fields (LAYOUTS in formats.ts). A semantic function receives its instruction as two
// opaque words typed by its format: `InsnA<F>` (bytes 0–3) and `InsnB<F>` (bytes 4–5). The words
// are not numbers to TypeScript, so the only way to read a field is an accessor, and each accessor
// takes only the words of the formats whose layout has its field at its bits: reading R2 where the
// format has R3, or M3 from bytes 0–3 where it lies in bytes 4–5, does not compile. At run time
// the words are plain numbers and each accessor is one shift and mask, as fast as inline code.

import { FORMAT_FIELDS, type FieldSpec, type Format, type Layouts } from './formats.js';

declare const formatOfA: unique symbol;
declare const formatOfB: unique symbol;

/** Bytes 0–3 of an instruction of format `F` (for a 2-byte instruction its high half). */
export interface InsnA<F extends Format> {
  readonly [formatOfA]: F;
}
/** Bytes 4–5 of an instruction of format `F` (0 for 2- and 4-byte formats). */
export interface InsnB<F extends Format> {
  readonly [formatOfB]: F;
}

/**
 * The whole words as numbers, for code that hands an instruction on undecoded (the bytes of an
 * interception report); reading a field this way is what the accessors are for.
 */
export const wholeA = <F extends Format>(a: InsnA<F>): number => a as unknown as number;
export const wholeB = <F extends Format>(b: InsnB<F>): number => b as unknown as number;

/** The words of an instruction of format `format` (a host's decoded bytes), for its accessors. */
export const wordsOf = <F extends Format>(_format: F, a: number, b: number): [InsnA<F>, InsnB<F>] => [a as unknown as InsnA<F>, b as unknown as InsnB<F>];

/** How a field's bits become its value: as they are, a signed 20-bit displacement, or a vector register with its RXB bit. */
export type FieldKind = 'plain' | 'disp20' | 'vector';

type KindOf<S> = S extends { readonly kind: infer K } ? K : 'plain';
type FormatsWithOne<N extends string, P extends number, W extends number, K extends FieldKind> = {
  [F in Format]: Layouts[F]['fields'] extends Readonly<Record<N, infer S>> ? (S extends { readonly pos: P; readonly width: W } ? (KindOf<S> extends K ? F : never) : never) : never;
}[Format];

/** The formats whose field `N` (one of several names) lies at MSB-0 bit `P`, `W` bits wide, of kind `K`. */
export type FormatsWith<N extends string, P extends number, W extends number, K extends FieldKind = 'plain'> = N extends string ? FormatsWithOne<N, P, W, K> : never;

/** The same, at run time: the formats an accessor serves (for tests and documentation). */
export function formatsWith(fields: readonly string[], pos: number, width: number, kind: FieldKind): Format[] {
  const matches = (spec: FieldSpec | undefined): boolean => spec !== undefined && spec.pos === pos && spec.width === width && (spec.kind ?? 'plain') === kind;
  return (Object.keys(FORMAT_FIELDS) as Format[]).filter((format) => fields.some((name) => matches(FORMAT_FIELDS[format].fields[name])));
}

/** One accessor and the field it reads: the test of every accessor/format pair walks this list. */
export interface FieldAccessor {
  /** `a`: takes bytes 0–3; `b`: bytes 4–5; `ab`: both (fields that cross them, vector RXB bits). */
  readonly takes: 'a' | 'b' | 'ab';
  /** Reads the field from both words (for `b` accessors, a wrapper that passes bytes 4–5 on). */
  readonly read: (x: number, y: number) => number;
  /** The exported accessor itself. */
  readonly exported: (x: number, y: number) => number;
  /** The field names it reads (one accessor serves I2, RI2 and RI4 at the same bits). */
  readonly fields: readonly string[];
  readonly pos: number;
  readonly width: number;
  readonly kind: FieldKind;
  /** Returns the two's-complement value of the field's bits. */
  readonly signed: boolean;
}

const accessors: FieldAccessor[] = [];

/** An accessor's type: which words it takes, each typed by the formats `Fs` that have its field. */
type Reader<T extends FieldAccessor['takes'], Fs extends Format> = T extends 'a' ? (a: InsnA<Fs>) => number : T extends 'b' ? (b: InsnB<Fs>) => number : (a: InsnA<Fs>, b: InsnB<Fs>) => number;

/**
 * Declares an accessor of field `fields` at MSB-0 bit `pos`, `width` bits wide, reading the words
 * `takes` says with `read` (for `b`, `read` gets bytes 4–5 as its only argument). It returns
 * `read` itself, retyped: the brands exist only for the compiler, so an accessor costs what the
 * bare shift and mask cost.
 */
function accessor<const T extends FieldAccessor['takes'], const N extends string, const P extends number, const W extends number, const K extends FieldKind = 'plain'>(
  takes: T,
  fields: readonly N[],
  pos: P,
  width: W,
  read: (x: number, y: number) => number,
  options: { kind?: K; signed?: boolean } = {},
): Reader<T, FormatsWith<N, P, W, K>> {
  const kind = options.kind ?? 'plain';
  accessors.push({ takes, read: takes === 'b' ? (_a, b) => read(b, 0) : read, exported: read, fields, pos, width, kind, signed: options.signed === true });
  return read as unknown as Reader<T, FormatsWith<N, P, W, K>>;
}

// ---- the accessors: each is named after the field it reads; where one field sits at different
// bits in different formats, the name adds the format family (fRreR1) or the word it is in (fM3InB).

/** Bits 8–11: R1. */
export const fR1 = accessor('a', ['R1'], 8, 4, (a) => (a >>> 20) & 15);
/** Bits 8–11: M1. */
export const fM1 = accessor('a', ['M1'], 8, 4, (a) => (a >>> 20) & 15);
/** Bits 8–11: R3 of RXF, SSF. */
export const fRxfR3 = accessor('a', ['R3'], 8, 4, (a) => (a >>> 20) & 15);
/** Bits 8–15: I1 of I. */
export const fI1 = accessor('a', ['I1'], 8, 8, (a) => (a >>> 16) & 0xff);
/** Bits 8–15: I2 of SI, SIY. */
export const fI8 = accessor('a', ['I2'], 8, 8, (a) => (a >>> 16) & 0xff);
/** Bits 8–15: L of SS (the length code: length − 1). */
export const fL = accessor('a', ['L'], 8, 8, (a) => (a >>> 16) & 0xff);
/** Bits 12–15: R2. */
export const fR2 = accessor('a', ['R2'], 12, 4, (a) => (a >>> 16) & 15);
/** Bits 12–15: X2. */
export const fX2 = accessor('a', ['X2'], 12, 4, (a) => (a >>> 16) & 15);
/** Bits 12–15: R3 of RS, RSY, RSI, RIE-d/e, VRS-b. */
export const fR3 = accessor('a', ['R3'], 12, 4, (a) => (a >>> 16) & 15);
/** Bits 12–15: M3 of RS-b, RSY-b, RIE-c/g, RIS. */
export const fM3 = accessor('a', ['M3'], 12, 4, (a) => (a >>> 16) & 15);
/** Bits 16–19: B2. */
export const fB2 = accessor('a', ['B2'], 16, 4, (a) => (a >>> 12) & 15);
/** Bits 16–19: B1. */
export const fB1 = accessor('a', ['B1'], 16, 4, (a) => (a >>> 12) & 15);
/** Bits 16–19: B4 of RIS, RRS. */
export const fB4 = accessor('a', ['B4'], 16, 4, (a) => (a >>> 12) & 15);
/** Bits 16–19: R1 of RRD. */
export const fRrdR1 = accessor('a', ['R1'], 16, 4, (a) => (a >>> 12) & 15);
/** Bits 16–19: R3 of RRF and VRR-f. */
export const fRrfR3 = accessor('a', ['R3'], 16, 4, (a) => (a >>> 12) & 15);
/** Bits 16–19: M3 of RRF. */
export const fRrfM3 = accessor('a', ['M3'], 16, 4, (a) => (a >>> 12) & 15);
/** Bits 20–23: M4 of RRF. */
export const fRrfM4 = accessor('a', ['M4'], 20, 4, (a) => (a >>> 8) & 15);
/** Bits 20–31: 12-bit displacement D2. */
export const fD2 = accessor('a', ['D2'], 20, 12, (a) => a & 0xfff);
/** Bits 20–31: 12-bit displacement D1. */
export const fD1 = accessor('a', ['D1'], 20, 12, (a) => a & 0xfff);
/** Bits 20–31: 12-bit displacement D4 of RIS, RRS. */
export const fD4 = accessor('a', ['D4'], 20, 12, (a) => a & 0xfff);
/** Bits 24–27: R1 of RRE, RRF. */
export const fRreR1 = accessor('a', ['R1'], 24, 4, (a) => (a >>> 4) & 15);
/** Bits 24–27: R3 of RRD. */
export const fRrdR3 = accessor('a', ['R3'], 24, 4, (a) => (a >>> 4) & 15);
/** Bits 28–31: R2 of RRE, RRF, RRD. */
export const fRreR2 = accessor('a', ['R2'], 28, 4, (a) => a & 15);
/** Bits 16–23 / 24–31: I3 / I4 of RIE-f. */
export const fI3 = accessor('a', ['I3'], 16, 8, (a) => (a >>> 8) & 0xff);
export const fI4 = accessor('a', ['I4'], 24, 8, (a) => a & 0xff);
/** Bits 16–23 / 24–31: I2 / I3 of VRI-b. */
export const fVriI2 = accessor('a', ['I2'], 16, 8, (a) => (a >>> 8) & 0xff);
export const fVriI3 = accessor('a', ['I3'], 24, 8, (a) => a & 0xff);
/** Bits 24–27: M5 of VRR-a, VRR-b. */
export const fVrrM5 = accessor('a', ['M5'], 24, 4, (a) => (a >>> 4) & 15);
/** Bits 28–31: M4 of VRR-a. */
export const fVrraM4 = accessor('a', ['M4'], 28, 4, (a) => a & 15);
/** Bits 28–31: M5 of VRR-c, VRR-e. */
export const fVrrcM5 = accessor('a', ['M5'], 28, 4, (a) => a & 15);
/** Bits 24–27: M6 of VRR-c, VRR-d. */
export const fVrrM6 = accessor('a', ['M6'], 24, 4, (a) => (a >>> 4) & 15);
/** Bits 20–23: M5 of VRR-d. */
export const fVrrdM5 = accessor('a', ['M5'], 20, 4, (a) => (a >>> 8) & 15);
/** Bits 16–31 signed: I2 / RI2 of RI, RIE-a/d/e/g, RSI, VRI-a/c; RI4 of RIE-b/c. */
export const fI16 = accessor('a', ['I2', 'RI2', 'RI4'], 16, 16, (a) => (a << 16) >> 16, { signed: true });
/** Bits 16–31 unsigned: I2 of RI-a, RIE-a/d/g, VRI-a/c. */
export const fU16 = accessor('a', ['I2'], 16, 16, (a) => a & 0xffff);

/** Bits 16–47 signed: I2 / RI2 of RIL. */
export const fI32 = accessor('ab', ['I2', 'RI2'], 16, 32, (a, b) => (a << 16) | (b & 0xffff), { signed: true });
/** Bits 16–47 unsigned: I2 of RIL-a. */
export const fU32 = accessor('ab', ['I2'], 16, 32, (a, b) => ((a << 16) | (b & 0xffff)) >>> 0);
/** Bits 20–39 signed: 20-bit displacement D2 of RXY, RSY; D1 of SIY. */
export const fD20 = accessor('ab', ['D2', 'D1'], 20, 20, (a, b) => (((b >>> 8) << 24) >> 12) | (a & 0xfff), { kind: 'disp20' });
/** Vector register fields at bits 8, 12, 16, extended by their RXB bit (bits 36–39). */
export const fV1 = accessor('ab', ['V1'], 8, 4, (a, b) => ((a >>> 20) & 15) | ((b >>> 7) & 16), { kind: 'vector' });
export const fV2 = accessor('ab', ['V2'], 12, 4, (a, b) => ((a >>> 16) & 15) | ((b >>> 6) & 16), { kind: 'vector' });
export const fV3 = accessor('ab', ['V3'], 16, 4, (a, b) => ((a >>> 12) & 15) | ((b >>> 5) & 16), { kind: 'vector' });
/** Bits 12–15 extended by RXB: V3 of VRI-c, VRS-a, VRS-c. */
export const fVrsV3 = accessor('ab', ['V3'], 12, 4, (a, b) => ((a >>> 16) & 15) | ((b >>> 6) & 16), { kind: 'vector' });

/** Bits 32–35: R1 of RXF, RSL-b. */
export const fRxfR1 = accessor('b', ['R1'], 32, 4, (b) => (b >>> 12) & 15);
/** Bits 32–35: B2 of SS, SSE, SSF. */
export const fB2InB = accessor('b', ['B2'], 32, 4, (b) => (b >>> 12) & 15);
/** Bits 36–47: D2 of SS, SSE, SSF. */
export const fD2InB = accessor('b', ['D2'], 36, 12, (b) => b & 0xfff);
/** Bits 32–35: M3 of RXE, RIE-a/b, RRS, VRR-a, VRI-a, VRV, VRX. */
export const fM3InB = accessor('b', ['M3'], 32, 4, (b) => (b >>> 12) & 15);
/** Bits 32–35: M4 of VRR-b/c, VRI-b/c/e, VRS-a/b/c. */
export const fM4InB = accessor('b', ['M4'], 32, 4, (b) => (b >>> 12) & 15);
/** Bits 32–35: M5 of VRI-d. */
export const fM5InB = accessor('b', ['M5'], 32, 4, (b) => (b >>> 12) & 15);
/** Bits 32–39: I2 of RIE-c, RIS. */
export const fI2InB = accessor('b', ['I2'], 32, 8, (b) => (b >>> 8) & 0xff);
/** Bits 32–39: I5 of RIE-f. */
export const fI5 = accessor('b', ['I5'], 32, 8, (b) => (b >>> 8) & 0xff);
/** Bits 32–47 signed: I2 of SIL. */
export const fSilI2 = accessor('b', ['I2'], 32, 16, (b) => (b << 16) >> 16, { signed: true });
/** Bits 32–47 unsigned: I2 of SIL. */
export const fSilU2 = accessor('b', ['I2'], 32, 16, (b) => b & 0xffff);
/** Bits 32–35 extended by RXB: V4 of VRR-d, VRR-e. */
export const fV4 = accessor('b', ['V4'], 32, 4, (b) => ((b >>> 12) & 15) | ((b >>> 4) & 16), { kind: 'vector' });

/** Vector floating point's fields in bytes 0–3: M6 at 20–23 of VRR-e, I3 at 16–27 of VRI-e. */
export const fM6At20 = accessor('a', ['M6'], 20, 4, (a) => (a >>> 8) & 15);
export const fI3At16 = accessor('a', ['I3'], 16, 12, (a) => (a >>> 4) & 0xfff);

/** Every accessor above with the field it reads; the formats it serves are `formatsWith(fields, pos, width, kind)`. */
export const FIELD_ACCESSORS: readonly FieldAccessor[] = accessors;

/** The formats accessor `T` serves: `FormatsOf<typeof fX2> & FormatsOf<typeof fB2>` are those with both fields. */
export type FormatsOf<T> = T extends (a: InsnA<infer F>, ...rest: never[]) => number ? F : T extends (b: InsnB<infer F>) => number ? F : never;
