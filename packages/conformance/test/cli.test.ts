// The built command on the real suite (found as the command finds it: $PVDUMP_KVM_UNIT_TESTS, else
// ../shared/fixtures/kvm-unit-tests beside the repository): a few quick entries, the table
// and JSON, the ratchet's check against a baseline it holds and one it breaks, and the errors.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { repoRoot, scratchDir } from '@pvdump/test-support';
import { locateSuite } from '../src/suite.ts';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const run = (args: string[], env: NodeJS.ProcessEnv = process.env) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env });
const ENTRIES = ['selftest-setup', 'selftest-migration', 'uv-host'];
/** Entries the runner skips without starting a guest: the ratchet's own checks stay fast. */
const SKIPPED = ['selftest-migration', 'uv-host', 'migration'];

describe('pnpm conformance', () => {
  const suite = locateSuite(undefined, repoRoot());

  it('prints JSON with our result beside QEMU\'s, skipping as the runner does', { timeout: 600_000 }, () => {
    const r = run(['--suite', suite, '--json', '--jobs', '1', ...ENTRIES]);
    expect(r.status === 0 || r.status === 1).toBe(true);
    const out = JSON.parse(r.stdout) as { entries: { name: string; result: string; qemu: string; reason: string | null; seconds: number }[]; totals: { entries: number } };
    expect(out.totals.entries).toBe(3);
    expect(out.entries.map((e) => e.name)).toEqual(ENTRIES);
    expect(out.entries[0]).toMatchObject({ qemu: 'PASS' });
    expect(['PASS', 'FAIL']).toContain(out.entries[0]!.result);
    expect(out.entries[0]!.seconds).toBeGreaterThan(0);
    expect(out.entries[1]).toMatchObject({ result: 'SKIP', reason: 'kvm only, but ACCEL=tcg', qemu: 'SKIP' });
    expect(out.entries[2]).toMatchObject({ result: 'SKIP', reason: 'no gen-se-header available for pv-host test' });
  });

  it('checks against a baseline: holds after --update-baseline, fails when a pass is lost', () => {
    const baseline = join(scratchDir(), 'baseline.json');
    const update = run(['--suite', suite, '--baseline', baseline, '--update-baseline', ...SKIPPED]);
    expect(update.status).toBe(0);
    expect(update.stdout).toMatch(/^entry +ours +our SUMMARY +QEMU +seconds/);
    expect(update.stdout).toMatch(/3 entries: 0 PASS, 0 FAIL, 3 SKIP/);
    const check = run(['--suite', suite, '--baseline', baseline, '--check', ...SKIPPED]);
    expect(check.stderr).toMatch(/no regression/);
    expect(check.status).toBe(0);
    const data = JSON.parse(readFileSync(baseline, 'utf8')) as { entries: Record<string, { result: string; summary: string | null }> };
    expect(data.entries['uv-host']).toEqual({ result: 'SKIP', summary: null });
    data.entries['uv-host'] = { result: 'PASS', summary: '90 tests' };
    writeFileSync(baseline, JSON.stringify(data));
    const broken = run(['--suite', suite, '--baseline', baseline, '--check', ...SKIPPED]);
    expect(broken.status).toBe(1);
    expect(broken.stderr).toMatch(/REGRESSION: uv-host: passed at the baseline \(90 tests\), now SKIP/);
  });

  it('says what is wrong: no suite, unknown entry, bad option (exit 2, no stack)', () => {
    const env = { ...process.env, PVDUMP_KVM_UNIT_TESTS: '' };
    const none = run(['--suite', join(scratchDir(), 'nowhere')], env);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/has no unittests.cfg/);
    const unknown = run(['--suite', suite, 'no-such-entry']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/no entry "no-such-entry"/);
    const bad = run(['--suite', suite, '--jobs', 'many']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});
