/**
 * `pvdump image`: writes genprotimg's layout — from a raw kernel image with a command line and a
 * RAM disk as genprotimg takes them, and from a bare-metal ELF guest — that the host key from
 * `pvdump hostkey` opens and whose components decrypt to the inputs; AllowDumping follows
 * --enable-dump; bad input leaves no file behind, bad usage exits 2.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fixturePath, tempPath } from '@pvdump/test-support';
import { decodeHostPrivateKeyPem, hostKeyHash, openSeHeader } from '@pvdump/ultravisor';
import { decryptGenprotimgComponent, parseHostKeyDocument, parseStage3bArgs, requireVerifiedGenprotimgImage } from '@pvdump/ultravisor/guest-owner';
import { readGenprotimgImage } from '@pvdump/ultravisor/protected-image';
import { describe, expect, it } from 'vitest';
import { pvdump } from './cli.ts';

const F = (name: string): string => fixturePath(`genprotimg-2.35/${name}`);
const GUEST = F('guest.elf');
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

  it("takes genprotimg's inputs (-i, -p, -r, -k twice, --comm-key, --enable-dump) and writes its layout", () => {
    const { path: cckPath, cck } = cckFile(32);
    const ramdisk = tempPath('initrd.bin');
    writeFileSync(ramdisk, Buffer.alloc(10000, 0x5a));
    const out = tempPath('se.img');
    const r = pvdump(['image', '-k', hkd, '-k', IBM_HKD, '--comm-key', cckPath, '--enable-dump', '-i', F('kernel.bin'), '-p', F('parmfile.txt'), '-r', ramdisk, '-o', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('dumping allowed');
    expect(r.stdout).toContain('PCF 0x00000000200000e0');
    expect(r.stdout).not.toContain(Buffer.from(cck).toString('hex'));

    const image = readGenprotimgImage(new Uint8Array(readFileSync(out)));
    expect(image.components.map((c) => c.name)).toEqual(['kernel', 'parmline', 'initrd', 'stage3b']);
    expect(image.header.keySlotCount).toBe(2);
    expect(Buffer.from(image.header.keySlots[1]!.hostKeyHash)).toEqual(Buffer.from(hostKeyHash(parseHostKeyDocument(readFileSync(IBM_HKD)).publicKey)));
    const secrets = openSeHeader(image.seHeader, [keys]);
    expect(secrets.keySlotIndex).toBe(0);
    expect(Buffer.from(secrets.cck)).toEqual(Buffer.from(cck));
    expect(secrets.allowDumping).toBe(true);
    requireVerifiedGenprotimgImage(image, secrets.psw);
    const [kernel, parm, initrd, stage3b] = image.components.map((c) => decryptGenprotimgComponent(c, secrets.imageXtsKey)) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    const kernelBin = readFileSync(F('kernel.bin'));
    expect(Buffer.from(kernel.subarray(0, kernelBin.length))).toEqual(kernelBin);
    expect(Buffer.from(parm.subarray(0, 17))).toEqual(Buffer.from('console=ttysclp0\0'));
    expect(initrd.subarray(0, 10000).every((b) => b === 0x5a)).toBe(true);
    expect(parseStage3bArgs(stage3b)).toMatchObject({ kernel: { size: BigInt(kernelBin.length) }, cmdline: { size: 17n }, initrd: { address: image.components[2]!.address, size: 10000n }, psw: { addr: 0x10000n } });
    secrets.wipe();
  });

  it("makes a bare-metal ELF guest into genprotimg's kernel image (--cck, no dumping)", () => {
    const { path: cckPath } = cckFile(32);
    const out = tempPath('guest.img');
    const r = pvdump(['image', '--host-key-document', hkd, '--cck', cckPath, '-o', out, GUEST]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('dumping not allowed');
    const image = readGenprotimgImage(new Uint8Array(readFileSync(out)));
    const secrets = openSeHeader(image.seHeader, [keys]);
    expect(secrets.pcf).toBe(0xe0n);
    const kernel = decryptGenprotimgComponent(image.components[0]!, secrets.imageXtsKey);
    expect(Buffer.from(kernel.subarray(0, 65712))).toEqual(readFileSync(F('kernel.bin')));
    expect(image.components.map((c) => c.name)).toEqual(['kernel', 'stage3b']);
    secrets.wipe();
  });

  it('refuses bad input with exit 1 and leaves no file; bad usage exits 2', () => {
    const out = tempPath('never.img');
    const { path: shortCck } = cckFile(31);
    const { path: goodCck } = cckFile(32);
    const cases: [string[], RegExp][] = [
      [['--host-key-document', hkd, '--cck', shortCck, GUEST], /Wrong key size: expected 32 != actual 31 \(key file '.*' must hold exactly 32 raw bytes\)/],
      [['--host-key-document', GUEST, '--cck', goodCck, GUEST], /host key document .*not an X\.509 certificate/],
      [['--host-key-document', join(dir, 'missing.crt'), '--cck', goodCck, GUEST], /cannot read host key document/],
      [['-k', hkd, '--cck', goodCck, fixturePath('qemu-7.2-crash/guest.elf')], /below 0x10000.*link the guest at 0x10000 or above/],
      [['-k', hkd, '--cck', goodCck, '-i', GUEST], /is an ELF file, not a raw kernel image/],
      [['-k', hkd, '--cck', goodCck, '-i', F('parmfile.txt')], /kernel image is 16 bytes/],
      [['-k', hkd, '--cck', goodCck, '-i', F('kernel.bin'), '-p', join(dir, 'missing.txt')], /cannot read parmfile/],
      [['-k', hkd, '--cck', goodCck, '/bin/sh'], /guest ELF: EI_CLASS|guest ELF: EI_DATA|not big-endian/],
    ];
    for (const [args, message] of cases) {
      const r = pvdump(['image', ...args, '-o', out]);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(readdirSync(dirname(out)).filter((f) => f.includes('never.img'))).toEqual([]);
    }
  }, 600_000);

  it('refuses a missing output folder with exit 1 and bad usage with exit 2', () => {
    const out = tempPath('never.img');
    const { path: goodCck } = cckFile(32);
    const noFolder = pvdump(['image', '--host-key-document', hkd, '--cck', goodCck, '-o', join(tempPath('image-errors'), 'x.img'), GUEST]);
    expect(noFolder.status).toBe(1);
    expect(noFolder.stderr).toMatch(/folder .* does not exist/);

    expect(pvdump(['image', '--cck', goodCck, '-o', out, GUEST]).status).toBe(2);
    expect(pvdump(['image', '--host-key-document', hkd, '-o', out, GUEST]).status).toBe(2);
    expect(pvdump(['image', '--host-key-document', hkd, '--cck', goodCck, GUEST]).status).toBe(2);
    expect(pvdump(['image', '--host-key-document', hkd, '--cck', goodCck, '-o', out]).status).toBe(2);
    expect(pvdump(['image', '-k', hkd, '--cck', goodCck, '-i', F('kernel.bin'), '-o', out, GUEST]).status).toBe(2);
    expect(pvdump(['image', '-k', hkd, '--cck', goodCck, '--comm-key', goodCck, '-o', out, GUEST]).status).toBe(2);
  }, 600_000);
});
