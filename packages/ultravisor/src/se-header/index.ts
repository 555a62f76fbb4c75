/**
 * SE header (spec ultravisor.md §5): parse the plaintext part, open it on the UV side with a
 * machine host key, and build one on the guest owner's side.
 */
export { parseSeHeader, type ParsedSeHeader, type SeHeaderKeySlot } from './parse.js';
export { decryptSeHeaderArea, openSeHeader, type Psw, type SeHeaderArea, type SeHeaderSecrets } from './open.js';
export { buildSeHeader, randomXtsKey, type BuildSeHeaderOptions } from './build.js';
export { SeHeaderError, type SeHeaderErrorReason } from './errors.js';
export { buildKeySlot, deriveExchangeKey, unwrapKeySlot } from './key-slot.js';
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
export type { HostKeyPair } from '../host-key/host-key.js';
