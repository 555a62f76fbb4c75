/**
 * Host key documents (spec ultravisor.md §5; fixture se-header-s390-tools/host.pem.crt): an X.509
 * v3 certificate (RFC 5280) whose subject public key is the machine's P-521 host key
 * (id-ecPublicKey with the named curve secp521r1). IBM signs the real ones with its host key
 * signing service; ours are self-signed with ECDSA-SHA512 by the host key itself [E], so image
 * tools can take them as they take IBM's. The reader extracts the key from either kind.
 */
import { ECParameters, id_ecPublicKey, id_ecdsaWithSHA512, id_secp521r1 } from '@peculiar/asn1-ecc';
import { OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  Certificate,
  Extension,
  Extensions,
  KeyUsage,
  KeyUsageFlags,
  Name,
  RelativeDistinguishedName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  type Time,
  Validity,
  Version,
  id_ce_keyUsage,
  id_ce_subjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import { p521 } from '@noble/curves/nist.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { X509Certificate, createPublicKey } from 'node:crypto';
import { systemRandom, type RandomSource } from '../random.js';
import { DerError, decodeDer, encodeDer, unsignedMagnitude } from './asn1.js';
import { normalizePublicKey, type HostKeyPair } from './host-key.js';
import { fromPem, looksLikePem, toPem } from './pem.js';

/** Short names of the name attributes host key documents use (RFC 4519). */
const ATTRIBUTE_OIDS = {
  C: '2.5.4.6',
  O: '2.5.4.10',
  CN: '2.5.4.3',
  ST: '2.5.4.8',
  L: '2.5.4.7',
  OU: '2.5.4.11',
} as const;

const ATTRIBUTE_NAMES: Record<string, string> = Object.fromEntries(Object.entries(ATTRIBUTE_OIDS).map(([name, oid]) => [oid, name]));

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
  const der = typeof input === 'string' ? fromPem(input, ['CERTIFICATE'], 'host key document') : looksLikePem(input) ? fromPem(new TextDecoder().decode(input), ['CERTIFICATE'], 'host key document') : input;
  if (der[0] !== SEQUENCE_TAG) {
    throw new DerError('host key document: not an X.509 certificate (neither PEM text with a CERTIFICATE block nor DER starting with a SEQUENCE)');
  }
  const cert = decodeDer(der, Certificate, 'host key document');
  const tbs = cert.tbsCertificate;
  if (tbs.version !== Version.v3 && tbs.version !== Version.v1) {
    throw new DerError(`host key document: X.509 version ${tbs.version + 1}; host key documents are v3`);
  }
  const signatureAlgorithm = cert.signatureAlgorithm.algorithm;
  if (tbs.signature.algorithm !== signatureAlgorithm) {
    throw new DerError('host key document: the inner and outer signature algorithms differ');
  }
  const notBefore = validTime(tbs.validity.notBefore, 'notBefore');
  const notAfter = validTime(tbs.validity.notAfter, 'notAfter');
  return {
    publicKey: readP521PublicKeyInfo(tbs.subjectPublicKeyInfo),
    subject: nameToString(tbs.subject),
    issuer: nameToString(tbs.issuer),
    serialNumber: Buffer.from(unsignedMagnitude(new Uint8Array(tbs.serialNumber), 'host key document serial number')).toString('hex'),
    notBefore,
    notAfter,
    signatureAlgorithm,
    der,
    tbsCertificate: tbsView(der, cert),
    signature: new Uint8Array(cert.signatureValue),
  };
}

/** A validity bound as a Date; a time that names no instant is refused. */
function validTime(time: Time, what: string): Date {
  const date = time.utcTime ?? time.generalTime;
  if (date === undefined || Number.isNaN(date.getTime())) throw new DerError(`host key document: the validity ${what} is not a valid time`);
  return date;
}

/** DER identifier octet of a SEQUENCE, the first byte of every certificate. */
const SEQUENCE_TAG = 0x30;

/** The tbsCertificate as a view into `der`: it follows the certificate's SEQUENCE header. */
function tbsView(der: Uint8Array, cert: Certificate): Uint8Array {
  const raw = new Uint8Array(cert.tbsCertificateRaw ?? new ArrayBuffer(0));
  const lengthByte = der[1] ?? 0;
  const start = lengthByte < 0x80 ? 2 : 2 + (lengthByte & 0x7f);
  const view = der.subarray(start, start + raw.length);
  if (raw.length === 0 || Buffer.compare(Buffer.from(view), Buffer.from(raw)) !== 0) {
    throw new DerError('host key document: the tbsCertificate does not follow the certificate header');
  }
  return view;
}

/** The P-521 point of a SubjectPublicKeyInfo; other key types are refused. */
function readP521PublicKeyInfo(spki: SubjectPublicKeyInfo): Uint8Array {
  if (spki.algorithm.algorithm !== id_ecPublicKey) {
    throw new DerError('host key document: the public key is not an EC key (host keys are P-521 EC keys)');
  }
  const params = spki.algorithm.parameters;
  const curve = params === null || params === undefined ? undefined : decodeDer(new Uint8Array(params), ECParameters, 'host key document EC parameters').namedCurve;
  if (curve !== id_secp521r1) {
    throw new DerError('host key document: the EC key is not on secp521r1 (P-521), which host keys must use');
  }
  return normalizePublicKey(new Uint8Array(spki.subjectPublicKey), 'host key document public key');
}

