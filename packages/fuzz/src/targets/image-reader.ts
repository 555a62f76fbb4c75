/**
 * The protected image reader (`readProtectedImage`, `decryptProtectedImage`; the container in
 * packages/ultravisor/README.md) on mutated images. Half the inputs get their trailing SHA-256
 * recomputed after mutation, so that mutations reach the checks behind the checksum.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { decryptProtectedImage } from '@pvdump/ultravisor/guest-owner';
import { CHECKSUM_SIZE, readProtectedImage } from '@pvdump/ultravisor/protected-image';
import { expectResultOrUserError } from '../outcome.js';
import { loadSeededContext, materialize, seededInputs, type SeededContext, type SeededInput } from '../seeded.js';
import { defineTarget } from '../target.js';

/** The image XTS key of the generated seed cannot be known without opening its header; any key exercises decryption. */
const SOME_XTS_KEY = Uint8Array.from({ length: 64 }, (_, i) => i * 3 + 1);

export const target = defineTarget<{ image: SeededInput; fixChecksum: boolean }, SeededContext>({
  name: 'image-reader',
  summary: 'readProtectedImage / decryptProtectedImage on mutated images (checksum fixed up or not); only ImageError/SeHeaderError',
  level: 'library',
  memoryBoundMiB: 200,
  hangMs: 10_000,
  ciRuns: 10000,
  prepare: () => loadSeededContext(['protected-image']),
  inputs: (ctx) => fc.record({ image: seededInputs(ctx), fixChecksum: fc.boolean() }),
  async execute(input, ctx) {
    const bytes = materialize(ctx, input.image);
    if (input.fixChecksum && bytes.length >= CHECKSUM_SIZE) {
      const body = bytes.subarray(0, bytes.length - CHECKSUM_SIZE);
      bytes.set(createHash('sha256').update(body).digest(), bytes.length - CHECKSUM_SIZE);
    }
    const image = await expectResultOrUserError('readProtectedImage', () => readProtectedImage(bytes));
    if (image !== undefined) await expectResultOrUserError('decryptProtectedImage', () => decryptProtectedImage(image, SOME_XTS_KEY));
  },
});
