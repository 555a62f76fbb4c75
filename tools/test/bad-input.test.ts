/**
 * Inputs as a new user gets them wrong: the dump given as the key (swapped arguments), a hex key,
 * a dump from stdin or a pipe, a folder, an empty file, a binary dump sent to the terminal. Each
 * is one line naming the problem and its likely cause, exit 1, and no key or dump read whole.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fixturePath, gunzipFixture, requireTool, tempPath } from '@pvdump/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, pvdump } from './cli.ts';

const KEY = fixturePath('pv-zgetdump/cck.bin');
const PV_GZ = fixturePath('pv-zgetdump/pv-dump.elf.gz');
let dump: string;
beforeAll(async () => {
  dump = await gunzipFixture('pv-zgetdump/pv-dump.elf.gz');
});

function expectOneLine(r: { status: number; stderr: string }, pattern: RegExp): void {
  expect(r.status).toBe(1);
  expect(r.stderr.trimEnd()).toMatch(pattern);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at |internal error|ESPIPE|ENOENT/);
}

describe('key files', () => {
  it('the dump given as the key (swapped arguments): its size, and the likely cause', () => {
    expectOneLine(pvdump(['decrypt', '-k', dump, KEY, tempPath('x.elf')]), /Wrong key size: expected 32 != actual 2111755 .*is it a dump\? -k takes the key file, then come DUMP and OUT\)$/);
    expectOneLine(pvdump(['info', '-k', dump, dump]), /Wrong key size: expected 32 != actual 2111755/);
  });

  it('a hex key: says how to convert it; the same rules for image --cck', () => {
    const hex = tempPath('cck.hex');
    writeFileSync(hex, readFileSync(KEY).toString('hex') + '\n');
    expectOneLine(pvdump(['decrypt', '-k', hex, dump, tempPath('x.elf')]), /actual 65 .*looks like hex text: convert it with xxd -r -p/);
    const img = pvdump(['image', '--host-key-document', fixturePath('genprotimg-2.35/host-key.crt'), '--cck', hex, '-o', tempPath('x.img'), fixturePath('genprotimg-2.35/guest.elf')]);
    expectOneLine(img, /actual 65 .*looks like hex text/);
  });

  it('from a pipe (bash process substitution): a key of 32 bytes works, a longer stream is refused without reading it all', () => {
    requireTool('bash');
    const out = tempPath('from-pipe.elf');
    const ok = spawnSync('bash', ['-c', `"$NODE" "$CLI" decrypt -k <(cat "$KEY") "$DUMP" "$OUT"`], { encoding: 'utf8', env: { ...process.env, NODE: process.execPath, CLI, KEY, DUMP: dump, OUT: out } });
    expect(ok.status).toBe(0);
    const long = spawnSync('bash', ['-c', `"$NODE" "$CLI" decrypt -k <(cat /dev/zero) "$DUMP" "$OUT"`], { encoding: 'utf8', env: { ...process.env, NODE: process.execPath, CLI, DUMP: dump, OUT: tempPath('never.elf') }, timeout: 60_000 });
    expectOneLine({ status: long.status ?? -1, stderr: long.stderr }, /Wrong key size: expected 32 != actual more than 32 \(key file '\/dev\/fd\/\d+' must hold exactly 32 raw bytes\)$/);
  });
});

describe('dump inputs', () => {
  it("'-' (stdin) and a pipe: say that a dump must be a regular file, and how to make one", () => {
    expectOneLine(pvdump(['info', '-']), /^pvdump: cannot read a dump from stdin \('-'\): .*must be a regular file: save it to one first/);
    const piped = spawnSync('bash', ['-c', `cat "$DUMP" | "$NODE" "$CLI" info /dev/stdin`], { encoding: 'utf8', env: { ...process.env, NODE: process.execPath, CLI, DUMP: dump } });
    expectOneLine({ status: piped.status ?? -1, stderr: piped.stderr }, /^pvdump: cannot read \/dev\/stdin: it is not a regular file \(a pipe or a device\?\)/);
  });

  it('a folder and an empty file', () => {
    const dir = tempPath('a-folder');
    mkdirSync(dir);
    expectOneLine(pvdump(['info', dir]), /^pvdump: cannot read .*a-folder: it is a folder, not a dump$/);
    expectOneLine(pvdump(['decrypt', '-k', KEY, dir, tempPath('x.elf')]), /it is a folder, not a dump$/);
    const empty = tempPath('empty.elf');
    writeFileSync(empty, '');
    expectOneLine(pvdump(['info', empty]), /the file is empty \(0 bytes\): not a dump/);
  });
});

describe('pvdump decrypt - on a terminal', () => {
  it('refuses to send binary to the terminal, and says how to redirect', () => {
    requireTool('script');
    // `script` gives the command a terminal as stdout, as an interactive shell does.
    const r = spawnSync('script', ['-qec', `"$NODE" "$CLI" decrypt -k "$KEY" "$DUMP" -`, '/dev/null'], { encoding: 'latin1', env: { ...process.env, NODE: process.execPath, CLI, KEY, DUMP: PV_GZ } });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/pvdump: not writing a binary dump to the terminal: redirect stdout/);
    expect(r.stdout).not.toMatch(/ELF/);
  });
});
