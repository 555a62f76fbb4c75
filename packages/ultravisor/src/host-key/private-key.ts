/**
 * Host private key files: SEC1 ECPrivateKey (RFC 5915) in PEM, label `EC PRIVATE KEY`, the form
 * `openssl ecparam -genkey -name secp521r1` writes, so openssl can read ours and we can read its.
 * PKCS#8 `PRIVATE KEY` wrapping of the same structure is accepted on input. Both directions go
 * through node:crypto's KeyObject (OpenSSL); the key crosses as a JWK (RFC 7518 §6.2).
 */
import { createPrivateKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { DerError } from './asn1.js';
import { HostKeyError, P521_SIZE, hostKeyPairFromPrivate, type HostKeyPair } from './host-key.js';
import { fromPem } from './pem.js';

const base64url = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64url');

/** PEM text of the host key pair's private key. The caller should wipe its copy of the string's source. */
export function encodeHostPrivateKeyPem(keys: HostKeyPair): string {
  const point = keys.publicKey;
  const jwk: JsonWebKey = {
    kty: 'EC',
    crv: 'P-521',
    d: base64url(keys.privateKey),
    x: base64url(point.subarray(1, 1 + P521_SIZE)),
    y: base64url(point.subarray(1 + P521_SIZE)),
  };
  return createPrivateKey({ key: jwk, format: 'jwk' }).export({ type: 'sec1', format: 'pem' }).toString();
}

/** Reads a host key pair from an `EC PRIVATE KEY` (SEC1) or `PRIVATE KEY` (PKCS#8) PEM file. */
export function decodeHostPrivateKeyPem(text: string): HostKeyPair {
  const isPkcs8 = text.includes('-----BEGIN PRIVATE KEY-----');
  const label = isPkcs8 ? 'PRIVATE KEY' : 'EC PRIVATE KEY';
  const der = fromPem(text, [label], 'host private key');
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: Buffer.from(der.buffer, der.byteOffset, der.length), format: 'der', type: isPkcs8 ? 'pkcs8' : 'sec1' });
  } catch (err) {
    throw new DerError(`host private key: the ${label} block is not a valid ${isPkcs8 ? 'PKCS#8' : 'SEC1'} key (${(err as Error).message})`);
  } finally {
    der.fill(0);
  }
  if (key.asymmetricKeyType !== 'ec') throw new HostKeyError('host private key is not an EC key; host keys are P-521 EC keys');
  if (key.asymmetricKeyDetails?.namedCurve !== 'secp521r1') throw new HostKeyError('host private key is not on secp521r1 (P-521)');
  const jwk = key.export({ format: 'jwk' });
  const scalar = new Uint8Array(Buffer.from(jwk.d ?? '', 'base64url'));
  const keys = hostKeyPairFromPrivate(scalar);
  scalar.fill(0);
  // The file's own public key (when it has one, OpenSSL keeps it as stored) must be the scalar's.
  const stored = Buffer.concat([Buffer.of(0x04), Buffer.from(jwk.x ?? '', 'base64url'), Buffer.from(jwk.y ?? '', 'base64url')]);
  if (Buffer.compare(stored, Buffer.from(keys.publicKey)) !== 0) {
    keys.privateKey.fill(0);
    throw new HostKeyError('host private key file is inconsistent: its public key does not belong to its private key');
  }
  return keys;
}
