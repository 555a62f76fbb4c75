// Our boot images in genprotimg's layout: the ELF guest made into genprotimg's kernel image,
// images built and then opened as an independent reader would (only the host private key),
// fixed keys as genprotimg's testing options take them, and our loaders run on the real CPU
// interpreter: stage3b relocating the fixture guest into its crash, stage3a completing the IPL
// parameter block and refusing a machine without the unpack facility.
import { createDecipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Cpu, GuestMemory } from '@pvdump/s390x-cpu';
import { fixturePath } from '@pvdump/test-support';
import { describe, expect, it } from 'vitest';
import { decodeHostPrivateKeyPem, hostKeyHash, parseHostKeyDocument } from '../src/host-key/index.ts';
import {
  ComponentType,
  ImageError,
  bootLoaders,
  buildGenprotimgImage,
  decryptGenprotimgComponent,
  genprotimgPages,
  kernelImageFromGuest,
  loadGuestElf,
  parseStage3bArgs,
  readGenprotimgImage,
  requireVerifiedGenprotimgImage,
  type GenprotimgImage,
} from '../src/image/index.ts';
import { deterministicRandom, systemRandom } from '../src/random.ts';
import { decryptSeHeaderArea, openSeHeader } from '../src/se-header/index.ts';
import { PvIplBlockOffset } from '../src/ipl/pv-ipl-block.ts';

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(fixturePath(`genprotimg-2.35/${name}`)));
const hostPrivate = () => decodeHostPrivateKeyPem(readFileSync(fixturePath('genprotimg-2.35/host-key.pem'), 'utf8'));
const hostPublic = () => parseHostKeyDocument(fixture('host-key.crt')).publicKey;

function buildFixtureImage(extra: Partial<Parameters<typeof buildGenprotimgImage>[0]> = {}): Uint8Array {
  return buildGenprotimgImage({
    kernel: fixture('kernel.bin'),
    parmline: fixture('parmfile.txt'),
    hostPublicKeys: [hostPublic()],
    cck: fixture('cck.bin'),
    allowDumping: true,
    random: deterministicRandom('genprotimg build test'),
    ...extra,
  });
}

/** Guest memory after the Ultravisor unpacked the image: the file at 0, components decrypted. */
function unpackedMemory(image: GenprotimgImage, bytes: Uint8Array, imageXtsKey: Uint8Array): GuestMemory {
  const memory = new GuestMemory(8 << 20);
  memory.bytes.set(bytes);
  for (const c of image.components) memory.bytes.set(decryptGenprotimgComponent(c, imageXtsKey), Number(c.address));
  return memory;
}

describe('the kernel image of an ELF guest', () => {
  it("is genprotimg's kernel.bin for the fixture guest", () => {
    const { kernel, entry } = kernelImageFromGuest(loadGuestElf(fixture('guest.elf'), { withoutFileHeaders: true }));
    expect(Buffer.from(kernel)).toEqual(Buffer.from(fixture('kernel.bin')));
    expect(entry).toBe(0x10000n);
  });
});

