// Instruction formats and operand fields (spec s390x-cpu.md §8). An instruction reaches its
// semantics as two numbers: `a` = bytes 0–3 (unsigned 32-bit; for a 2-byte instruction only its
// high 16 bits are meaningful) and `b` = bytes 4–5 (unsigned 16-bit, 6-byte instructions only).
// The fast field accessors below are what semantics use; FORMAT_FIELDS drives the disassembler and
// interception reports.

export type Format =
  | 'E' | 'I' | 'RR' | 'RI-a' | 'RI-b' | 'RI-c' | 'RRE' | 'RRF-a' | 'RRF-b' | 'RRF-c' | 'RRF-d' | 'RRF-e'
  | 'RRD' | 'RX-a' | 'RX-b' | 'RS-a' | 'RS-b' | 'RSI' | 'S' | 'SI' | 'IE' | 'RIL-a' | 'RIL-b' | 'RIL-c'
  | 'RXY-a' | 'RXY-b' | 'RSY-a' | 'RSY-b' | 'RXE' | 'RXF' | 'RSL-a' | 'RSL-b'
  | 'RIE-a' | 'RIE-b' | 'RIE-c' | 'RIE-d' | 'RIE-e' | 'RIE-f' | 'RIE-g' | 'RIS' | 'RRS' | 'SIY' | 'SIL' | 'SSE'
  | 'SS-a' | 'SS-b' | 'SS-c' | 'SS-d' | 'SS-e' | 'SS-f' | 'SSF' | 'MII' | 'SMI'
  | 'VRR-a' | 'VRR-b' | 'VRR-c' | 'VRR-d' | 'VRR-e' | 'VRR-f' | 'VRI-a' | 'VRI-b' | 'VRI-c' | 'VRI-d' | 'VRI-e'
  | 'VRS-a' | 'VRS-b' | 'VRS-c' | 'VRV' | 'VRX';

/** Length in bytes from the first opcode byte: 00 → 2, 01/10 → 4, 11 → 6. */
export function instructionLength(firstByte: number): 2 | 4 | 6 {
  const top = firstByte >>> 6;
  return top === 0 ? 2 : top === 3 ? 6 : 4;
}

/** One operand field: MSB-0 bit position within the instruction and width in bits. */
export interface FieldSpec {
  pos: number;
  width: number;
  /** `disp20`: signed 20-bit displacement DL (pos..pos+11) + DH (pos+12..pos+19). */
  kind?: 'disp20' | 'vector';
}

const f = (pos: number, width: number): FieldSpec => ({ pos, width });
const d20 = (pos: number): FieldSpec => ({ pos, width: 20, kind: 'disp20' });
const v = (pos: number): FieldSpec => ({ pos, width: 4, kind: 'vector' });

const RRF = { R3: f(16, 4), M3: f(16, 4), M4: f(20, 4), R1: f(24, 4), R2: f(28, 4) };
const RX = { R1: f(8, 4), M1: f(8, 4), X2: f(12, 4), B2: f(16, 4), D2: f(20, 12) };
const RS = { R1: f(8, 4), R3: f(12, 4), M3: f(12, 4), B2: f(16, 4), D2: f(20, 12) };
const RXY = { R1: f(8, 4), M1: f(8, 4), X2: f(12, 4), B2: f(16, 4), D2: d20(20) };
const RSY = { R1: f(8, 4), R3: f(12, 4), M3: f(12, 4), B2: f(16, 4), D2: d20(20) };
const SS = { L: f(8, 8), L1: f(8, 4), L2: f(12, 4), I3: f(12, 4), R1: f(8, 4), R3: f(12, 4), B1: f(16, 4), D1: f(20, 12), B2: f(32, 4), D2: f(36, 12) };

/** Length in bytes and operand fields of every format (§8). */
/** Length in bytes and operand fields of one format. */
export interface FormatLayout {
  readonly length: 2 | 4 | 6;
  readonly fields: Readonly<Record<string, FieldSpec>>;
}

