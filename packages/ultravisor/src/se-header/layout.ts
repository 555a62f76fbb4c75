/**
 * SE header version 0x0100 byte layout (spec ultravisor.md §5 [P]; s390-tools pvimg
 * `se_hdr/hdr_v1.rs`). Big-endian. The plaintext part (bytes 0 … 416 + 80·nks − 1) is the GCM
 * additional authenticated data; the encrypted area follows; the GCM tag ends the header.
 */

export const SE_HEADER_MAGIC = Uint8Array.from([0x49, 0x42, 0x4d, 0x53, 0x65, 0x63, 0x45, 0x78]); // "IBMSecEx"
export const SE_HEADER_VERSION_1 = 0x0100;
/** pvimg's limit: two pages. */
export const SE_HEADER_MAX_SIZE = 2 * 4096;

/** Offsets of the plaintext (AAD) fields. */
export const HeaderOffset = {
  magic: 0,
  version: 8,
  sehs: 12,
  iv: 16,
  reserved: 28,
  nks: 32,
  sea: 40,
  nep: 48,
  pcf: 56,
  customerPublicKey: 64,
  pld: 224,
  ald: 288,
  tld: 352,
  keySlots: 416,
} as const;

export const HeaderSize = {
  magic: 8,
  iv: 12,
  customerPublicKey: 160,
  digest: 64,
  keySlot: 80,
  tag: 16,
} as const;

/** Offsets inside one 80-byte key slot. */
export const KeySlotOffset = { hostKeyHash: 0, wrappedKey: 32, wrappedKeyTag: 64 } as const;

/** Offsets inside the encrypted area. */
export const EncryptedOffset = {
  cck: 0,
  imageXtsKey: 32,
  pswMask: 96,
  pswAddress: 104,
  scf: 112,
  noi: 120,
  reserved: 124,
  optionalItems: 128,
} as const;

export const CCK_SIZE = 32;
export const IMAGE_XTS_KEY_SIZE = 64;
export const HEADER_PROTECTION_KEY_SIZE = 32;
/** Size of the encrypted area without optional items. */
export const ENCRYPTED_AREA_MIN_SIZE = 128;

// Size assertions: the tables above must tile the structures without gaps or overlaps.
if (HeaderOffset.customerPublicKey + HeaderSize.customerPublicKey !== HeaderOffset.pld) throw new Error('SE header layout: public key');
if (HeaderOffset.tld + HeaderSize.digest !== HeaderOffset.keySlots) throw new Error('SE header layout: digests');
if (KeySlotOffset.wrappedKeyTag + HeaderSize.tag !== HeaderSize.keySlot) throw new Error('SE header layout: key slot');
if (EncryptedOffset.imageXtsKey + IMAGE_XTS_KEY_SIZE !== EncryptedOffset.pswMask) throw new Error('SE header layout: XTS key');
if (EncryptedOffset.reserved + 4 !== ENCRYPTED_AREA_MIN_SIZE) throw new Error('SE header layout: encrypted area');

/** sehs = 416 + 80·nks + sea + 16. */
export function seHeaderSize(keySlots: number, encryptedAreaSize: number): number {
  return HeaderOffset.keySlots + HeaderSize.keySlot * keySlots + encryptedAreaSize + HeaderSize.tag;
}

/** PCF bits (64-bit, MSB-0: bit n has the value 1 << (63 − n)). */
export const Pcf = {
  allowDumping: 1n << (63n - 34n),
  noComponentDecryption: 1n << (63n - 35n),
  pckmoDeaTdea: 1n << (63n - 56n),
  pckmoAes: 1n << (63n - 57n),
  pckmoEcc: 1n << (63n - 58n),
  pckmoHmac: 1n << (63n - 59n),
  backupHostKey: 1n << (63n - 62n),
} as const;

/** pvimg's default PCF (PCKMO DEA/TDEA, AES and ECC allowed). */
export const PCF_DEFAULT = 0xe0n;

/** SCF bits. */
export const Scf = {
  cckExtensionSecretEnforcement: 1n << (63n - 1n),
  cckUpdateAllowed: 1n << (63n - 2n),
} as const;
