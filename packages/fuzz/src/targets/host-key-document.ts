/**
 * The host-key-document reader (`parseHostKeyDocument`, DER and PEM) and the host private key
 * reader (`decodeHostPrivateKeyPem`) on mutated real documents: IBM's (s390-tools) and
 * genprotimg's. Every DER tag and length is a mutation field. Allowed: a result, or the
 * package's DerError / HostKeyError.
 */
import fc from 'fast-check';
import { decodeHostPrivateKeyPem } from '@pvdump/ultravisor';
import { isSelfSignedHostKeyDocument, parseHostKeyDocument } from '@pvdump/ultravisor/guest-owner';
import { expectResultOrUserError } from '../outcome.js';
import { loadSeededContext, materialize, seededInputs, type SeededContext, type SeededInput } from '../seeded.js';
import { defineTarget } from '../target.js';

function pem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der)
    .toString('base64')
    .replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64}-----END ${label}-----\n`;
}

export const target = defineTarget<{ document: SeededInput; asPem: boolean }, SeededContext>({
  name: 'host-key-document',
  summary: 'parseHostKeyDocument (DER, PEM) and decodeHostPrivateKeyPem on mutated IBM and genprotimg documents; only DerError/HostKeyError',
  level: 'library',
  memoryBoundMiB: 200,
  hangMs: 10_000,
  ciRuns: 1500,
  prepare: () => loadSeededContext(['ibm-host-key-document', 'ibm-host-key-document-pem', 'genprotimg-host-key-document', 'genprotimg-host-private-key']),
  inputs: (ctx) => fc.record({ document: seededInputs(ctx), asPem: fc.boolean() }),
  async execute(input, ctx) {
    const bytes = materialize(ctx, input.document);
    if (input.document.seed === 'genprotimg-host-private-key') {
      await expectResultOrUserError('decodeHostPrivateKeyPem', () => decodeHostPrivateKeyPem(pem('EC PRIVATE KEY', bytes)));
      return;
    }
    const text = input.document.seed.endsWith('-pem') ? new TextDecoder().decode(bytes) : undefined;
    const doc = await expectResultOrUserError('parseHostKeyDocument', () => parseHostKeyDocument(text ?? (input.asPem ? pem('CERTIFICATE', bytes) : bytes)));
    if (doc !== undefined) await expectResultOrUserError('isSelfSignedHostKeyDocument', () => isSelfSignedHostKeyDocument(doc));
  },
});
