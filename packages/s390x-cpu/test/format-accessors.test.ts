// The fast field accessors the semantics use read exactly the field their name says, in every
// format they are listed for: each is checked against the one definition of the fields (LAYOUTS,
// the table the decoder and disassembler read) on random instruction words.
import { describe, expect, it } from 'vitest';
import * as formats from '../src/isa/formats.ts';
import { FIELD_ACCESSORS, FORMAT_FIELDS, extractField } from '../src/isa/formats.ts';

/** A small deterministic generator (xorshift32), so a failure repeats. */
function words(count: number): [number, number][] {
  let x = 0x9e3779b9;
  const next = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  const out: [number, number][] = [[0, 0], [0xffffffff, 0xffff]];
  for (let i = 0; i < count; i++) out.push([next(), next() & 0xffff]);
  return out;
}

describe('format field accessors', () => {
  it('each accessor reads its field in every format it serves', () => {
    const samples = words(2000);
    let checked = 0;
    for (const { read, inB, field, formats, signed } of FIELD_ACCESSORS) {
      for (const format of formats) {
        const spec = FORMAT_FIELDS[format].fields[field];
        expect(spec, `${format} has no field ${field}`).toBeDefined();
        for (const [a, b] of samples) {
          const expected = extractField(a, b, spec!);
          const got = inB === true ? (read as (b: number) => number)(b) : read(a, b);
          // Signed accessors give the two's-complement value of the same bits.
          const value = signed === true && spec!.kind === undefined ? ((got % 2 ** spec!.width) + 2 ** spec!.width) % 2 ** spec!.width : got;
          if (value !== expected) expect({ format, field, a, b, got }).toEqual({ format, field, a, b, got: expected });
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(100_000);
  });

  it('every exported accessor is in the table the first test checks', () => {
    const listed = new Set<unknown>(FIELD_ACCESSORS.map((x) => x.read));
    const unlisted = Object.entries(formats)
      .filter(([name, value]) => /^f[A-Z]/.test(name) && typeof value === 'function')
      .filter(([, fn]) => !listed.has(fn))
      .map(([name]) => name);
    expect(unlisted).toEqual([]);
  });
});
