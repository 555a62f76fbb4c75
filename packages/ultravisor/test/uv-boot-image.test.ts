// The UV boots Secure Execution images in genprotimg's layout, page by page as KVM hands them
// over: IBM genprotimg 2.35's se-knownkeys.img (fixture genprotimg-2.35) with its host key, and an
// image our builder made of the fixture's guest: SET_SEC_CONF_PARAMS, UNPACK_IMG of every
// component page with its tweak, VERIFY_IMG, operating-load at the header's PSW (stage3b).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '@pvdump/test-support';
import { decodeHostPrivateKeyPem, openSeHeader, type HostKeyPair } from '../src/index.ts';
import { buildGenprotimgImage, decryptGenprotimgComponent, kernelImageFromGuest, loadGuestElf } from '../src/guest-owner.ts';
import { genprotimgPages, readGenprotimgImage, type GenprotimgImage } from '../src/protected-image.ts';
import { ImageRc, PvCpuState, SetParamsRc } from '../src/uvc/codes.ts';
import { CCK, L, createConfiguration, expectOk, hostAddress, hostKey, newMachine, type Machine } from './support/machine.ts';

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(fixturePath(`genprotimg-2.35/${name}`)));
const fixtureHostKey = (): HostKeyPair => decodeHostPrivateKeyPem(readFileSync(fixturePath('genprotimg-2.35/host-key.pem'), 'utf8'));

/** What KVM does with the image's IPL block: the header in, then every component page placed and unpacked (`skip` left out). */
function unpackImage(m: Machine, config: bigint, image: GenprotimgImage, skip?: number): void {
  m.uv.hostStorage.write(Number(L.header), image.seHeader);
  expectOk(m.uv.setSecureConfigurationParameters(config, L.header, image.seHeader.length), 'SET_SEC_CONF_PARAMS');
  let i = 0;
  for (const page of genprotimgPages(image)) {
    if (i++ === skip) continue;
    const tweak = new DataView(page.tweak.buffer, page.tweak.byteOffset, 16);
    m.uv.hostStorage.write(hostAddress(page.guestAddress), page.ciphertext);
    expectOk(m.uv.unpack(config, page.guestAddress, tweak.getBigUint64(0), tweak.getBigUint64(8)), `UNPACK_IMG 0x${page.guestAddress.toString(16)}`);
  }
}

describe('booting a Secure Execution image through the UV calls', () => {
  it("IBM genprotimg's se-knownkeys.img: every page unpacks and verifies, decrypts to its components, and the CPU starts at stage3b", () => {
    const key = fixtureHostKey();
    const image = readGenprotimgImage(fixture('se-knownkeys.img'));
    const m = newMachine({ hostKeys: [key] });
    const { config, cpus } = createConfiguration(m, 2);
    unpackImage(m, config, image);
    expectOk(m.uv.verify(config), 'VERIFY_IMG');
    const compKey = fixture('comp-key.bin');
    for (const c of image.components) {
      expect(Buffer.from(m.storage.read(hostAddress(c.address), Number(c.size))).equals(Buffer.from(decryptGenprotimgComponent(c, compKey))), c.name).toBe(true);
    }
    expectOk(m.uv.setCpuState(cpus[0]!, PvCpuState.OPERATING_LOAD), 'operating-load');
    const stop = m.uv.runSecureCpu(cpus[0]!, (cpu) => ({ kind: 'other', reason: `psw ${cpu.psw.mask.toString(16)} ${cpu.psw.addr.toString(16)}` }));
    expect(stop).toEqual({ kind: 'other', reason: 'psw 180000000 27000' });
  });

  it('an image our builder made of the fixture guest: the same, and VERIFY_IMG refuses it when the host skipped a page', () => {
    const { kernel, entry } = kernelImageFromGuest(loadGuestElf(fixture('guest.elf'), { withoutFileHeaders: true }));
    const bytes = buildGenprotimgImage({ kernel, kernelPsw: { mask: 0x0000000180000000n, addr: entry }, hostPublicKeys: [hostKey().publicKey], cck: CCK, allowDumping: true });
    const image = readGenprotimgImage(bytes);
    const m = newMachine();
    const { config } = createConfiguration(m, 1);
    unpackImage(m, config, image);
    expectOk(m.uv.verify(config), 'VERIFY_IMG');
    const secrets = openSeHeader(image.seHeader, [hostKey()]);
    const kernelComponent = decryptGenprotimgComponent(image.components[0]!, secrets.imageXtsKey);
    secrets.wipe();
    expect(Buffer.from(kernelComponent.subarray(0, kernel.length)).equals(Buffer.from(kernel))).toBe(true);
    expect(Buffer.from(m.storage.read(hostAddress(image.components[0]!.address), kernel.length)).equals(Buffer.from(kernel))).toBe(true);

    const skipped = newMachine();
    const second = createConfiguration(skipped, 1);
    unpackImage(skipped, second.config, image, 1);
    const r = skipped.uv.verify(second.config);
    expect([r.cc, r.rc]).toEqual([1, ImageRc.VERIFY_FAILED]);
  });
});

describe('a real pvimg SE header', () => {
  it('is parsed and refused with rc 0x108 by a machine whose host key has no slot in it', () => {
    const header = new Uint8Array(readFileSync(fixturePath('se-header-s390-tools/secure_guest.hdr')));
    const m = newMachine();
    const { config } = createConfiguration(m, 1);
    m.uv.hostStorage.write(Number(L.header), header);
    const r = m.uv.setSecureConfigurationParameters(config, L.header, header.length);
    expect([r.cc, r.rc]).toEqual([1, SetParamsRc.NO_KEY_SLOT]);
    // Cut short, the same header is malformed rather than foreign.
    const cut = m.uv.setSecureConfigurationParameters(config, L.header, 400);
    expect([cut.cc, cut.rc]).toEqual([1, SetParamsRc.HEADER_MALFORMED]);
  });
});