/** Length in bytes and operand fields of every format (§8): the one definition of the fields. */
const LAYOUTS = {
  E: { length: 2, fields: {} },
  I: { length: 2, fields: { I1: f(8, 8) } },
  RR: { length: 2, fields: { R1: f(8, 4), M1: f(8, 4), R2: f(12, 4) } },
  'RI-a': { length: 4, fields: { R1: f(8, 4), I2: f(16, 16) } },
  'RI-b': { length: 4, fields: { R1: f(8, 4), RI2: f(16, 16) } },
  'RI-c': { length: 4, fields: { M1: f(8, 4), RI2: f(16, 16) } },
  RRE: { length: 4, fields: { R1: f(24, 4), R2: f(28, 4) } },
  'RRF-a': { length: 4, fields: RRF },
  'RRF-b': { length: 4, fields: RRF },
  'RRF-c': { length: 4, fields: RRF },
  'RRF-d': { length: 4, fields: RRF },
  'RRF-e': { length: 4, fields: RRF },
  RRD: { length: 4, fields: { R1: f(16, 4), R3: f(24, 4), R2: f(28, 4) } },
  'RX-a': { length: 4, fields: RX },
  'RX-b': { length: 4, fields: RX },
  'RS-a': { length: 4, fields: RS },
  'RS-b': { length: 4, fields: RS },
  RSI: { length: 4, fields: { R1: f(8, 4), R3: f(12, 4), RI2: f(16, 16) } },
  S: { length: 4, fields: { B2: f(16, 4), D2: f(20, 12) } },
  SI: { length: 4, fields: { I2: f(8, 8), B1: f(16, 4), D1: f(20, 12) } },
  IE: { length: 4, fields: { I1: f(24, 4), I2: f(28, 4) } },
  'RIL-a': { length: 6, fields: { R1: f(8, 4), I2: f(16, 32) } },
  'RIL-b': { length: 6, fields: { R1: f(8, 4), RI2: f(16, 32) } },
  'RIL-c': { length: 6, fields: { M1: f(8, 4), RI2: f(16, 32) } },
  'RXY-a': { length: 6, fields: RXY },
  'RXY-b': { length: 6, fields: RXY },
  'RSY-a': { length: 6, fields: RSY },
  'RSY-b': { length: 6, fields: RSY },
  RXE: { length: 6, fields: { R1: f(8, 4), X2: f(12, 4), B2: f(16, 4), D2: f(20, 12), M3: f(32, 4) } },
  RXF: { length: 6, fields: { R3: f(8, 4), X2: f(12, 4), B2: f(16, 4), D2: f(20, 12), R1: f(32, 4) } },
  'RSL-a': { length: 6, fields: { L1: f(8, 4), B1: f(16, 4), D1: f(20, 12) } },
  'RSL-b': { length: 6, fields: { L2: f(8, 8), B2: f(16, 4), D2: f(20, 12), R1: f(32, 4), M3: f(36, 4) } },
  'RIE-a': { length: 6, fields: { R1: f(8, 4), I2: f(16, 16), M3: f(32, 4) } },
  'RIE-b': { length: 6, fields: { R1: f(8, 4), R2: f(12, 4), RI4: f(16, 16), M3: f(32, 4) } },
  'RIE-c': { length: 6, fields: { R1: f(8, 4), M3: f(12, 4), RI4: f(16, 16), I2: f(32, 8) } },
  'RIE-d': { length: 6, fields: { R1: f(8, 4), R3: f(12, 4), I2: f(16, 16) } },
  'RIE-e': { length: 6, fields: { R1: f(8, 4), R3: f(12, 4), RI2: f(16, 16) } },
  'RIE-f': { length: 6, fields: { R1: f(8, 4), R2: f(12, 4), I3: f(16, 8), I4: f(24, 8), I5: f(32, 8) } },
  'RIE-g': { length: 6, fields: { R1: f(8, 4), M3: f(12, 4), I2: f(16, 16) } },
  RIS: { length: 6, fields: { R1: f(8, 4), M3: f(12, 4), B4: f(16, 4), D4: f(20, 12), I2: f(32, 8) } },
  RRS: { length: 6, fields: { R1: f(8, 4), R2: f(12, 4), B4: f(16, 4), D4: f(20, 12), M3: f(32, 4) } },
  SIY: { length: 6, fields: { I2: f(8, 8), B1: f(16, 4), D1: d20(20) } },
  SIL: { length: 6, fields: { B1: f(16, 4), D1: f(20, 12), I2: f(32, 16) } },
  SSE: { length: 6, fields: { B1: f(16, 4), D1: f(20, 12), B2: f(32, 4), D2: f(36, 12) } },
  'SS-a': { length: 6, fields: SS },
  'SS-b': { length: 6, fields: SS },
  'SS-c': { length: 6, fields: SS },
  'SS-d': { length: 6, fields: SS },
  'SS-e': { length: 6, fields: { ...SS, B4: f(32, 4), D4: f(36, 12) } },
  'SS-f': { length: 6, fields: { ...SS, L2: f(8, 8) } },
  SSF: { length: 6, fields: { R3: f(8, 4), B1: f(16, 4), D1: f(20, 12), B2: f(32, 4), D2: f(36, 12) } },
  MII: { length: 6, fields: { M1: f(8, 4), RI2: f(12, 12), RI3: f(24, 24) } },
  SMI: { length: 6, fields: { M1: f(8, 4), B3: f(16, 4), D3: f(20, 12), RI2: f(32, 16) } },
  'VRR-a': { length: 6, fields: { V1: v(8), V2: v(12), M5: f(24, 4), M4: f(28, 4), M3: f(32, 4) } },
  'VRR-b': { length: 6, fields: { V1: v(8), V2: v(12), V3: v(16), M5: f(24, 4), M4: f(32, 4) } },
  'VRR-c': { length: 6, fields: { V1: v(8), V2: v(12), V3: v(16), M6: f(24, 4), M5: f(28, 4), M4: f(32, 4) } },
  'VRR-d': { length: 6, fields: { V1: v(8), V2: v(12), V3: v(16), M5: f(20, 4), M6: f(24, 4), V4: v(32) } },
  'VRR-e': { length: 6, fields: { V1: v(8), V2: v(12), V3: v(16), M6: f(20, 4), M5: f(28, 4), V4: v(32) } },
  'VRR-f': { length: 6, fields: { V1: v(8), R2: f(12, 4), R3: f(16, 4) } },
  'VRI-a': { length: 6, fields: { V1: v(8), I2: f(16, 16), M3: f(32, 4) } },
  'VRI-b': { length: 6, fields: { V1: v(8), I2: f(16, 8), I3: f(24, 8), M4: f(32, 4) } },
  'VRI-c': { length: 6, fields: { V1: v(8), V3: v(12), I2: f(16, 16), M4: f(32, 4) } },
  'VRI-d': { length: 6, fields: { V1: v(8), V2: v(12), V3: v(16), I4: f(24, 8), M5: f(32, 4) } },
  'VRI-e': { length: 6, fields: { V1: v(8), V2: v(12), I3: f(16, 12), M5: f(28, 4), M4: f(32, 4) } },
  'VRS-a': { length: 6, fields: { V1: v(8), V3: v(12), B2: f(16, 4), D2: f(20, 12), M4: f(32, 4) } },
  'VRS-b': { length: 6, fields: { V1: v(8), R3: f(12, 4), B2: f(16, 4), D2: f(20, 12), M4: f(32, 4) } },
  'VRS-c': { length: 6, fields: { R1: f(8, 4), V3: v(12), B2: f(16, 4), D2: f(20, 12), M4: f(32, 4) } },
  VRV: { length: 6, fields: { V1: v(8), V2: v(12), B2: f(16, 4), D2: f(20, 12), M3: f(32, 4) } },
  VRX: { length: 6, fields: { V1: v(8), X2: f(12, 4), B2: f(16, 4), D2: f(20, 12), M3: f(32, 4) } },
} as const satisfies Record<Format, FormatLayout>;

