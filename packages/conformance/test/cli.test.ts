// The built command on a small suite made here in the suite's own format (unittests.cfg, QEMU's
// results table, a test kernel): the guest of fixtures/genprotimg-2.35 ends in a disabled wait,
// which is a crash (FAIL) for a plain entry and the expected outcome (PASS) for a `panic` entry;
// the other entries are skipped as the suite's runner skips them. The real kvm-unit-tests run
// through `pnpm conformance --check` in CI, beside the repository; this test needs nothing outside it.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixturePath, scratchDir } from '@pvdump/test-support';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const run = (args: string[], env: NodeJS.ProcessEnv = process.env) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env });

const CFG = `# a small suite in kvm-unit-tests' format
[crash]
file = guest.elf

[panics]
file = guest.elf
groups = panic

[kvm-only]
file = guest.elf
accel = kvm

[pv-host-entry]
file = guest.elf
groups = pv-host

[migrates]
file = guest.elf
groups = migration
`;
const QEMU = ['name\tfile\tresult_run_tests.sh\tsummary_line\tnote', 'crash\tguest.elf\tFAIL\t\t', 'panics\tguest.elf\tPASS\t\t', 'kvm-only\tguest.elf\tSKIP\t\t'].join('\n');
/** Entries the runner skips without starting a guest. */
const SKIPPED = ['kvm-only', 'pv-host-entry', 'migrates'];

describe('pnpm conformance', () => {
  let suite = '';
  beforeAll(() => {
    suite = join(scratchDir(), 'suite');
    mkdirSync(suite, { recursive: true });
    writeFileSync(join(suite, 'unittests.cfg'), CFG);
    writeFileSync(join(suite, 'qemu-tcg-results.tsv'), QEMU);
    copyFileSync(fixturePath('genprotimg-2.35/guest.elf'), join(suite, 'guest.elf'));
  });

  it("prints JSON with our result beside QEMU's, judging and skipping as the runner does", { timeout: 600_000 }, () => {
    const r = run(['--suite', suite, '--json', '--jobs', '2']);
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout) as { entries: { name: string; result: string; qemu: string; reason: string | null; seconds: number }[]; totals: { entries: number } };
    expect(out.totals.entries).toBe(5);
    expect(out.entries.map((e) => e.name)).toEqual(['crash', 'panics', ...SKIPPED]);
    expect(out.entries[0]).toMatchObject({ result: 'FAIL', qemu: 'FAIL' });
    expect(out.entries[0]!.reason).toMatch(/disabled wait|crash/i);
    expect(out.entries[0]!.seconds).toBeGreaterThan(0);
    expect(out.entries[1]).toMatchObject({ result: 'PASS', qemu: 'PASS', reason: 'guest panicked' });
    expect(out.entries[2]).toMatchObject({ result: 'SKIP', reason: 'kvm only, but ACCEL=tcg', qemu: 'SKIP' });
    expect(out.entries[3]).toMatchObject({ result: 'SKIP', reason: 'no gen-se-header available for pv-host test' });
    expect(out.entries[4]!.result).toBe('SKIP');
  });

  it('checks against a baseline: holds after --update-baseline, fails when a pass is lost', { timeout: 600_000 }, () => {
    const baseline = join(scratchDir(), 'baseline.json');
    const update = run(['--suite', suite, '--baseline', baseline, '--update-baseline', 'panics', ...SKIPPED]);
    expect(update.status).toBe(0);
    expect(update.stdout).toMatch(/^entry +ours +our SUMMARY +QEMU +seconds/);
    expect(update.stdout).toMatch(/4 entries: 1 PASS, 0 FAIL, 3 SKIP/);
    const check = run(['--suite', suite, '--baseline', baseline, '--check', ...SKIPPED]);
    expect(check.stderr).toMatch(/no regression/);
    expect(check.status).toBe(0);
    const data = JSON.parse(readFileSync(baseline, 'utf8')) as { entries: Record<string, { result: string; summary: string | null }> };
    expect(data.entries.panics).toMatchObject({ result: 'PASS' });
    expect(data.entries['kvm-only']).toEqual({ result: 'SKIP', summary: null });
    data.entries['kvm-only'] = { result: 'PASS', summary: '90 tests' };
    writeFileSync(baseline, JSON.stringify(data));
    const broken = run(['--suite', suite, '--baseline', baseline, '--check', ...SKIPPED]);
    expect(broken.status).toBe(1);
    expect(broken.stderr).toMatch(/REGRESSION: kvm-only: passed at the baseline \(90 tests\), now SKIP/);
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
