/**
 * The SE header parser and opener (`parseSeHeader`, `openSeHeader`; spec ultravisor.md §5) on
 * mutated real headers: s390-tools' test header, genprotimg's header (openable with the
 * fixture's host key) and a generated one. Allowed: a result or a `SeHeaderError`.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { fixturePath } from '@pvdump/test-support';
import { decodeHostPrivateKeyPem, openSeHeader, parseSeHeader, type HostKeyPair } from '@pvdump/ultravisor';
import { expectResultOrUserError } from '../outcome.js';
import { loadSeededContext, materialize, seededInputs, type SeededContext, type SeededInput } from '../seeded.js';
import { generatedHostKey } from '../seeds/generated.js';
import { defineTarget } from '../target.js';

interface Context extends SeededContext {
  hostKeys: HostKeyPair[];
}

export const target = defineTarget<{ header: SeededInput; open: boolean }, Context>({
  name: 'se-header',
  summary: 'parseSeHeader / openSeHeader on mutated s390-tools, genprotimg and generated SE headers; only SeHeaderError',
  level: 'library',
  memoryBoundMiB: 200,
  hangMs: 10_000,
  ciRuns: 1800,
  async prepare() {
    const seeds = await loadSeededContext(['s390-tools-se-header', 'genprotimg-se-header', 'openable-se-header']);
    const genprotimgHost = decodeHostPrivateKeyPem(readFileSync(fixturePath('genprotimg-2.35/host-key.pem'), 'utf8'));
    return { ...seeds, hostKeys: [genprotimgHost, generatedHostKey()] };
  },
  inputs: (ctx) => fc.record({ header: seededInputs(ctx), open: fc.boolean() }),
  async execute(input, ctx) {
    const bytes = materialize(ctx, input.header);
    await expectResultOrUserError('parseSeHeader', () => parseSeHeader(bytes));
    if (input.open) {
      const secrets = await expectResultOrUserError('openSeHeader', () => openSeHeader(bytes, ctx.hostKeys));
      secrets?.wipe();
    }
  },
});
