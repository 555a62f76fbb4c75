// Instruction formats and operand fields (spec s390x-cpu.md §8). An instruction reaches its
// semantics as two numbers: `a` = bytes 0–3 (unsigned 32-bit; for a 2-byte instruction only its
// high 16 bits are meaningful) and `b` = bytes 4–5 (unsigned 16-bit, 6-byte instructions only).
// LAYOUTS is the one definition of every format's fields: FORMAT_FIELDS drives the decoder, the
// disassembler and interception reports, and the typed accessors of `fields.ts` are derived from it
// for the semantics.

export type Format =
  | 'E'
  | 'I'
  | 'RR'
  | 'RI-a'
  | 'RI-b'
  | 'RI-c'
  | 'RRE'
  | 'RRF-a'
  | 'RRF-b'
  | 'RRF-c'
  | 'RRF-d'
  | 'RRF-e'
  | 'RRD'
  | 'RX-a'
  | 'RX-b'
  | 'RS-a'
  | 'RS-b'
  | 'RSI'
  | 'S'
  | 'SI'
  | 'IE'
  | 'RIL-a'
  | 'RIL-b'
  | 'RIL-c'
  | 'RXY-a'
  | 'RXY-b'
  | 'RSY-a'
  | 'RSY-b'
  | 'RXE'
  | 'RXF'
  | 'RSL-a'
  | 'RSL-b'
  | 'RIE-a'
  | 'RIE-b'
  | 'RIE-c'
  | 'RIE-d'
  | 'RIE-e'
  | 'RIE-f'
  | 'RIE-g'
  | 'RIS'
  | 'RRS'
  | 'SIY'
  | 'SIL'
  | 'SSE'
  | 'SS-a'
  | 'SS-b'
  | 'SS-c'
  | 'SS-d'
  | 'SS-e'
  | 'SS-f'
  | 'SSF'
  | 'MII'
  | 'SMI'
  | 'VRR-a'
  | 'VRR-b'
  | 'VRR-c'
  | 'VRR-d'
  | 'VRR-e'
  | 'VRR-f'
  | 'VRI-a'
  | 'VRI-b'
  | 'VRI-c'
  | 'VRI-d'
  | 'VRI-e'
  | 'VRS-a'
  | 'VRS-b'
  | 'VRS-c'
  | 'VRV'
  | 'VRX';

/** Length in bytes from the first opcode byte: 00 → 2, 01/10 → 4, 11 → 6. */
export function instructionLength(firstByte: number): 2 | 4 | 6 {
  const top = firstByte >>> 6;
  return top === 0 ? 2 : top === 3 ? 6 : 4;
}

/** One operand field: MSB-0 bit position within the instruction and width in bits. */
export interface FieldSpec {
  readonly pos: number;
  readonly width: number;
  /**
   * `disp20`: signed 20-bit displacement DL (pos..pos+11) + DH (pos+12..pos+19); `vector`: a
   * vector register number extended by its RXB bit.
   */
  readonly kind?: 'disp20' | 'vector';
}

// The positions keep their literal types, so `fields.ts` can derive each accessor's formats.
const f = <P extends number, W extends number>(pos: P, width: W) => ({ pos, width }) as const;
const d20 = <P extends number>(pos: P) => ({ pos, width: 20, kind: 'disp20' }) as const;
const v = <P extends number>(pos: P) => ({ pos, width: 4, kind: 'vector' }) as const;

const RRF = { R3: f(16, 4), M3: f(16, 4), M4: f(20, 4), R1: f(24, 4), R2: f(28, 4) };
const RX = { R1: f(8, 4), M1: f(8, 4), X2: f(12, 4), B2: f(16, 4), D2: f(20, 12) };
const RS = { R1: f(8, 4), R3: f(12, 4), M3: f(12, 4), B2: f(16, 4), D2: f(20, 12) };
const RXY = { R1: f(8, 4), M1: f(8, 4), X2: f(12, 4), B2: f(16, 4), D2: d20(20) };
const RSY = { R1: f(8, 4), R3: f(12, 4), M3: f(12, 4), B2: f(16, 4), D2: d20(20) };
const SS = { L: f(8, 8), L1: f(8, 4), L2: f(12, 4), I3: f(12, 4), R1: f(8, 4), R3: f(12, 4), B1: f(16, 4), D1: f(20, 12), B2: f(32, 4), D2: f(36, 12) };

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

/** The fields of every format as types: `Layouts['RX-a']['fields']['D2']` is `{ pos: 20; width: 12 }`. */
export type Layouts = typeof LAYOUTS;

/** Every format's layout, for code that takes the format at run time (decoder, disassembler). */
export const FORMAT_FIELDS: Readonly<Record<Format, FormatLayout>> = LAYOUTS;

/** The operand field names of format `F`, e.g. `'R1' | 'R3' | 'B2' | 'D2'` for RS-a. */
export type FieldName<F extends Format> = keyof (typeof LAYOUTS)[F]['fields'] & string;

/** Every operand field of an instruction of format `F`, decoded. */
// eslint-disable-next-line @typescript-eslint/consistent-indexed-object-style -- as a Record, the per-format union of the UV's interception report no longer type-checks
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
