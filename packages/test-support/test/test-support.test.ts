import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturePath, fixturesDir, gunzipFixture, kvmUnitTestsDir, repoRoot, requireTool } from '../src/index.ts';

describe('test-support', () => {
  it('finds the repository fixtures and decompresses one to the checksum it names', async () => {
    expect(fixturesDir()).toBe(join(repoRoot(), 'fixtures'));
    expect(() => fixturePath('qemu-7.2-crash/no-such-file')).toThrow(/fixture missing/);
    const path = await gunzipFixture('qemu-7.2-crash/dump.elf.gz');
    const want = readFileSync(fixturePath('qemu-7.2-crash/SHA256SUMS'), 'utf8').split(/\s+/)[0];
    expect(createHash('sha256').update(readFileSync(path)).digest('hex')).toBe(want);
  });

  it('names the package to install for a missing tool', () => {
    expect(() => requireTool('definitely-not-a-tool-xyz')).toThrow(/not installed/);
    expect(requireTool('sh')).toMatch(/sh$/);
  });

  it('names the variable to set when the kvm-unit-tests folder is not given', () => {
    const saved = process.env['PVDUMP_KVM_UNIT_TESTS'];
    try {
      delete process.env['PVDUMP_KVM_UNIT_TESTS'];
      expect(() => kvmUnitTestsDir()).toThrow(/PVDUMP_KVM_UNIT_TESTS is not set/);
      process.env['PVDUMP_KVM_UNIT_TESTS'] = join(repoRoot(), 'no-such-folder');
      expect(() => kvmUnitTestsDir()).toThrow(/does not exist/);
      process.env['PVDUMP_KVM_UNIT_TESTS'] = fixturesDir();
      expect(kvmUnitTestsDir()).toBe(fixturesDir());
    } finally {
      if (saved === undefined) delete process.env['PVDUMP_KVM_UNIT_TESTS'];
      else process.env['PVDUMP_KVM_UNIT_TESTS'] = saved;
    }
  });
});
