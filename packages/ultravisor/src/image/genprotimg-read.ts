/**
 * Reads a Secure Execution boot image in genprotimg's layout (genprotimg-layout.ts) without any
 * key: the short PSW, stage3a and its trailer, the PV IPL parameter block, the SE header's
 * plaintext part and the encrypted components. Every offset and length is checked against the
 * file and against each other before anything is used; refusals are `ImageError('bad-image')`.
 */
import { parseSeHeader, type ParsedSeHeader } from '../se-header/parse.js';
import { SeHeaderError } from '../se-header/errors.js';
import { ImageError } from './errors.js';
import {
  COMPONENT_TYPE_NAMES,
  ComponentType,
  PAGE,
  SHORT_PSW_ADDRESS_MASK,
  SHORT_PSW_BIT_12,
  SHORT_PSW_RESERVED_BITS,
  STAGE3A_ADDRESS,
  STAGE3A_MAX_SIZE,
  STAGE3A_TRAILER_SIZE,
  Stage3aTrailerOffset,
  componentTypeName,
  componentTypeOf,
  pageAlign,
  pageTweak,
  type ComponentTypeName,
} from './genprotimg-layout.js';
import { PvIplBlockError, decodePvIplBlock, type PvIplBlock } from '../ipl/pv-ipl-block.js';

export interface GenprotimgComponent {
  /** Position in the IPL parameter block. */
  readonly index: number;
  /** The u16 type from the tweak prefix (0 kernel, 1 parmline, 2 initrd, 3 stage3b). */
  readonly type: number;
  readonly name: ComponentTypeName | `type ${number}`;
  /** tweak[0] of all its pages: type ‖ 6 random bytes. */
  readonly tweakPrefix: bigint;
  /** Guest absolute address = file offset (page-aligned). */
  readonly address: bigint;
  /** Bytes, a whole number of pages. */
  readonly size: bigint;
  readonly pageCount: number;
  /** The encrypted bytes (a view into the image). */
  readonly ciphertext: Uint8Array;
}

export interface GenprotimgImage {
  readonly size: number;
  /** The 8-byte short IPL PSW at 0 and the address it starts at. */
  readonly shortPsw: bigint;
  readonly entry: number;
  /** stage3a from 0x10000 up to and including its trailer. */
  readonly stage3aSize: number;
  readonly trailerAddress: number;
  readonly iplBlockAddress: number;
  readonly iplBlock: PvIplBlock;
  /** The IPL parameter block's bytes as stored (its SE header address is 0 until stage3a sets it). */
  readonly iplBlockBytes: Uint8Array;
  readonly seHeaderAddress: number;
  /** The SE header (a view into the image) and its plaintext part. */
  readonly seHeader: Uint8Array;
  readonly header: ParsedSeHeader;
  readonly components: readonly GenprotimgComponent[];
}

/** One page of a component as UNPACK_IMG takes it. */
export interface GenprotimgPage {
  readonly guestAddress: bigint;
  readonly tweak: Uint8Array;
  readonly ciphertext: Uint8Array;
}

const hex = (n: number | bigint): string => `0x${n.toString(16)}`;

/**
 * True when the bytes start like a genprotimg image: a short PSW at 0 (bit 12 set, the reserved
 * bits 0 and 2-4 clear), room for stage3a, and not an ELF or gzip file (whose magic can look like
 * such a PSW).
 */
export function looksLikeGenprotimgImage(bytes: Uint8Array): boolean {
  if (bytes.length < STAGE3A_ADDRESS + PAGE) return false;
  if (bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46) return false;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return false;
  const psw = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0);
  return (psw & SHORT_PSW_BIT_12) !== 0n && (psw & SHORT_PSW_RESERVED_BITS) === 0n;
}

