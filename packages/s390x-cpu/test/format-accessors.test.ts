// The operand-field accessors the semantics use read exactly the field their name says in every
// format the one definition of the fields (LAYOUTS, which the decoder and disassembler read) gives
// them: each accessor is checked in each format it serves, and every instruction of the table is
// checked through every accessor its format admits, against the decoder's fields, on random words
// that carry the instruction's own opcode. (Which accessors a semantic function may call at all is
// the compiler's business: its words are typed by its format.)
import { describe, expect, it } from 'vitest';
import * as fields from '../src/isa/fields.ts';
import { FIELD_ACCESSORS, formatsWith, type FieldAccessor } from '../src/isa/fields.ts';
import { decodeFields, extractField, FORMAT_FIELDS, instructionLength, type Format } from '../src/isa/formats.ts';
import { ExtensionKind, extensionKind, keyOfOpcode, opcodeKey } from '../src/isa/decoder.ts';
import { DECODE_TABLE } from '../src/isa/dispatch.ts';
import { INSTRUCTIONS } from '../src/isa/table.ts';

/** A small deterministic generator (xorshift32), so a failure repeats. */
function generator(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

function words(count: number): [number, number][] {
  const next = generator(0x9e3779b9);
  const out: [number, number][] = [
    [0, 0],
    [0xffffffff, 0xffff],
  ];
  for (let i = 0; i < count; i++) out.push([next(), next() & 0xffff]);
  return out;
}

/** The accessor's value as the decoder gives it: signed accessors are compared modulo 2^width. */
function asDecoded(accessor: FieldAccessor, a: number, b: number): number {
  const got = accessor.read(a, b);
  if (!accessor.signed || accessor.kind !== 'plain') return got;
  const m = 2 ** accessor.width;
  return ((got % m) + m) % m;
}

const servedBy = new Map<Format, FieldAccessor[]>();
for (const accessor of FIELD_ACCESSORS) {
  for (const format of formatsWith(accessor.fields, accessor.pos, accessor.width, accessor.kind)) {
    servedBy.set(format, [...(servedBy.get(format) ?? []), accessor]);
  }
}

/** The field of `format` an accessor reads there. */
function fieldIn(format: Format, accessor: FieldAccessor): string {
  const name = accessor.fields.find((n) => {
    const spec = FORMAT_FIELDS[format].fields[n];
    return spec !== undefined && spec.pos === accessor.pos && spec.width === accessor.width && (spec.kind ?? 'plain') === accessor.kind;
  });
  if (name === undefined) throw new Error(`no field of ${format} for an accessor of ${accessor.fields.join('/')}`);
  return name;
}

describe('format field accessors', () => {
  it('each accessor reads its field in every format it serves', () => {
    const samples = words(1000);
    let checked = 0;
    for (const accessor of FIELD_ACCESSORS) {
      const formats = formatsWith(accessor.fields, accessor.pos, accessor.width, accessor.kind);
      expect(formats.length, `${accessor.fields.join('/')} at bit ${accessor.pos} is in no format`).toBeGreaterThan(0);
      for (const format of formats) {
        const spec = FORMAT_FIELDS[format].fields[fieldIn(format, accessor)]!;
        for (const [a, b] of samples) {
          const got = asDecoded(accessor, a, b);
          const expected = extractField(a, b, spec);
          if (got !== expected) expect({ format, fields: accessor.fields, a, b, got }).toEqual({ format, fields: accessor.fields, a, b, got: expected });
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(100_000);
  });

  it('every instruction of the table reads each field through its accessors as the decoder does', () => {
    const next = generator(0x2545f491);
    let checked = 0;
    for (const entry of INSTRUCTIONS) {
      const accessors = servedBy.get(entry.format) ?? [];
      const key = keyOfOpcode(entry.opcode);
      const first = key >>> 8;
      const extension = key & 0xff;
      for (let i = 0; i < 40; i++) {
        // Random operand bits around the instruction's own opcode.
        let a = ((first << 24) | (next() & 0xffffff)) >>> 0;
        let b = next() & 0xffff;
        const kind = extensionKind(first);
        if (kind === ExtensionKind.Byte1) a = ((a & 0xff00ffff) | (extension << 16)) >>> 0;
        else if (kind === ExtensionKind.Nibble) a = ((a & 0xfff0ffff) | (extension << 16)) >>> 0;
        else if (kind === ExtensionKind.Byte5) b = (b & 0xff00) | extension;
        const length = instructionLength(first);
        if (length < 6) b = 0;
        expect(DECODE_TABLE[opcodeKey(a, b)]).toBe(entry);
        const decoded = decodeFields(entry.format, a, b);
        for (const accessor of accessors) {
          const field = fieldIn(entry.format, accessor);
          const got = asDecoded(accessor, a, b);
          if (got !== decoded[field]) expect({ mnemonic: entry.mnemonic, field, got }).toEqual({ mnemonic: entry.mnemonic, field, got: decoded[field] });
          checked++;
        }
      }
    }
    expect(INSTRUCTIONS.length).toBeGreaterThan(500);
    expect(checked).toBeGreaterThan(50_000);
  });

  it('every exported accessor is in the list the tests walk', () => {
    const listed = FIELD_ACCESSORS.length;
    const exported = Object.entries(fields).filter(([name, value]) => /^f[A-Z]/.test(name) && typeof value === 'function');
    expect(exported.length).toBe(listed);
  });
});
