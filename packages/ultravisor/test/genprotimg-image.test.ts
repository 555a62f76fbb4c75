// IBM genprotimg's images (fixtures/genprotimg-2.35): the layout read without a key, then
// se-knownkeys.img opened with its known header protection key and image key, and every image
// opened with the host private key (ECDH): components, stage3b's arguments, tweaks, digests.
import { readFileSync } from 'node:fs';
import { fixturePath } from '@pvdump/test-support';
import { describe, expect, it } from 'vitest';
import { decodeHostPrivateKeyPem, hostKeyHash, parseHostKeyDocument } from '../src/host-key/index.ts';
import {
  ComponentType,
  ImageError,
  PAGE_SIZE,
  decryptGenprotimgComponent,
  findStage3bArgs,
  genprotimgPages,
  parseStage3bArgs,
  readGenprotimgImage,
  requireVerifiedGenprotimgImage,
  verifyGenprotimgImage,
  type ImageErrorReason,
} from '../src/image/index.ts';
import { decryptSeHeaderArea, openSeHeader } from '../src/se-header/index.ts';

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(fixturePath(`genprotimg-2.35/${name}`)));
const hostKeys = () => [decodeHostPrivateKeyPem(readFileSync(fixturePath('genprotimg-2.35/host-key.pem'), 'utf8'))];

function reasonOf(fn: () => unknown): { reason: ImageErrorReason; message: string } | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof ImageError) {
      expect(err.userError).toBe(true);
      return { reason: err.reason, message: err.message };
    }
    throw err;
  }
  return undefined;
}

describe('genprotimg layout of se-knownkeys.img, without a key', () => {
  const image = readGenprotimgImage(fixture('se-knownkeys.img'));

  it('finds stage3a, its trailer, the IPL parameter block and the SE header', () => {
    expect(image.shortPsw).toBe(0x0008000180011000n);
    expect(image.entry).toBe(0x11000);
    expect(image.trailerAddress).toBe(0x126a0);
    expect(image.iplBlockAddress).toBe(0x13000);
    expect(image.iplBlock.length).toBe(0x1000);
    expect(image.iplBlock.seHeaderAddress).toBe(0n); // stage3a fills it in at run time
    expect(image.iplBlock.seHeaderLength).toBe(0x280n);
    expect(image.seHeaderAddress).toBe(0x14000);
    expect(image.seHeader.length).toBe(0x280);
    expect(image.header.pcf).toBe(0x200000e0n);
    expect(image.header.allowDumping).toBe(true);
    expect(image.header.encryptedPageCount).toBe(20n);
    const hostHash = hostKeyHash(parseHostKeyDocument(readFileSync(fixturePath('genprotimg-2.35/host-key.crt'))).publicKey);
    expect(image.header.keySlots.map((s) => Buffer.from(s.hostKeyHash).toString('hex'))).toEqual([Buffer.from(hostHash).toString('hex')]);
  });

  it('lists kernel, parmline and stage3b page-aligned after the header, with type-tagged tweak prefixes', () => {
    expect(image.components.map((c) => [c.name, c.address, c.size])).toEqual([
      ['kernel', 0x15000n, 0x11000n],
      ['parmline', 0x26000n, 0x1000n],
      ['stage3b', 0x27000n, 0x2000n],
    ]);
    expect(image.components.map((c) => c.tweakPrefix >> 48n)).toEqual([0n, 1n, 3n]);
    const pages = [...genprotimgPages(image)];
    expect(pages).toHaveLength(20);
    for (const c of image.components) {
      const own = pages.filter((p) => p.guestAddress >= c.address && p.guestAddress < c.address + c.size);
      own.forEach((p, k) => {
        const v = new DataView(p.tweak.buffer);
        expect(v.getBigUint64(0)).toBe(c.tweakPrefix);
        expect(v.getBigUint64(8)).toBe(BigInt(k * PAGE_SIZE));
      });
    }
  });
});

