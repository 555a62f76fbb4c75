/**
 * `pvdump image`: builds a protected image that the host key from `pvdump hostkey` opens and whose
 * pages decrypt to the guest; AllowDumping follows --enable-dump; bad input leaves no file behind.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fixturePath, tempPath } from '@pvdump/test-support';
import { decodeHostPrivateKeyPem, hostKeyHash, openSeHeader, parseSeHeader } from '@pvdump/ultravisor';
import { decryptProtectedImage, loadGuestElf, parseHostKeyDocument } from '@pvdump/ultravisor/guest-owner';
import { readProtectedImage } from '@pvdump/ultravisor/protected-image';
import { describe, expect, it } from 'vitest';
import { pvdump } from './cli.ts';

const GUEST = fixturePath('qemu-7.2-crash/guest.elf');
const IBM_HKD = fixturePath('se-header-s390-tools/host.pem.crt');

function hostKeyDir(): string {
  const dir = tempPath('image-hostkey');
  const r = pvdump(['hostkey', '-o', dir]);
  expect(r.status).toBe(0);
  return dir;
}

function cckFile(bytes: number): { path: string; cck: Uint8Array } {
  const cck = Uint8Array.from({ length: bytes }, (_, i) => (i * 7 + 3) & 0xff);
  const path = tempPath('cck.bin');
  writeFileSync(path, cck);
  return { path, cck };
}

describe('pvdump image', () => {
  const dir = hostKeyDir();
  const hkd = join(dir, 'host-key.crt');
  const keys = decodeHostPrivateKeyPem(readFileSync(join(dir, 'host-key.pem'), 'utf8'));

  it('builds an image that the host key opens and whose pages decrypt to the guest (--enable-dump, two hosts)', () => {
    const { path: cckPath, cck } = cckFile(32);
    const out = tempPath('guest.img');
    const r = pvdump(['image', '--host-key-document', hkd, '--host-key-document', IBM_HKD, '--cck', cckPath, '--enable-dump', '-o', out, GUEST]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('dumping allowed');
    expect(r.stdout).toContain('PCF 0x00000000200000e0');
    expect(r.stdout).not.toContain(Buffer.from(cck).toString('hex'));

    const image = readProtectedImage(new Uint8Array(readFileSync(out)));
    const header = parseSeHeader(image.seHeader);
    expect(header.keySlotCount).toBe(2);
    expect(Buffer.from(header.keySlots[1]!.hostKeyHash).equals(Buffer.from(hostKeyHash(parseHostKeyDocument(readFileSync(IBM_HKD)).publicKey)))).toBe(true);
    const secrets = openSeHeader(image.seHeader, [keys]);
    expect(secrets.keySlotIndex).toBe(0);
    expect(Buffer.from(secrets.cck).equals(Buffer.from(cck))).toBe(true);
    expect(secrets.allowDumping).toBe(true);
    expect(secrets.psw).toEqual({ mask: 0x0000000180000000n, addr: 0x200n });
    const guest = loadGuestElf(new Uint8Array(readFileSync(GUEST)));
    const pages = [...decryptProtectedImage(image, secrets.imageXtsKey)];
    expect(pages.map((p) => p.guestAddress)).toEqual(guest.pages.map((p) => p.address));
    pages.forEach((p, i) => expect(Buffer.from(p.plaintext).equals(Buffer.from(guest.pages[i]!.data))).toBe(true));
    // The guest's own bytes appear only encrypted in the file.
    expect(readFileSync(out).includes(Buffer.from('OWNER-SECRET'))).toBe(false);
    secrets.wipe();
  });

  it('without --enable-dump the header forbids dumping', () => {
    const { path: cckPath } = cckFile(32);
    const out = tempPath('nodump.img');
    const r = pvdump(['image', '--host-key-document', hkd, '--cck', cckPath, '-o', out, GUEST]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('dumping not allowed');
    const image = readProtectedImage(new Uint8Array(readFileSync(out)));
    const secrets = openSeHeader(image.seHeader, [keys]);
    expect(secrets.allowDumping).toBe(false);
    expect(secrets.pcf).toBe(0xe0n);
    secrets.wipe();
  });

  it('refuses bad input with exit 1 and leaves no file; bad usage exits 2', () => {
    const out = tempPath('never.img');
    const { path: shortCck } = cckFile(31);
    const { path: goodCck } = cckFile(32);
    const cases: [string[], RegExp][] = [
      [['--host-key-document', hkd, '--cck', shortCck], /Wrong key size: expected 32 != actual 31 \(key file '.*' must hold exactly 32 raw bytes\)/],
      [['--host-key-document', GUEST, '--cck', goodCck], /host key document .*not an X\.509 certificate/],
      [['--host-key-document', join(dir, 'missing.crt'), '--cck', goodCck], /cannot read host key document/],
    ];
    for (const [args, message] of cases) {
      const r = pvdump(['image', ...args, '-o', out, GUEST]);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(readdirSync(dirname(out)).filter((f) => f.includes('never.img'))).toEqual([]);
    }
    // A guest that is not an s390x ELF: exit 1, and no partial image beside the target.
    const target = tempPath('bad-guest.img');
    const r = pvdump(['image', '--host-key-document', hkd, '--cck', goodCck, '-o', target, '/bin/sh']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/guest ELF: EI_CLASS|guest ELF: EI_DATA|not big-endian/);
    expect(readdirSync(dirname(target)).filter((f) => f.includes('bad-guest.img'))).toEqual([]);

    const noFolder = pvdump(['image', '--host-key-document', hkd, '--cck', goodCck, '-o', join(tempPath('image-errors'), 'x.img'), GUEST]);
    expect(noFolder.status).toBe(1);
    expect(noFolder.stderr).toMatch(/folder .* does not exist/);

    expect(pvdump(['image', '--cck', goodCck, '-o', out, GUEST]).status).toBe(2);
    expect(pvdump(['image', '--host-key-document', hkd, '-o', out, GUEST]).status).toBe(2);
    expect(pvdump(['image', '--host-key-document', hkd, '--cck', goodCck, GUEST]).status).toBe(2);
    expect(pvdump(['image', '--host-key-document', hkd, '--cck', goodCck, '-o', out]).status).toBe(2);
  });
});
