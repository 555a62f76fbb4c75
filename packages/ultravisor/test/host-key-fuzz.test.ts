// Robustness: corrupted host key documents, key files and SE headers are refused only with the
// package's typed input errors (never a crash or an untyped exception), and never accepted as a
// different key without being noticed.
import { readFileSync } from 'node:fs';
import { fixturePath } from '@pvdump/test-support';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DerError, HostKeyError, createHostKeyDocument, decodeHostPrivateKeyPem, encodeHostPrivateKeyPem, generateHostKeyPair, parseHostKeyDocument } from '../src/host-key/index.ts';
import { ImageError, readGenprotimgImage } from '../src/image/index.ts';
import { SeHeaderError, parseSeHeader } from '../src/se-header/index.ts';

const isTyped = (err: unknown): boolean => err instanceof DerError || err instanceof HostKeyError || err instanceof SeHeaderError || err instanceof ImageError;

/** Mutations: flip bytes, truncate, or insert bytes. */
const mutation = (length: number) =>
  fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.integer({ min: 0, max: length - 1 }), xor: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.integer({ min: 0, max: length - 1 }), xor: fc.constant(0) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.integer({ min: 0, max: length }), xor: fc.integer({ min: 0, max: 255 }) }),
  );

function mutate(bytes: Uint8Array, m: { kind: 'flip' | 'cut' | 'insert'; at: number; xor: number }): Uint8Array {
  if (m.kind === 'flip') {
    const b = bytes.slice();
    b[m.at]! ^= m.xor;
    return b;
  }
  if (m.kind === 'cut') return bytes.slice(0, m.at);
  const b = new Uint8Array(bytes.length + 1);
  b.set(bytes.subarray(0, m.at));
  b[m.at] = m.xor;
  b.set(bytes.subarray(m.at), m.at + 1);
  return b;
}

function outcome(fn: () => unknown): 'ok' | 'typed' {
  try {
    fn();
    return 'ok';
  } catch (err) {
    if (isTyped(err)) return 'typed';
    throw err;
  }
}

describe('robustness against corrupted input', () => {
  it('host key documents: IBM fixture and ours', () => {
    const ibm = new Uint8Array(readFileSync(fixturePath('se-header-s390-tools/host.pem.crt')));
    const ibmDer = Uint8Array.from(
      Buffer.from(
        new TextDecoder()
          .decode(ibm)
          .replace(/-----[A-Z ]+-----/g, '')
          .replace(/\s+/g, ''),
        'base64',
      ),
    );
    const ours = createHostKeyDocument(generateHostKeyPair());
    for (const der of [ibmDer, ours]) {
      const original = parseHostKeyDocument(der).publicKey;
      fc.assert(
        fc.property(mutation(der.length), (m) => {
          const bad = mutate(der, m);
          if (outcome(() => parseHostKeyDocument(bad)) === 'ok') {
            // A mutation that still parses either left the key alone or changed it into another valid point.
            const key = parseHostKeyDocument(bad).publicKey;
            expect(key.length).toBe(original.length);
          }
        }),
        { numRuns: 300 },
      );
    }
  });

  it('private key files', () => {
    const pem = encodeHostPrivateKeyPem(generateHostKeyPair());
    const bytes = new TextEncoder().encode(pem);
    fc.assert(
      fc.property(mutation(bytes.length), (m) => {
        outcome(() => decodeHostPrivateKeyPem(new TextDecoder().decode(mutate(bytes, m))));
      }),
      { numRuns: 300 },
    );
  });

  it("SE headers and Secure Execution images in genprotimg's layout", () => {
    const header = new Uint8Array(readFileSync(fixturePath('se-header-s390-tools/secure_guest.hdr')));
    fc.assert(
      fc.property(mutation(header.length), (m) => {
        outcome(() => parseSeHeader(mutate(header, m)));
      }),
      { numRuns: 500 },
    );
    // The key-less reader checks the layout only: a changed ciphertext byte reads fine (the
    // header's digests catch it later), anything else is refused with an ImageError.
    const image = new Uint8Array(readFileSync(fixturePath('genprotimg-2.35/se.img')));
    fc.assert(
      fc.property(mutation(image.length), (m) => {
        const mutated = mutate(image, m);
        const result = outcome(() => readGenprotimgImage(mutated));
        if (m.kind !== 'flip') expect(result).toBe('typed');
      }),
      { numRuns: 200 },
    );
  });
});
