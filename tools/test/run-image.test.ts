/**
 * Our Secure Execution images boot as genprotimg's do: `pvdump image` of the genprotimg fixture's
 * guest (with its command line), `pvdump run` through our stage3a (DIAGNOSE 0x308), the
 * Ultravisor's unpack and verify and our stage3b into the guest's crash, the PV dump written on
 * the crash, and `pvdump decrypt` giving back the guest's registers and memory.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDump } from '@pvdump/dump-format';
import { fixturePath, tempPath } from '@pvdump/test-support';
import { describe, expect, it } from 'vitest';
import { pvdumpAsync } from './cli.ts';

const F = (name: string): string => fixturePath(`genprotimg-2.35/${name}`);

describe('pvdump image → pvdump run → pvdump decrypt', () => {
  it('boots our image of the genprotimg fixture guest to its crash; the PV dump decrypts to its registers and memory', async () => {
    const dir = tempPath('run-image');
    mkdirSync(dir);
    expect((await pvdumpAsync(['hostkey', '-o', join(dir, 'keys')])).status).toBe(0);
    const cck = join(dir, 'cck.bin');
    writeFileSync(
      cck,
      Uint8Array.from({ length: 32 }, (_, i) => (i * 29 + 11) & 0xff),
    );
    const image = join(dir, 'guest.img');
    const built = await pvdumpAsync(['image', '-k', join(dir, 'keys', 'host-key.crt'), '--comm-key', cck, '--enable-dump', '-p', F('parmfile.txt'), '-o', image, F('guest.elf')]);
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);

    const dump = join(dir, 'dump.elf');
    const r = await pvdumpAsync(['run', '--host-key', join(dir, 'keys', 'host-key.pem'), '--memory', '16M', '--on-crash', `dump=${dump}`, '--json', image]);
    expect(r.status).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ protected: true, ended: 'guest-panic', dump: { file: dump } });

    const plain = join(dir, 'decrypted.elf');
    const d = await pvdumpAsync(['decrypt', '-k', cck, dump, plain]);
    expect(d.stderr).toBe('');
    expect(d.status).toBe(0);
    const dec = await openDump(plain);
    try {
      const cpu = dec.cpus[0]!;
      expect(cpu.psw.addr).toBe(0xdeadn);
      expect(cpu.gprs.slice(6, 9)).toEqual([0x0606060660606060n, 0x0707070770707070n, 0x0808080880808080n]);
      expect(new TextDecoder().decode(await dec.readMemory(0x100000n, 40))).toBe('genprotimg fixture guest: crashed here!!');
      const pattern = new DataView((await dec.readMemory(0x3ffff8n, 8)).buffer);
      expect(pattern.getBigUint64(0)).toBe(0x3ffff8n ^ 0x9e3779b97f4a7c15n);
      // stage3b put the command line where Linux reads it and the kernel at 0x10000.
      expect(new TextDecoder().decode(await dec.readMemory(0x10480n, 17))).toBe('console=ttysclp0\0');
      expect(Buffer.from(await dec.readMemory(0x10000n, 6))).toEqual(Buffer.from([0xc0, 0x51, 0x00, 0x30, 0x00, 0x00]));
    } finally {
      await dec.close();
    }
  }, 600_000);
});
