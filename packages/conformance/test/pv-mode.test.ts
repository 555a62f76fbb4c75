// The PV mode: which entries get a NAME_PV twin (scripts/s390x/func.bash), how it is planned, the
// test kernel made into `objcopy -O binary`'s flat image (compared with the real objcopy) and an
// SE image that the image reader accepts, and the command running a `_PV` entry as a secure guest.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixturePath, scratchDir } from '@pvdump/test-support';
import { readGenprotimgImage } from '@pvdump/ultravisor/protected-image';
import { hasPvEntry, planPvEntry } from '../src/pv-entries.ts';
import { buildTestImage, flatBinary, KVM_UNIT_TESTS_PCF, makeRunHostKey } from '../src/secure-image.ts';
import { parseUnitTestsCfg } from '../src/unittests-cfg.ts';

const entry = (cfg: string) => parseUnitTestsCfg(cfg)[0]!;
const GUEST = fixturePath('genprotimg-2.35/guest.elf');

describe('PV entries as the runner adds them', () => {
  it('adds NAME_PV unless the entry is accel=tcg or in the migration group', () => {
    expect(hasPvEntry(entry('[a]\nfile = a.elf\n'))).toBe(true);
    expect(hasPvEntry(entry('[a]\nfile = a.elf\naccel = kvm\n'))).toBe(true);
    expect(hasPvEntry(entry('[a]\nfile = a.elf\naccel = tcg\n'))).toBe(false);
    expect(hasPvEntry(entry('[a]\nfile = a.elf\ngroups = selftest migration\n'))).toBe(false);
  });

  it('plans NAME_PV with the plain entry machine, booted secure; the runner skips stay skips', () => {
    const { name, plan } = planPvEntry(entry("[selftest-setup]\nfile = selftest.elf\nsmp = 2\ngroups = selftest\ntest_args = 'test 123'\nqemu_params = -m 256\n"), '/suite');
    expect(name).toBe('selftest-setup_PV');
    expect(plan.kind === 'run' && plan.spec).toMatchObject({ name: 'selftest-setup_PV', kernel: '/suite/selftest.elf', cpus: 2, memoryMiB: 256, commandLine: 'test 123', secure: true, ultravisorCall: false });
    expect(planPvEntry(entry('[k]\nfile = k.elf\naccel = kvm\n'), '/suite').plan).toEqual({ kind: 'skip', reason: 'kvm only, but ACCEL=tcg' });
  });
});

describe("the test kernel's SE image", () => {
  it("flattens the ELF as objcopy -O binary does (the Makefile's NAME.bin)", () => {
    const out = join(scratchDir(), 'guest.bin');
    const r = spawnSync('s390x-linux-gnu-objcopy', ['-O', 'binary', GUEST, out], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const objcopy = new Uint8Array(readFileSync(out));
    const flat = flatBinary(new Uint8Array(readFileSync(GUEST)));
    expect(objcopy.length).toBeGreaterThan(0);
    // objcopy's file starts at the lowest section; ours at absolute 0 (zeros before it).
    expect(Buffer.from(flat.subarray(flat.length - objcopy.length)).equals(Buffer.from(objcopy))).toBe(true);
    expect(flat.subarray(0, flat.length - objcopy.length).every((b) => b === 0)).toBe(true);
  });

  it("builds an image in genprotimg's layout with the Makefile's PCF and the -append text as parmfile", () => {
    const image = readGenprotimgImage(buildTestImage(GUEST, makeRunHostKey(), 'test 123'));
    expect(image.components.map((c) => c.name)).toEqual(expect.arrayContaining(['kernel', 'parmline']));
    expect(KVM_UNIT_TESTS_PCF).toBe(0xe0n);
  });
});

describe('pnpm conformance --pv', () => {
  const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
  const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  let suite = '';
  beforeAll(() => {
    suite = join(scratchDir(), 'pv-suite');
    mkdirSync(suite, { recursive: true });
    writeFileSync(join(suite, 'unittests.cfg'), '[crash]\nfile = guest.elf\n\n[tcg-only]\nfile = guest.elf\naccel = tcg\n\n[many]\nfile = guest.elf\nqemu_params = -smp 1,maxcpus=248\n');
    writeFileSync(join(suite, 'qemu-tcg-results.tsv'), 'name\tfile\tresult_run_tests.sh\tsummary_line\tnote\ncrash\tguest.elf\tFAIL\t\t\n');
    copyFileSync(GUEST, join(suite, 'guest.elf'));
  });

  it('runs only the NAME_PV entries, each as a secure guest, with no QEMU result', { timeout: 120_000 }, () => {
    const r = run(['--suite', suite, '--pv', '--json']);
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout) as { entries: { name: string; result: string; qemu: string | null; reason: string | null }[] };
    expect(out.entries.map((e) => e.name)).toEqual(['crash_PV', 'many_PV']);
    // The guest ends in a disabled wait: a secure guest's crash (its PSW stays hidden in the UV).
    expect(out.entries[0]).toMatchObject({ result: 'FAIL', qemu: null });
    expect(out.entries[0]!.reason).toMatch(/disabled wait/);
    // QEMU with confidential-guest support refuses 248 CPUs (read SCP info must fit the one-page SIDA): the runner's premature failure.
    expect(out.entries[1]).toMatchObject({ result: 'SKIP', qemu: null, reason: 'Protected VMs support a maximum of 247 CPUs' });
  });

  it('--exclude NAME leaves NAME_PV out too', () => {
    const r = run(['--suite', suite, '--pv', '--json', '--exclude', 'crash', '--exclude', 'many']);
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as { entries: unknown[] }).entries).toEqual([]);
  });

  it('names the missing PV twin of an accel=tcg entry', () => {
    const r = run(['--suite', suite, 'tcg-only_PV']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no entry "tcg-only_PV".*no PV entry for an accel=tcg or migration entry/);
  });
});
