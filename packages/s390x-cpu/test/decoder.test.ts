// Decoder and formats: instruction length, opcode keys for every extension location, the table
// builder's checks, and the fast field extractors against the FORMAT_FIELDS definitions.
import { describe, expect, it } from 'vitest';
import {
  DECODE_TABLE,
  FORMAT_FIELDS,
  INSTRUCTIONS,
  extractField,
  fB2,
  fB2InB,
  fD2,
  fD20,
  fD2InB,
  fI16,
  fI32,
  fI8,
  fRrfM4,
  fR1,
  fR2,
  fRreR1,
  fRreR2,
  fRrfR3,
  fX2,
  fV1,
  fV2,
  fV3,
  fV4,
  instructionLength,
  keyOfOpcode,
  opcodeKey,
  wordsOf,
  type Format,
  type InsnA,
  type InsnB,
  type InstructionDef,
} from '../src/isa/index.ts';
import { buildDecodeTable } from '../src/isa/decoder.ts';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

describe('decoder', () => {
  it('length from the two high bits of the first byte', () => {
    expect([0x07, 0x3f, 0x40, 0x7f, 0x80, 0xbf, 0xc0, 0xff].map(instructionLength)).toEqual([2, 2, 4, 4, 4, 4, 6, 6]);
  });
  it('opcode keys for each extension location', () => {
    expect(opcodeKey(0x18120000, 0)).toBe(0x1800); // LR: none
    expect(opcodeKey(0xb9040012, 0)).toBe(0xb904); // LGR: bits 8-15
    expect(opcodeKey(0xa71afffb, 0)).toBe(0xa70a); // AHI: bits 12-15
    expect(opcodeKey(0xe312fff8, 0xff04)).toBe(0xe304); // LG: bits 40-47
    expect(opcodeKey(0xd21f1000, 0xe000)).toBe(0xd200); // MVC: none
    expect(opcodeKey(0x010e0000, 0)).toBe(0x010e); // SAM64
  });
  it('table opcodes in QEMU and three-digit notation', () => {
    expect(keyOfOpcode(0x18)).toBe(0x1800);
    expect(keyOfOpcode(0xa708)).toBe(0xa708);
    expect(keyOfOpcode(0xa78)).toBe(0xa708);
    expect(keyOfOpcode(0x10e)).toBe(0x010e);
    expect(keyOfOpcode(0xc05)).toBe(0xc005);
  });
  it('every table entry decodes to itself', () => {
    for (const e of INSTRUCTIONS) expect(DECODE_TABLE[keyOfOpcode(e.opcode)]).toBe(e);
  });
  it('the builder rejects duplicates, wrong lengths and impossible extensions', () => {
    const entry = (mnemonic: string, opcode: number, format: InstructionDef['format']): InstructionDef => ({ mnemonic, opcode, format, operands: '', privileged: false, exec: () => undefined });
    const len = (e: InstructionDef): number => FORMAT_FIELDS[e.format].length;
    expect(() => buildDecodeTable([entry('a', 0x18, 'RR'), entry('b', 0x18, 'RR')], len)).toThrow(/share opcode/);
    expect(() => buildDecodeTable([entry('a', 0x18, 'RRE')], len)).toThrow(/does not match the length/);
    expect(() => buildDecodeTable([entry('a', 0x1801, 'RR')], len)).toThrow(/takes none/);
    expect(() => buildDecodeTable([entry('a', 0xa7f0, 'RI-a')], len)).toThrow(/wider than 4 bits/);
  });
});

describe('fast field extractors agree with FORMAT_FIELDS', () => {
  const next = rng(4);
  const read =
    <F extends Format>(format: F, fast: (a: InsnA<F>, b: InsnB<F>) => number) =>
    (a: number, b: number): number =>
      fast(...wordsOf(format, a, b));
  const cases: [string, keyof typeof FORMAT_FIELDS, string, (a: number, b: number) => number][] = [
    ['R1', 'RR', 'R1', read('RR', (a) => fR1(a))],
    ['R2', 'RR', 'R2', read('RR', (a) => fR2(a))],
    ['X2', 'RX-a', 'X2', read('RX-a', (a) => fX2(a))],
    ['B2', 'RX-a', 'B2', read('RX-a', (a) => fB2(a))],
    ['D2', 'RX-a', 'D2', read('RX-a', (a) => fD2(a))],
    ['RRE R1', 'RRE', 'R1', read('RRE', (a) => fRreR1(a))],
    ['RRE R2', 'RRE', 'R2', read('RRE', (a) => fRreR2(a))],
    ['RRF R3', 'RRF-a', 'R3', read('RRF-a', (a) => fRrfR3(a))],
    ['RRF M4', 'RRF-a', 'M4', read('RRF-a', (a) => fRrfM4(a))],
    ['RI I2 (signed)', 'RI-a', 'I2', read('RI-a', (a) => fI16(a) & 0xffff)],
    ['RIL I2', 'RIL-a', 'I2', read('RIL-a', (a, b) => fI32(a, b) >>> 0)],
    ['RXY D2', 'RXY-a', 'D2', read('RXY-a', (a, b) => fD20(a, b))],
    ['SI I2', 'SI', 'I2', read('SI', (a) => fI8(a))],
    ['SS B2', 'SS-a', 'B2', read('SS-a', (_a, b) => fB2InB(b))],
    ['SS D2', 'SS-a', 'D2', read('SS-a', (_a, b) => fD2InB(b))],
    ['VRR-d V1', 'VRR-d', 'V1', read('VRR-d', (a, b) => fV1(a, b))],
    ['VRR-d V2', 'VRR-d', 'V2', read('VRR-d', (a, b) => fV2(a, b))],
    ['VRR-d V3', 'VRR-d', 'V3', read('VRR-d', (a, b) => fV3(a, b))],
    ['VRR-d V4', 'VRR-d', 'V4', read('VRR-d', (_a, b) => fV4(b))],
  ];
  for (const [what, format, field, fast] of cases) {
    it(what, () => {
      const spec = FORMAT_FIELDS[format].fields[field]!;
      for (let i = 0; i < 2000; i++) {
        const a = next();
        const b = next() & 0xffff;
        expect(fast(a, b)).toBe(extractField(a, b, spec));
      }
    });
  }
});
