/**
 * Output paths as a new user gets them wrong: a missing folder, a folder, a file where a folder
 * should be, a place nobody may write. Each is one line naming the path and the problem, exit 1,
 * no stack trace, nothing created. And the modes of what is written: secrets and decrypted memory
 * 0600, public files (host key document, protected image) 0644.
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturePath, tempPath } from '@pvdump/test-support';
import { describe, expect, it } from 'vitest';
import { pvdump } from './cli.ts';

const KEY = fixturePath('pv-zgetdump/cck.bin');
const PV_GZ = fixturePath('pv-zgetdump/pv-dump.elf.gz');
const HKD = fixturePath('genprotimg-2.35/host-key.crt');
const GUEST = fixturePath('genprotimg-2.35/guest.elf');
/** 0644 as the umask (inherited by the command) leaves it. */
// eslint-disable-next-line @typescript-eslint/no-deprecated -- reading the umask in the single-threaded test process is safe
const PUBLIC_MODE = 0o644 & ~process.umask();

/** Exit 1, exactly one line on stderr matching `pattern`, no stack trace. */
function expectOneLine(r: { status: number; stderr: string }, pattern: RegExp): void {
  expect(r.status).toBe(1);
  expect(r.stderr.trimEnd()).toMatch(pattern);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at |internal error|ENOENT|EISDIR|ENOTDIR|EACCES|\.part/);
}

function freshFolder(name: string): string {
  const dir = tempPath(name);
  mkdirSync(dir);
  return dir;
}

describe('pvdump decrypt OUT', () => {
  it('in a folder that does not exist: names the folder', () => {
    const dir = freshFolder('decrypt-missing');
    const r = pvdump(['decrypt', '-k', KEY, PV_GZ, join(dir, 'no-such-folder', 'out.elf')]);
    expectOneLine(r, /^pvdump: cannot write .*no-such-folder\/out\.elf: the folder .*no-such-folder does not exist/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('that is a folder: says so (not "a file"), and suggests a file name in it', () => {
    const dir = freshFolder('decrypt-folder');
    const r = pvdump(['decrypt', '-k', KEY, PV_GZ, dir]);
    expectOneLine(r, /^pvdump: .*decrypt-folder is a folder: give the name of the file to write, e\.g\. .*decrypt-folder\/decrypted\.elf$/);
    expect(r.stderr).not.toMatch(/already exists/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('below a file: says which part is not a folder', () => {
    const file = tempPath('a-file');
    writeFileSync(file, 'x');
    expectOneLine(pvdump(['decrypt', '-k', KEY, PV_GZ, join(file, 'out.elf')]), /^pvdump: cannot write .*a-file\/out\.elf: .*a-file is a file, not a folder$/);
  });

  it('a device: refused, pointing to stdout', () => {
    expectOneLine(pvdump(['decrypt', '-k', KEY, PV_GZ, '/dev/null']), /^pvdump: \/dev\/null already exists and is not a regular file .*use '-' to write to stdout/);
  });

  it('where nobody may create files (sysfs, even for root): permission denied', () => {
    expectOneLine(pvdump(['decrypt', '-k', KEY, PV_GZ, '/sys/pvdump-out.elf']), /^pvdump: cannot write \/sys\/pvdump-out\.elf: permission denied$/);
    expect(existsSync('/sys/pvdump-out.elf')).toBe(false);
  });

  it('is written 0600', () => {
    const out = join(freshFolder('decrypt-mode'), 'out.elf');
    expect(pvdump(['decrypt', '-k', KEY, PV_GZ, out]).status).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
  });
});

describe('pvdump image -o IMAGE', () => {
  const image = (out: string): ReturnType<typeof pvdump> => pvdump(['image', '--host-key-document', HKD, '--cck', KEY, '-o', out, GUEST]);

  it('in a missing folder, a folder, sysfs: one clear line each', () => {
    const dir = freshFolder('image-out');
    expectOneLine(image(join(dir, 'missing', 'se.img')), /^pvdump: cannot write .*missing\/se\.img: the folder .*missing does not exist/);
    expectOneLine(image(dir), /^pvdump: cannot write .*image-out: it is a folder; give the name of the file to write/);
    expectOneLine(image('/sys/pvdump-se.img'), /^pvdump: cannot write \/sys\/pvdump-se\.img: permission denied$/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('is written 0644: only the listed hosts can open it', () => {
    const out = join(freshFolder('image-mode'), 'se.img');
    expect(image(out).status).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(PUBLIC_MODE);
  });

  it('an input that cannot be read is named with the reason in words', () => {
    const r = pvdump(['image', '--host-key-document', tempPath('no-such.crt'), '--cck', KEY, '-o', tempPath('se.img'), GUEST]);
    expectOneLine(r, /^pvdump: cannot read host key document .*no-such\.crt: no such file or folder$/);
  });
});

describe('pvdump hostkey -o DIR', () => {
  it('below a file, in sysfs, in procfs: one clear line each (and no endless loop)', () => {
    const file = tempPath('not-a-folder');
    writeFileSync(file, 'x');
    expectOneLine(pvdump(['hostkey', '-o', join(file, 'keys')]), /^pvdump: cannot create the folder .*not-a-folder\/keys: a part of the path is not a folder$/);
    expectOneLine(pvdump(['hostkey', '-o', '/sys/pvdump-keys']), /^pvdump: cannot create the folder \/sys\/pvdump-keys: permission denied$/);
    expectOneLine(pvdump(['hostkey', '-o', '/proc/self/pvdump-keys']), /^pvdump: cannot create the folder \/proc\/self\/pvdump-keys: no such file or folder$/);
  });

  it('creates missing folders; the private key is 0600, the document 0644', () => {
    const dir = join(freshFolder('hostkey-modes'), 'a', 'b');
    expect(pvdump(['hostkey', '-o', dir]).status).toBe(0);
    expect(statSync(join(dir, 'host-key.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'host-key.crt')).mode & 0o777).toBe(PUBLIC_MODE);
  });
});
