/** `pvdump decrypt`: zgetdump-identical output, stdout, the error table of the spec, exit codes, no partial files. */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fixturePath, gunzipFixture, tempPath } from '@pvdump/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, pvdump } from './cli.ts';

const KEY = fixturePath('pv-zgetdump/cck.bin');
const DUMP_GZ = fixturePath('pv-zgetdump/pv-dump.elf.gz');
let dump: string;
let reference: Buffer;
beforeAll(async () => {
  dump = await gunzipFixture('pv-zgetdump/pv-dump.elf.gz');
  reference = readFileSync(await gunzipFixture('pv-zgetdump/zgetdump-out.elf.gz'));
});

function tempPathOf(bytes: Buffer): string {
  const p = tempPath('reference.elf');
  writeFileSync(p, bytes);
  return p;
}

function flipped(offset: number): string {
  const b = readFileSync(dump);
  b[offset] = b[offset]! ^ 0x01;
  const p = tempPath(`flip-${offset}.elf`);
  writeFileSync(p, b);
  return p;
}

/** Runs a failing decrypt and checks: exit 1, one message line naming `pattern`, no output or temporary file. */
function expectFailure(args: string[], pattern: RegExp): string {
  const out = tempPath('fail.elf');
  const before = readdirSync(dirname(out)).length;
  const r = pvdump(['decrypt', ...args, out]);
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(existsSync(out)).toBe(false);
  expect(readdirSync(dirname(out)).length).toBe(before);
  return r.stderr;
}

