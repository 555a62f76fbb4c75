/**
 * The demo guest (examples/demo-guest): the committed ELF is what build.sh makes from the source
 * with binutils (the demo itself runs it: tools/test/demo.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, requireTool, run, tempPath } from '@pvdump/test-support';
import { expect, it } from 'vitest';

const DIR = join(repoRoot(), 'examples', 'demo-guest');

it('demo-guest.elf is what build.sh makes from demo-guest.S', () => {
  requireTool('s390x-linux-gnu-as');
  requireTool('s390x-linux-gnu-ld');
  const out = tempPath('demo-guest.elf');
  run('sh', [join(DIR, 'build.sh'), out]);
  expect(readFileSync(out).equals(readFileSync(join(DIR, 'demo-guest.elf')))).toBe(true);
});