/** Every format's layout, for code that takes the format at run time (decoder, disassembler). */
export const FORMAT_FIELDS: Readonly<Record<Format, FormatLayout>> = LAYOUTS;

/** The operand field names of format `F`, e.g. `'R1' | 'R3' | 'B2' | 'D2'` for RS-a. */
export type FieldName<F extends Format> = keyof (typeof LAYOUTS)[F]['fields'] & string;

/** Every operand field of an instruction of format `F`, decoded. */
export type OperandFields<F extends Format> = { readonly [K in FieldName<F>]: number };

/** Unsigned value of `width` bits at MSB-0 `pos` of the 48-bit instruction (a: bytes 0–3, b: 4–5). */
export function extractBits(a: number, b: number, pos: number, width: number): number {
  // Work on the 48-bit value as a double: exact below 2^53.
  const whole = (a >>> 0) * 65536 + (b & 0xffff);
  const shifted = Math.floor(whole / 2 ** (48 - pos - width));
  return shifted % 2 ** width;
}

/** Value of a named field; D20 displacements signed, vector fields extended by RXB. */
export function extractField(a: number, b: number, spec: FieldSpec): number {
  if (spec.kind === 'disp20') {
    const dl = extractBits(a, b, spec.pos, 12);
    const dh = extractBits(a, b, spec.pos + 12, 8);
    return ((dh << 24) >> 12) | dl;
  }
  const raw = extractBits(a, b, spec.pos, spec.width);
  if (spec.kind === 'vector') {
    // RXB (bits 36–39) holds bit 4 of the V fields at positions 8, 12, 16, 32.
    const rxbBit = spec.pos === 8 ? 0 : spec.pos === 12 ? 1 : spec.pos === 16 ? 2 : 3;
    const rxb = (b >>> 8) & 15;
    return raw | (((rxb >>> (3 - rxbBit)) & 1) << 4);
  }
  return raw;
}

