/**
 * `pvdump info IMAGE`: genprotimg's own images and ours described without a key (components,
 * addresses, PCF, key-slot host-key hashes, dumping), opened and verified with the host private
 * key, in text and --json; a tampered image fails verification with exit 1; misused options.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fixturePath, tempPath } from '@pvdump/test-support';
import { hostKeyHash } from '@pvdump/ultravisor';
import { buildGenprotimgImage, parseHostKeyDocument } from '@pvdump/ultravisor/guest-owner';
import { describe, expect, it } from 'vitest';
import { pvdump } from './cli.ts';

const F = (name: string): string => fixturePath(`genprotimg-2.35/${name}`);
const HOST_HASH = Buffer.from(hostKeyHash(parseHostKeyDocument(readFileSync(F('host-key.crt'))).publicKey)).toString('hex');

interface ImageJson {
  format: string;
  seHeader: { pcf: string; allowDumping: boolean; encryptedPages: number; keySlots: { hostKeyHash: string }[] };
  components: { name: string; address: string; size: number }[];
  opened?: { psw: { addr: string }; stage3b: { cmdline: { size: number }; psw: { addr: string } } | null; verification: { ok: boolean } };
}

describe('pvdump info on Secure Execution images', () => {
  it("describes genprotimg's se.img without a key", () => {
    const r = pvdump(['info', F('se.img')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Secure Execution boot image (genprotimg layout), 167936 bytes');
    expect(r.stdout).toContain('PCF 0x00000000200000e0: dumping allowed');
    expect(r.stdout).toContain(`0: ${HOST_HASH}`);
    expect(r.stdout).toMatch(/kernel {3}at 0x0000000000015000, 69632 bytes/);
    expect(r.stdout).toMatch(/stage3b {2}at 0x0000000000027000, 8192 bytes/);
  });

  it('--json for se-nodump.img: dumping not allowed', () => {
    const r = pvdump(['info', '--json', F('se-nodump.img')]);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout) as ImageJson;
    expect(j.format).toBe('secure-execution-image');
    expect(j.seHeader).toMatchObject({ pcf: '0x00000000000000e0', allowDumping: false, encryptedPages: 20, keySlots: [{ hostKeyHash: HOST_HASH }] });
    expect(j.components.map((c) => c.name)).toEqual(['kernel', 'parmline', 'stage3b']);
    expect(j.opened).toBeUndefined();
  });

  it("--host-key opens and verifies genprotimg's image and ours", () => {
    const ours = tempPath('ours.img');
    writeFileSync(
      ours,
      buildGenprotimgImage({
        kernel: new Uint8Array(readFileSync(F('kernel.bin'))),
        parmline: new Uint8Array(readFileSync(F('parmfile.txt'))),
        hostPublicKeys: [parseHostKeyDocument(readFileSync(F('host-key.crt'))).publicKey],
        cck: new Uint8Array(readFileSync(F('cck.bin'))),
      }),
    );
    for (const [file, stage3b] of [
      [F('se-knownkeys.img'), '0x0000000000027000'],
      [ours, '0x0000000000025000'],
    ] as const) {
      const r = pvdump(['info', '--json', '--host-key', F('host-key.pem'), file]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const j = JSON.parse(r.stdout) as ImageJson;
      expect(j.opened).toMatchObject({ psw: { addr: stage3b }, stage3b: { cmdline: { size: 17 }, psw: { addr: '0x0000000000010000' } }, verification: { ok: true } });
      // No key material in the output.
      expect(r.stdout).not.toContain(Buffer.from(readFileSync(F('cck.bin'))).toString('hex'));
    }
    const text = pvdump(['info', '--host-key', F('host-key.pem'), ours]);
    expect(text.stdout).toContain('verification: page count 19 match, PLD match, ALD match, TLD match, PSW starts stage3b');
  });

  it('a tampered component fails verification: exit 1', () => {
    const bad = tempPath('tampered.img');
    const bytes = new Uint8Array(readFileSync(F('se.img')));
    bytes[0x20000] = bytes[0x20000]! ^ 0x80;
    writeFileSync(bad, bytes);
    expect(pvdump(['info', bad]).status).toBe(0);
    const r = pvdump(['info', '--host-key', F('host-key.pem'), bad]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('PLD DIFFER');
    expect(r.stderr).toMatch(/does not verify/);
  });

  it('refuses a CCK for an image, a host key for a dump, and a damaged image, without stack traces', () => {
    expect(pvdump(['info', '-k', F('cck.bin'), F('se.img')]).status).toBe(2);
    expect(pvdump(['info', '--host-key', F('host-key.pem'), fixturePath('qemu-7.2-crash/dump.elf.gz')]).status).toBe(2);
    const other = pvdump(['info', '--host-key', fixturePath('se-header-s390-tools/host.pem.crt'), F('se.img')]);
    expect(other.status).toBe(1);
    expect(other.stderr).not.toMatch(/\n\s+at /);
    const cut = tempPath('cut.img');
    writeFileSync(cut, readFileSync(F('se.img')).subarray(0, 0x20000));
    const r = pvdump(['info', cut]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/runs past the end of the 131072-byte file/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
