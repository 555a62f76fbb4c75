/**
 * The protected image container [E] (pvdump's own format; IBM's SE images are s390 boot images
 * with a stage3a/stage3b loader, which a bare-metal emulator does not need). Big-endian:
 *
 *   0   64                 preamble (ContainerOffset below)
 *   64  sehs               the SE header, exactly as the UV receives it (SET_SEC_CONF_PARAMS)
 *   …   32 × nep           page table: per page {u64 guest address, 16-byte tweak, u64 0}
 *   …   pad to 4 KiB       zeros
 *   …   4096 × nep         the encrypted pages, in page-table order (ascending address)
 *   …   32                 SHA-256 of every byte before it (transport integrity only: the UV's
 *                          own check is the SE header's PLD/ALD/TLD at VERIFY_IMG)
 *
 * Each page's tweak is tweak[0] ‖ tweak[1] as UNPACK_IMG takes them: tweak[0] = u16 component
 * index ‖ 6 random bytes (constant within a component), tweak[1] = the page's byte offset in its
 * component. A component is a run of consecutive pages sharing tweak[0].
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { parseSeHeader } from '../se-header/parse.js';
import { SeHeaderError } from '../se-header/errors.js';
import { ImageError } from './errors.js';
import { PAGE_SIZE } from './guest-elf.js';

export const IMAGE_MAGIC = Uint8Array.from(new TextEncoder().encode('pvdumpSE'));
export const IMAGE_VERSION = 1;
export const PREAMBLE_SIZE = 64;
export const PAGE_TABLE_ENTRY_SIZE = 32;
export const CHECKSUM_SIZE = 32;
/** A page table entry per page; the page count is also capped so the table stays sane. */
export const MAX_IMAGE_PAGES = 1 << 24;

export const ContainerOffset = {
  magic: 0,
  version: 8,
  preambleSize: 12,
  seHeaderOffset: 16,
  seHeaderSize: 20,
  pageCount: 24,
  pageTableOffset: 32,
  pageDataOffset: 40,
  fileSize: 48,
  reserved: 56,
} as const;
if (ContainerOffset.reserved + 8 !== PREAMBLE_SIZE) throw new Error('image container preamble layout');

export const PageEntryOffset = { guestAddress: 0, tweak: 8, reserved: 24 } as const;
if (PageEntryOffset.reserved + 8 !== PAGE_TABLE_ENTRY_SIZE) throw new Error('image page table entry layout');

/** Where the parts go for a header of `seHeaderSize` bytes and `pageCount` pages. */
export function containerLayout(seHeaderSize: number, pageCount: number): { pageTableOffset: number; pageDataOffset: number; fileSize: number } {
  const pageTableOffset = PREAMBLE_SIZE + seHeaderSize;
  const tableEnd = pageTableOffset + pageCount * PAGE_TABLE_ENTRY_SIZE;
  const pageDataOffset = Math.ceil(tableEnd / PAGE_SIZE) * PAGE_SIZE;
  return { pageTableOffset, pageDataOffset, fileSize: pageDataOffset + pageCount * PAGE_SIZE + CHECKSUM_SIZE };
}

export interface ProtectedImagePage {
  readonly guestAddress: bigint;
  /** The full 16-byte XTS tweak (tweak[0] ‖ tweak[1]). */
  readonly tweak: Uint8Array;
  /** tweak[0] and tweak[1] as UNPACK_IMG's control block carries them. */
  readonly tweakHigh: bigint;
  readonly tweakLow: bigint;
  /** The 4096 encrypted bytes (a view into the image). */
  readonly ciphertext: Uint8Array;
}

/** A run of pages sharing tweak[0] — what KVM_PV_UNPACK takes as {addr, size, tweak}. */
export interface ProtectedImageComponent {
  readonly guestAddress: bigint;
  readonly size: bigint;
  /** tweak[0] of every page in the component. */
  readonly tweak: bigint;
  /** Index of its first page in `pages`. */
  readonly firstPage: number;
  readonly pageCount: number;
}

export interface ProtectedImage {
  readonly version: number;
  /** The SE header bytes (a view into the image). */
  readonly seHeader: Uint8Array;
  readonly pages: readonly ProtectedImagePage[];
  readonly components: readonly ProtectedImageComponent[];
}

