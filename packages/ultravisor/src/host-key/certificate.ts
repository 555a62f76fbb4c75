/**
 * Host key documents (spec ultravisor.md §5; fixture se-header-s390-tools/host.pem.crt): an X.509
 * v3 certificate (RFC 5280) whose subject public key is the machine's P-521 host key
 * (id-ecPublicKey with the named curve secp521r1). IBM signs the real ones with its host key
 * signing service; ours are self-signed with ECDSA-SHA512 by the host key itself [E], so image
 * tools can take them as they take IBM's. The reader extracts the key from either kind.
 */
import { p521 } from '@noble/curves/nist.js';
import { sha1 } from '@noble/hashes/legacy.js';
import {
  DerError,
  Tag,
  bitString,
  booleanTrue,
  children,
  contextTag,
  decodeBitStringBytes,
  decodeOid,
  decodeSmallInteger,
  decodeString,
  decodeTime,
  decodeUnsignedInteger,
  explicit,
  expectTag,
  namedBitString,
  octetString,
  oid,
  printableString,
  readWhole,
  sequence,
  set,
  smallInteger,
  time,
  unsignedInteger,
  utf8String,
  type DerNode,
} from './der.js';
import { systemRandom, type RandomSource } from '../random.js';
import { P521_SIZE, normalizePublicKey, type HostKeyPair } from './host-key.js';
import { fromPem, looksLikePem, toPem } from './pem.js';

export const OID = {
  ecPublicKey: '1.2.840.10045.2.1',
  secp521r1: '1.3.132.0.35',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  subjectKeyIdentifier: '2.5.29.14',
  countryName: '2.5.4.6',
  organizationName: '2.5.4.10',
  commonName: '2.5.4.3',
  stateOrProvinceName: '2.5.4.8',
  localityName: '2.5.4.7',
  organizationalUnitName: '2.5.4.11',
} as const;

const ATTRIBUTE_NAMES: Record<string, string> = {
  [OID.countryName]: 'C',
  [OID.organizationName]: 'O',
  [OID.commonName]: 'CN',
  [OID.stateOrProvinceName]: 'ST',
  [OID.localityName]: 'L',
  [OID.organizationalUnitName]: 'OU',
};

/** KeyUsage bit numbers (RFC 5280 §4.2.1.3). */
const KEY_USAGE = { digitalSignature: 0, keyAgreement: 4, keyCertSign: 5 } as const;

