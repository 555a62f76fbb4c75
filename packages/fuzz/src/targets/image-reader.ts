/**
 * The Secure Execution image reader (genprotimg's layout: `readGenprotimgImage`, its pages, and
 * what `pvdump info IMAGE` does after it) on mutated images: IBM genprotimg 2.35's se.img and
 * se-nodump.img and our builder's image of the same kernel and command line. Every image that
 * reads is walked page by page, verified against its header's digests, its components decrypted
 * and stage3b's arguments looked for; our image is also opened with its host key and must then
 * verify or be refused naming the mismatch. Outcomes: a result or a bad-input error
 * (`ImageError`, `SeHeaderError`), never another exception; bounded memory.
 */
import fc from 'fast-check';
import { openSeHeader } from '@pvdump/ultravisor';
import { decryptGenprotimgComponent, findStage3bArgs, requireVerifiedGenprotimgImage, verifyGenprotimgImage } from '@pvdump/ultravisor/guest-owner';
import { ComponentType, genprotimgPages, readGenprotimgImage } from '@pvdump/ultravisor/protected-image';
import { expectResultOrUserError } from '../outcome.js';
import { generatedHostKey } from '../seeds/generated.js';
import { loadSeededContext, materialize, seededInputs, type SeededContext, type SeededInput } from '../seeded.js';
import { defineTarget } from '../target.js';

/** The image XTS key of IBM's images is not known to the fuzzer without their host key; any key exercises decryption. */
const SOME_XTS_KEY = Uint8Array.from({ length: 64 }, (_, i) => i * 3 + 1);
const STAGE3B_PSW = { mask: 0x0000000180000000n, addr: 0x27000n };

export const target = defineTarget<{ image: SeededInput }, SeededContext>({
  name: 'image-reader',
  summary: 'readGenprotimgImage, its pages, digests, component decryption, stage3b arguments and (our image) opening with the host key on mutated SE images; only ImageError/SeHeaderError',
  level: 'library',
  memoryBoundMiB: 200,
  hangMs: 10_000,
  ciRuns: 1000,
  prepare: () => loadSeededContext(['genprotimg-se-image', 'genprotimg-se-nodump-image', 'pvdump-se-image']),
  inputs: (ctx) => fc.record({ image: seededInputs(ctx) }),
  async execute(input, ctx) {
    const bytes = materialize(ctx, input.image);
    const image = await expectResultOrUserError('readGenprotimgImage', () => readGenprotimgImage(bytes));
    if (image === undefined) return;
    await expectResultOrUserError('genprotimgPages', () => {
      let pages = 0;
      for (const page of genprotimgPages(image)) if (page.ciphertext.length === 4096) pages++;
      return pages;
    });
    await expectResultOrUserError('verifyGenprotimgImage', () => verifyGenprotimgImage(image, STAGE3B_PSW));
    const opened = input.image.seed === 'pvdump-se-image' ? await expectResultOrUserError('openSeHeader', () => openSeHeader(image.seHeader, [generatedHostKey()])) : undefined;
    try {
      const key = opened?.imageXtsKey ?? SOME_XTS_KEY;
      if (opened !== undefined) await expectResultOrUserError('requireVerifiedGenprotimgImage', () => requireVerifiedGenprotimgImage(image, opened.psw));
      for (const c of image.components) {
        const plain = await expectResultOrUserError('decryptGenprotimgComponent', () => decryptGenprotimgComponent(c, key));
        if (plain !== undefined && c.type === ComponentType.stage3b) await expectResultOrUserError('findStage3bArgs', () => findStage3bArgs(plain));
        plain?.fill(0);
      }
    } finally {
      opened?.wipe();
    }
  },
});
