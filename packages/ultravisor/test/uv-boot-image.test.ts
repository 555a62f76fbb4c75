// The UV boots a protected image built by the image builder from a real guest ELF (the fixture
// of qemu-7.2-crash): SET_SEC_CONF_PARAMS, UNPACK_IMG of every page, VERIFY_IMG, operating-load.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '@pvdump/test-support';
import { openSeHeader } from '../src/index.ts';
import { buildProtectedImage, decryptProtectedImage, loadGuestElf } from '../src/guest-owner.ts';
import { readProtectedImage } from '../src/protected-image.ts';
import { ImageRc, PvCpuState, SetParamsRc } from '../src/uvc/codes.ts';
import { CCK, L, createConfiguration, expectOk, hostAddress, hostKey, newMachine } from './support/machine.ts';

describe('booting a protected image through the UV calls', () => {
  it('unpacks and verifies every page of the fixture guest and starts at its entry PSW', () => {
    const guest = loadGuestElf(new Uint8Array(readFileSync(fixturePath('qemu-7.2-crash/guest.elf'))));
    const bytes = buildProtectedImage({ guest, hostPublicKeys: [hostKey().publicKey], cck: CCK, allowDumping: true });
    const image = readProtectedImage(bytes);
    expect(image.pages.length).toBeGreaterThan(0);
    const m = newMachine();
    const { config, cpus } = createConfiguration(m, 2);
    m.uv.hostStorage.write(Number(L.header), image.seHeader);
    expectOk(m.uv.setSecureConfigurationParameters(config, L.header, image.seHeader.length), 'SET_SEC_CONF_PARAMS');
    for (const page of image.pages) {
      m.uv.hostStorage.write(hostAddress(page.guestAddress), page.ciphertext);
      expectOk(m.uv.unpack(config, page.guestAddress, page.tweakHigh, page.tweakLow), `UNPACK_IMG 0x${page.guestAddress.toString(16)}`);
    }
    expectOk(m.uv.verify(config), 'VERIFY_IMG');
    const secrets = openSeHeader(image.seHeader, [hostKey()]);
    for (const { guestAddress, plaintext } of decryptProtectedImage(image, secrets.imageXtsKey)) {
      expect(m.storage.read(hostAddress(guestAddress), 4096)).toEqual(plaintext);
    }
    secrets.wipe();
    expectOk(m.uv.setCpuState(cpus[0]!, PvCpuState.OPERATING_LOAD), 'operating-load');
    const psw = m.uv.runSecureCpu(cpus[0]!, (cpu) => ({ kind: 'other', reason: `psw ${cpu.psw.mask.toString(16)} ${cpu.psw.addr.toString(16)}` }));
    expect(psw).toEqual({ kind: 'other', reason: `psw 180000000 ${guest.entry.toString(16)}` });
  });

  it('refuses VERIFY_IMG when the host skipped a page', () => {
    const guest = loadGuestElf(new Uint8Array(readFileSync(fixturePath('qemu-7.2-crash/guest.elf'))));
    const image = readProtectedImage(buildProtectedImage({ guest, hostPublicKeys: [hostKey().publicKey], cck: CCK }));
    const m = newMachine();
    const { config } = createConfiguration(m, 1);
    m.uv.hostStorage.write(Number(L.header), image.seHeader);
    expectOk(m.uv.setSecureConfigurationParameters(config, L.header, image.seHeader.length), 'SET_SEC_CONF_PARAMS');
    for (const page of image.pages.slice(1)) {
      m.uv.hostStorage.write(hostAddress(page.guestAddress), page.ciphertext);
      expectOk(m.uv.unpack(config, page.guestAddress, page.tweakHigh, page.tweakLow), 'UNPACK_IMG');
    }
    const r = m.uv.verify(config);
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
