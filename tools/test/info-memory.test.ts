/**
 * `pvdump info --memory ADDR[:LEN] DUMP`: guest memory as a hex dump, as stored (a plain dump's
 * bytes; a PV dump's ciphertext) or decrypted with -k (the same bytes as zgetdump's output), the
 * JSON form, and the mistakes: bad ranges, ranges outside the dump, lengths beyond the bound.
 */
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openDump } from '@pvdump/dump-format';
import { fixturePath, gunzipFixture, tempPath } from '@pvdump/test-support';
import { pvdump } from './cli.ts';

const QEMU_DUMP = fixturePath('qemu-7.2-crash/dump.elf.gz');
const PV_DUMP = fixturePath('pv-zgetdump/pv-dump.elf.gz');
const CCK = fixturePath('pv-zgetdump/cck.bin');

describe('pvdump info --memory', () => {
  it("shows a plain dump's memory as hexdump -C does, with 64-bit addresses and * for repeated lines", () => {
    const r = pvdump(['info', '--memory', '0x10000:0x60', QEMU_DUMP]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      `${QEMU_DUMP}: guest memory 0x0000000000010000-0x0000000000010060, 96 bytes (as stored in the dump)\n` +
        '0000000000010000  4f 57 4e 45 52 2d 53 45  43 52 45 54 3a 20 67 75  |OWNER-SECRET: gu|\n' +
        '0000000000010010  65 73 74 20 63 72 61 73  68 65 64 21 21 2e 2e 2e  |est crashed!!...|\n' +
        '0000000000010020  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n' +
        '*\n' +
        '0000000000010050  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n',
    );
  });

  it('a short last line is padded; decimal ADDR and LEN; the default length is 256 bytes', () => {
    const r = pvdump(['info', '--memory', '65536:13', QEMU_DUMP]);
    const line = r.stdout.split('\n')[1]!;
    expect(line).toBe('0000000000010000  4f 57 4e 45 52 2d 53 45  43 52 45 54 3a' + ' '.repeat(11) + '|OWNER-SECRET:|');
    expect(line.indexOf('|')).toBe(68); // where a full line's ASCII column starts
    const all = pvdump(['info', '--memory', '0x10000', QEMU_DUMP]);
    expect(all.stdout).toContain('0x0000000000010000-0x0000000000010100, 256 bytes');
  });

  it('a PV dump without the key: the stored ciphertext; with -k: the plaintext zgetdump writes', async () => {
    const stored = pvdump(['info', '--json', '--memory', '0x5000:19', PV_DUMP]);
    expect(stored.status).toBe(0);
    const asStored = JSON.parse(stored.stdout) as { pv: boolean; decrypted: boolean; data: string };
    expect(asStored).toMatchObject({ pv: true, decrypted: false });
    expect(Buffer.from(asStored.data, 'hex').toString('latin1')).not.toBe('PAGE 0005 encrypted');
    expect(pvdump(['info', '--memory', '0x5000:19', PV_DUMP]).stdout).toContain('as stored in the PV dump; secure pages are ciphertext: decrypt with -k CCK_FILE');

    const decrypted = pvdump(['info', '-k', CCK, '--json', '--memory', '0x0:0x8000', PV_DUMP]);
    expect(decrypted.stderr).toBe('');
    const json = JSON.parse(decrypted.stdout) as { file: string; address: string; length: number; pv: boolean; decrypted: boolean; data: string };
    expect(json).toMatchObject({ file: PV_DUMP, address: '0x0000000000000000', length: 0x8000, pv: true, decrypted: true });
    const zgetdump = await openDump(await gunzipFixture('pv-zgetdump/zgetdump-out.elf.gz'));
    try {
      expect(Buffer.from(json.data, 'hex').equals(Buffer.from(await zgetdump.readMemory(0n, 0x8000)))).toBe(true);
    } finally {
      await zgetdump.close();
    }
    expect(pvdump(['info', '-k', CCK, '--memory', '0x5000:19', PV_DUMP]).stdout).toContain('(decrypted with the customer communication key)\n0000000000005000  50 41 47 45 20 30 30 30  35 20 65 6e 63 72 79 70  |PAGE 0005 encryp|');
  });

  it('-k on a plain dump shows the memory and says that the key is not needed', () => {
    const r = pvdump(['info', '-k', CCK, '--memory', '0x10000:16', QEMU_DUMP]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('(not a PV dump: the key is not needed)\n0000000000010000  4f 57 4e 45');
  });

  it('mistakes: bad ranges are usage errors, addresses outside the dump and wrong keys are input errors', () => {
    for (const bad of ['x', '0x10000:', '0x10000:0', '0x10000:1048577', '1:2:3', '-5', '0x1g', '0x10000000000000000']) {
      const r = pvdump(['info', bad.startsWith('--') ? bad : `--memory=${bad}`, QEMU_DUMP]);
      expect(r.status, bad).toBe(2);
      expect(r.stderr, bad).toMatch(/^pvdump: --memory '/);
    }
    const outside = pvdump(['info', '--memory', '0xfffff0:0x20', QEMU_DUMP]);
    expect(outside).toMatchObject({ status: 1, stdout: '' });
    expect(outside.stderr).toBe(`pvdump: ${QEMU_DUMP}: guest address 0x0000000001000000 is not in the dump (its memory: 0x0000000000000000-0x0000000001000000)\n`);
    const wrongKey = fixturePath('pv-zgetdump/README.md');
    expect(pvdump(['info', '-k', wrongKey, '--memory', '0x5000:16', PV_DUMP]).status).toBe(1);
    const zeroKey = tempPath('zero-key.bin');
    writeFileSync(zeroKey, new Uint8Array(32));
    const r = pvdump(['info', '-k', zeroKey, '--memory', '0x5000:16', PV_DUMP]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toContain('    at ');
  });
});
