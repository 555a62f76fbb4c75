/**
 * ASN.1 (ITU-T X.690) for host key documents: decoding and encoding go through the maintained
 * `asn1js` / `@peculiar/asn1-schema` pair (the layer under `@peculiar/x509`); this file only
 * bounds the input and turns every decoding failure into a typed, user-facing `DerError`.
 */
import { AsnConvert, AsnParser } from '@peculiar/asn1-schema';
import { fromBER } from 'asn1js';
import { UltravisorUserError } from '../errors.js';

/** A DER input problem: malformed encodings are refused, never guessed at. */
export class DerError extends UltravisorUserError {
  override readonly name = 'DerError';
}

/** Largest element accepted: host key documents and keys are a few KiB. */
const MAX_ELEMENT_LENGTH = 1 << 20;

type Schema<T> = new () => T;

/**
 * Decodes `der` as one `schema` value that fills the input exactly. Every length is checked by
 * asn1js against the input; a length beyond the input is reported as such.
 */
export function decodeDer<T>(der: Uint8Array, schema: Schema<T>, what: string): T {
  if (der.length > MAX_ELEMENT_LENGTH) throw new DerError(`${what}: ${der.length} bytes, more than the ${MAX_ELEMENT_LENGTH} allowed`);
  let parsed: ReturnType<typeof fromBER>;
  try {
    parsed = fromBER(der, { maxContentLength: MAX_ELEMENT_LENGTH });
  } catch (err) {
    // asn1js throws (rather than reporting) on some malformed values, e.g. a bad time string.
    throw new DerError(`${what}: not valid DER (${err instanceof Error ? err.message : String(err)})`);
  }
  const top = parsed.result;
  if (parsed.offset === -1) {
    const header = top.idBlock.blockLength + top.lenBlock.blockLength;
    const claimed = top.lenBlock.length;
    if (header > 0 && !top.lenBlock.isIndefiniteForm && header + claimed > der.length) {
      throw new DerError(`${what}: the DER element at byte 0 claims ${claimed} bytes but only ${Math.max(0, der.length - header)} remain`);
    }
    throw new DerError(`${what}: not valid DER (${top.error || 'undecodable'})`);
  }
  if (parsed.offset !== der.length) throw new DerError(`${what}: ${der.length - parsed.offset} unexpected bytes after the DER element`);
  try {
    return AsnParser.fromASN(top, schema);
  } catch (err) {
    throw new DerError(`${what}: not the expected structure (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** The DER encoding of a schema value. */
export function encodeDer(value: object): Uint8Array {
  return new Uint8Array(AsnConvert.serialize(value));
}

/** The magnitude of a non-negative INTEGER's content bytes, without leading zero bytes. */
export function unsignedMagnitude(integer: Uint8Array, what: string): Uint8Array {
  if (integer.length === 0) throw new DerError(`${what}: empty integer`);
  if ((integer[0]! & 0x80) !== 0) throw new DerError(`${what}: negative where a non-negative integer is required`);
  let start = 0;
  while (start < integer.length - 1 && integer[start] === 0) start++;
  return integer.subarray(start);
}
