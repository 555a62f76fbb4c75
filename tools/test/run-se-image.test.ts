/**
 * `pvdump run` with Secure Execution images made by IBM's genprotimg 2.35 (fixture
 * genprotimg-2.35): detected as raw boot images, booted with the fixture's P-521 host key, they
 * crash at 0xDEAD; their dump (--on-crash dump=FILE, or QMP dump-guest-memory) decrypts with
 * `pvdump decrypt -k cck.bin` to the guest's memory and registers. se-nodump.img falls back to a
 * plain dump with QEMU's log lines, which `decrypt -k` and `info -k` refuse (no PV data, nothing
 * the key could decrypt); without the host key the guest's protected switch fails.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDump } from '@pvdump/dump-format';
import { fixturePath, tempPath } from '@pvdump/test-support';
import { CLI, pvdump, pvdumpAsync } from './cli.ts';
import { connectQmp, execute } from './support/qmp-client.ts';

const fixture = (name: string): string => fixturePath(`genprotimg-2.35/${name}`);
const HOST_KEY = fixture('host-key.pem');
const CCK = fixture('cck.bin');

/** Decrypts `dump` with the fixture's CCK and checks the guest's registers and memory in it. */
async function expectDecryptsToTheGuest(dump: string): Promise<void> {
  const plain = `${dump}.plain`;
  const r = pvdump(['decrypt', '-k', CCK, dump, plain]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const d = await openDump(plain);
  try {
    expect(d.isPv).toBe(false);
    expect(d.cpus[0]!.psw).toEqual({ mask: 0x0002000180000000n, addr: 0xdeadn });
    expect(d.cpus[0]!.gprs.slice(6, 9)).toEqual([0x0606060660606060n, 0x0707070770707070n, 0x0808080880808080n]);
    expect(new TextDecoder().decode(await d.readMemory(0x100000n, 40))).toBe('genprotimg fixture guest: crashed here!!');
    const filled = await d.readMemory(0x300000n, 0x100000);
    const view = new DataView(filled.buffer, filled.byteOffset);
    for (const at of [0, 8, 0x7fff8, 0xffff8]) expect(view.getBigUint64(at)).toBe(BigInt(0x300000 + at) ^ 0x9e3779b97f4a7c15n);
  } finally {
    await d.close();
  }
}

describe('pvdump run with images made by genprotimg', () => {
  it('se.img --on-crash dump=FILE: boots protected, crashes, the dump decrypts to the guest', async () => {
    const dump = tempPath('se-img-dump.elf');
    const r = await pvdumpAsync(['run', '--host-key', HOST_KEY, '--memory', '16M', '--on-crash', `dump=${dump}`, '--json', fixture('se.img')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ protected: true, ended: 'guest-panic', panic: { cpu: 0 }, dump: { file: dump } });
    expect(JSON.parse(pvdump(['info', '--json', dump]).stdout)).toMatchObject({ pv: true });
    await expectDecryptsToTheGuest(dump);
  }, 180_000);

  it('se-knownkeys.img under QMP: the panicked guest is dumped with dump-guest-memory; the dump decrypts', async () => {
    const dir = tempPath('se-qmp');
    mkdirSync(dir);
    const socket = join(dir, 'qmp.sock');
    const child = spawn(process.execPath, [CLI, 'run', '--host-key', HOST_KEY, '--memory', '16M', '--on-crash', 'pause', '--qmp', `unix:${socket}`, fixture('se-knownkeys.img')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const qmp = await connectQmp(socket);
      for (;;) {
        const status = (await execute(qmp, 'query-status')) as { status: string };
        if (status.status === 'guest-panicked') break;
        expect(status.status).toBe('running');
        await new Promise((r) => setTimeout(r, 50));
      }
      const file = join(dir, 'qmp-dump.elf');
      expect(await execute(qmp, 'dump-guest-memory', { paging: false, protocol: `file:${file}` })).toEqual({});
      await execute(qmp, 'quit');
      expect(await exited).toBe(3);
      await expectDecryptsToTheGuest(file);
    } finally {
      child.kill();
    }
    expect(stderr).toContain('the guest panicked');
  }, 180_000);

  it('se-nodump.img: the Ultravisor refuses the PV dump (no AllowDumping); QEMU 7.2 logs it and writes a plain dump of encrypted memory', async () => {
    const dump = tempPath('se-nodump-dump.elf');
    const r = await pvdumpAsync(['run', '--host-key', HOST_KEY, '--memory', '16M', '--on-crash', `dump=${dump}`, fixture('se-nodump.img')]);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('pvdump: KVM PV command 8 (KVM_PV_DUMP) failed: header rc 101 rrc 0 IOCTL rc: -22\npvdump: KVM DUMP command 0 failed\n');
    expect(r.stderr).toContain(`dump written to ${dump}`);
    expect(JSON.parse(pvdump(['info', '--json', dump]).stdout)).toMatchObject({ pv: false, protectedGuestWithoutPvData: true });
    expect(pvdump(['info', dump]).stdout).toContain('PV dump: no, although the guest was protected: its PV CPU notes are empty');
    const d = await openDump(dump);
    try {
      expect(new TextDecoder().decode(await d.readMemory(0x100000n, 40))).not.toBe('genprotimg fixture guest: crashed here!!');
    } finally {
      await d.close();
    }
    // The guest owner's key cannot help: decrypt -k and info -k say why, exit 1, and write nothing.
    const noPvData = `pvdump: ${dump} is the dump of a protected guest but holds no PV data (no pv_mem_meta and pv_compl sections; its PV CPU notes are empty): the Ultravisor refused the PV dump, most likely because the guest's image does not allow dumping (made without --enable-dump), and the VMM wrote a plain dump instead, as QEMU does. Its protected memory is ciphertext only the Ultravisor could export, so it cannot be decrypted with the customer communication key; rebuild the image with --enable-dump to get decryptable dumps\n`;
    for (const args of [
      ['decrypt', '-k', CCK, dump, `${dump}.plain`],
      ['info', '-k', CCK, dump],
      ['info', '-k', CCK, '--memory', '0x100000:40', dump],
    ]) {
      const r = pvdump(args);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr).toBe(noPvData);
      expect(r.stdout).toBe('');
    }
    expect(existsSync(`${dump}.plain`)).toBe(false);
    // Without a key it is copied unchanged, as zgetdump copies a dump that is not a PV dump.
    const copy = pvdump(['decrypt', dump, `${dump}.copy`]);
    expect(copy.status).toBe(0);
    expect(readFileSync(`${dump}.copy`).equals(readFileSync(dump))).toBe(true);
  }, 180_000);

  it("an image in pvdump's former container format is refused, saying to rebuild it with pvdump image", () => {
    const former = tempPath('former.img');
    writeFileSync(former, Buffer.concat([Buffer.from('pvdumpSE', 'latin1'), Buffer.alloc(4096)]));
    const r = pvdump(['run', '--host-key', HOST_KEY, '--memory', '16M', former]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`pvdump: ${former}: a protected image in pvdump's former container format ('pvdumpSE'), which this version no longer boots: rebuild it with 'pvdump image' (it now writes IBM genprotimg's layout)\n`);
  });

  it('without the host key the guest asks for the switch in vain: QEMU-like report, stage3a stops at 0x4608', async () => {
    const r = await pvdumpAsync(['run', '--memory', '16M', '--json', fixture('se.img')]);
    expect(r.status).toBe(3);
    expect(r.stderr).toBe('pvdump: KVM PV command 2 (KVM_PV_SET_SEC_PARMS) failed: header rc 108 rrc 0 IOCTL rc: -22 (EINVAL)\n');
    expect(r.stdout).toContain('Protected boot has failed: 0xa02');
    const report = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as Record<string, unknown>;
    expect(report).toMatchObject({ protected: false, panic: { psw: { addr: '0x0000000000004608' } } });
  }, 180_000);
});
