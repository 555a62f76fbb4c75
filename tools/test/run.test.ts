/**
 * `pvdump run` on the VMM of @pvdump/kvm-pv: the on_crash policies with a plain guest, --json and
 * the exit status, QMP on a running protected guest driven by the `qemu-qmp` npm client (stop →
 * detached dump → query-dump until completed → cont) whose dump decrypts with the CCK, --seed
 * reproducibility, and bad usage.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDump } from '@pvdump/dump-format';
import { fixturePath, tempPath } from '@pvdump/test-support';
import { CLI, pvdump, pvdumpAsync } from './cli.ts';
import { pvIdleGuest } from './support/pv-idle-guest.ts';
import { connectQmp, execute } from './support/qmp-client.ts';

const CRASH_GUEST = fixturePath('qemu-7.2-crash/guest.elf');
/** A guest for a Secure Execution image (linked at 0x10000): crashes with a disabled wait at 0xdead. */
const PV_CRASH_GUEST = fixturePath('genprotimg-2.35/guest.elf');

/** A host key, a CCK and a protected image of `guest` (with dumping allowed). */
function protectedSetup(guest: string): { dir: string; hostKey: string; cck: string; image: string } {
  const dir = tempPath('run-pv');
  mkdirSync(dir);
  expect(pvdump(['hostkey', '-o', join(dir, 'keys')]).status).toBe(0);
  const cck = join(dir, 'cck.bin');
  writeFileSync(
    cck,
    Uint8Array.from({ length: 32 }, (_, i) => (i * 13 + 5) & 0xff),
  );
  const image = join(dir, 'guest.img');
  const r = pvdump(['image', '--host-key-document', join(dir, 'keys', 'host-key.crt'), '--cck', cck, '--enable-dump', '-o', image, guest]);
  expect(r.stderr).toBe('');
  return { dir, hostKey: join(dir, 'keys', 'host-key.pem'), cck, image };
}

describe('pvdump run', () => {
  it('--on-crash dump=FILE: the crashed plain guest is dumped, exit status 3, --json report', async () => {
    const dump = tempPath('crash-dump.elf');
    const r = await pvdumpAsync(['run', '--smp', '2', '--memory', '16M', '--on-crash', `dump=${dump}`, '--json', CRASH_GUEST]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(3);
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({ protected: false, smp: 2, memory: 16 << 20, ended: 'guest-panic', panic: { cpu: 0, psw: { addr: '0x000000000000dead' } }, dump: { file: dump } });
    const d = await openDump(dump);
    expect(d.cpus).toHaveLength(2);
    expect(d.cpus[0]!.psw.addr).toBe(0xdeadn);
    expect(d.cpus[0]!.gprs[2]).toBe(0x0202020202020202n);
    expect(new TextDecoder().decode(await d.readMemory(0x10000n, 13))).toBe('OWNER-SECRET:');
    await d.close();
  });

  it('--on-crash exit ends at the panic without a dump; text mode names the panic', async () => {
    const r = await pvdumpAsync(['run', '--memory', '16M', CRASH_GUEST]);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('the guest panicked: CPU 0 in a disabled wait');
  });

  it('qemu-qmp drives a running protected guest: stop, detached dump, query-dump until completed, cont; the dump decrypts', async () => {
    const pv = protectedSetup(pvIdleGuest());
    const socket = join(pv.dir, 'qmp.sock');
    const child = spawn(process.execPath, [CLI, 'run', '--host-key', pv.hostKey, '--smp', '2', '--memory', '16M', '--qmp', `unix:${socket}`, pv.image], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const qmp = await connectQmp(socket);
      expect(await execute(qmp, 'query-status')).toMatchObject({ status: 'running' });
      await execute(qmp, 'stop');
      const file = join(pv.dir, 'pv-dump.elf');
      expect(await execute(qmp, 'dump-guest-memory', { paging: false, protocol: `file:${file}`, detach: true })).toEqual({});
      for (;;) {
        const d = (await execute(qmp, 'query-dump')) as { status: string; completed: number; total: number };
        expect(d.total).toBe(16 << 20);
        if (d.status === 'completed') break;
        expect(d.status).toBe('active');
        await new Promise((r) => setTimeout(r, 20));
      }
      await expect(execute(qmp, 'dump-guest-memory', { paging: false, protocol: `file:${file}.2`, begin: 0, length: 4096 })).rejects.toThrow(/protected/);
      await execute(qmp, 'cont');
      expect(await execute(qmp, 'query-status')).toMatchObject({ status: 'running' });
      await execute(qmp, 'quit');
      expect(await exited).toBe(0);
      const info = pvdump(['info', '--json', file]);
      expect(JSON.parse(info.stdout)).toMatchObject({ pv: true });
      const plain = join(pv.dir, 'decrypted.elf');
      const dec = pvdump(['decrypt', '-k', pv.cck, file, plain]);
      expect(dec.stderr).toBe('');
      expect(dec.status).toBe(0);
      const d = await openDump(plain);
      expect(d.cpus[0]!.gprs.slice(2, 5)).toEqual([0x222n, 0x333n, 0x444n]);
      await d.close();
    } finally {
      child.kill();
    }
    expect(stderr).toBe('');
  }, 180_000);

  it('--seed: the same protected guest and seed give a byte-identical dump', async () => {
    const pv = protectedSetup(PV_CRASH_GUEST);
    const dumps: Buffer[] = [];
    for (const n of [1, 2]) {
      const out = join(pv.dir, `seed-${n}.elf`);
      const r = await pvdumpAsync(['run', '--host-key', pv.hostKey, '--memory', '16M', '--seed', '42', '--on-crash', `dump=${out}`, pv.image]);
      expect(r.status).toBe(3);
      dumps.push(readFileSync(out));
    }
    expect(dumps[0]!.equals(dumps[1]!)).toBe(true);
    const other = join(pv.dir, 'seed-other.elf');
    expect((await pvdumpAsync(['run', '--host-key', pv.hostKey, '--memory', '16M', '--seed', '43', '--on-crash', `dump=${other}`, pv.image])).status).toBe(3);
    expect(readFileSync(other).equals(dumps[0]!)).toBe(false);
  }, 180_000);

  it('bad usage and bad input', async () => {
    expect(await pvdumpAsync(['run', '--memory', '12X', CRASH_GUEST])).toMatchObject({ status: 2, stderr: expect.stringContaining("--memory '12X' is not a size") });
    expect(await pvdumpAsync(['run', '--qmp', 'tcp:0.0.0.0:4444', CRASH_GUEST])).toMatchObject({ status: 2, stderr: expect.stringContaining('loopback') });
    expect(await pvdumpAsync(['run', '--on-crash', 'reboot', CRASH_GUEST])).toMatchObject({ status: 2 });
    const notElf = tempPath('not-elf.img');
    writeFileSync(notElf, 'not a guest');
    expect(await pvdumpAsync(['run', notElf])).toMatchObject({ status: 1, stderr: expect.stringContaining('not a guest this machine boots') });
    expect(await pvdumpAsync(['run', tempPath('missing.elf')])).toMatchObject({ status: 1, stderr: expect.stringContaining('no such file') });
  });
});