describe('pvdump decrypt', () => {
  it("decrypts the gzipped fixture to exactly zgetdump's output (--no-auxv), mode 0600, and warns about CPU 1", () => {
    const out = tempPath('out.elf');
    const r = pvdump(['decrypt', '--no-auxv', '-k', KEY, DUMP_GZ, out]);
    expect(r.status).toBe(0);
    expect(readFileSync(out).equals(reference)).toBe(true);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    // One warning line; the CPU's confidential registers are not printed unless asked.
    expect(r.stderr).toMatch(/^pvdump: warning: CPU 1: CPU state may contain partial instruction results[^\n]*\n$/);
    expect(r.stdout).toBe('');
  });

  it("-v shows the decrypted registers of the CPU with partial instruction results beside the hypervisor's view", () => {
    const out = tempPath('verbose.elf');
    const r = pvdump(['decrypt', '-v', '-k', KEY, dump, out]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/warning: CPU 1: CPU state may contain partial instruction results/);
    expect(r.stderr).toMatch(/CPU 1, decrypted \(confidential\) state/);
    expect(r.stderr).toMatch(/CPU 1, hypervisor's view/);
    // The decrypted R0 of CPU 1 (zgetdump's output of the same dump holds it).
    expect(r.stderr).toMatch(/R00=2000000000000abc/);
  });

  it('writes to stdout with OUT = -, the same bytes', () => {
    const r = spawnSync(process.execPath, [CLI, 'decrypt', '--no-auxv', '--key', KEY, dump, '-'], { maxBuffer: 64 << 20 });
    expect(r.status).toBe(0);
    expect(Buffer.from(r.stdout).equals(reference)).toBe(true);
  });

  it('--verbose summarises; --noble and --workers (processes to a file, threads to stdout) give the same bytes', () => {
    const out = tempPath('noble.elf');
    const r = pvdump(['decrypt', '-v', '--noble', '--no-auxv', '-k', KEY, dump, out]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/decrypted 2 CPU\(s\) and 2 MiB .*293 encrypted, 92 zero, 127 shared pages \(57 of them mapped\); noble crypto/);
    expect(readFileSync(out).equals(reference)).toBe(true);
    const out2 = tempPath('workers.elf');
    const r2 = pvdump(['decrypt', '-v', '--workers', '2', '--no-auxv', '-k', KEY, dump, out2]);
    expect(r2.status).toBe(0);
    expect(r2.stderr).toMatch(/node crypto, 2 helper processes/);
    expect(readFileSync(out2).equals(reference)).toBe(true);
    const out4 = tempPath('threads.elf');
    const r4 = pvdump(['decrypt', '-v', '--workers', '2', '--helpers', 'threads', '--no-auxv', '-k', KEY, dump, out4]);
    expect(r4.status).toBe(0);
    expect(r4.stderr).toMatch(/node crypto, 2 helper threads/);
    expect(readFileSync(out4).equals(reference)).toBe(true);
    // To stdout the helpers are threads (runs must come back in order).
    const r3 = spawnSync(process.execPath, [CLI, 'decrypt', '-v', '--workers', '1', '--no-auxv', '--key', KEY, dump, '-'], { maxBuffer: 64 << 20 });
    expect(r3.status).toBe(0);
    expect(r3.stderr.toString()).toMatch(/node crypto, 1 helper thread($|,)/m);
    expect(Buffer.from(r3.stdout).equals(reference)).toBe(true);
  });

  it("by default adds NT_AUXV for gdb, and nothing else: memory and registers as zgetdump's", () => {
    const out = tempPath('auxv.elf');
    expect(pvdump(['decrypt', '-k', KEY, dump, out]).status).toBe(0);
    const info = JSON.parse(pvdump(['info', '--json', out]).stdout);
    expect(info.notes.global).toEqual(['CORE/3', 'CORE/6']);
    const ref = JSON.parse(pvdump(['info', '--json', tempPathOf(reference)]).stdout);
    expect(info.cpus).toEqual(ref.cpus);
    const got = readFileSync(out);
    // Same memory bytes: the last 2 MiB of both files are the PT_LOAD.
    expect(got.subarray(got.length - (2 << 20)).equals(reference.subarray(reference.length - (2 << 20)))).toBe(true);
  });

  it('copies a non-PV dump without needing a key', () => {
    const out = tempPath('plain.elf');
    const r = pvdump(['decrypt', fixturePath('qemu-7.2-crash/dump.elf.gz'), out]);
    expect(r.status).toBe(0);
    const a = JSON.parse(pvdump(['info', '--json', fixturePath('qemu-7.2-crash/dump.elf.gz')]).stdout);
    const b = JSON.parse(pvdump(['info', '--json', out]).stdout);
    expect(b.cpus).toEqual(a.cpus);
    expect(b.memory).toEqual(a.memory);
  });
});

describe('pvdump decrypt errors (exit 1, a message naming the cause, no output file)', () => {
  it('no key for a PV dump', () => expectFailure([dump], /No key for dump decryption provided/));
  it('key file missing', () => expectFailure(['-k', tempPath('nokey.bin'), dump], /Cannot read key: '.*nokey\.bin' \(no such file\)/));
  it('key file of 33 bytes', () => {
    const k = tempPath('k33.bin');
    writeFileSync(k, Buffer.concat([readFileSync(KEY), Buffer.from('\n')]));
    expectFailure(['-k', k, dump], /Wrong key size: expected 32 != actual 33.*trailing newline/);
  });
  it('key file of 31 bytes', () => {
    const k = tempPath('k31.bin');
    writeFileSync(k, readFileSync(KEY).subarray(1));
    expectFailure(['-k', k, dump], /Wrong key size: expected 32 != actual 31/);
  });
  it('wrong key, saying it cannot be told from tampered completion data', () => expectFailure(['-k', fixturePath('pv-zgetdump/wrong-cck.bin'), dump], /Verifying the GCM tag failed.*cannot be told apart/));
  it('tampered completion data', () => expectFailure(['-k', KEY, flipped(2111441)], /Unable to decrypt completion configuration data: Verifying the GCM tag failed/));
  it('tampered CPU note names the CPU', () => expectFailure(['-k', KEY, flipped(4653)], /Unable to authenticate confidential CPU data of CPU 1\. Dump probably corrupted/));
  it('input missing', () => expectFailure(['-k', KEY, tempPath('missing.elf')], /cannot read .*missing\.elf: no such file/));
  it('OUT already exists', () => {
    const out = tempPath('exists.elf');
    writeFileSync(out, 'keep me');
    const r = pvdump(['decrypt', '-k', KEY, dump, out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/already exists/);
    expect(readFileSync(out, 'utf8')).toBe('keep me');
  });
});

describe('pvdump decrypt usage (exit 2)', () => {
  it('missing OUT', () => {
    const r = pvdump(['decrypt', '-k', KEY, dump]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/missing OUT/);
  });
  it('unknown option', () => expect(pvdump(['decrypt', '--frobnicate', dump, tempPath('x')]).status).toBe(2));
  it('bad --workers', () => expect(pvdump(['decrypt', '--workers', 'many', dump, tempPath('x')]).status).toBe(2));
  it('bad --helpers, and helper processes for stdout', () => {
    expect(pvdump(['decrypt', '--helpers', 'fibers', '-k', KEY, dump, tempPath('x')]).status).toBe(2);
    const r = pvdump(['decrypt', '--helpers', 'processes', '-k', KEY, dump, '-']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--helpers processes write into OUT, which stdout cannot take/);
  });
  it('--help', () => {
    const r = pvdump(['decrypt', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/-k, --key FILE/);
  });
});
