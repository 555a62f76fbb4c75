// Host keys and host key documents: the IBM fixture certificate parses, our certificates pass
// openssl, key files interoperate with openssl, and the ECDH fast path agrees with noble and openssl.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fixturePath, requireTool, run, runStatus, tempPath } from '@pvdump/test-support';
import { describe, expect, it } from 'vitest';
import {
  DerError,
  HostKeyError,
  createHostKeyDocument,
  decodeHostPrivateKeyPem,
  ecdhSharedX,
  ecdhSharedXNoble,
  encodeHostPrivateKeyPem,
  generateHostKeyPair,
  hostKeyDocumentToPem,
  hostKeyHash,
  isSelfSignedHostKeyDocument,
  parseHostKeyDocument,
} from '../src/host-key/index.ts';
import { deterministicRandom } from '../src/random.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** The uncompressed point inside an SPKI PEM that openssl printed. */
function pointFromOpensslPubkey(pem: string): Uint8Array {
  const der = Buffer.from(pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
  return new Uint8Array(der.subarray(der.length - 133));
}

describe('host key documents', () => {
  it('reads the P-521 key from IBM host key document host.pem.crt exactly as openssl does', () => {
    requireTool('openssl');
    const path = fixturePath('se-header-s390-tools/host.pem.crt');
    const doc = parseHostKeyDocument(readFileSync(path));
    const expected = pointFromOpensslPubkey(run('openssl', ['x509', '-in', path, '-noout', '-pubkey']));
    expect(hex(doc.publicKey)).toBe(hex(expected));
    expect(hex(doc.publicKey).startsWith('040176881cd84b8b6de7123c7e900e')).toBe(true);
    expect(doc.issuer).toContain('OU=IBM Z Host Key Signing Service');
    expect(doc.subject).toContain('OU=IBM Z Host Key');
    expect(doc.subject).toContain('L=Armonk');
    expect(doc.serialNumber).toBe('3be48d181811be4991fe52a266188de25e334bbd');
    expect(doc.notBefore.toISOString()).toBe('2023-03-29T09:04:48.000Z');
    expect(doc.notAfter.toISOString()).toBe('2387-12-31T09:04:48.000Z');
    expect(doc.signatureAlgorithm).toBe('1.2.840.113549.1.1.13'); // sha512WithRSAEncryption
    expect(isSelfSignedHostKeyDocument(doc)).toBe(false);
    // The same certificate in DER form.
    const derPath = tempPath('host.der');
    run('openssl', ['x509', '-in', path, '-outform', 'DER', '-out', derPath]);
    expect(hex(parseHostKeyDocument(new Uint8Array(readFileSync(derPath))).publicKey)).toBe(hex(expected));
  });

  it('makes self-signed certificates that openssl parses and verifies against themselves', () => {
    requireTool('openssl');
    const keys = generateHostKeyPair();
    const der = createHostKeyDocument(keys, { notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2060-01-01T00:00:00Z') });
    const pemPath = tempPath('hkd.crt');
    writeFileSync(pemPath, hostKeyDocumentToPem(der));
    const text = run('openssl', ['x509', '-in', pemPath, '-noout', '-text']);
    expect(text).toContain('ASN1 OID: secp521r1');
    expect(text).toContain('NIST CURVE: P-521');
    expect(text).toContain('Signature Algorithm: ecdsa-with-SHA512');
    expect(text).toContain('Key Agreement');
    expect(text).toContain('Not After : Jan  1 00:00:00 2060 GMT');
    expect(text).toContain('OU = IBM Z Host Key');
    const verify = runStatus('openssl', ['verify', '-CAfile', pemPath, pemPath]);
    expect(verify.stdout + verify.stderr).toContain(': OK');
    expect(verify.status).toBe(0);
    expect(hex(pointFromOpensslPubkey(run('openssl', ['x509', '-in', pemPath, '-noout', '-pubkey'])))).toBe(hex(keys.publicKey));

    const doc = parseHostKeyDocument(der);
    expect(hex(doc.publicKey)).toBe(hex(keys.publicKey));
    expect(isSelfSignedHostKeyDocument(doc)).toBe(true);
    expect(parseHostKeyDocument(hostKeyDocumentToPem(der)).subject).toBe(doc.subject);
    // A changed certificate no longer verifies.
    const tampered = der.slice();
    // Byte 20 of the tbsCertificate lies in the serial number (after the SEQUENCE, version and INTEGER headers).
    tampered[doc.tbsCertificate.byteOffset + 20]! ^= 0x01;
    expect(isSelfSignedHostKeyDocument(parseHostKeyDocument(tampered))).toBe(false);
  });

  it('gives the same bytes for the same key, serial source and dates (documents and key files)', () => {
    // Digests of what the hand-written DER encoder made before the ASN.1 library replaced it.
    const sha256 = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');
    const keys = decodeHostPrivateKeyPem(readFileSync(fixturePath('genprotimg-2.35/host-key.pem'), 'utf8'));
    const plain = createHostKeyDocument(keys, { random: deterministicRandom('host key document'), notBefore: new Date('2026-12-04T00:00:00.250Z') });
    expect(sha256(plain)).toBe('d3232fc6527f29edfce647b04ef9941c187557c152823c6342c30cf72b5e5ca7');
    const subject = [
      ['C', 'DE'],
      ['ST', 'Baden'],
      ['L', 'Böblingen'],
      ['O', 'o, with comma'],
      ['OU', 'u'],
      ['CN', 'c'],
    ] as const;
    const options = { random: deterministicRandom('x'), notBefore: new Date('2049-12-31T23:59:59Z'), notAfter: new Date('2387-01-01T00:00:00Z'), subject };
    const named = createHostKeyDocument(keys, options);
    expect(sha256(named)).toBe('3fab21438c68fa03847d38cdcec35666a3b4ef6619b25bb1d929a679c073dd36');
    expect(sha256(encodeHostPrivateKeyPem(keys))).toBe('3083788cfe8325b62d24f231e3206794a51be58aa0b0c013e63d262edb5f6e74');
    const doc = parseHostKeyDocument(named);
    expect(doc.subject).toBe('C=DE, ST=Baden, L=Böblingen, O=o, with comma, OU=u, CN=c');
    expect(doc.issuer).toBe(doc.subject);
    expect(doc.serialNumber).toBe('3549372440f3505b0eb134a63fcd3ed9971d049c');
    expect(doc.notBefore.toISOString()).toBe('2049-12-31T23:59:59.000Z');
    expect(doc.notAfter.toISOString()).toBe('2387-01-01T00:00:00.000Z');
    expect([doc.tbsCertificate.byteOffset, doc.tbsCertificate.length, doc.signature.length]).toEqual([4, 486, 138]);
    expect(isSelfSignedHostKeyDocument(doc)).toBe(true);
  });

  it('refuses truncated documents and keys on other curves with clear errors', () => {
    requireTool('openssl');
    const der = createHostKeyDocument(generateHostKeyPair());
    expect(() => parseHostKeyDocument(der.subarray(0, der.length - 10))).toThrow(DerError);
    expect(() => parseHostKeyDocument(der.subarray(0, der.length - 10))).toThrow(/claims \d+ bytes but only \d+ remain/);
    expect(() => parseHostKeyDocument('no pem here')).toThrow(/no PEM block labelled 'CERTIFICATE'/);
    const keyPath = tempPath('p256.key');
    const certPath = tempPath('p256.crt');
    run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyPath, '-out', certPath, '-subj', '/CN=p256', '-days', '1']);
    const err = (() => {
      try {
        parseHostKeyDocument(readFileSync(certPath));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(DerError);
    expect((err as DerError).userError).toBe(true);
    expect((err as DerError).message).toMatch(/not on secp521r1/);
  });
});

describe('host key pairs', () => {
  it('the node:crypto ECDH fast path agrees with @noble/curves', () => {
    for (let i = 0; i < 4; i++) {
      const a = generateHostKeyPair();
      const b = generateHostKeyPair();
      const x = ecdhSharedX(a.privateKey, b.publicKey);
      expect(x.length).toBe(66);
      expect(hex(x)).toBe(hex(ecdhSharedXNoble(a.privateKey, b.publicKey)));
      expect(hex(x)).toBe(hex(ecdhSharedX(b.privateKey, a.publicKey)));
    }
  });

  it('writes SEC1 key files openssl reads, derives the same ECDH secret as openssl, and reads openssl keys', () => {
    requireTool('openssl');
    const a = generateHostKeyPair();
    const b = generateHostKeyPair();
    const aPath = tempPath('a.pem');
    const bPath = tempPath('b.pem');
    const bPub = tempPath('b.pub.pem');
    writeFileSync(aPath, encodeHostPrivateKeyPem(a));
    writeFileSync(bPath, encodeHostPrivateKeyPem(b));
    const check = runStatus('openssl', ['ec', '-in', aPath, '-noout', '-check']);
    expect(check.status).toBe(0);
    expect(check.stdout + check.stderr).toContain('EC Key valid');
    run('openssl', ['ec', '-in', bPath, '-pubout', '-out', bPub]);
    const secretPath = tempPath('secret.bin');
    run('openssl', ['pkeyutl', '-derive', '-inkey', aPath, '-peerkey', bPub, '-out', secretPath]);
    expect(hex(new Uint8Array(readFileSync(secretPath)))).toBe(hex(ecdhSharedX(a.privateKey, b.publicKey)));

    const back = decodeHostPrivateKeyPem(readFileSync(aPath, 'utf8'));
    expect(hex(back.privateKey)).toBe(hex(a.privateKey));
    expect(hex(back.publicKey)).toBe(hex(a.publicKey));

    const sslKey = tempPath('ssl.pem');
    run('openssl', ['ecparam', '-name', 'secp521r1', '-genkey', '-noout', '-out', sslKey]);
    const fromSsl = decodeHostPrivateKeyPem(readFileSync(sslKey, 'utf8'));
    const sslPub = tempPath('ssl.pub.pem');
    run('openssl', ['ec', '-in', sslKey, '-pubout', '-out', sslPub]);
    expect(hex(fromSsl.publicKey)).toBe(hex(pointFromOpensslPubkey(readFileSync(sslPub, 'utf8'))));
    const pkcs8 = run('openssl', ['pkcs8', '-topk8', '-nocrypt', '-in', sslKey]);
    expect(hex(decodeHostPrivateKeyPem(pkcs8).privateKey)).toBe(hex(fromSsl.privateKey));
  });

  it('refuses private key files whose public key does not match', () => {
    const a = generateHostKeyPair();
    const b = generateHostKeyPair();
    const mixed = encodeHostPrivateKeyPem({ privateKey: a.privateKey, publicKey: b.publicKey });
    expect(() => decodeHostPrivateKeyPem(mixed)).toThrow(HostKeyError);
  });

  it('names a host by SHA-256 over X and Y padded to 80 bytes (the first 32 bytes of keyslot.bin)', () => {
    const doc = parseHostKeyDocument(readFileSync(fixturePath('se-header-s390-tools/host.pem.crt')));
    const slot = new Uint8Array(readFileSync(fixturePath('se-header-s390-tools/keyslot.bin')));
    expect(hex(hostKeyHash(doc.publicKey))).toBe(hex(slot.subarray(0, 32)));
  });
});