/** Every field of `format` decoded. */
export function decodeFields(format: Format, a: number, b: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, spec] of Object.entries(FORMAT_FIELDS[format].fields)) out[name] = extractField(a, b, spec);
  return out;
}

// ---- Fast field accessors for semantics (inline-friendly; `a` is bytes 0–3, `b` bytes 4–5) ----
// Each is named after the field it reads; where one field sits at different bits in different
// formats, the name adds the format (fRreR1) or the half it is in (fM3InB). FIELD_ACCESSORS lists
// the formats each accessor serves; a test checks every pair against LAYOUTS above.

/** Bits 8–11: R1. */
export const fR1 = (a: number): number => (a >>> 20) & 15;
/** Bits 8–11: M1. */
export const fM1 = (a: number): number => (a >>> 20) & 15;
/** Bits 12–15: R2 of RR, RIE-b, RIE-f, RRS, VRR-f. */
export const fR2 = (a: number): number => (a >>> 16) & 15;
/** Bits 12–15: X2. */
export const fX2 = (a: number): number => (a >>> 16) & 15;
/** Bits 12–15: R3 of RS-a, RSY-a, RSI, RIE-d, RIE-e, VRS-b. */
export const fR3 = (a: number): number => (a >>> 16) & 15;
/** Bits 12–15: M3 of RS-b, RSY-b, RIE-c, RIE-g, RIS. */
export const fM3 = (a: number): number => (a >>> 16) & 15;
/** Bits 16–19: B2. */
export const fB2 = (a: number): number => (a >>> 12) & 15;
/** Bits 16–19: B1. */
export const fB1 = (a: number): number => (a >>> 12) & 15;
/** Bits 16–19: R3 of VRR-f. */
export const fVrrfR3 = (a: number): number => (a >>> 12) & 15;
/** Bits 16–19: R3 of RRF. */
export const fRrfR3 = (a: number): number => (a >>> 12) & 15;
/** Bits 16–19: M3 of RRF. */
export const fRrfM3 = (a: number): number => (a >>> 12) & 15;
/** Bits 20–31: 12-bit displacement D2. */
export const fD2 = (a: number): number => a & 0xfff;
/** Bits 20–31: 12-bit displacement D1. */
export const fD1 = (a: number): number => a & 0xfff;
/** Bits 16–19 / 20–31: B4 / D4 of RIS, RRS. */
export const fB4 = (a: number): number => (a >>> 12) & 15;
export const fD4 = (a: number): number => a & 0xfff;
/** Bits 32–47 signed: I2 of SIL. */
export const fSilI2 = (b: number): number => (b << 16) >> 16;
/** Bits 16–19 / 24–27: R1 / R3 of RRD. */
export const fRrdR1 = (a: number): number => (a >>> 12) & 15;
export const fRrdR3 = (a: number): number => (a >>> 4) & 15;
/** Bits 8–11 / 32–35: R3 / R1 of RXF. */
export const fRxfR3 = (a: number): number => (a >>> 20) & 15;
export const fRxfR1 = (b: number): number => (b >>> 12) & 15;
/** Bits 20–23: M4 of RRF. */
export const fRrfM4 = (a: number): number => (a >>> 8) & 15;
/** Bits 24–27: R1 of RRE/RRF. */
export const fRreR1 = (a: number): number => (a >>> 4) & 15;
/** Bits 28–31: R2 of RRE/RRF/RRD. */
export const fRreR2 = (a: number): number => a & 15;
/** Bits 16–31 signed: I2 / RI2 of RI, RIE-d/e/g, RSI; RI4 of RIE-b/c. */
export const fI16 = (a: number): number => (a << 16) >> 16;
/** Bits 16–31 unsigned: I2 of RI-a, RIE-a, RIE-d, RIE-g, VRI-a, VRI-c. */
export const fU16 = (a: number): number => a & 0xffff;
/** Bits 16–47 signed: I2 / RI2 of RIL. */
export const fI32 = (a: number, b: number): number => ((a << 16) | (b & 0xffff)) | 0;
/** Bits 16–47 unsigned: I2 of RIL-a. */
export const fU32 = (a: number, b: number): number => (((a << 16) | (b & 0xffff)) >>> 0);
/** Bits 20–39 signed: 20-bit displacement D2 of RXY, RSY; D1 of SIY. */
export const fD20 = (a: number, b: number): number => (((b >>> 8) << 24) >> 12) | (a & 0xfff);
/** Bits 8–15: I2 of SI, SIY. */
export const fI8 = (a: number): number => (a >>> 16) & 0xff;
/** Bits 8–15: I1 of I. */
export const fI1 = (a: number): number => (a >>> 16) & 0xff;
/** Bits 8–15: L of SS-a (the length code: length − 1). */
export const fL = (a: number): number => (a >>> 16) & 0xff;
/** Bits 32–35: B2 of SS, SSE, SSF. */
export const fB2InB = (b: number): number => (b >>> 12) & 15;
/** Bits 36–47: D2 of SS, SSE, SSF. */
export const fD2InB = (b: number): number => b & 0xfff;
/** Bits 32–35: M3 of RXE, RIE-a, RIE-b, RRS, VRR-a, VRI-a, VRV, VRX. */
export const fM3InB = (b: number): number => (b >>> 12) & 15;
/** Bits 32–35: M4 of VRR-b, VRR-c, VRI-b, VRI-c, VRI-e, VRS-a, VRS-b, VRS-c. */
export const fM4InB = (b: number): number => (b >>> 12) & 15;
/** Bits 32–39: I2 of RIE-c, RIS; I5 of RIE-f. */
export const fI2InB = (b: number): number => (b >>> 8) & 0xff;
export const fI5 = (b: number): number => (b >>> 8) & 0xff;
/** Bits 16–23 / 24–31: I3 / I4 of RIE-f. */
export const fI3 = (a: number): number => (a >>> 8) & 0xff;
export const fI4 = (a: number): number => a & 0xff;
/** Vector register fields at bits 8, 12, 16 and 32, extended by RXB (bits 36–39). */
export const fV1 = (a: number, b: number): number => ((a >>> 20) & 15) | ((b >>> 7) & 16);
export const fV2 = (a: number, b: number): number => ((a >>> 16) & 15) | ((b >>> 6) & 16);
export const fV3 = (a: number, b: number): number => ((a >>> 12) & 15) | ((b >>> 5) & 16);
/** Bits 12–15 extended by RXB: V3 of VRI-c, VRS-a, VRS-c. */
export const fVrsV3 = (a: number, b: number): number => ((a >>> 16) & 15) | ((b >>> 6) & 16);
export const fV4 = (b: number): number => ((b >>> 12) & 15) | ((b >>> 4) & 16);