describe('se-knownkeys.img opened with its known keys', () => {
  const image = readGenprotimgImage(fixture('se-knownkeys.img'));
  const compKey = fixture('comp-key.bin');

  it('the header protection key opens the header: image key, CCK and the PSW of stage3b', () => {
    const area = decryptSeHeaderArea(image.seHeader, fixture('header-key.bin'));
    expect(Buffer.from(area.imageXtsKey)).toEqual(Buffer.from(compKey));
    expect(Buffer.from(area.cck)).toEqual(Buffer.from(fixture('cck.bin')));
    expect(area.psw).toEqual({ mask: 0x0000000180000000n, addr: 0x27000n });
    expect(area.scf).toBe(0n);
    area.wipe();
    expect(area.imageXtsKey.every((b) => b === 0)).toBe(true);
  });

  it('the host private key opens it too (ECDH through the key slot)', () => {
    const secrets = openSeHeader(image.seHeader, hostKeys());
    expect(Buffer.from(secrets.imageXtsKey)).toEqual(Buffer.from(compKey));
    expect(secrets.keySlotIndex).toBe(0);
    expect(secrets.psw.addr).toBe(0x27000n);
    secrets.wipe();
  });

  it('decrypts every component: kernel.bin, parmfile.txt with its NUL, and stage3b with its arguments', () => {
    const kernel = fixture('kernel.bin');
    const parm = fixture('parmfile.txt');
    const [k, p, s] = image.components.map((c) => decryptGenprotimgComponent(c, compKey)) as [Uint8Array, Uint8Array, Uint8Array];
    expect(Buffer.from(k.subarray(0, kernel.length))).toEqual(Buffer.from(kernel));
    expect(k.subarray(kernel.length).every((b) => b === 0)).toBe(true);
    expect(Buffer.from(p.subarray(0, parm.length + 1))).toEqual(Buffer.concat([parm, Buffer.from([0])]));
    expect(p.subarray(parm.length + 1).every((b) => b === 0)).toBe(true);
    // stage3b is genprotimg's relocator with the loader; its arguments end it, at 0x16e4.
    const args = findStage3bArgs(s);
    expect(parseStage3bArgs(s, 0x16e4)).toEqual(args);
    expect(args).toEqual({
      kernel: { address: 0x15000n, size: BigInt(kernel.length) },
      cmdline: { address: 0x26000n, size: BigInt(parm.length + 1) },
      initrd: { address: 0n, size: 0n },
      psw: { mask: 0x0000000180000000n, addr: 0x10000n },
    });
  });

  it('the pages, addresses and tweaks give the header digests', () => {
    const r = verifyGenprotimgImage(image, { mask: 0x0000000180000000n, addr: 0x27000n });
    expect(r).toMatchObject({ ok: true, pageCount: 20n, pageListDigestMatches: true, addressListDigestMatches: true, tweakListDigestMatches: true, pswAtStage3b: true });
  });
});

describe('se.img and se-nodump.img', () => {
  it.each([
    ['se.img', 0x200000e0n],
    ['se-nodump.img', 0xe0n],
  ])('%s: PCF %s, opens with the host key, the digests verify and the kernel decrypts', (name, pcf) => {
    const image = readGenprotimgImage(fixture(name));
    expect(image.header.pcf).toBe(pcf);
    expect(image.components.map((c) => c.type)).toEqual([ComponentType.kernel, ComponentType.parmline, ComponentType.stage3b]);
    const secrets = openSeHeader(image.seHeader, hostKeys());
    expect(requireVerifiedGenprotimgImage(image, secrets.psw).ok).toBe(true);
    const kernel = fixture('kernel.bin');
    expect(Buffer.from(decryptGenprotimgComponent(image.components[0]!, secrets.imageXtsKey).subarray(0, kernel.length))).toEqual(Buffer.from(kernel));
    secrets.wipe();
  });
});

describe('refusals', () => {
  const original = fixture('se-knownkeys.img');
  const edit = (fn: (b: Uint8Array, v: DataView) => void): Uint8Array => {
    const b = original.slice();
    fn(b, new DataView(b.buffer));
    return b;
  };

  it('a changed page fails the digests, naming the PLD', () => {
    const image = readGenprotimgImage(edit((b) => (b[0x16000] = b[0x16000]! ^ 1)));
    expect(reasonOf(() => requireVerifiedGenprotimgImage(image, { mask: 0n, addr: 0x27000n }))).toMatchObject({ reason: 'verification-failed', message: expect.stringMatching(/PLD/) });
  });

  it.each<[string, (b: Uint8Array, v: DataView) => void, RegExp]>([
    ['no short PSW', (_b, v) => v.setBigUint64(0, 0x0000000180011000n), /short IPL PSW/],
    ['a damaged trailer', (_b, v) => v.setBigUint64(0x126a0 + 16, 0x961n), /no stage3a trailer/],
    ['a header offset elsewhere', (_b, v) => v.setBigUint64(0x126a0, 0x1968n), /SE header at offset/],
    ['another parameter block type', (b) => (b[0x1300c] = 2), /type 2, a PV block has type 5/],
    ['too many components', (_b, v) => v.setUint32(0x13074, 200), /200 components/],
    ['a component beyond the file', (_b, v) => v.setBigUint64(0x130c8, 0x3000n), /runs past the end|last component ends/],
    ['overlapping components', (_b, v) => v.setBigUint64(0x130a8, 0x25000n), /overlaps/],
    ['unsorted tweak prefixes', (_b, v) => v.setBigUint64(0x130a0, 0n), /tweak prefix of component 1 does not exceed/],
    ['a header size that disagrees', (_b, v) => v.setBigUint64(0x13080, 0x2a0n), /SE header size/],
    ['a broken SE header', (b) => (b[0x14000] = 0), /SE header at 0x14000.*magic/],
  ])('%s', (_what, fn, message) => {
    expect(reasonOf(() => readGenprotimgImage(edit(fn)))).toMatchObject({ reason: 'bad-image', message: expect.stringMatching(message) });
  });

  it('truncated and extended files', () => {
    expect(reasonOf(() => readGenprotimgImage(original.subarray(0, original.length - 4096)))?.message).toMatch(/runs past the end/);
    expect(reasonOf(() => readGenprotimgImage(Buffer.concat([original, new Uint8Array(4096)])))?.message).toMatch(/trailing bytes/);
    expect(reasonOf(() => readGenprotimgImage(original.subarray(0, 0x12000)))?.message).toMatch(/only 73728 bytes/);
  });
});
