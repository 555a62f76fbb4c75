/**
 * Closed pipes end a command quietly, as they end Unix tools: no message, exit status 141
 * (128 + SIGPIPE, what a shell shows for `cat` killed by it). Run through real shell pipelines.
 * A reader that has surely gone (`(sleep; pvdump …) | true`) makes the case deterministic; the
 * everyday forms (`| head -1`) race with the reader and may also end with 0.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { fixturePath, requireTool, tempPath } from '@pvdump/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileProgram, corpusFile } from '@pvdump/test-support/corpus';
import { CLI } from './cli.ts';

const KEY = fixturePath('pv-zgetdump/cck.bin');
const PV_GZ = fixturePath('pv-zgetdump/pv-dump.elf.gz');
const QEMU_GZ = fixturePath('qemu-7.2-crash/dump.elf.gz');

/** Runs `pipeline` in bash; `$PVDUMP` is the built CLI. Returns the first command's status and stderr, and what the last one printed. */
function shell(pipeline: string, env: NodeJS.ProcessEnv = {}): { status: number; stderr: string; stdout: string } {
  const errFile = tempPath('stderr.txt');
  const command = pipeline.replace('2>ERR', `2>"$ERR"`).replaceAll('$PVDUMP', '"$NODE" "$CLI"');
  const script = `${command}; s=\${PIPESTATUS[0]}; cat "$ERR" >&2; exit $s`;
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', env: { ...process.env, NODE: process.execPath, CLI, ERR: errFile, ...env } });
  return { status: r.status ?? -1, stderr: r.stderr, stdout: r.stdout };
}

const GONE = (cmd: string): string => `( sleep 0.5; exec ${cmd} ) 2>ERR | true`;

describe('a closed pipe ends pvdump quietly with status 141', () => {
  it('pvdump info DUMP | head -1', () => {
    const r = shell(`$PVDUMP info ${QEMU_GZ} 2>ERR | head -1`);
    expect(r.stdout).toMatch(/^.*dump\.elf\.gz: QEMU ≥ 7\.2 dump, \d+ bytes\n$/);
    expect(r.stderr).toBe('');
    expect([0, 141]).toContain(r.status);
    const gone = shell(GONE(`$PVDUMP info ${QEMU_GZ}`));
    expect(gone).toEqual({ status: 141, stderr: '', stdout: '' });
    const json = shell(GONE(`$PVDUMP info --json ${QEMU_GZ}`));
    expect(json).toEqual({ status: 141, stderr: '', stdout: '' });
  });

  it("pvdump --help | false, and a command's --help", () => {
    const r = shell(`$PVDUMP --help 2>ERR | false`);
    expect(r.stderr).toBe('');
    expect([0, 141]).toContain(r.status);
    expect(shell(GONE('$PVDUMP --help'))).toEqual({ status: 141, stderr: '', stdout: '' });
    expect(shell(GONE('$PVDUMP decrypt --help'))).toEqual({ status: 141, stderr: '', stdout: '' });
  });

  it("pvdump decrypt -k KEY DUMP.gz - | head -c 100: stops at once, only the dump's warning on stderr, no temporary copy left", () => {
    const tmp = tempPath('tmpdir');
    mkdirSync(tmp);
    const r = shell(`$PVDUMP decrypt -k ${KEY} ${PV_GZ} - 2>ERR | head -c 100 | wc -c`, { TMPDIR: tmp });
    expect(r.status).toBe(141);
    expect(r.stdout.trim()).toBe('100');
    // The one line this dump always gets (a CPU with partial instruction results), nothing about the pipe.
    expect(r.stderr).toMatch(/^pvdump: warning: CPU 1: [^\n]*\n$/);
    expect(readdirSync(tmp)).toEqual([]);
    // With helper threads too.
    const t = shell(`$PVDUMP decrypt --workers 2 -k ${KEY} ${PV_GZ} - 2>ERR | head -c 100 >/dev/null`, { TMPDIR: tmp });
    expect(t.status).toBe(141);
    expect(t.stderr).toMatch(/^pvdump: warning: CPU 1: [^\n]*\n$/);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('pvdump exec PROGRAM | true ends as under qemu-s390x', async () => {
    requireTool('qemu-s390x');
    const prog = tempPath('strings');
    await compileProgram([corpusFile('programs/strings.c')], '-O2', prog);
    const ours = shell(GONE(`$PVDUMP exec ${prog}`));
    const qemu = shell(GONE(`qemu-s390x ${prog}`));
    expect(qemu.status).toBe(141);
    expect(ours).toEqual({ status: 141, stderr: '', stdout: '' });
  }, 120_000);
});

describe('other write errors on stdout are reported', () => {
  it('a full disk: one line, exit 1', () => {
    const r = shell(`$PVDUMP info ${QEMU_GZ} 2>ERR >/dev/full`);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('pvdump: cannot write to the standard output: no space left on the device\n');
    const d = shell(`$PVDUMP decrypt -k ${KEY} ${PV_GZ} - 2>ERR >/dev/full`);
    expect(d.status).toBe(1);
    expect(d.stderr).toMatch(/\npvdump: cannot write to the standard output: no space left on the device\n$/);
  });
});

beforeAll(() => requireTool('bash'));
