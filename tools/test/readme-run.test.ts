/**
 * The root README's "Running a guest" examples work as written: pasted in order into bash in an
 * empty folder (with the repository as $REPO), they build the demo guest's image, crash and dump
 * it under each policy shown, reproduce a dump with --seed, and drive the QMP session with the
 * example client; what the README says they print is what they print.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, runStatusAsync, tempPath } from '@pvdump/test-support';
import { expect, it } from 'vitest';

const README = readFileSync(join(repoRoot(), 'README.md'), 'utf8');

function section(title: string): string {
  const start = README.indexOf(`## ${title}`);
  expect(start).toBeGreaterThan(-1);
  const end = README.indexOf('\n## ', start + 3);
  return README.slice(start, end === -1 ? undefined : end);
}

it('the pvdump run and QMP examples run as written and print what the README says', async () => {
  const text = section('Running a guest');
  const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  expect(blocks).toHaveLength(3);
  const dir = tempPath('readme-run');
  mkdirSync(dir);
  // Interactive shells expand aliases; a script must be told to.
  const script = `shopt -s expand_aliases\nREPO=${JSON.stringify(repoRoot())}\n${blocks.join('\n')}`;
  const r = await runStatusAsync('bash', ['-c', script], { cwd: dir });
  const out = r.stdout;
  expect(r.status).toBe(0);
  // The crash with --on-crash dump=FILE.
  expect(out).toContain('demo guest: CPU 0 is running protected; starting CPU 1\ndemo guest: CPU 1 is up; a secret is in memory; CPU 0 now divides by zero\nexit status 3\n');
  expect(r.stderr).toContain('pvdump: the guest panicked: CPU 0 in a disabled wait, its PSW is hidden from the host (protected guest)\npvdump: dump written to crash.elf (16858027 bytes)\n');
  expect(text).toContain('`pvdump: dump written to crash.elf\n(16858027 bytes)`');
  expect(out).toContain('0000000000010000  50 56 44 55 4d 50 2d 44  45 4d 4f 2d 53 45 43 52  |PVDUMP-DEMO-SECR|');
  // --seed.
  expect(out).toContain('identical\n');
  // The QMP session, in the order the README tells.
  const lines = out.split('\n');
  const order = [
    /^\{"QMP": \{"version": \{"qemu": \{"micro": 0, "minor": 2, "major": 7\}/,
    /^\{"return": \{\}\}$/,
    /"event": "RESUME"/,
    /^\{"return": \{\}\}$/,
    /"event": "GUEST_PANICKED", "data": \{"action": "pause", "info": \{"core": 0, .*"reason": "disabled-wait", .*"type": "s390"\}\}\}$/,
    /"event": "STOP"/,
    /^\{"return": \{"status": "guest-panicked"/,
    /^\{"return": \{\}\}$/,
    /"event": "DUMP_COMPLETED", "data": \{"result": \{"total": 16777216, "status": "completed", "completed": 16777216\}\}\}$/,
    /^\{"return": \{"total": 16777216, "status": "completed", "completed": 16777216\}\}$/,
    /"event": "SHUTDOWN", "data": \{"guest": false, "reason": "host-qmp-quit"\}/,
    /^\{"return": \{\}\}$/,
    /^exit status 3$/,
  ];
  let at = lines.findIndex((l) => l.startsWith('{"QMP"'));
  for (const pattern of order) {
    expect(lines[at], String(pattern)).toMatch(pattern);
    at++;
  }
  expect(r.stderr).not.toContain('failed');
}, 300_000);
