/**
 * SE header key slots (spec ultravisor.md §5 [P]; s390-tools `pv/src/req/keyslot.rs`):
 *   exchange key = SHA-256(ECDH-P521(private, peer public).X as 66 bytes ‖ 00 00 00 01)
 *   slot = SHA-256(host X ‖ Y, 80-byte padded) ‖ AES-256-GCM(exchange key, IV 0¹², no AAD)(header
 *          protection key) — 32 bytes of ciphertext then the 16-byte tag.
 * The customer side uses its ephemeral private key and the host public key; the UV the host
 * private key and the customer public key from the header.
 */
import { gcm } from '@noble/ciphers/aes.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ecdhSharedX, hostKeyHash } from '../host-key/host-key.js';
import { HEADER_PROTECTION_KEY_SIZE, HeaderSize, KeySlotOffset } from './layout.js';

const KEY_SLOT_IV = new Uint8Array(12);
const KDF_COUNTER = Uint8Array.from([0, 0, 0, 1]);

/** The 32-byte exchange key of an ECDH pair (either side). */
export function deriveExchangeKey(privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array {
  const shared = ecdhSharedX(privateKey, peerPublicKey);
  const input = new Uint8Array(shared.length + KDF_COUNTER.length);
  input.set(shared);
  input.set(KDF_COUNTER, shared.length);
  const key = sha256(input);
  shared.fill(0);
  input.fill(0);
  return key;
}

/** Builds the 80-byte key slot that wraps `headerProtectionKey` for `hostPublicKey`. */
export function buildKeySlot(customerPrivateKey: Uint8Array, hostPublicKey: Uint8Array, headerProtectionKey: Uint8Array): Uint8Array {
  if (headerProtectionKey.length !== HEADER_PROTECTION_KEY_SIZE) throw new RangeError('header protection key must be 32 bytes');
  const exchangeKey = deriveExchangeKey(customerPrivateKey, hostPublicKey);
  const slot = new Uint8Array(HeaderSize.keySlot);
  slot.set(hostKeyHash(hostPublicKey), KeySlotOffset.hostKeyHash);
  slot.set(gcm(exchangeKey, KEY_SLOT_IV).encrypt(headerProtectionKey), KeySlotOffset.wrappedKey);
  exchangeKey.fill(0);
  return slot;
}

/** Unwraps a key slot's header protection key; undefined when its tag does not verify. */
export function unwrapKeySlot(slot: Uint8Array, hostPrivateKey: Uint8Array, customerPublicKey: Uint8Array): Uint8Array | undefined {
  const exchangeKey = deriveExchangeKey(hostPrivateKey, customerPublicKey);
  try {
    return gcm(exchangeKey, KEY_SLOT_IV).decrypt(slot.subarray(KeySlotOffset.wrappedKey, HeaderSize.keySlot));
  } catch {
    return undefined;
  } finally {
    exchangeKey.fill(0);
  }
}
