// A Secure Execution image built by this package (genprotimg's layout) boots on the emulated UV
// exactly as KVM does it: SET_SEC_CONF_PARAMS with the SE header, UNPACK_IMG of every component
// page with its tweak, VERIFY_IMG against the header's measurement. The guest then sees its own bytes while the host
// view refuses to read them; altered pages and foreign hosts are refused.
import { readFileSync } from 'node:fs';
import { fixturePath } from '@pvdump/test-support';
import { describe, expect, it } from 'vitest';
import { generateHostKeyPair, type HostKeyPair } from '../src/host-key/index.ts';
import { buildGenprotimgImage, decryptGenprotimgComponent, genprotimgPages, kernelImageFromGuest, loadGuestElf, readGenprotimgImage, type GenprotimgImage } from '../src/image/index.ts';
import { openSeHeader } from '../src/se-header/index.ts';
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
    guestAsce: BigInt(GUEST_ORIGIN) | 0x100n,
    baseStorageOrigin: CONFIG_BASE,
    variableStorageOrigin: CONFIG_VARIABLE,
    sca: SCA,
  });
  expect(conf.rc).toBe(1);
  return { uv, storage, handle: conf.handle };
}

/** What KVM does with an SE image's IPL block: header in, then every component page placed and unpacked. */
function unpackAll(uv: Ultravisor, storage: SparseHostStorage, handle: bigint, image: GenprotimgImage, alterPage?: number): number[] {
  storage.write(Number(HEADER_AT), image.seHeader);
  const ssc = uv.setSecureConfigurationParameters(handle, HEADER_AT, image.seHeader.length);
  if (ssc.rc !== 1) return [ssc.rc];
  const rcs: number[] = [];
  let i = 0;
  for (const p of genprotimgPages(image)) {
    const data = p.ciphertext.slice();
    if (i++ === alterPage) data[17]! ^= 0x04;
    uv.hostStorage.write(GUEST_ORIGIN + Number(p.guestAddress), data);
    const tweak = new DataView(p.tweak.buffer, p.tweak.byteOffset, 16);
    rcs.push(uv.unpack(handle, p.guestAddress, tweak.getBigUint64(0), tweak.getBigUint64(8)).rc);
  }
  rcs.push(uv.verify(handle).rc);
  return rcs;
}

describe('booting a protected image on the emulated UV', () => {
  const { kernel, entry } = kernelImageFromGuest(loadGuestElf(new Uint8Array(readFileSync(fixturePath('genprotimg-2.35/guest.elf'))), { withoutFileHeaders: true }));
  const build = (hosts: readonly HostKeyPair[], allowDumping = false): GenprotimgImage =>
    readGenprotimgImage(buildGenprotimgImage({ kernel, kernelPsw: { mask: 0x0000000180000000n, addr: entry }, hostPublicKeys: hosts.map((h) => h.publicKey), cck, allowDumping }));

  it('unpacks and verifies; the guest sees its bytes, the host cannot read them', () => {
    const host = generateHostKeyPair();
    const image = build([generateHostKeyPair(), host], true);
    const { uv, storage, handle } = bootMachine(host);
    const pages = image.components.reduce((n, c) => n + c.pageCount, 0);
    expect(unpackAll(uv, storage, handle, image)).toEqual(Array<number>(pages + 1).fill(1));
    const secrets = openSeHeader(image.seHeader, [host]);
    const plaintext = image.components.map((c) => decryptGenprotimgComponent(c, secrets.imageXtsKey));
    secrets.wipe();
    expect(Buffer.from(plaintext[0]!.subarray(0, kernel.length)).equals(Buffer.from(kernel))).toBe(true);
    image.components.forEach((c, i) => {
      for (let offset = 0; offset < Number(c.size); offset += 4096) {
        const gaddr = Number(c.address) + offset;
        const at = GUEST_ORIGIN + gaddr;
        expect(Buffer.from(storage.read(at, 4096)).equals(Buffer.from(plaintext[i]!.subarray(offset, offset + 4096)))).toBe(true);
        expect(uv.guestPageState(handle, gaddr)).toBe('secure');
        expect(() => uv.hostStorage.read(at, 16)).toThrow();
      }
    });
    // DUMP_INIT is allowed for this header (PCF bit 34) once the image is verified.
    expect(uv.dumpInit(handle).rc).toBe(1);
  });

  it('refuses an altered page at VERIFY_IMG, and an image for other hosts at SET_SEC_CONF_PARAMS', () => {
    const host = generateHostKeyPair();
    const image = build([host]);
    const altered = bootMachine(host);
    const rcs = unpackAll(altered.uv, altered.storage, altered.handle, image, 0);
    expect(rcs.slice(0, -1).every((rc) => rc === 1)).toBe(true);
    expect(rcs.at(-1)).toBe(0x0104);

    const stranger = bootMachine(generateHostKeyPair());
    expect(unpackAll(stranger.uv, stranger.storage, stranger.handle, image)).toEqual([0x0108]);

    // Without --enable-dump the verified guest cannot be dumped (rc 0x101).
    const plain = bootMachine(host);
    expect(unpackAll(plain.uv, plain.storage, plain.handle, image).every((rc) => rc === 1)).toBe(true);
    expect(plain.uv.dumpInit(plain.handle).rc).toBe(0x0101);
  });
});
