/**
 * A minimal DER (ITU-T X.690 Distinguished Encoding Rules) encoder and decoder, enough for the
 * X.509 host key documents and SEC1 EC private keys this package reads and writes.
 * Only definite lengths and single-byte tags are accepted: that is all DER allows for the
 * structures used here, and everything else is refused with a typed error.
 */
import { UltravisorUserError } from '../errors.js';

/** A DER input problem: malformed encodings are refused, never guessed at. */
export class DerError extends UltravisorUserError {
  override readonly name = 'DerError';
}

/** Universal and context tags used by X.509 and SEC1 (identifier octet values). */
export const Tag = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

/** Tag of a constructed context-specific element `[n]` (explicit tagging). */
export function contextTag(n: number): number {
  return 0xa0 | n;
}

/** One decoded TLV: its tag, its value bytes and where it sits in the input. */
export interface DerNode {
  readonly tag: number;
  /** Offset of the identifier octet in the whole input. */
  readonly offset: number;
  /** Offset of the first value byte in the whole input. */
  readonly valueOffset: number;
  /** The value bytes (a view into the input). */
  readonly value: Uint8Array;
  /** The whole encoding (identifier, length, value), a view into the input. */
  readonly encoded: Uint8Array;
}

/** Largest element we accept: host key documents and keys are a few KiB. */
const MAX_ELEMENT_LENGTH = 1 << 20;

