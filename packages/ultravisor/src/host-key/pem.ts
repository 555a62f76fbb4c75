/**
 * PEM (RFC 7468) armour: base64 DER between `-----BEGIN <label>-----` and `-----END <label>-----`.
 * Host key documents come as PEM (`host.pem.crt`) or DER; keys we write are PEM.
 */
import { DerError } from './asn1.js';

/** Wraps DER bytes in PEM armour with 64-character lines. */
export function toPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.length).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** True when the bytes look like PEM text rather than DER (DER starts with a SEQUENCE tag 0x30). */
export function looksLikePem(bytes: Uint8Array): boolean {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, Math.min(bytes.length, 4096)));
  return head.includes('-----BEGIN ');
}

/**
 * The DER bytes of the first PEM block with one of `labels`. Text around the blocks (as
 * openssl writes with `-text`) is ignored.
 */
export function fromPem(text: string, labels: readonly string[], what: string): Uint8Array {
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (!labels.includes(m[1]!)) continue;
    const body = m[2]!.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0) {
      throw new DerError(`${what}: the PEM block '${m[1]}' is not valid base64`);
    }
    return new Uint8Array(Buffer.from(body, 'base64'));
  }
  throw new DerError(`${what}: no PEM block labelled ${labels.map((l) => `'${l}'`).join(' or ')} found`);
}
