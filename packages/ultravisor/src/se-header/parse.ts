/**
 * Reads the plaintext part of an SE header (spec ultravisor.md §5 [P]) and checks its format:
 * magic, version, and that sehs, nks and sea agree (sehs = 416 + 80·nks + sea + 16, sehs ≤ 8 KiB,
 * sea ≥ 128). Nothing here needs a key; `openSeHeader` does the cryptography.
 */
import { SeHeaderError } from './errors.js';
import { ENCRYPTED_AREA_MIN_SIZE, HeaderOffset, HeaderSize, KeySlotOffset, SE_HEADER_MAGIC, SE_HEADER_MAX_SIZE, SE_HEADER_VERSION_1, Pcf, seHeaderSize } from './layout.js';

export interface SeHeaderKeySlot {
  /** SHA-256 of the host public key's X ‖ Y (80-byte padded): names the host. */
  readonly hostKeyHash: Uint8Array;
  /** The 32-byte wrapped header protection key followed by its 16-byte GCM tag. */
  readonly wrappedKey: Uint8Array;
  /** The whole 80-byte slot. */
  readonly bytes: Uint8Array;
}

/** The plaintext view of an SE header. Byte arrays are copies. */
export interface ParsedSeHeader {
  readonly magic: Uint8Array;
  readonly version: number;
  /** Total header size (sehs). */
  readonly size: number;
  /** 12-byte IV of the header GCM. */
  readonly iv: Uint8Array;
  readonly keySlotCount: number;
  /** Size of the encrypted area (sea). */
  readonly encryptedAreaSize: number;
  /** Number of encrypted image pages (nep). */
  readonly encryptedPageCount: bigint;
  readonly pcf: bigint;
  /** PCF bit 34. */
  readonly allowDumping: boolean;
  /** Customer ephemeral public key X ‖ Y, each 80 bytes (160 bytes). */
  readonly customerPublicKey: Uint8Array;
  /** SHA-512 digests of the encrypted pages, their addresses and their tweaks. */
  readonly pageListDigest: Uint8Array;
  readonly addressListDigest: Uint8Array;
  readonly tweakListDigest: Uint8Array;
  readonly keySlots: readonly SeHeaderKeySlot[];
  /** Offsets of the parts, for the GCM step. */
  readonly aadLength: number;
  readonly encryptedAreaOffset: number;
  readonly tagOffset: number;
}

/** Parses the plaintext part of an SE header. `bytes` must hold at least `sehs` bytes; more are ignored. */
export function parseSeHeader(bytes: Uint8Array): ParsedSeHeader {
  if (bytes.length < HeaderOffset.keySlots) {
    throw new SeHeaderError('truncated', `only ${bytes.length} bytes; the fixed part alone is ${HeaderOffset.keySlots} bytes (a truncated file or not an SE header)`);
  }
  for (let i = 0; i < SE_HEADER_MAGIC.length; i++) {
    if (bytes[HeaderOffset.magic + i] !== SE_HEADER_MAGIC[i]) {
      throw new SeHeaderError('bad-magic', `bytes 0-7 are ${hex(bytes.subarray(0, 8))}, not the magic "IBMSecEx" (not an SE header, or the wrong offset)`);
    }
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(HeaderOffset.version);
  if (version !== SE_HEADER_VERSION_1) {
    throw new SeHeaderError('unsupported-version', `version 0x${version.toString(16).padStart(8, '0')} at offset 8 is not supported; only version 0x00000100 is`);
  }
  const size = view.getUint32(HeaderOffset.sehs);
  const nks = view.getBigUint64(HeaderOffset.nks);
  const sea = view.getBigUint64(HeaderOffset.sea);
  if (size > SE_HEADER_MAX_SIZE) {
    throw new SeHeaderError('bad-length', `header size (sehs, offset 12) is ${size} bytes, more than the ${SE_HEADER_MAX_SIZE} allowed`);
  }
  if (nks === 0n || nks > BigInt(SE_HEADER_MAX_SIZE)) {
    throw new SeHeaderError('bad-length', `key slot count (nks, offset 32) is ${nks}; it must be 1 or more and fit in the header`);
  }
  if (sea < BigInt(ENCRYPTED_AREA_MIN_SIZE) || sea > BigInt(SE_HEADER_MAX_SIZE)) {
    throw new SeHeaderError('bad-length', `encrypted area size (sea, offset 40) is ${sea}; it must be at least ${ENCRYPTED_AREA_MIN_SIZE} and fit in the header`);
  }
  const keySlotCount = Number(nks);
  const encryptedAreaSize = Number(sea);
  const expected = seHeaderSize(keySlotCount, encryptedAreaSize);
  if (size !== expected) {
    throw new SeHeaderError('bad-length', `header size (sehs, offset 12) is ${size} but ${keySlotCount} key slot(s) and a ${encryptedAreaSize}-byte encrypted area make ${expected}`);
  }
  if (bytes.length < size) {
    throw new SeHeaderError('truncated', `the header declares ${size} bytes (sehs, offset 12) but only ${bytes.length} are present`);
  }
  const keySlots: SeHeaderKeySlot[] = [];
  for (let i = 0; i < keySlotCount; i++) {
    const slot = bytes.slice(HeaderOffset.keySlots + i * HeaderSize.keySlot, HeaderOffset.keySlots + (i + 1) * HeaderSize.keySlot);
    keySlots.push({
      hostKeyHash: slot.slice(KeySlotOffset.hostKeyHash, KeySlotOffset.wrappedKey),
      wrappedKey: slot.slice(KeySlotOffset.wrappedKey),
      bytes: slot,
    });
  }
  const pcf = view.getBigUint64(HeaderOffset.pcf);
  const aadLength = HeaderOffset.keySlots + keySlotCount * HeaderSize.keySlot;
  return {
    magic: bytes.slice(0, 8),
    version,
    size,
    iv: bytes.slice(HeaderOffset.iv, HeaderOffset.iv + HeaderSize.iv),
    keySlotCount,
    encryptedAreaSize,
    encryptedPageCount: view.getBigUint64(HeaderOffset.nep),
    pcf,
    allowDumping: (pcf & Pcf.allowDumping) !== 0n,
    customerPublicKey: bytes.slice(HeaderOffset.customerPublicKey, HeaderOffset.customerPublicKey + HeaderSize.customerPublicKey),
    pageListDigest: bytes.slice(HeaderOffset.pld, HeaderOffset.pld + HeaderSize.digest),
    addressListDigest: bytes.slice(HeaderOffset.ald, HeaderOffset.ald + HeaderSize.digest),
    tweakListDigest: bytes.slice(HeaderOffset.tld, HeaderOffset.tld + HeaderSize.digest),
    keySlots,
    aadLength,
    encryptedAreaOffset: aadLength,
    tagOffset: size - HeaderSize.tag,
  };
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}