/** `C=US, O=..., CN=...`: attributes in document order, short names where known, else the OID. */
function nameToString(name: Name): string {
  const parts: string[] = [];
  for (const rdn of name) {
    for (const atv of rdn) {
      if (atv.value.anyValue !== undefined) throw new DerError(`host key document: name attribute ${atv.type} is not a string`);
      parts.push(`${ATTRIBUTE_NAMES[atv.type] ?? atv.type}=${atv.value.toString()}`);
    }
  }
  return parts.join(', ');
}

// ---- writing ----

/** Name attributes in order, e.g. `[['C','US'], ['O','...']]`. */
export type NameAttributes = readonly (readonly [keyof typeof ATTRIBUTE_OIDS, string])[];

/** A Name with one attribute per RDN; countryName is a PrintableString (RFC 5280 §A.1), the rest UTF8String. */
function encodeName(attrs: NameAttributes): Name {
  return new Name(attrs.map(([k, v]) => new RelativeDistinguishedName([new AttributeTypeAndValue({ type: ATTRIBUTE_OIDS[k], value: new AttributeValue(k === 'C' ? { printableString: v } : { utf8String: v }) })])));
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

/** A copy of the bytes in an ArrayBuffer of their own, as the schema classes hold them. */
const ownBuffer = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer;

/** SubjectPublicKeyInfo of a P-521 point: id-ecPublicKey with the named curve secp521r1 (RFC 5480). */
function p521PublicKeyInfo(point: Uint8Array): SubjectPublicKeyInfo {
  return new SubjectPublicKeyInfo({
    algorithm: new AlgorithmIdentifier({ algorithm: id_ecPublicKey, parameters: ownBuffer(encodeDer(new ECParameters({ namedCurve: id_secp521r1 }))) }),
    subjectPublicKey: ownBuffer(point),
  });
}

/**
 * Makes the host key document of a key pair: a self-signed X.509 v3 certificate (DER) holding the
 * P-521 public key, signed with ECDSA-SHA512 by the host private key. Extensions: KeyUsage
 * (critical) keyAgreement as on IBM's, plus keyCertSign and digitalSignature so that the
 * self-signature verifies as a trust anchor; and a SubjectKeyIdentifier. The signature is
 * deterministic (RFC 6979), so the same key, serial and dates give the same bytes.
 */
export function createHostKeyDocument(keys: HostKeyPair, options: HostKeyDocumentOptions = {}): Uint8Array {
  const random = options.random ?? systemRandom;
  const subject = options.subject ?? DEFAULT_HOST_KEY_SUBJECT;
  const notBefore = options.notBefore ?? new Date(Math.floor(Date.now() / 1000) * 1000);
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + 3652 * 86_400_000);
  const serial = random(20);
  // A positive, non-zero 20-byte serial (RFC 5280 §4.1.2.2).
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  const signatureAlgorithm = new AlgorithmIdentifier({ algorithm: id_ecdsaWithSHA512 });
  const keyUsage = new KeyUsage(KeyUsageFlags.digitalSignature | KeyUsageFlags.keyAgreement | KeyUsageFlags.keyCertSign);
  const tbsCertificate = new TBSCertificate({
    version: Version.v3,
    serialNumber: ownBuffer(serial),
    signature: signatureAlgorithm,
    issuer: encodeName(subject),
    // UTCTime through 2049, GeneralizedTime after (RFC 5280 §4.1.2.5), whole seconds.
    validity: new Validity({ notBefore, notAfter }),
    subject: encodeName(subject),
    subjectPublicKeyInfo: p521PublicKeyInfo(keys.publicKey),
    extensions: new Extensions([
      new Extension({ extnID: id_ce_keyUsage, critical: true, extnValue: new OctetString(encodeDer(keyUsage)) }),
      new Extension({ extnID: id_ce_subjectKeyIdentifier, extnValue: new OctetString(encodeDer(new SubjectKeyIdentifier(sha1(keys.publicKey)))) }),
    ]),
  });
  // ECDSA over SHA-512 of the tbsCertificate (noble hashes with the curve's SHA-512 by default).
  const signature = p521.sign(encodeDer(tbsCertificate), keys.privateKey, { lowS: false, format: 'der' });
  return encodeDer(new Certificate({ tbsCertificate, signatureAlgorithm, signatureValue: ownBuffer(signature) }));
}

/** PEM form (`-----BEGIN CERTIFICATE-----`) of a host key document. */
export function hostKeyDocumentToPem(der: Uint8Array): string {
  return toPem('CERTIFICATE', der);
}

/**
 * True when the document is signed with ECDSA-SHA512 by its own key (as ours are), checked by
 * node:crypto's X509Certificate (OpenSSL). IBM's documents are signed by IBM's RSA key and return
 * false here; checking IBM's chain is the image tool's business and out of scope.
 */
export function isSelfSignedHostKeyDocument(doc: HostKeyDocument): boolean {
  if (doc.signatureAlgorithm !== id_ecdsaWithSHA512) return false;
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(doc.der);
  } catch {
    return false;
  }
  const publicKey = createPublicKey({ key: Buffer.from(encodeDer(p521PublicKeyInfo(doc.publicKey))), format: 'der', type: 'spki' });
  try {
    return certificate.verify(publicKey);
  } catch {
    return false;
  }
}
