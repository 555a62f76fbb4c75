// A protected image built by this package boots on the emulated UV exactly as KVM does it:
// SET_SEC_CONF_PARAMS with the container's SE header, UNPACK_IMG of every page with its tweak,
// VERIFY_IMG against the header's measurement. The guest then sees its own bytes while the host
// view refuses to read them; altered pages and foreign hosts are refused.
import { readFileSync } from 'node:fs';
import { fixturePath } from '@pvdump/test-support';
import { describe, expect, it } from 'vitest';
import { generateHostKeyPair, type HostKeyPair } from '../src/host-key/index.ts';
import { buildProtectedImage, loadGuestElf, readProtectedImage, type ProtectedImage } from '../src/image/index.ts';
import { SparseHostStorage } from '../src/storage/host-storage.ts';
import { Ultravisor } from '../src/ultravisor.ts';

const MIB = 0x100000;
/** Host storage layout for one small guest [test choice]. */
const UV_STORAGE = 0x100000n;
const CONFIG_BASE = 0x200000n;
const CONFIG_VARIABLE = 0x210000n;
const SCA = 0x300000n;
const GUEST_ORIGIN = 0x400000;
const HEADER_AT = 0x600000n;

const cck = Uint8Array.from({ length: 32 }, (_, i) => 0xa0 ^ i);

function bootMachine(host: HostKeyPair): { uv: Ultravisor; storage: SparseHostStorage; handle: bigint } {
  const storage = new SparseHostStorage(8 * MIB);
  const uv = new Ultravisor({ storage, hostKeys: [host] });
  expect(uv.initialize(UV_STORAGE, 0x10000n).rc).toBe(1);
  const conf = uv.createSecureConfiguration({
    guestStorageLength: BigInt(MIB),
    guestAsce: BigInt(GUEST_ORIGIN),
    baseStorageOrigin: CONFIG_BASE,
    variableStorageOrigin: CONFIG_VARIABLE,
    sca: SCA,
  });
  expect(conf.rc).toBe(1);
  return { uv, storage, handle: conf.handle };
}

/** What KVM does with a protected image: header in, then every page placed and unpacked. */
function unpackAll(uv: Ultravisor, storage: SparseHostStorage, handle: bigint, image: ProtectedImage, alterPage?: number): number[] {
  storage.write(Number(HEADER_AT), image.seHeader);
  const ssc = uv.setSecureConfigurationParameters(handle, HEADER_AT, image.seHeader.length);
  if (ssc.rc !== 1) return [ssc.rc];
  const rcs: number[] = [];
  image.pages.forEach((p, i) => {
    const data = p.ciphertext.slice();
    if (i === alterPage) data[17]! ^= 0x04;
    uv.hostStorage.write(GUEST_ORIGIN + Number(p.guestAddress), data);
    rcs.push(uv.unpack(handle, p.guestAddress, p.tweakHigh, p.tweakLow).rc);
  });
  rcs.push(uv.verify(handle).rc);
  return rcs;
}

describe('booting a protected image on the emulated UV', () => {
  const guest = loadGuestElf(new Uint8Array(readFileSync(fixturePath('qemu-7.2-crash/guest.elf'))));

  it('unpacks and verifies; the guest sees its bytes, the host cannot read them', () => {
    const host = generateHostKeyPair();
    const image = readProtectedImage(buildProtectedImage({ guest, hostPublicKeys: [generateHostKeyPair().publicKey, host.publicKey], cck, allowDumping: true }));
    const { uv, storage, handle } = bootMachine(host);
    expect(unpackAll(uv, storage, handle, image)).toEqual([1, 1]);
    for (const page of guest.pages) {
      const at = GUEST_ORIGIN + Number(page.address);
      expect(Buffer.from(storage.read(at, 4096)).equals(Buffer.from(page.data))).toBe(true);
      expect(uv.guestPageState(handle, Number(page.address))).toBe('secure');
      expect(() => uv.hostStorage.read(at, 16)).toThrow();
    }
    // DUMP_INIT is allowed for this header (PCF bit 34) once the image is verified.
    expect(uv.dumpInit(handle).rc).toBe(1);
  });

  it('refuses an altered page at VERIFY_IMG, and an image for other hosts at SET_SEC_CONF_PARAMS', () => {
    const host = generateHostKeyPair();
    const image = readProtectedImage(buildProtectedImage({ guest, hostPublicKeys: [host.publicKey], cck }));
    const altered = bootMachine(host);
    const rcs = unpackAll(altered.uv, altered.storage, altered.handle, image, 0);
    expect(rcs.slice(0, -1)).toEqual([1]);
    expect(rcs.at(-1)).toBe(0x0104);

    const stranger = bootMachine(generateHostKeyPair());
    expect(unpackAll(stranger.uv, stranger.storage, stranger.handle, image)).toEqual([0x0108]);

    // Without --enable-dump the verified guest cannot be dumped (rc 0x101).
    const plain = bootMachine(host);
    expect(unpackAll(plain.uv, plain.storage, plain.handle, image)).toEqual([1, 1]);
    expect(plain.uv.dumpInit(plain.handle).rc).toBe(0x0101);
  });
});