/** A fast accessor, the field it reads and the formats whose field it is. */
export interface FieldAccessor {
  /** Called with `(a, b)`, or with `b` alone when `inB` is set. */
  readonly read: ((a: number, b: number) => number) | ((b: number) => number);
  /** The field lies in bytes 4–5 and the accessor takes only `b`. */
  readonly inB?: true;
  readonly field: string;
  readonly formats: readonly Format[];
  /** Signed accessors return the field's two's-complement value. */
  readonly signed?: boolean;
}

/** Every fast accessor with the fields it serves; a test checks each against LAYOUTS. */
export const FIELD_ACCESSORS: readonly FieldAccessor[] = [
  { read: fR1, field: 'R1', formats: ['RR', 'RI-a', 'RI-b', 'RX-a', 'RS-a', 'RS-b', 'RSI', 'RIL-a', 'RIL-b', 'RXY-a', 'RSY-a', 'RSY-b', 'RXE', 'RIE-a', 'RIE-b', 'RIE-c', 'RIE-d', 'RIE-e', 'RIE-f', 'RIE-g', 'RIS', 'RRS', 'VRS-c'] },
  { read: fM1, field: 'M1', formats: ['RR', 'RI-c', 'RX-b', 'RIL-c', 'RXY-b', 'MII', 'SMI'] },
  { read: fR2, field: 'R2', formats: ['RR', 'RIE-b', 'RIE-f', 'RRS', 'VRR-f'] },
  { read: fVrrfR3, field: 'R3', formats: ['VRR-f'] },
  { read: fX2, field: 'X2', formats: ['RX-a', 'RX-b', 'RXY-a', 'RXY-b', 'RXE', 'RXF', 'VRX'] },
  { read: fR3, field: 'R3', formats: ['RS-a', 'RS-b', 'RSI', 'RSY-a', 'RSY-b', 'RIE-d', 'RIE-e', 'VRS-b'] },
  { read: fM3, field: 'M3', formats: ['RS-a', 'RS-b', 'RSY-a', 'RSY-b', 'RIE-c', 'RIE-g', 'RIS'] },
  { read: fB2, field: 'B2', formats: ['RX-a', 'RX-b', 'RS-a', 'RS-b', 'S', 'RXY-a', 'RXY-b', 'RSY-a', 'RSY-b', 'RXE', 'RXF', 'RSL-b', 'VRS-a', 'VRS-b', 'VRS-c', 'VRV', 'VRX'] },
  { read: fB1, field: 'B1', formats: ['SI', 'SIY', 'SIL', 'SSE', 'SS-a', 'SS-b', 'SS-c', 'SS-d', 'SS-e', 'SS-f', 'SSF', 'RSL-a'] },
  { read: fRrfR3, field: 'R3', formats: ['RRF-a', 'RRF-b', 'RRF-c', 'RRF-d', 'RRF-e'] },
  { read: fRrfM3, field: 'M3', formats: ['RRF-a', 'RRF-b', 'RRF-c', 'RRF-d', 'RRF-e'] },
  { read: fD2, field: 'D2', formats: ['RX-a', 'RX-b', 'RS-a', 'RS-b', 'S', 'RXE', 'RXF', 'RSL-b', 'VRS-a', 'VRS-b', 'VRS-c', 'VRV', 'VRX'] },
  { read: fD1, field: 'D1', formats: ['SI', 'SIL', 'SSE', 'SS-a', 'SS-b', 'SS-c', 'SS-d', 'SS-e', 'SS-f', 'SSF', 'RSL-a'] },
  { read: fB4, field: 'B4', formats: ['RIS', 'RRS'] },
  { read: fD4, field: 'D4', formats: ['RIS', 'RRS'] },
  { read: fSilI2, inB: true, field: 'I2', formats: ['SIL'], signed: true },
  { read: fRrfM4, field: 'M4', formats: ['RRF-a', 'RRF-b', 'RRF-c', 'RRF-d', 'RRF-e'] },
  { read: fRreR1, field: 'R1', formats: ['RRE', 'RRF-a', 'RRF-b', 'RRF-c', 'RRF-d', 'RRF-e'] },
  { read: fRreR2, field: 'R2', formats: ['RRE', 'RRF-a', 'RRF-b', 'RRF-c', 'RRF-d', 'RRF-e', 'RRD'] },
  { read: fRrdR1, field: 'R1', formats: ['RRD'] },
  { read: fRrdR3, field: 'R3', formats: ['RRD'] },
  { read: fRxfR3, field: 'R3', formats: ['RXF'] },
  { read: fRxfR1, inB: true, field: 'R1', formats: ['RXF'] },
  { read: fI16, field: 'I2', formats: ['RI-a', 'RIE-a', 'RIE-d', 'RIE-g', 'VRI-a'], signed: true },
  { read: fI16, field: 'RI2', formats: ['RI-b', 'RI-c', 'RSI', 'RIE-e'], signed: true },
  { read: fI16, field: 'RI4', formats: ['RIE-b', 'RIE-c'], signed: true },
  { read: fU16, field: 'I2', formats: ['RI-a', 'RIE-a', 'RIE-d', 'RIE-g', 'VRI-a', 'VRI-c'] },
  { read: fI32, field: 'I2', formats: ['RIL-a'], signed: true },
  { read: fI32, field: 'RI2', formats: ['RIL-b', 'RIL-c'], signed: true },
  { read: fU32, field: 'I2', formats: ['RIL-a'] },
  { read: fD20, field: 'D2', formats: ['RXY-a', 'RXY-b', 'RSY-a', 'RSY-b'] },
  { read: fD20, field: 'D1', formats: ['SIY'] },
  { read: fI8, field: 'I2', formats: ['SI', 'SIY'] },
  { read: fI1, field: 'I1', formats: ['I'] },
  { read: fL, field: 'L', formats: ['SS-a'] },
  { read: fB2InB, inB: true, field: 'B2', formats: ['SSE', 'SS-a', 'SS-b', 'SS-c', 'SS-d', 'SSF'] },
  { read: fD2InB, inB: true, field: 'D2', formats: ['SSE', 'SS-a', 'SS-b', 'SS-c', 'SS-d', 'SSF'] },
  { read: fM3InB, inB: true, field: 'M3', formats: ['RXE', 'RIE-a', 'RIE-b', 'RRS', 'VRR-a', 'VRI-a', 'VRV', 'VRX'] },
  { read: fM4InB, inB: true, field: 'M4', formats: ['VRR-b', 'VRR-c', 'VRI-b', 'VRI-c', 'VRI-e', 'VRS-a', 'VRS-b', 'VRS-c'] },
  { read: fI2InB, inB: true, field: 'I2', formats: ['RIE-c', 'RIS'] },
  { read: fI5, inB: true, field: 'I5', formats: ['RIE-f'] },
  { read: fI3, field: 'I3', formats: ['RIE-f'] },
  { read: fI4, field: 'I4', formats: ['RIE-f'] },
  { read: fV1, field: 'V1', formats: ['VRR-a', 'VRR-b', 'VRR-c', 'VRR-d', 'VRR-e', 'VRR-f', 'VRI-a', 'VRI-b', 'VRI-c', 'VRI-d', 'VRI-e', 'VRS-a', 'VRS-b', 'VRV', 'VRX'] },
  { read: fV2, field: 'V2', formats: ['VRR-a', 'VRR-b', 'VRR-c', 'VRR-d', 'VRR-e', 'VRI-d', 'VRI-e', 'VRV'] },
  { read: fV3, field: 'V3', formats: ['VRR-b', 'VRR-c', 'VRR-d', 'VRR-e', 'VRI-d'] },
  { read: fVrsV3, field: 'V3', formats: ['VRI-c', 'VRS-a', 'VRS-c'] },
  { read: fV4, inB: true, field: 'V4', formats: ['VRR-d', 'VRR-e'] },
];
