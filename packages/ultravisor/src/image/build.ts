/**
 * Builds a protected guest image from a loaded guest (the guest owner's side, as pvimg does for
 * a kernel): consecutive pages form components; each component gets the tweak prefix
 * {u16 component index, 6 random bytes} and page k of it the tweak prefix ‖ u64 k·4096 (spec
 * ultravisor.md §4); every page is encrypted with AES-256-XTS under a fresh image key; the SE
 * header carries that key, the CCK, the start PSW and the PLD/ALD/TLD of the encrypted pages.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { xtsDecrypt, xtsEncrypt } from '../crypto/xts.js';
import { systemRandom, type RandomSource } from '../random.js';
import { buildSeHeader, randomXtsKey } from '../se-header/build.js';
import { ENCRYPTED_AREA_MIN_SIZE, seHeaderSize } from '../se-header/layout.js';
import type { Psw } from '../se-header/open.js';
import { UnpackDigests } from '../unpack-digests.js';
import { ImageError } from './errors.js';
import { PAGE_SIZE, type GuestMemoryImage } from './guest-elf.js';
import { CHECKSUM_SIZE, ContainerOffset, IMAGE_MAGIC, IMAGE_VERSION, PAGE_TABLE_ENTRY_SIZE, PREAMBLE_SIZE, PageEntryOffset, containerLayout, type ProtectedImage } from './format.js';

/** PSW mask of a guest started in 64-bit mode (EA and BA, bits 31 and 32), as pvimg's default. */
export const DEFAULT_PSW_MASK = 0x0000000180000000n;
/** Components are numbered with a u16. */
const MAX_COMPONENTS = 0x10000;

export interface BuildProtectedImageOptions {
  readonly guest: GuestMemoryImage;
  /** Hosts allowed to run the image (133-byte points, e.g. `parseHostKeyDocument(...).publicKey`). */
  readonly hostPublicKeys: readonly Uint8Array[];
  /** Customer communication key, 32 bytes. */
  readonly cck: Uint8Array;
  /** PCF bit 34. Default false (as pvimg without --enable-dump). */
  readonly allowDumping?: boolean;
  /** PCF. Default 0xE0. */
  readonly pcf?: bigint;
  readonly scf?: bigint;
  /** Start PSW. Default {mask 0x0000000180000000, addr: the ELF entry}. */
  readonly psw?: Psw;
  readonly random?: RandomSource;
}

/** The container bytes of a new protected image. */
export function buildProtectedImage(options: BuildProtectedImageOptions): Uint8Array {
  const random = options.random ?? systemRandom;
  const pages = options.guest.pages;
  if (pages.length === 0) throw new ImageError('invalid-argument', 'the guest has no pages to put in the image');
  const page = BigInt(PAGE_SIZE);
  // Assign tweaks: a new component starts wherever the addresses stop being consecutive.
  const tweaks: Uint8Array[] = [];
  let component = -1;
  let prefix = new Uint8Array(8);
  let offset = 0n;
  pages.forEach((p, i) => {
    if (p.data.length !== PAGE_SIZE || p.address % page !== 0n) throw new ImageError('invalid-argument', `guest page ${i} must be 4096 bytes at a 4 KiB-aligned address`);
    const prev = pages[i - 1];
    if (prev !== undefined && p.address <= prev.address) throw new ImageError('invalid-argument', `guest pages must be in ascending address order (page ${i})`);
    if (prev === undefined || p.address !== prev.address + page) {
      component += 1;
      if (component >= MAX_COMPONENTS) throw new ImageError('invalid-argument', `the guest has more than ${MAX_COMPONENTS} separate memory ranges`);
      prefix = new Uint8Array(8);
      new DataView(prefix.buffer).setUint16(0, component);
      prefix.set(random(6), 2);
      offset = 0n;
    }
    const tweak = new Uint8Array(16);
    tweak.set(prefix);
    new DataView(tweak.buffer).setBigUint64(8, offset);
    tweaks.push(tweak);
    offset += page;
  });

  const imageKey = randomXtsKey(random);
  try {
    // The header's size depends only on the number of host keys, so every part can be placed
    // straight into the output: pages are encrypted into it while the measurement runs.
    const expectedHeaderSize = seHeaderSize(options.hostPublicKeys.length, ENCRYPTED_AREA_MIN_SIZE);
    const layout = containerLayout(expectedHeaderSize, pages.length);
    const out = new Uint8Array(layout.fileSize);
    const v = new DataView(out.buffer);
    const measurement = new UnpackDigests();
    pages.forEach((p, i) => {
      const ciphertext = xtsEncrypt(imageKey, tweaks[i]!, p.data);
      const dataOffset = layout.pageDataOffset + i * PAGE_SIZE;
      out.set(ciphertext, dataOffset);
      measurement.add(ciphertext, p.address, tweaks[i]!);
      const entry = layout.pageTableOffset + i * PAGE_TABLE_ENTRY_SIZE;
      v.setBigUint64(entry + PageEntryOffset.guestAddress, p.address);
      out.set(tweaks[i]!, entry + PageEntryOffset.tweak);
    });
    const d = measurement.digests();
    const seHeader = buildSeHeader({
      hostPublicKeys: options.hostPublicKeys,
      cck: options.cck,
      imageXtsKey: imageKey,
      psw: options.psw ?? { mask: DEFAULT_PSW_MASK, addr: options.guest.entry },
      ...(options.pcf !== undefined ? { pcf: options.pcf } : {}),
      allowDumping: options.allowDumping ?? false,
      scf: options.scf ?? 0n,
      encryptedPageCount: d.pages,
      pageListDigest: d.pld,
      addressListDigest: d.ald,
      tweakListDigest: d.tld,
      random,
    });
    if (seHeader.length !== expectedHeaderSize) throw new Error(`SE header is ${seHeader.length} bytes, expected ${expectedHeaderSize}`);
    out.set(IMAGE_MAGIC, ContainerOffset.magic);
    v.setUint32(ContainerOffset.version, IMAGE_VERSION);
    v.setUint32(ContainerOffset.preambleSize, PREAMBLE_SIZE);
    v.setUint32(ContainerOffset.seHeaderOffset, PREAMBLE_SIZE);
    v.setUint32(ContainerOffset.seHeaderSize, seHeader.length);
    v.setBigUint64(ContainerOffset.pageCount, BigInt(pages.length));
    v.setBigUint64(ContainerOffset.pageTableOffset, BigInt(layout.pageTableOffset));
    v.setBigUint64(ContainerOffset.pageDataOffset, BigInt(layout.pageDataOffset));
    v.setBigUint64(ContainerOffset.fileSize, BigInt(layout.fileSize));
    out.set(seHeader, PREAMBLE_SIZE);
    out.set(sha256(out.subarray(0, out.length - CHECKSUM_SIZE)), out.length - CHECKSUM_SIZE);
    return out;
  } finally {
    imageKey.fill(0);
  }
}

/** Decrypts one image page with the image XTS key from the opened SE header. */
export function decryptImagePage(imageXtsKey: Uint8Array, tweak: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  return xtsDecrypt(imageXtsKey, tweak, ciphertext);
}

/** Every page of a read image, decrypted: what the guest sees after UNPACK_IMG. */
export function* decryptProtectedImage(image: ProtectedImage, imageXtsKey: Uint8Array): Generator<{ guestAddress: bigint; plaintext: Uint8Array }> {
  for (const p of image.pages) yield { guestAddress: p.guestAddress, plaintext: xtsDecrypt(imageXtsKey, p.tweak, p.ciphertext) };
}