/** Decodes the TLV at `offset` of `input` (offsets are reported relative to `base`). */
export function readNode(input: Uint8Array, offset = 0, base = 0): DerNode {
  const where = (o: number): string => `at byte ${base + o}`;
  if (offset + 2 > input.length) throw new DerError(`DER element truncated ${where(offset)}: need a tag and a length`);
  const tag = input[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError(`DER multi-byte tag ${where(offset)} is not supported`);
  let pos = offset + 1;
  const first = input[pos++]!;
  let length: number;
  if (first < 0x80) {
    length = first;
  } else {
    const count = first & 0x7f;
    if (count === 0) throw new DerError(`DER indefinite length ${where(offset)} is not allowed`);
    if (count > 4) throw new DerError(`DER length of ${count} bytes ${where(offset)} is too large`);
    if (pos + count > input.length) throw new DerError(`DER length truncated ${where(offset)}`);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + input[pos++]!;
    // DER demands the shortest length form.
    if (length < 0x80 || input[offset + 2] === 0) throw new DerError(`DER length ${where(offset)} is not minimally encoded`);
  }
  if (length > MAX_ELEMENT_LENGTH) throw new DerError(`DER element ${where(offset)} claims ${length} bytes, more than the ${MAX_ELEMENT_LENGTH} allowed`);
  if (pos + length > input.length) {
    throw new DerError(`DER element ${where(offset)} claims ${length} bytes but only ${input.length - pos} remain`);
  }
  return {
    tag,
    offset: base + offset,
    valueOffset: base + pos,
    value: input.subarray(pos, pos + length),
    encoded: input.subarray(offset, pos + length),
  };
}

/** Decodes one element that must fill `input` exactly. */
export function readWhole(input: Uint8Array, expectedTag: number, what: string): DerNode {
  const node = readNode(input);
  expectTag(node, expectedTag, what);
  if (node.encoded.length !== input.length) {
    throw new DerError(`${what}: ${input.length - node.encoded.length} unexpected bytes after the DER element`);
  }
  return node;
}

/** The child elements of a constructed element (SEQUENCE, SET, explicit context tag). */
export function children(node: DerNode): DerNode[] {
  const out: DerNode[] = [];
  let pos = 0;
  while (pos < node.value.length) {
    const child = readNode(node.value, pos, node.valueOffset);
    out.push(child);
    pos += child.encoded.length;
  }
  return out;
}

export function expectTag(node: DerNode, tag: number, what: string): void {
  if (node.tag !== tag) {
    throw new DerError(`${what}: expected DER tag 0x${tag.toString(16)} at byte ${node.offset}, found 0x${node.tag.toString(16)}`);
  }
}

/** Decodes an OBJECT IDENTIFIER value to dotted form. */
export function decodeOid(node: DerNode): string {
  expectTag(node, Tag.oid, 'object identifier');
  const v = node.value;
  if (v.length === 0) throw new DerError(`empty object identifier at byte ${node.offset}`);
  const arcs: number[] = [];
  let acc = 0;
  for (let i = 0; i < v.length; i++) {
    const b = v[i]!;
    if (acc === 0 && b === 0x80) throw new DerError(`object identifier at byte ${node.offset} is not minimally encoded`);
    acc = acc * 128 + (b & 0x7f);
    if (acc > Number.MAX_SAFE_INTEGER / 128) throw new DerError(`object identifier arc at byte ${node.offset} is too large`);
    if ((b & 0x80) === 0) {
      arcs.push(acc);
      acc = 0;
    } else if (i === v.length - 1) {
      throw new DerError(`object identifier at byte ${node.offset} ends inside an arc`);
    }
  }
  const head = arcs.shift()!;
  const firstArc = head < 40 ? 0 : head < 80 ? 1 : 2;
  return [firstArc, head - firstArc * 40, ...arcs].join('.');
}

/** A BIT STRING's content bytes; only whole-byte strings (0 unused bits) are accepted. */
export function decodeBitStringBytes(node: DerNode): Uint8Array {
  expectTag(node, Tag.bitString, 'bit string');
  if (node.value.length === 0 || node.value[0] !== 0) {
    throw new DerError(`bit string at byte ${node.offset} must have 0 unused bits`);
  }
  return node.value.subarray(1);
}

/** The unsigned magnitude of a non-negative INTEGER, without leading zero bytes. */
export function decodeUnsignedInteger(node: DerNode): Uint8Array {
  expectTag(node, Tag.integer, 'integer');
  const v = node.value;
  if (v.length === 0) throw new DerError(`empty integer at byte ${node.offset}`);
  if ((v[0]! & 0x80) !== 0) throw new DerError(`negative integer at byte ${node.offset} where a non-negative one is required`);
  let start = 0;
  while (start < v.length - 1 && v[start] === 0) start++;
  return v.subarray(start);
}

export function decodeSmallInteger(node: DerNode): number {
  const mag = decodeUnsignedInteger(node);
  if (mag.length > 6) throw new DerError(`integer at byte ${node.offset} is too large`);
  let n = 0;
  for (const b of mag) n = n * 256 + b;
  return n;
}

/** Text of a string type (UTF8String, PrintableString, IA5String). */
export function decodeString(node: DerNode): string {
  if (node.tag !== Tag.utf8String && node.tag !== Tag.printableString && node.tag !== Tag.ia5String) {
    throw new DerError(`expected a string at byte ${node.offset}, found tag 0x${node.tag.toString(16)}`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(node.value);
  } catch {
    throw new DerError(`string at byte ${node.offset} is not valid UTF-8`);
  }
}

/** UTCTime (YYMMDDHHMMSSZ) or GeneralizedTime (YYYYMMDDHHMMSSZ) as a Date. */
export function decodeTime(node: DerNode): Date {
  const text = new TextDecoder().decode(node.value);
  const m =
    node.tag === Tag.utcTime
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
      : node.tag === Tag.generalizedTime
        ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
        : null;
  if (m === null) throw new DerError(`invalid time '${text}' at byte ${node.offset}`);
  let year = Number(m[1]);
  // RFC 5280: two-digit years 50..99 are 19xx, 00..49 are 20xx.
  if (node.tag === Tag.utcTime) year += year < 50 ? 2000 : 1900;
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}

// ---- encoder ----

function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/** Any TLV from a tag and its value parts. */
export function encode(tag: number, ...value: readonly Uint8Array[]): Uint8Array {
  const body = concatBytes(...value);
  return concatBytes(Uint8Array.of(tag), encodeLength(body.length), body);
}

export const sequence = (...items: readonly Uint8Array[]): Uint8Array => encode(Tag.sequence, ...items);
export const set = (...items: readonly Uint8Array[]): Uint8Array => encode(Tag.set, ...items);
export const explicit = (n: number, ...items: readonly Uint8Array[]): Uint8Array => encode(contextTag(n), ...items);
export const octetString = (bytes: Uint8Array): Uint8Array => encode(Tag.octetString, bytes);
export const bitString = (bytes: Uint8Array): Uint8Array => encode(Tag.bitString, Uint8Array.of(0), bytes);
export const utf8String = (text: string): Uint8Array => encode(Tag.utf8String, new TextEncoder().encode(text));
export const printableString = (text: string): Uint8Array => encode(Tag.printableString, new TextEncoder().encode(text));
export const booleanTrue = (): Uint8Array => encode(Tag.boolean, Uint8Array.of(0xff));

/** A BIT STRING of named bits (X.509 KeyUsage style: trailing zero bits dropped). */
export function namedBitString(bits: readonly number[]): Uint8Array {
  const highest = Math.max(...bits);
  const bytes = new Uint8Array(Math.floor(highest / 8) + 1);
  for (const b of bits) bytes[b >> 3]! |= 0x80 >> (b & 7);
  const unused = 7 - (highest & 7);
  return encode(Tag.bitString, Uint8Array.of(unused), bytes);
}

/** A non-negative INTEGER from big-endian magnitude bytes (a 0x00 is added when the top bit is set). */
export function unsignedInteger(magnitude: Uint8Array): Uint8Array {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const m = magnitude.subarray(start);
  return encode(Tag.integer, (m[0]! & 0x80) !== 0 ? concatBytes(Uint8Array.of(0), m) : m);
}

export function smallInteger(n: number): Uint8Array {
  const bytes: number[] = [];
  let v = n;
  do {
    bytes.unshift(v & 0xff);
    v = Math.floor(v / 256);
  } while (v > 0);
  return unsignedInteger(Uint8Array.from(bytes));
}

export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number);
  if (arcs.length < 2 || arcs.some((a) => !Number.isSafeInteger(a) || a < 0)) throw new DerError(`bad object identifier ${dotted}`);
  const out: number[] = [];
  const push = (value: number): void => {
    const groups: number[] = [value & 0x7f];
    for (let v = Math.floor(value / 128); v > 0; v = Math.floor(v / 128)) groups.unshift((v & 0x7f) | 0x80);
    out.push(...groups);
  };
  push(arcs[0]! * 40 + arcs[1]!);
  for (const a of arcs.slice(2)) push(a);
  return encode(Tag.oid, Uint8Array.from(out));
}

/** UTCTime for years 1950–2049, GeneralizedTime otherwise (RFC 5280 §4.1.2.5). */
export function time(date: Date): Uint8Array {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const y = date.getUTCFullYear();
  const rest = `${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}Z`;
  if (y >= 1950 && y < 2050) return encode(Tag.utcTime, new TextEncoder().encode(p(y % 100) + rest));
  return encode(Tag.generalizedTime, new TextEncoder().encode(p(y, 4) + rest));
}