/** What a host key document says, as far as SE images need it. */
export interface HostKeyDocument {
  /** The P-521 host public key, 133-byte uncompressed SEC1 point. */
  readonly publicKey: Uint8Array;
  /** Subject and issuer as `C=US, O=..., CN=...`. */
  readonly subject: string;
  readonly issuer: string;
  /** Serial number, lowercase hex. */
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** OID of the signature algorithm (ecdsa-with-SHA512 for ours, sha512WithRSAEncryption for IBM's). */
  readonly signatureAlgorithm: string;
  /** The certificate's DER encoding. */
  readonly der: Uint8Array;
  /** The signed part (tbsCertificate) and the signature, for verification. */
  readonly tbsCertificate: Uint8Array;
  readonly signature: Uint8Array;
}

/** Reads a host key document from PEM text or DER bytes and extracts the P-521 host key. */
export function parseHostKeyDocument(input: Uint8Array | string): HostKeyDocument {
  const der =
    typeof input === 'string'
      ? fromPem(input, ['CERTIFICATE'], 'host key document')
      : looksLikePem(input)
        ? fromPem(new TextDecoder().decode(input), ['CERTIFICATE'], 'host key document')
        : input;
  if (der[0] !== Tag.sequence) {
    throw new DerError('host key document: not an X.509 certificate (neither PEM text with a CERTIFICATE block nor DER starting with a SEQUENCE)');
  }
  const cert = readWhole(der, Tag.sequence, 'host key document');
  const [tbs, sigAlg, sigValue, ...extra] = children(cert);
  if (tbs === undefined || sigAlg === undefined || sigValue === undefined || extra.length > 0) {
    throw new DerError('host key document: a certificate is a SEQUENCE of exactly tbsCertificate, signatureAlgorithm, signatureValue');
  }
  expectTag(tbs, Tag.sequence, 'tbsCertificate');
  const fields = children(tbs);
  let i = 0;
  if (fields[0]?.tag === contextTag(0)) {
    const version = decodeSmallInteger(onlyChild(fields[0], 'certificate version'));
    if (version !== 2) throw new DerError(`host key document: X.509 version ${version + 1} at byte ${fields[0].offset}; host key documents are v3`);
    i = 1;
  }
  const [serial, innerSigAlg, issuer, validity, subject, spki] = fields.slice(i, i + 6);
  if (serial === undefined || innerSigAlg === undefined || issuer === undefined || validity === undefined || subject === undefined || spki === undefined) {
    throw new DerError('host key document: tbsCertificate is missing fields');
  }
  const signatureAlgorithm = algorithmOid(sigAlg);
  if (algorithmOid(innerSigAlg) !== signatureAlgorithm) {
    throw new DerError('host key document: the inner and outer signature algorithms differ');
  }
  expectTag(validity, Tag.sequence, 'validity');
  const [notBefore, notAfter] = children(validity);
  if (notBefore === undefined || notAfter === undefined) throw new DerError('host key document: validity needs notBefore and notAfter');
  return {
    publicKey: readP521PublicKeyInfo(spki),
    subject: nameToString(subject),
    issuer: nameToString(issuer),
    serialNumber: Buffer.from(decodeUnsignedInteger(serial)).toString('hex'),
    notBefore: decodeTime(notBefore),
    notAfter: decodeTime(notAfter),
    signatureAlgorithm,
    der,
    tbsCertificate: tbs.encoded,
    signature: decodeBitStringBytes(sigValue),
  };
}

/** The P-521 point of a SubjectPublicKeyInfo; other key types are refused. */
function readP521PublicKeyInfo(spki: DerNode): Uint8Array {
  expectTag(spki, Tag.sequence, 'subjectPublicKeyInfo');
  const [alg, key] = children(spki);
  if (alg === undefined || key === undefined) throw new DerError('host key document: subjectPublicKeyInfo needs an algorithm and a key');
  expectTag(alg, Tag.sequence, 'public key algorithm');
  const [algOid, params] = children(alg);
  if (algOid === undefined || decodeOid(algOid) !== OID.ecPublicKey) {
    throw new DerError(`host key document: the public key at byte ${spki.offset} is not an EC key (host keys are P-521 EC keys)`);
  }
  if (params === undefined || params.tag !== Tag.oid || decodeOid(params) !== OID.secp521r1) {
    throw new DerError(`host key document: the EC key at byte ${spki.offset} is not on secp521r1 (P-521), which host keys must use`);
  }
  return normalizePublicKey(decodeBitStringBytes(key), 'host key document public key');
}

function algorithmOid(node: DerNode): string {
  expectTag(node, Tag.sequence, 'algorithm identifier');
  const first = children(node)[0];
  if (first === undefined) throw new DerError(`empty algorithm identifier at byte ${node.offset}`);
  return decodeOid(first);
}

function onlyChild(node: DerNode, what: string): DerNode {
  const c = children(node);
  if (c.length !== 1) throw new DerError(`${what} at byte ${node.offset} must hold exactly one element`);
  return c[0]!;
}

function nameToString(name: DerNode): string {
  expectTag(name, Tag.sequence, 'name');
  const parts: string[] = [];
  for (const rdn of children(name)) {
    expectTag(rdn, Tag.set, 'relative distinguished name');
    for (const atv of children(rdn)) {
      const [type, value] = children(atv);
      if (type === undefined || value === undefined) throw new DerError(`bad name attribute at byte ${atv.offset}`);
      const t = decodeOid(type);
      parts.push(`${ATTRIBUTE_NAMES[t] ?? t}=${decodeString(value)}`);
    }
  }
  return parts.join(', ');
}

// ---- writing ----

/** Name attributes in order, e.g. `[['C','US'], ['O','...']]`. */
export type NameAttributes = ReadonlyArray<readonly ['C' | 'O' | 'CN' | 'ST' | 'L' | 'OU', string]>;

const ATTRIBUTE_OIDS = { C: OID.countryName, O: OID.organizationName, CN: OID.commonName, ST: OID.stateOrProvinceName, L: OID.localityName, OU: OID.organizationalUnitName } as const;

function encodeName(attrs: NameAttributes): Uint8Array {
  return sequence(
    ...attrs.map(([k, v]) => set(sequence(oid(ATTRIBUTE_OIDS[k]), k === 'C' ? printableString(v) : utf8String(v)))),
  );
}

export interface HostKeyDocumentOptions {
  /** Subject (and, being self-signed, issuer). Default: an emulated IBM Z host key name. */
  readonly subject?: NameAttributes;
  readonly notBefore?: Date;
  /** Default: notBefore + 10 years. */
  readonly notAfter?: Date;
  readonly random?: RandomSource;
}

/** The default subject of our host key documents [E]. */
export const DEFAULT_HOST_KEY_SUBJECT: NameAttributes = [
  ['C', 'US'],
  ['O', 'pvdump emulated IBM Z machine'],
  ['CN', 'pvdump emulated Ultravisor'],
  ['OU', 'IBM Z Host Key'],
];

/**
 * Makes the host key document of a key pair: a self-signed X.509 v3 certificate (DER) holding the
 * P-521 public key, signed with ECDSA-SHA512 by the host private key. Extensions: KeyUsage
 * (critical) keyAgreement as on IBM's, plus keyCertSign and digitalSignature so that the
 * self-signature verifies as a trust anchor; and a SubjectKeyIdentifier.
 */
export function createHostKeyDocument(keys: HostKeyPair, options: HostKeyDocumentOptions = {}): Uint8Array {
  const random = options.random ?? systemRandom;
  const subject = encodeName(options.subject ?? DEFAULT_HOST_KEY_SUBJECT);
  const notBefore = options.notBefore ?? new Date(Math.floor(Date.now() / 1000) * 1000);
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + 3652 * 86_400_000);
  const serial = random(20);
  // A positive, non-zero 20-byte serial (RFC 5280 §4.1.2.2).
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  const sigAlg = sequence(oid(OID.ecdsaWithSha512));
  const spki = sequence(sequence(oid(OID.ecPublicKey), oid(OID.secp521r1)), bitString(keys.publicKey));
  const extensions = explicit(
    3,
    sequence(
      sequence(oid(OID.keyUsage), booleanTrue(), octetString(namedBitString([KEY_USAGE.digitalSignature, KEY_USAGE.keyAgreement, KEY_USAGE.keyCertSign]))),
      sequence(oid(OID.subjectKeyIdentifier), octetString(octetString(sha1(keys.publicKey)))),
    ),
  );
  const tbs = sequence(explicit(0, smallInteger(2)), unsignedInteger(serial), sigAlg, subject, sequence(time(notBefore), time(notAfter)), subject, spki, extensions);
  // ECDSA over SHA-512 of the tbsCertificate (noble hashes with the curve's SHA-512 by default).
  const compact = p521.sign(tbs, keys.privateKey, { lowS: false });
  const r = compact.subarray(0, P521_SIZE);
  const s = compact.subarray(P521_SIZE);
  return sequence(tbs, sigAlg, bitString(sequence(unsignedInteger(r), unsignedInteger(s))));
}