describe('an image of the fixture kernel, opened with the host private key only', () => {
  const bytes = buildFixtureImage();
  const image = readGenprotimgImage(bytes);

  it("has genprotimg's layout: stage3a and its trailer, the block, the header, the components", () => {
    const { stage3a, stage3b } = bootLoaders();
    expect(image.entry).toBe(0x10000);
    expect(image.stage3aSize).toBe(stage3a.length);
    expect(image.iplBlockAddress).toBe(0x11000);
    expect(image.iplBlock.length).toBe(0x1000);
    expect(image.seHeaderAddress).toBe(0x12000);
    expect(image.components.map((c) => [c.name, c.address, c.size])).toEqual([
      ['kernel', 0x13000n, 0x11000n],
      ['parmline', 0x24000n, 0x1000n],
      ['stage3b', 0x25000n, BigInt(stage3b.length)],
    ]);
    expect(bytes.length).toBe(0x25000 + stage3b.length);
    expect(image.header.pcf).toBe(0x200000e0n);
    expect(Buffer.from(image.header.keySlots[0]!.hostKeyHash)).toEqual(Buffer.from(hostKeyHash(hostPublic())));
  });

  it('opens, verifies and decrypts to the kernel, the command line and stage3b with its arguments', () => {
    const secrets = openSeHeader(image.seHeader, [hostPrivate()]);
    expect(Buffer.from(secrets.cck)).toEqual(Buffer.from(fixture('cck.bin')));
    expect(secrets.psw).toEqual({ mask: 0x0000000180000000n, addr: 0x25000n });
    expect(requireVerifiedGenprotimgImage(image, secrets.psw).ok).toBe(true);
    const [kernel, parm, stage3b] = image.components.map((c) => decryptGenprotimgComponent(c, secrets.imageXtsKey)) as [Uint8Array, Uint8Array, Uint8Array];
    const kernelBin = fixture('kernel.bin');
    expect(Buffer.from(kernel.subarray(0, kernelBin.length))).toEqual(Buffer.from(kernelBin));
    expect(new TextDecoder().decode(parm.subarray(0, 17))).toBe('console=ttysclp0\0');
    expect(Buffer.from(stage3b.subarray(0, 0xfc0))).toEqual(Buffer.from(bootLoaders().stage3b.subarray(0, 0xfc0)));
    expect(parseStage3bArgs(stage3b)).toEqual({
      kernel: { address: 0x13000n, size: BigInt(kernelBin.length) },
      cmdline: { address: 0x24000n, size: 17n },
      initrd: { address: 0n, size: 0n },
      psw: { mask: 0x0000000180000000n, addr: 0x10000n },
    });
    secrets.wipe();
  });

  it("tags each component's tweak prefix with its type and draws fresh nonces per component", () => {
    expect(image.components.map((c) => Number(c.tweakPrefix >> 48n))).toEqual([ComponentType.kernel, ComponentType.parmline, ComponentType.stage3b]);
    expect(new Set(image.components.map((c) => c.tweakPrefix & 0xffffffffffffn)).size).toBe(3);
  });

  it('is reproducible from the same randomness and different from other randomness', () => {
    expect(Buffer.from(buildFixtureImage())).toEqual(Buffer.from(bytes));
    expect(Buffer.from(buildFixtureImage({ random: deterministicRandom('other') })).equals(Buffer.from(bytes))).toBe(false);
  });

  it('pages are plain AES-256-XTS under the image key with the page tweak as IV (checked with OpenSSL via node:crypto)', () => {
    const secrets = openSeHeader(image.seHeader, [hostPrivate()]);
    const kernelBin = fixture('kernel.bin');
    for (const page of genprotimgPages(image)) {
      if (page.guestAddress >= image.components[0]!.address + BigInt(kernelBin.length)) break;
      const decipher = createDecipheriv('aes-256-xts', secrets.imageXtsKey, page.tweak);
      const plain = Buffer.concat([decipher.update(page.ciphertext), decipher.final()]);
      const offset = Number(page.guestAddress - image.components[0]!.address);
      expect(plain.subarray(0, kernelBin.length - offset).equals(Buffer.from(kernelBin.subarray(offset, offset + 4096))), `page 0x${page.guestAddress.toString(16)}`).toBe(true);
    }
    secrets.wipe();
  });

  it('never reuses image keys or tweaks between two builds from fresh randomness', () => {
    const a = readGenprotimgImage(buildFixtureImage({ random: systemRandom }));
    const b = readGenprotimgImage(buildFixtureImage({ random: systemRandom }));
    const tweaksA = new Set([...genprotimgPages(a)].map((p) => Buffer.from(p.tweak).toString('hex')));
    expect([...genprotimgPages(b)].some((p) => tweaksA.has(Buffer.from(p.tweak).toString('hex')))).toBe(false);
    const ka = openSeHeader(a.seHeader, [hostPrivate()]).imageXtsKey;
    const kb = openSeHeader(b.seHeader, [hostPrivate()]).imageXtsKey;
    expect(Buffer.from(ka).equals(Buffer.from(kb))).toBe(false);
    expect(Buffer.from(ka.subarray(0, 32)).equals(Buffer.from(ka.subarray(32)))).toBe(false);
  });
});

