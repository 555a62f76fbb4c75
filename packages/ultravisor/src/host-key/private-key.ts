/**
 * Host private key files: SEC1 ECPrivateKey (RFC 5915) in PEM, label `EC PRIVATE KEY`, the form
 * `openssl ecparam -genkey -name secp521r1` writes, so openssl can read ours and we can read its.
 *   ECPrivateKey ::= SEQUENCE { version INTEGER (1), privateKey OCTET STRING (66 bytes),
 *                               [0] parameters OID secp521r1, [1] publicKey BIT STRING }
 * PKCS#8 `PRIVATE KEY` wrapping of the same structure is accepted on input.
 */
import { DerError, Tag, bitString, children, contextTag, decodeBitStringBytes, decodeOid, decodeSmallInteger, explicit, expectTag, octetString, oid, readWhole, sequence, smallInteger } from './der.js';
import { OID } from './certificate.js';
import { HostKeyError, hostKeyPairFromPrivate, type HostKeyPair } from './host-key.js';
import { fromPem, toPem } from './pem.js';

/** PEM text of the host key pair's private key. The caller should wipe its copy of the string's source. */
export function encodeHostPrivateKeyPem(keys: HostKeyPair): string {
  const der = sequence(smallInteger(1), octetString(keys.privateKey), explicit(0, oid(OID.secp521r1)), explicit(1, bitString(keys.publicKey)));
  const pem = toPem('EC PRIVATE KEY', der);
  der.fill(0);
  return pem;
}

/** Reads a host key pair from an `EC PRIVATE KEY` (SEC1) or `PRIVATE KEY` (PKCS#8) PEM file. */
export function decodeHostPrivateKeyPem(text: string): HostKeyPair {
  const isPkcs8 = /-----BEGIN PRIVATE KEY-----/.test(text);
  const der = fromPem(text, isPkcs8 ? ['PRIVATE KEY'] : ['EC PRIVATE KEY'], 'host private key');
  try {
    return isPkcs8 ? fromPkcs8(der) : fromSec1(der, undefined);
  } finally {
    der.fill(0);
  }
}

function fromPkcs8(der: Uint8Array): HostKeyPair {
  const top = readWhole(der, Tag.sequence, 'PKCS#8 private key');
  const [version, alg, key] = children(top);
  if (version === undefined || alg === undefined || key === undefined) throw new DerError('PKCS#8 private key: missing fields');
  if (decodeSmallInteger(version) !== 0) throw new DerError('PKCS#8 private key: unsupported version');
  expectTag(alg, Tag.sequence, 'PKCS#8 algorithm');
  const [algOid, curve] = children(alg);
  if (algOid === undefined || decodeOid(algOid) !== OID.ecPublicKey) throw new HostKeyError('host private key is not an EC key; host keys are P-521 EC keys');
  if (curve === undefined || curve.tag !== Tag.oid || decodeOid(curve) !== OID.secp521r1) throw new HostKeyError('host private key is not on secp521r1 (P-521)');
  expectTag(key, Tag.octetString, 'PKCS#8 private key octets');
  return fromSec1(key.value, OID.secp521r1);
}

function fromSec1(der: Uint8Array, knownCurve: string | undefined): HostKeyPair {
  const top = readWhole(der, Tag.sequence, 'EC private key');
  const [version, priv, ...rest] = children(top);
  if (version === undefined || priv === undefined) throw new DerError('EC private key: missing fields');
  if (decodeSmallInteger(version) !== 1) throw new DerError('EC private key: version must be 1');
  expectTag(priv, Tag.octetString, 'EC private key scalar');
  let curve = knownCurve;
  let publicKey: Uint8Array | undefined;
  for (const node of rest) {
    if (node.tag === contextTag(0)) {
      const inner = children(node)[0];
      if (inner === undefined) throw new DerError('EC private key: empty parameters');
      curve = decodeOid(inner);
    } else if (node.tag === contextTag(1)) {
      const inner = children(node)[0];
      if (inner === undefined) throw new DerError('EC private key: empty public key');
      publicKey = decodeBitStringBytes(inner);
    }
  }
  if (curve !== OID.secp521r1) throw new HostKeyError('host private key is not on secp521r1 (P-521)');
  const keys = hostKeyPairFromPrivate(priv.value);
  if (publicKey !== undefined && Buffer.compare(Buffer.from(publicKey), Buffer.from(keys.publicKey)) !== 0) {
    keys.privateKey.fill(0);
    throw new HostKeyError('host private key file is inconsistent: its public key does not belong to its private key');
  }
  return keys;
}
