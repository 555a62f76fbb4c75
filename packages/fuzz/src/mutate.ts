/**
 * Structure-aware mutations of a seed file. A seed names its fields (a length, a count, an
 * offset, a type...) and regions (headers, notes, sections); a recipe is a short list of
 * operations on them: set a field to a boundary value, flip a bit, set a byte, truncate, extend,
 * copy a range. Recipes are plain JSON, readable in a committed regression input.
 */
import fc from 'fast-check';

/** A field of a seed: `width` bytes at `at`, big-endian unless `le`. */
export interface SeedField {
  name: string;
  at: number;
  width: 1 | 2 | 4 | 8;
  le?: boolean;
}

/** A named byte range of a seed where flips are worth spending. */
export interface SeedRegion {
  name: string;
  at: number;
  size: number;
}

/**
 * A field value: `0x…` absolute, or relative to the field's original value (`orig+N`, `orig-N`)
 * or to the file size (`size`, `size+N`, `size-N`); truncated to the field's width.
 */
export type FieldValue = string;

export type Op =
  | { op: 'set'; field: string; value: FieldValue }
  | { op: 'flip'; at: number; bit: number }
  | { op: 'byte'; at: number; value: number }
  | { op: 'truncate'; length: number }
  | { op: 'extend'; count: number; fill: number }
  | { op: 'copy'; from: number; to: number; length: number };

/** Values that break length and count checks: 0, 1, 2^31, 2^32−1, PN_XNUM, sizes past the end. */
const BOUNDARY_VALUES: FieldValue[] = [
  '0x0',
  '0x1',
  '0x2',
  '0x7f',
  '0x80',
  '0xff',
  '0xff00',
  '0xffff',
  '0x7fffffff',
  '0x80000000',
  '0xffffffff',
  '0x100000000',
  '0x7fffffffffffffff',
  '0x8000000000000000',
  '0xffffffffffffffff',
  'orig+1',
  'orig-1',
  'orig+4096',
  'orig-4096',
  'size',
  'size+1',
  'size-1',
  'size-8',
];

export function fieldValueArbitrary(): fc.Arbitrary<FieldValue> {
  return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...BOUNDARY_VALUES) }, { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((v) => '0x' + v.toString(16)) });
}

/** Recipes for a seed of `size` bytes with these fields and regions. */
export function opsArbitrary(size: number, fields: readonly SeedField[], regions: readonly SeedRegion[], maxOps = 5): fc.Arbitrary<Op[]> {
  const inRegion = regions.length === 0 ? fc.integer({ min: 0, max: Math.max(0, size - 1) }) : fc.constantFrom(...regions).chain((r) => fc.integer({ min: r.at, max: r.at + Math.max(0, r.size - 1) }));
  const anywhere = fc.integer({ min: 0, max: Math.max(0, size - 1) });
  const position = fc.oneof({ weight: 3, arbitrary: inRegion }, { weight: 1, arbitrary: anywhere });
  const cut = fc.oneof(position, fields.length === 0 ? anywhere : fc.constantFrom(...fields).map((f) => f.at), regions.length === 0 ? anywhere : fc.constantFrom(...regions).map((r) => r.at + r.size));
  const choices: { weight: number; arbitrary: fc.Arbitrary<Op> }[] = [
    { weight: 3, arbitrary: fc.record({ op: fc.constant('flip' as const), at: position, bit: fc.integer({ min: 0, max: 7 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('byte' as const), at: position, value: fc.integer({ min: 0, max: 255 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('truncate' as const), length: cut }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('extend' as const), count: fc.integer({ min: 1, max: 8192 }), fill: fc.integer({ min: 0, max: 255 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('copy' as const), from: position, to: position, length: fc.integer({ min: 1, max: 256 }) }) },
  ];
  if (fields.length > 0) {
    choices.push({ weight: 6, arbitrary: fc.record({ op: fc.constant('set' as const), field: fc.constantFrom(...fields.map((f) => f.name)), value: fieldValueArbitrary() }) });
  }
  return fc.array(fc.oneof(...choices), { minLength: 1, maxLength: maxOps });
}

export function readField(bytes: Uint8Array, f: SeedField): bigint {
  let v = 0n;
  for (let i = 0; i < f.width; i++) v = (v << 8n) | BigInt(bytes[f.at + (f.le ? f.width - 1 - i : i)] ?? 0);
  return v;
}

export function writeField(bytes: Uint8Array, f: SeedField, value: bigint): void {
  const mask = (1n << BigInt(f.width * 8)) - 1n;
  let v = ((value % (mask + 1n)) + (mask + 1n)) & mask;
  for (let i = f.width - 1; i >= 0; i--) {
    const at = f.at + (f.le ? f.width - 1 - i : i);
    if (at < bytes.length) bytes[at] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** Resolves a field value against the field's original value and the file size. */
export function resolveValue(value: FieldValue, original: bigint, size: number): bigint {
  const m = /^(orig|size)([+-]\d+)?$/.exec(value);
  if (m === null) return BigInt(value);
  const base = m[1] === 'orig' ? original : BigInt(size);
  return base + BigInt(m[2] ?? '0');
}

/** A copy of `src[0, length)` (set() copies at memcpy speed; slice() does not on Node 20). */
function copyPrefix(src: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  out.set(src.subarray(0, length));
  return out;
}

/** Applies a recipe to a copy of `seed`. */
export function applyOps(seed: Uint8Array, fields: readonly SeedField[], ops: readonly Op[]): Uint8Array {
  let bytes = copyPrefix(seed, seed.length);
  const byName = new Map(fields.map((f) => [f.name, f]));
  for (const o of ops) {
    switch (o.op) {
      case 'set': {
        const f = byName.get(o.field);
        if (f === undefined) throw new Error(`recipe names an unknown field ${o.field}`);
        writeField(bytes, f, resolveValue(o.value, readField(bytes, f), bytes.length));
        break;
      }
      case 'flip':
        if (o.at < bytes.length) bytes[o.at]! ^= 1 << o.bit;
        break;
      case 'byte':
        if (o.at < bytes.length) bytes[o.at] = o.value;
        break;
      case 'truncate':
        bytes = copyPrefix(bytes, Math.min(o.length, bytes.length));
        break;
      case 'extend': {
        const longer = new Uint8Array(bytes.length + o.count).fill(o.fill);
        longer.set(bytes);
        bytes = longer;
        break;
      }
      case 'copy': {
        const len = Math.max(0, Math.min(o.length, bytes.length - o.from, bytes.length - o.to));
        if (len > 0) bytes.copyWithin(o.to, o.from, o.from + len);
        break;
      }
    }
  }
  return bytes;
}
