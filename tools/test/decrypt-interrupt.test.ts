/**
 * `pvdump decrypt` while it runs: the plaintext it is writing is readable by its owner only from
 * the first byte on (also what a SIGKILL leaves behind), and an interrupted run says so, leaves
 * neither its output nor its temporary file behind, and takes its helper processes with it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempPath } from '@pvdump/test-support';
import { beforeAll, expect, it } from 'vitest';
import { buildPvDump, mixedStates, type BuiltDump } from '@pvdump/test-pv-dumps';
import { CLI } from './cli.ts';

let dump: BuiltDump;
let key: string;
beforeAll(async () => {
  // 64 MiB: the pure-JS backend needs a few seconds for it, time enough to interrupt.
  dump = await buildPvDump(tempPath('big-pv.elf'), { cpus: 2, states: mixedStates(16384), fill: 'random' });
  key = tempPath('cck.bin');
  writeFileSync(key, dump.cck);
});

interface Running {
  child: ChildProcess;
  dir: string;
  out: string;
  exited: Promise<{ code: number | null; stderr: string }>;
}

/** Starts a decryption into a fresh folder; `detached` puts it in its own process group (as a shell job is). */
function startDecrypt(name: string, extra: string[], detached = false): Running {
  const dir = tempPath(name);
  mkdirSync(dir);
  const out = join(dir, 'out.elf');
  const child = spawn(process.execPath, [CLI, 'decrypt', ...extra, '-k', key, dump.path, out], { stdio: ['ignore', 'ignore', 'pipe'], detached });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr })));
  return { child, dir, out, exited };
}

/** Waits until the temporary output holds data (the decryption is writing); returns its path. */
async function partWithData(dir: string): Promise<string> {
  for (let i = 0; i < 3000; i++) {
    const part = readdirSync(dir).find((f) => f.endsWith('.part'));
    if (part !== undefined && statSync(join(dir, part)).size > 0) return join(dir, part);
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no temporary output with data appeared in ${dir}`);
}

for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  it(`${signal} while writing: exit ${code}, no output file, no temporary file`, async () => {
    const r = startDecrypt(`interrupt-${signal}`, ['--noble', '--workers', '0']);
    await partWithData(r.dir);
    r.child.kill(signal);
    const { code: status, stderr } = await r.exited;
    expect(status).toBe(code);
    expect(existsSync(r.out)).toBe(false);
    expect(readdirSync(r.dir)).toEqual([]);
    // Ctrl-C says so in one line; SIGTERM (a deliberate kill) is silent.
    expect(stderr).toBe(signal === 'SIGINT' ? 'pvdump: interrupted\n' : '');
  });
}

it('the temporary output is mode 0600 while decrypted memory is written, and stays so when the process is killed', async () => {
  const r = startDecrypt('killed', ['--noble', '--workers', '0']);
  const part = await partWithData(r.dir);
  expect(statSync(part).mode & 0o777).toBe(0o600);
  r.child.kill('SIGKILL');
  await r.exited;
  // SIGKILL cannot be caught: the partial plaintext stays, readable by its owner only.
  const left = readdirSync(r.dir);
  expect(left).toEqual([part.slice(r.dir.length + 1)]);
  expect(statSync(part).size).toBeGreaterThan(0);
  expect(statSync(part).mode & 0o777).toBe(0o600);
  rmSync(part);
});

it('Ctrl-C on a terminal (SIGINT to the whole process group, helper processes included): one line, exit 130, nothing left, no process left', async () => {
  const r = startDecrypt('ctrl-c', ['--workers', '2', '--helpers', 'processes'], true);
  await partWithData(r.dir);
  process.kill(-r.child.pid!, 'SIGINT');
  const { code, stderr } = await r.exited;
  expect(code).toBe(130);
  expect(stderr).toBe('pvdump: interrupted\n');
  expect(readdirSync(r.dir)).toEqual([]);
  // Helpers that outlived pvdump would still be in its process group.
  let left = '';
  for (let i = 0; i < 100; i++) {
    left = spawnSync('ps', ['-o', 'pid=', '-g', String(r.child.pid)], { encoding: 'utf8' }).stdout.trim();
    if (left === '') break;
    await new Promise((res) => setTimeout(res, 20));
  }
  expect(left).toBe('');
});
