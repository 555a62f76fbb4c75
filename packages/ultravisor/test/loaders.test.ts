// The committed stage3a and stage3b binaries are exactly what loaders/build.sh assembles from
// loaders/stage3a.S and stage3b.S with binutils for s390x, and disassemble to instructions only.
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { requireTool, run, tempPath } from '@pvdump/test-support';
import { describe, expect, it } from 'vitest';
import { bootLoaders } from '../src/image/index.ts';

const loadersDir = fileURLToPath(new URL('../loaders/', import.meta.url));

describe('boot loaders', () => {
  it('rebuild byte for byte from their sources', () => {
    for (const tool of ['as', 'ld', 'objcopy']) requireTool(`s390x-linux-gnu-${tool}`);
    const out = tempPath('loaders');
    mkdirSync(out, { recursive: true });
    run('sh', [`${loadersDir}build.sh`, out]);
    for (const stage of ['stage3a', 'stage3b']) {
      expect(Buffer.from(readFileSync(`${out}/${stage}.bin`)), stage).toEqual(readFileSync(`${loadersDir}${stage}.bin`));
    }
  });

  it('are what the image builder uses: stage3a ends with an empty trailer, stage3b is one page ending with an empty argument block', () => {
    const { stage3a, stage3b } = bootLoaders();
    expect(stage3a.length % 8).toBe(0);
    expect(stage3a.subarray(stage3a.length - 24).every((b) => b === 0)).toBe(true);
    expect(stage3b.length).toBe(4096);
    expect(stage3b.subarray(4096 - 64).every((b) => b === 0)).toBe(true);
  });

  it('disassemble into the instructions of their sources', () => {
    requireTool('s390x-linux-gnu-objdump');
    const text = run('s390x-linux-gnu-objdump', ['-D', '-b', 'binary', '-m', 's390:64-bit', '--adjust-vma=0x10000', `${loadersDir}stage3a.bin`]);
    for (const insn of ['stfle', 'diag\t%r2,%r4,776', 'lpswe']) expect(text).toContain(insn);
    const b = run('s390x-linux-gnu-objdump', ['-D', '-b', 'binary', '-m', 's390:64-bit', '--adjust-vma=0x10000', `${loadersDir}stage3b.bin`]);
    for (const insn of ['mvcle\t%r4,%r6,0', 'lpswe\t48(%r10)']) expect(b).toContain(insn);
  });
});