/** Reads and checks an image held in memory. */
export function readGenprotimgImage(bytes: Uint8Array): GenprotimgImage {
  const bad = (msg: string): ImageError => new ImageError('bad-image', `SE image: ${msg}`);
  const size = bytes.length;
  if (size < STAGE3A_ADDRESS + 3 * PAGE) {
    throw bad(`only ${size} bytes; a genprotimg image has stage3a at ${hex(STAGE3A_ADDRESS)}, then the IPL parameter block, the SE header and the components (truncated, or not an SE image)`);
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const psw = v.getBigUint64(0);
  if ((psw & SHORT_PSW_BIT_12) === 0n) throw bad(`the 8 bytes at offset 0 (${hex(psw)}) are not a short IPL PSW (bit 12 clear): not a genprotimg image`);
  const entry = Number(psw & SHORT_PSW_ADDRESS_MASK);

  const found = findStage3aTrailer(bytes);
  if (found === undefined) {
    throw bad(
      `no stage3a trailer found: within ${hex(STAGE3A_MAX_SIZE)} bytes from ${hex(STAGE3A_ADDRESS)} no 24-byte trailer ends a stage3a whose IPL parameter block offset leads to the next page (not a genprotimg image, or a damaged loader)`,
    );
  }
  const { trailerAddress, iplBlockAddress } = found;
  const headerOffset = v.getBigUint64(trailerAddress + Stage3aTrailerOffset.headerOffset);
  const headerSize = v.getBigUint64(trailerAddress + Stage3aTrailerOffset.headerSize);
  if (entry < STAGE3A_ADDRESS || entry >= trailerAddress) throw bad(`the short PSW starts at ${hex(entry)}, outside stage3a (${hex(STAGE3A_ADDRESS)}-${hex(trailerAddress)})`);

  let iplBlock: PvIplBlock;
  try {
    iplBlock = decodePvIplBlock(bytes.subarray(iplBlockAddress, iplBlockAddress + PAGE));
  } catch (err) {
    if (err instanceof PvIplBlockError) throw bad(`the IPL parameter block at ${hex(iplBlockAddress)}: ${err.message}`);
    throw err;
  }
  const seHeaderAddress = iplBlockAddress + pageAlign(iplBlock.length);
  if (BigInt(trailerAddress) + headerOffset !== BigInt(seHeaderAddress)) {
    throw bad(`the stage3a trailer at ${hex(trailerAddress)} puts the SE header at offset ${hex(headerOffset)} from itself, not at ${hex(seHeaderAddress)}, the page after the IPL parameter block`);
  }
  if (headerSize !== iplBlock.seHeaderLength) {
    throw bad(`the stage3a trailer gives an SE header size of ${headerSize} but the IPL parameter block ${iplBlock.seHeaderLength}`);
  }
  if (iplBlock.seHeaderAddress !== 0n && iplBlock.seHeaderAddress !== BigInt(seHeaderAddress)) {
    throw bad(`the IPL parameter block names the SE header at ${hex(iplBlock.seHeaderAddress)}, not at ${hex(seHeaderAddress)}`);
  }
  if (headerSize > BigInt(size - seHeaderAddress)) throw bad(`the ${headerSize}-byte SE header at ${hex(seHeaderAddress)} runs past the end of the ${size}-byte file`);
  const seHeader = bytes.subarray(seHeaderAddress, seHeaderAddress + Number(headerSize));
  let header: ParsedSeHeader;
  try {
    header = parseSeHeader(seHeader);
  } catch (err) {
    if (err instanceof SeHeaderError) throw bad(`the SE header at ${hex(seHeaderAddress)}: ${err.message}`);
    throw err;
  }
  if (header.size !== seHeader.length) throw bad(`the SE header at ${hex(seHeaderAddress)} is ${header.size} bytes (sehs) but the loader says ${seHeader.length}`);

  const components: GenprotimgComponent[] = [];
  let next = BigInt(seHeaderAddress + pageAlign(seHeader.length));
  let pages = 0n;
  iplBlock.components.forEach((c, index) => {
    const where = `component ${index}`;
    if (c.address % BigInt(PAGE) !== 0n || c.length % BigInt(PAGE) !== 0n || c.length === 0n) {
      throw bad(`${where}: address ${hex(c.address)} and length ${hex(c.length)} must be page-aligned and non-empty`);
    }
    if (c.address < next) throw bad(`${where} at ${hex(c.address)} overlaps the SE header or the component before it (ends at ${hex(next)})`);
    if (c.address + c.length > BigInt(size)) throw bad(`${where} (${hex(c.address)}, ${hex(c.length)} bytes) runs past the end of the ${size}-byte file`);
    const previous = components[index - 1];
    if (previous !== undefined && c.tweakPrefix <= previous.tweakPrefix) throw bad(`${where}: tweak prefixes must grow from component to component`);
    const type = componentTypeOf(c.tweakPrefix);
    if (type >= COMPONENT_TYPE_NAMES.length) throw bad(`${where}: tweak prefix ${hex(c.tweakPrefix)} names the unknown component type ${type}`);
    next = c.address + c.length;
    pages += c.length / BigInt(PAGE);
    components.push({
      index,
      type,
      name: componentTypeName(type),
      tweakPrefix: c.tweakPrefix,
      address: c.address,
      size: c.length,
      pageCount: Number(c.length / BigInt(PAGE)),
      ciphertext: bytes.subarray(Number(c.address), Number(c.address + c.length)),
    });
  });
  const last = components[components.length - 1]!;
  if (last.type !== ComponentType.stage3b) throw bad(`the last component is the ${last.name}, not stage3b`);
  if (next !== BigInt(size)) throw bad(`the file is ${size} bytes but its last component ends at ${hex(next)} (trailing bytes or a damaged IPL parameter block)`);
  if (pages !== header.encryptedPageCount) throw bad(`the components hold ${pages} pages but the SE header counts ${header.encryptedPageCount} (nep)`);

  return {
    size,
    shortPsw: psw,
    entry,
    stage3aSize: trailerAddress + STAGE3A_TRAILER_SIZE - STAGE3A_ADDRESS,
    trailerAddress,
    iplBlockAddress,
    iplBlock,
    iplBlockBytes: bytes.subarray(iplBlockAddress, iplBlockAddress + iplBlock.length),
    seHeaderAddress,
    seHeader,
    header,
    components,
  };
}

/**
 * The trailer ends stage3a: after it only zeros up to the page boundary where the IPL
 * parameter block starts, and its IPL block offset leads exactly there.
 */
function findStage3aTrailer(bytes: Uint8Array): { trailerAddress: number; iplBlockAddress: number } | undefined {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const limit = Math.min(STAGE3A_ADDRESS + STAGE3A_MAX_SIZE, bytes.length - 2 * PAGE);
  for (let boundary = STAGE3A_ADDRESS + PAGE; boundary <= limit; boundary += PAGE) {
    let end = boundary;
    while (end > boundary - PAGE && bytes[end - 1] === 0) end--;
    if (end === boundary - PAGE) continue;
    const trailerAddress = Math.ceil(end / 8) * 8 - STAGE3A_TRAILER_SIZE;
    if (trailerAddress < STAGE3A_ADDRESS) continue;
    const iplOffset = v.getBigUint64(trailerAddress + Stage3aTrailerOffset.iplBlockOffset);
    if (BigInt(trailerAddress) + iplOffset === BigInt(boundary)) return { trailerAddress, iplBlockAddress: boundary };
  }
  return undefined;
}

/** Every page of every component in image order, as the VMM unpacks them and the digests cover them. */
export function* genprotimgPages(image: GenprotimgImage): Generator<GenprotimgPage> {
  for (const c of image.components) {
    for (let k = 0; k < c.pageCount; k++) {
      const offset = k * PAGE;
      yield { guestAddress: c.address + BigInt(offset), tweak: pageTweak(c.tweakPrefix, BigInt(offset)), ciphertext: c.ciphertext.subarray(offset, offset + PAGE) };
    }
  }
}