/** PEM form (`-----BEGIN CERTIFICATE-----`) of a host key document. */
export function hostKeyDocumentToPem(der: Uint8Array): string {
  return toPem('CERTIFICATE', der);
}

/**
 * True when the document is signed with ECDSA-SHA512 by its own key (as ours are). IBM's
 * documents are signed by IBM's RSA key and return false here; checking IBM's chain is the
 * image tool's business and out of scope.
 */
export function isSelfSignedHostKeyDocument(doc: HostKeyDocument): boolean {
  if (doc.signatureAlgorithm !== OID.ecdsaWithSha512) return false;
  try {
    const seq = readWhole(doc.signature, Tag.sequence, 'ECDSA signature');
    const [r, s] = children(seq);
    if (r === undefined || s === undefined) return false;
    const compact = new Uint8Array(2 * P521_SIZE);
    const rb = decodeUnsignedInteger(r);
    const sb = decodeUnsignedInteger(s);
    if (rb.length > P521_SIZE || sb.length > P521_SIZE) return false;
    compact.set(rb, P521_SIZE - rb.length);
    compact.set(sb, 2 * P521_SIZE - sb.length);
    return p521.verify(compact, doc.tbsCertificate, doc.publicKey, { lowS: false });
  } catch (err) {
    if (err instanceof DerError) return false;
    throw err;
  }
}
