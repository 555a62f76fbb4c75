/**
 * The SE header as the Ultravisor firmware sees it (spec ultravisor.md §5): its layout, parsing
 * the plaintext part, and opening it with a machine host key. The package's root export is this
 * list; the guest owner's side (building headers and key slots) is in `../guest-owner.ts`.
 */
export { parseSeHeader, type ParsedSeHeader, type SeHeaderKeySlot } from './parse.js';
export { openSeHeader, type Psw, type SeHeaderSecrets } from './open.js';
export { SeHeaderError, type SeHeaderErrorReason } from './errors.js';
export { deriveExchangeKey, unwrapKeySlot } from './key-slot.js';
export {
  CCK_SIZE,
  ENCRYPTED_AREA_MIN_SIZE,
  EncryptedOffset,
  HEADER_PROTECTION_KEY_SIZE,
  HeaderOffset,
  HeaderSize,
  IMAGE_XTS_KEY_SIZE,
  KeySlotOffset,
  PCF_DEFAULT,
  Pcf,
  SE_HEADER_MAGIC,
  SE_HEADER_MAX_SIZE,
  SE_HEADER_VERSION_1,
  Scf,
  seHeaderSize,
} from './layout.js';
