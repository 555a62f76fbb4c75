import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fixturePath, gunzipFixture, requireTool, sharedDir } from '../src/index.ts';

describe('test-support', () => {
  it('finds shared/ and decompresses a fixture to the checksum it names', async () => {
    expect(sharedDir()).toMatch(/shared$/);
    const path = await gunzipFixture('qemu-7.2-crash/dump.elf.gz');
    const want = readFileSync(fixturePath('qemu-7.2-crash/SHA256SUMS'), 'utf8').split(/\s+/)[0];
    expect(createHash('sha256').update(readFileSync(path)).digest('hex')).toBe(want);
  });

  it('names the package to install for a missing tool', () => {
    expect(() => requireTool('definitely-not-a-tool-xyz')).toThrow(/not installed/);
    expect(requireTool('sh')).toMatch(/sh$/);
  });
});
