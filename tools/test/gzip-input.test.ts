/**
 * A gzip-compressed DUMP is unpacked to a private temporary copy: messages name the user's file,
 * never the copy; a PV dump that needs a key is refused from its head, before the rest is
 * unpacked; and the copy is gone afterwards, also after Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fixturePath, tempPath } from '@pvdump/test-support';
import { describe, expect, it } from 'vitest';
import { CLI, pvdump } from './cli.ts';

const PV_GZ = fixturePath('pv-zgetdump/pv-dump.elf.gz');

/** A fresh TMPDIR for the command, to see what it leaves there. */
function freshTmp(name: string): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = tempPath(name);
  mkdirSync(dir);
  return { dir, env: { ...process.env, TMPDIR: dir } };
}

describe('a gzip-compressed DUMP', () => {
  it("without -k, a PV dump is refused naming the user's file, not the temporary copy", () => {
    const tmp = freshTmp('tmp-nokey');
    const out = tempPath('never.elf');
    const r = pvdump(['decrypt', PV_GZ, out], { env: tmp.env });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`pvdump: No key for dump decryption provided: ${PV_GZ} is a protected-guest (PV) dump; give the customer communication key (32 bytes) with -k\n`);
    expect(r.stderr).not.toContain(tmp.dir);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(tmp.dir)).toEqual([]);
  });

  it('without -k, a PV dump is refused from its head: a .gz cut after the notes gives the same message, not a gzip error', () => {
    // The first 300 KB of the compressed fixture: headers, notes and part of memory, then nothing.
    const cut = tempPath('cut.elf.gz');
    writeFileSync(cut, readFileSync(PV_GZ).subarray(0, 300_000));
    const tmp = freshTmp('tmp-cut');
    const r = pvdump(['decrypt', cut, tempPath('never.elf')], { env: tmp.env });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^pvdump: No key for dump decryption provided: .*cut\.elf\.gz is a protected-guest \(PV\) dump/);
    expect(readdirSync(tmp.dir)).toEqual([]);
    // With the key the whole input is needed, and the damage is named.
    const k = pvdump(['decrypt', '-k', fixturePath('pv-zgetdump/cck.bin'), cut, tempPath('never2.elf')], { env: tmp.env });
    expect(k.status).toBe(1);
    expect(k.stderr).toMatch(/^pvdump: cannot decompress .*cut\.elf\.gz: unexpected end of file \(a damaged or incomplete \.gz file\?\)\n$/);
    expect(readdirSync(tmp.dir)).toEqual([]);
  });

  it('a non-PV dump without -k is still copied (the head says it is not PV)', () => {
    const out = tempPath('plain-copy.elf');
    const r = pvdump(['decrypt', fixturePath('qemu-7.2-crash/dump.elf.gz'), out]);
    expect(r.status).toBe(0);
    expect(statSync(out).size).toBeGreaterThan(16 << 20);
  });

  it("an empty .gz and a .gz of something else: the reader's message, no temporary path", () => {
    const tmp = freshTmp('tmp-other');
    const empty = tempPath('empty.gz');
    writeFileSync(empty, gzipSync(Buffer.alloc(0)));
    const text = tempPath('text.gz');
    writeFileSync(text, gzipSync(Buffer.from('not a dump\n')));
    for (const f of [empty, text]) {
      const r = pvdump(['info', f], { env: tmp.env });
      expect(r.status).toBe(1);
      expect(r.stderr).not.toContain(tmp.dir);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
    expect(pvdump(['info', empty], { env: tmp.env }).stderr).toMatch(/empty/);
    expect(readdirSync(tmp.dir)).toEqual([]);
  });

  it('Ctrl-C while it is unpacked: "interrupted", exit 130, the temporary copy removed', async () => {
    // 1 GiB of zeros in 1 MiB of gzip (64 members of 16 MiB): unpacking takes long enough to be interrupted.
    const big = tempPath('zeros.gz');
    const member = gzipSync(Buffer.alloc(16 << 20));
    writeFileSync(big, Buffer.concat(Array.from({ length: 64 }, () => member)));
    const tmp = freshTmp('tmp-sigint');
    const child = spawn(process.execPath, [CLI, 'info', big], { env: tmp.env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    let copy: string | undefined;
    for (let i = 0; i < 3000 && copy === undefined; i++) {
      const dirs = readdirSync(tmp.dir);
      const candidate = dirs.length === 1 ? join(tmp.dir, dirs[0]!, 'dump.elf') : undefined;
      if (candidate !== undefined && existsSync(candidate) && statSync(candidate).size > 0) copy = candidate;
      else await new Promise((r) => setTimeout(r, 5));
    }
    expect(copy).toBeDefined();
    expect(statSync(copy!).mode & 0o777).toBe(0o600);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toBe('pvdump: interrupted\n');
    expect(readdirSync(tmp.dir)).toEqual([]);
  }, 120_000);
});