describe('options', () => {
  it("fixed image and header keys, as genprotimg's --x-comp-key and --x-header-key", () => {
    const image = readGenprotimgImage(buildFixtureImage({ imageXtsKey: fixture('comp-key.bin'), headerProtectionKey: fixture('header-key.bin') }));
    const area = decryptSeHeaderArea(image.seHeader, fixture('header-key.bin'));
    expect(Buffer.from(area.imageXtsKey)).toEqual(Buffer.from(fixture('comp-key.bin')));
    area.wipe();
  });

  it('an initrd, several hosts, no dumping, another kernel PSW', () => {
    const other = { publicKey: hostPrivate().publicKey };
    const initrd = Uint8Array.from({ length: 5000 }, (_, i) => i & 0xff);
    const bytes = buildFixtureImage({ initrd, hostPublicKeys: [hostPublic(), other.publicKey, hostPublic()], allowDumping: false, kernelPsw: { mask: 0x0000000180000000n, addr: 0x10020n } });
    const image = readGenprotimgImage(bytes);
    expect(image.header.pcf).toBe(0xe0n);
    expect(image.header.keySlotCount).toBe(3);
    expect(image.components.map((c) => c.name)).toEqual(['kernel', 'parmline', 'initrd', 'stage3b']);
    const secrets = openSeHeader(image.seHeader, [hostPrivate()]);
    requireVerifiedGenprotimgImage(image, secrets.psw);
    const args = parseStage3bArgs(decryptGenprotimgComponent(image.components[3]!, secrets.imageXtsKey));
    expect(args.initrd).toEqual({ address: image.components[2]!.address, size: 5000n });
    expect(args.psw.addr).toBe(0x10020n);
    expect(Buffer.from(decryptGenprotimgComponent(image.components[2]!, secrets.imageXtsKey).subarray(0, 5000))).toEqual(Buffer.from(initrd));
    secrets.wipe();
  });

  it('refuses a kernel image shorter than 64 KiB and ELF guests with bytes below 0x10000', () => {
    expect(() => buildFixtureImage({ kernel: new Uint8Array(0x8000) })).toThrow(ImageError);
    const guest = loadGuestElf(fixture('guest.elf'));
    const low = { ...guest, pages: [{ address: 0x1000n, data: new Uint8Array(4096).fill(1) }, ...guest.pages] };
    expect(() => kernelImageFromGuest(low)).toThrow(/below 0x10000/);
  });
});

describe('our loaders on the CPU interpreter', () => {
  const keys = { imageXtsKey: fixture('comp-key.bin'), headerProtectionKey: fixture('header-key.bin') };

  it('stage3b moves the kernel, copies the command line and starts the fixture guest, which crashes as it should', () => {
    const bytes = buildFixtureImage(keys);
    const image = readGenprotimgImage(bytes);
    const memory = unpackedMemory(image, bytes, keys.imageXtsKey);
    const cpu = new Cpu(memory, { cpuAddress: 0 });
    cpu.setPsw({ mask: 0x0000000180000000n, addr: 0x25000n }); // the header's PSW
    const stop = cpu.run(2_000_000);
    expect(stop).toMatchObject({ kind: 'wait', disabled: true });
    expect(cpu.getPsw().addr).toBe(0xdeadn);
    expect([6, 7, 8].map((r) => cpu.getGpr(r))).toEqual([0x0606060660606060n, 0x0707070770707070n, 0x0808080880808080n]);
    expect(new TextDecoder().decode(memory.bytes.subarray(0x100000, 0x100028))).toBe('genprotimg fixture guest: crashed here!!');
    expect(new TextDecoder().decode(memory.bytes.subarray(0x10480, 0x10491))).toBe('console=ttysclp0\0');
    const kernel = fixture('kernel.bin');
    expect(Buffer.from(memory.bytes.subarray(0x10000, 0x10000 + 0xb0))).toEqual(Buffer.from(kernel.subarray(0x10000, 0x100b0)));
    expect(memory.bytes[0x300008]).toBe(Number((0x300008n ^ 0x9e3779b97f4a7c15n) >> 56n));
  });

  it('stage3b refuses a command line that is not NUL-terminated with the disabled wait 0x4511', () => {
    const bytes = buildFixtureImage(keys);
    const image = readGenprotimgImage(bytes);
    const memory = unpackedMemory(image, bytes, keys.imageXtsKey);
    memory.bytes[0x24000 + 16] = 0x41;
    const cpu = new Cpu(memory, { cpuAddress: 0 });
    cpu.setPsw({ mask: 0x0000000180000000n, addr: 0x25000n });
    expect(cpu.run(2_000_000)).toMatchObject({ kind: 'wait', disabled: true });
    expect(cpu.getPsw().addr).toBe(0x4511n);
  });

  it('stage3a fills in the SE header address and size, then waits at 0x4607 without the unpack facility (161)', () => {
    const bytes = buildFixtureImage();
    const image = readGenprotimgImage(bytes);
    const memory = new GuestMemory(1 << 20);
    memory.bytes.set(bytes.subarray(0, 0x13000));
    const cpu = new Cpu(memory, { cpuAddress: 0 });
    cpu.setPsw({ mask: 0x0000000180000000n, addr: BigInt(image.entry) }); // the short PSW, as QEMU loads it
    expect(cpu.run(10_000)).toMatchObject({ kind: 'wait', disabled: true });
    expect(cpu.getPsw().addr).toBe(0x4607n);
    const block = new DataView(memory.bytes.buffer, image.iplBlockAddress);
    expect(block.getBigUint64(PvIplBlockOffset.seHeaderAddress)).toBe(0x12000n);
    expect(block.getBigUint64(PvIplBlockOffset.seHeaderLength)).toBe(BigInt(image.seHeader.length));
  });
});
