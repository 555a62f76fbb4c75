/**
 * The UV side of an SE header (spec ultravisor.md §5, §7.2): find the key slot of one of this
 * machine's host keys, derive the exchange key with ECDH (host private key, customer public key),
 * unwrap the header protection key, then authenticate and decrypt the encrypted area with
 * AES-256-GCM (AAD = the whole plaintext part). Returns the secrets the UV keeps.
 */
import { gcm } from '@noble/ciphers/aes.js';
import { HostKeyError, hostKeyHash, normalizePublicKey, type HostKeyPair } from '../host-key/host-key.js';
import { SeHeaderError } from './errors.js';
import { unwrapKeySlot } from './key-slot.js';
import { CCK_SIZE, EncryptedOffset, HEADER_PROTECTION_KEY_SIZE, HeaderOffset, HeaderSize, IMAGE_XTS_KEY_SIZE } from './layout.js';
import { parseSeHeader, type ParsedSeHeader } from './parse.js';

/** A 16-byte PSW: 64-bit mask and 64-bit instruction address. */
export interface Psw {
  readonly mask: bigint;
  readonly addr: bigint;
}

/** What the UV learns from an opened SE header. Call `wipe()` when the secrets are no longer needed. */
export interface SeHeaderSecrets {
  /** Customer communication key (32 bytes): the root of the dump key. */
  readonly cck: Uint8Array;
  /** AES-256-XTS key (key1 ‖ key2, 64 bytes) of the image's encrypted pages. */
  readonly imageXtsKey: Uint8Array;
  readonly psw: Psw;
  readonly pcf: bigint;
  readonly scf: bigint;
  /** PCF bit 34. */
  readonly allowDumping: boolean;
  /** Index of the key slot that opened and the host key pair that matched it. */
  readonly keySlotIndex: number;
  readonly hostKey: HostKeyPair;
  /** The plaintext view (nep, digests, ...). */
  readonly header: ParsedSeHeader;
  /** Overwrites the CCK and XTS key with zeros. */
  wipe(): void;
}

/** Opens an SE header with the first of `hostKeys` that has a key slot in it. */
export function openSeHeader(bytes: Uint8Array, hostKeys: readonly HostKeyPair[]): SeHeaderSecrets {
  const header = parseSeHeader(bytes);
  let customerPublicKey: Uint8Array;
  try {
    customerPublicKey = normalizePublicKey(header.customerPublicKey, 'customer public key');
  } catch (err) {
    if (err instanceof HostKeyError) throw new SeHeaderError('bad-customer-key', `the customer public key at offset 64 is invalid: ${err.message}`);
    throw err;
  }
  let match: { slot: number; key: HostKeyPair } | undefined;
  for (const key of hostKeys) {
    const hash = hostKeyHash(key.publicKey);
    const slot = header.keySlots.findIndex((s) => equalBytes(s.hostKeyHash, hash));
    if (slot >= 0) {
      match = { slot, key };
      break;
    }
  }
  if (match === undefined) {
    throw new SeHeaderError('no-key-slot-for-host', `none of the ${header.keySlotCount} key slot(s) is for this machine's host key${hostKeys.length === 1 ? '' : 's'} (the image was built for other hosts)`);
  }
  const slotOffset = HeaderOffset.keySlots + HeaderSize.keySlot * match.slot;
  const protectionKey = unwrapKeySlot(header.keySlots[match.slot]!.bytes, match.key.privateKey, customerPublicKey);
  if (protectionKey === undefined) {
    throw new SeHeaderError('key-slot-authentication-failed', `key slot ${match.slot} (offset ${slotOffset}) does not open with this host key: the slot or the customer public key was altered`);
  }
  let area: SeHeaderArea;
  try {
    area = decryptSeHeaderArea(bytes, protectionKey, header);
  } finally {
    protectionKey.fill(0);
  }
  return {
    ...area,
    pcf: header.pcf,
    allowDumping: header.allowDumping,
    keySlotIndex: match.slot,
    hostKey: match.key,
    header,
  };
}

/** The secrets of an SE header's encrypted area. Call `wipe()` when they are no longer needed. */
export interface SeHeaderArea {
  readonly cck: Uint8Array;
  readonly imageXtsKey: Uint8Array;
  readonly psw: Psw;
  readonly scf: bigint;
  wipe(): void;
}

/**
 * Authenticates and decrypts the encrypted area with the header protection key itself (the key a
 * key slot wraps): the UV's last step, and a guest owner's check of a header built with a known key.
 */
export function decryptSeHeaderArea(bytes: Uint8Array, headerProtectionKey: Uint8Array, parsed?: ParsedSeHeader): SeHeaderArea {
  const header = parsed ?? parseSeHeader(bytes);
  if (headerProtectionKey.length !== HEADER_PROTECTION_KEY_SIZE) throw new SeHeaderError('invalid-argument', `the header protection key must be ${HEADER_PROTECTION_KEY_SIZE} bytes, got ${headerProtectionKey.length}`);
  let plain: Uint8Array;
  try {
    const aad = bytes.subarray(0, header.aadLength);
    const sealed = bytes.subarray(header.encryptedAreaOffset, header.size);
    plain = gcm(headerProtectionKey, header.iv, aad).decrypt(sealed);
  } catch {
    throw new SeHeaderError('authentication-failed', `the GCM tag at offset ${header.tagOffset} does not verify: the header was altered after it was built (or the key is not its header protection key)`);
  }
  const view = new DataView(plain.buffer, plain.byteOffset, plain.byteLength);
  const noi = view.getUint32(EncryptedOffset.noi);
  if (noi !== 0) {
    plain.fill(0);
    throw new SeHeaderError('unsupported-optional-items', `the encrypted area declares ${noi} optional item(s); version 1 headers must have none`);
  }
  const cck = plain.slice(EncryptedOffset.cck, EncryptedOffset.cck + CCK_SIZE);
  const imageXtsKey = plain.slice(EncryptedOffset.imageXtsKey, EncryptedOffset.imageXtsKey + IMAGE_XTS_KEY_SIZE);
  const psw = { mask: view.getBigUint64(EncryptedOffset.pswMask), addr: view.getBigUint64(EncryptedOffset.pswAddress) };
  const scf = view.getBigUint64(EncryptedOffset.scf);
  plain.fill(0);
  return {
    cck,
    imageXtsKey,
    psw,
    scf,
    wipe() {
      cck.fill(0);
      imageXtsKey.fill(0);
    },
  };
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