/** Reads and checks a protected image container held in memory. */
export function readProtectedImage(bytes: Uint8Array): ProtectedImage {
  const bad = (msg: string): ImageError => new ImageError('bad-container', `protected image: ${msg}`);
  if (bytes.length < PREAMBLE_SIZE + CHECKSUM_SIZE) throw bad(`only ${bytes.length} bytes; not a protected image (or truncated)`);
  for (let i = 0; i < IMAGE_MAGIC.length; i++) {
    if (bytes[i] !== IMAGE_MAGIC[i]) throw bad('no "pvdumpSE" magic at offset 0 (not a pvdump protected image)');
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = v.getUint32(ContainerOffset.version);
  if (version !== IMAGE_VERSION) throw bad(`version ${version} at offset 8 is not supported (this reader knows version ${IMAGE_VERSION})`);
  if (v.getUint32(ContainerOffset.preambleSize) !== PREAMBLE_SIZE) throw bad(`preamble size at offset 12 is ${v.getUint32(ContainerOffset.preambleSize)}, not ${PREAMBLE_SIZE}`);
  const fileSize = v.getBigUint64(ContainerOffset.fileSize);
  if (fileSize !== BigInt(bytes.length)) {
    throw bad(`the image declares ${fileSize} bytes (offset 48) but ${bytes.length} are present (truncated or extended file)`);
  }
  const digest = sha256(bytes.subarray(0, bytes.length - CHECKSUM_SIZE));
  const stored = bytes.subarray(bytes.length - CHECKSUM_SIZE);
  if (digest.some((b, i) => b !== stored[i])) {
    throw new ImageError('checksum-mismatch', `protected image: the SHA-256 at offset ${bytes.length - CHECKSUM_SIZE} does not match the contents (the file is corrupted)`);
  }
  const seHeaderOffset = v.getUint32(ContainerOffset.seHeaderOffset);
  const seHeaderSize = v.getUint32(ContainerOffset.seHeaderSize);
  const pageCountBig = v.getBigUint64(ContainerOffset.pageCount);
  if (seHeaderOffset !== PREAMBLE_SIZE) throw bad(`SE header offset (offset 16) is ${seHeaderOffset}, not ${PREAMBLE_SIZE}`);
  if (pageCountBig > BigInt(MAX_IMAGE_PAGES)) throw bad(`page count ${pageCountBig} (offset 24) exceeds the limit of ${MAX_IMAGE_PAGES}`);
  const pageCount = Number(pageCountBig);
  const layout = containerLayout(seHeaderSize, pageCount);
  if (v.getBigUint64(ContainerOffset.pageTableOffset) !== BigInt(layout.pageTableOffset) || v.getBigUint64(ContainerOffset.pageDataOffset) !== BigInt(layout.pageDataOffset) || layout.fileSize !== bytes.length) {
    throw bad(`offsets at 32/40 and the size do not match a ${seHeaderSize}-byte SE header and ${pageCount} pages`);
  }
  const seHeader = bytes.subarray(seHeaderOffset, seHeaderOffset + seHeaderSize);
  try {
    const parsed = parseSeHeader(seHeader);
    if (parsed.size !== seHeaderSize) throw bad(`the SE header is ${parsed.size} bytes but the container says ${seHeaderSize} (offset 20)`);
    if (parsed.encryptedPageCount !== pageCountBig) throw bad(`the SE header counts ${parsed.encryptedPageCount} encrypted pages but the container holds ${pageCount}`);
  } catch (err) {
    if (err instanceof SeHeaderError) throw bad(`its SE header at offset ${seHeaderOffset} is invalid: ${err.message}`);
    throw err;
  }
  const pages: ProtectedImagePage[] = [];
  const components: ProtectedImageComponent[] = [];
  let current: { guestAddress: bigint; tweak: bigint; firstPage: number; pageCount: number } | undefined;
  const page = BigInt(PAGE_SIZE);
  for (let i = 0; i < pageCount; i++) {
    const entry = layout.pageTableOffset + i * PAGE_TABLE_ENTRY_SIZE;
    const where = `page table entry ${i} (offset ${entry})`;
    const guestAddress = v.getBigUint64(entry + PageEntryOffset.guestAddress);
    const tweakHigh = v.getBigUint64(entry + PageEntryOffset.tweak);
    const tweakLow = v.getBigUint64(entry + PageEntryOffset.tweak + 8);
    const badTable = (msg: string): ImageError => new ImageError('bad-page-table', `protected image: ${where}: ${msg}`);
    if (v.getBigUint64(entry + PageEntryOffset.reserved) !== 0n) throw badTable('reserved field is not zero');
    if (guestAddress % page !== 0n) throw badTable(`guest address 0x${guestAddress.toString(16)} is not 4 KiB aligned`);
    const previous = pages[i - 1];
    if (previous !== undefined && guestAddress <= previous.guestAddress) throw badTable(`guest address 0x${guestAddress.toString(16)} is not above the previous page's`);
    const continues = current !== undefined && previous !== undefined && tweakHigh === current.tweak && guestAddress === previous.guestAddress + page;
    if (!continues) {
      if (current !== undefined) components.push(finishComponent(current));
      current = { guestAddress, tweak: tweakHigh, firstPage: i, pageCount: 0 };
    }
    const expectedOffset = BigInt(current!.pageCount) * page;
    if (tweakLow !== expectedOffset) throw badTable(`tweak[1] is 0x${tweakLow.toString(16)} but the page is at byte offset 0x${expectedOffset.toString(16)} of its component`);
    current!.pageCount += 1;
    const dataOffset = layout.pageDataOffset + i * PAGE_SIZE;
    pages.push({
      guestAddress,
      tweak: bytes.slice(entry + PageEntryOffset.tweak, entry + PageEntryOffset.tweak + 16),
      tweakHigh,
      tweakLow,
      ciphertext: bytes.subarray(dataOffset, dataOffset + PAGE_SIZE),
    });
  }
  if (current !== undefined) components.push(finishComponent(current));
  return { version, seHeader, pages, components };
}

function finishComponent(c: { guestAddress: bigint; tweak: bigint; firstPage: number; pageCount: number }): ProtectedImageComponent {
  return { guestAddress: c.guestAddress, size: BigInt(c.pageCount * PAGE_SIZE), tweak: c.tweak, firstPage: c.firstPage, pageCount: c.pageCount };
}
