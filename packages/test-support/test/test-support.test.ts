import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import setupTestRun from '../../../vitest.global-setup.ts';
import { fixturePath, fixturesDir, gunzipFixture, kvmUnitTestsDir, repoRoot, requireTool, runStatusAsync, scratchDir, tempPath } from '../src/index.ts';

describe('test-support', () => {
  it('finds the repository fixtures and decompresses one to the checksum it names', async () => {
    expect(fixturesDir()).toBe(join(repoRoot(), 'fixtures'));
    expect(() => fixturePath('qemu-7.2-crash/no-such-file')).toThrow(/fixture missing/);
    const path = await gunzipFixture('qemu-7.2-crash/dump.elf.gz');
    const want = readFileSync(fixturePath('qemu-7.2-crash/SHA256SUMS'), 'utf8').split(/\s+/)[0];
    expect(createHash('sha256').update(readFileSync(path)).digest('hex')).toBe(want);
  });

  it('runs a command without blocking and reports its status and output', async () => {
    const r = await runStatusAsync('sh', ['-c', 'echo out; echo err >&2; exit 3']);
    expect(r).toEqual({ status: 3, stdout: 'out\n', stderr: 'err\n' });
    await expect(runStatusAsync('definitely-not-a-tool-xyz', [])).rejects.toThrow(/ENOENT/);
  });

  it('names the package to install for a missing tool', () => {
    expect(() => requireTool('definitely-not-a-tool-xyz')).toThrow(/not installed/);
    expect(requireTool('sh')).toMatch(/sh$/);
  });

  it('names the variable to set when the kvm-unit-tests folder is not given', () => {
    const saved = process.env.PVDUMP_KVM_UNIT_TESTS;
    try {
      delete process.env.PVDUMP_KVM_UNIT_TESTS;
      expect(() => kvmUnitTestsDir()).toThrow(/PVDUMP_KVM_UNIT_TESTS is not set/);
      process.env.PVDUMP_KVM_UNIT_TESTS = join(repoRoot(), 'no-such-folder');
      expect(() => kvmUnitTestsDir()).toThrow(/does not exist/);
      process.env.PVDUMP_KVM_UNIT_TESTS = fixturesDir();
      expect(kvmUnitTestsDir()).toBe(fixturesDir());
    } finally {
      if (saved === undefined) delete process.env.PVDUMP_KVM_UNIT_TESTS;
      else process.env.PVDUMP_KVM_UNIT_TESTS = saved;
    }
  });

  it('keeps scratch files in the run folder, which the run removes at its end', () => {
    expect(tmpdir()).toMatch(/pvdump-test-run-[^/]+$/);
    expect(scratchDir().startsWith(tmpdir() + '/')).toBe(true);
    expect(tempPath('x').startsWith(scratchDir() + '/')).toBe(true);
    const outer = process.env.TMPDIR;
    const teardown = setupTestRun();
    const run = tmpdir();
    expect(run).not.toBe(outer);
    expect(existsSync(run)).toBe(true);
    teardown();
    expect(existsSync(run)).toBe(false);
    expect(process.env.TMPDIR).toBe(outer);
  });

  it('removes the run folder when the run is interrupted by a signal', () => {
    const keepRunning = (): void => {
      // Survives the signal: the run folder must go all the same.
    };
    process.on('SIGTERM', keepRunning);
    const outer = process.env.TMPDIR;
    const teardown = setupTestRun();
    const run = tmpdir();
    try {
      expect(existsSync(run)).toBe(true);
      process.emit('SIGTERM', 'SIGTERM');
      expect(existsSync(run)).toBe(false);
    } finally {
      teardown();
      process.removeListener('SIGTERM', keepRunning);
    }
    expect(process.env.TMPDIR).toBe(outer);
  });
});
