/**
 * The guest owner's side of an SE header (spec ultravisor.md §5 [P], as pvimg builds it): an
 * ephemeral customer P-521 key, one key slot per permitted host key wrapping a random header
 * protection key, and the encrypted area {CCK, image XTS key, PSW, SCF, noi = 0} sealed with
 * AES-256-GCM under that key, the whole plaintext part being the AAD.
 */
import { gcm } from '@noble/ciphers/aes.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { HostKeyError, generateHostKeyPair, hostKeyPairFromPrivate, normalizePublicKey, paddedCoordinates } from '../host-key/host-key.js';
import { systemRandom, type RandomSource } from '../random.js';
import { SeHeaderError } from './errors.js';
import { buildKeySlot } from './key-slot.js';
import {
  CCK_SIZE,
  ENCRYPTED_AREA_MIN_SIZE,
  EncryptedOffset,
  HEADER_PROTECTION_KEY_SIZE,
  HeaderOffset,
  HeaderSize,
  IMAGE_XTS_KEY_SIZE,
  PCF_DEFAULT,
  Pcf,
  SE_HEADER_MAGIC,
  SE_HEADER_MAX_SIZE,
  SE_HEADER_VERSION_1,
  seHeaderSize,
} from './layout.js';
import type { Psw } from './open.js';

export interface BuildSeHeaderOptions {
  /** Public keys of the hosts allowed to run the image (133-byte SEC1 points or X ‖ Y); one slot each. */
  readonly hostPublicKeys: readonly Uint8Array[];
  /** Customer communication key, 32 bytes. */
  readonly cck: Uint8Array;
  /** AES-256-XTS key of the image pages, 64 bytes with different halves. Default: random. */
  readonly imageXtsKey?: Uint8Array;
  readonly psw: Psw;
  /** Plaintext control flags. Default 0xE0 (pvimg's default). */
  readonly pcf?: bigint;
  /** Sets (true) or clears (false) PCF bit 34 AllowDumping on top of `pcf`. */
  readonly allowDumping?: boolean;
  /** Secret control flags. Default 0. */
  readonly scf?: bigint;
  /** nep and the SHA-512 page, address and tweak list digests. Default: no pages (digests of nothing). */
  readonly encryptedPageCount?: bigint;
  readonly pageListDigest?: Uint8Array;
  readonly addressListDigest?: Uint8Array;
  readonly tweakListDigest?: Uint8Array;
  /** Customer ephemeral private key (66 bytes, or 80 left-padded). Default: a fresh one. */
  readonly customerPrivateKey?: Uint8Array;
  /** Header protection key (32 bytes). Default: random. */
  readonly headerProtectionKey?: Uint8Array;
  /** Header GCM IV (12 bytes). Default: random. */
  readonly iv?: Uint8Array;
  readonly random?: RandomSource;
}

/** Builds a version 0x0100 SE header. */
export function buildSeHeader(options: BuildSeHeaderOptions): Uint8Array {
  const random = options.random ?? systemRandom;
  const nks = options.hostPublicKeys.length;
  const sea = ENCRYPTED_AREA_MIN_SIZE;
  const sehs = seHeaderSize(nks, sea);
  if (nks === 0) throw new SeHeaderError('invalid-argument', 'at least one host public key is needed');
  if (sehs > SE_HEADER_MAX_SIZE) throw new SeHeaderError('invalid-argument', `${nks} host keys make a ${sehs}-byte header, more than the ${SE_HEADER_MAX_SIZE} allowed`);
  checkLength(options.cck, CCK_SIZE, 'CCK');
  const hostKeys = options.hostPublicKeys.map((k, i) => {
    try {
      return normalizePublicKey(k, `host public key ${i}`);
    } catch (err) {
      if (err instanceof HostKeyError) throw new SeHeaderError('invalid-argument', err.message);
      throw err;
    }
  });
  const imageXtsKey = options.imageXtsKey ?? randomXtsKey(random);
  checkLength(imageXtsKey, IMAGE_XTS_KEY_SIZE, 'image XTS key');
  const protectionKey = options.headerProtectionKey ?? random(HEADER_PROTECTION_KEY_SIZE);
  checkLength(protectionKey, HEADER_PROTECTION_KEY_SIZE, 'header protection key');
  const iv = options.iv ?? random(HeaderSize.iv);
  checkLength(iv, HeaderSize.iv, 'IV');
  const customer = options.customerPrivateKey !== undefined ? hostKeyPairFromPrivate(options.customerPrivateKey) : generateHostKeyPair(random);
  let pcf = options.pcf ?? PCF_DEFAULT;
  if (options.allowDumping === true) pcf |= Pcf.allowDumping;
  if (options.allowDumping === false) pcf &= ~Pcf.allowDumping;
  const empty = sha512(new Uint8Array(0));

  const out = new Uint8Array(sehs);
  const view = new DataView(out.buffer);
  out.set(SE_HEADER_MAGIC, HeaderOffset.magic);
  view.setUint32(HeaderOffset.version, SE_HEADER_VERSION_1);
  view.setUint32(HeaderOffset.sehs, sehs);
  out.set(iv, HeaderOffset.iv);
  view.setBigUint64(HeaderOffset.nks, BigInt(nks));
  view.setBigUint64(HeaderOffset.sea, BigInt(sea));
  view.setBigUint64(HeaderOffset.nep, options.encryptedPageCount ?? 0n);
  view.setBigUint64(HeaderOffset.pcf, BigInt.asUintN(64, pcf));
  out.set(paddedCoordinates(customer.publicKey), HeaderOffset.customerPublicKey);
  out.set(checkLength(options.pageListDigest ?? empty, HeaderSize.digest, 'page list digest'), HeaderOffset.pld);
  out.set(checkLength(options.addressListDigest ?? empty, HeaderSize.digest, 'address list digest'), HeaderOffset.ald);
  out.set(checkLength(options.tweakListDigest ?? empty, HeaderSize.digest, 'tweak list digest'), HeaderOffset.tld);
  hostKeys.forEach((hostKey, i) => {
    out.set(buildKeySlot(customer.privateKey, hostKey, protectionKey), HeaderOffset.keySlots + i * HeaderSize.keySlot);
  });
  customer.privateKey.fill(0);

  const aadLength = HeaderOffset.keySlots + nks * HeaderSize.keySlot;
  const plain = new Uint8Array(sea);
  const pv = new DataView(plain.buffer);
  plain.set(options.cck, EncryptedOffset.cck);
  plain.set(imageXtsKey, EncryptedOffset.imageXtsKey);
  pv.setBigUint64(EncryptedOffset.pswMask, BigInt.asUintN(64, options.psw.mask));
  pv.setBigUint64(EncryptedOffset.pswAddress, BigInt.asUintN(64, options.psw.addr));
  pv.setBigUint64(EncryptedOffset.scf, BigInt.asUintN(64, options.scf ?? 0n));
  pv.setUint32(EncryptedOffset.noi, 0);
  out.set(gcm(protectionKey, iv, out.subarray(0, aadLength)).encrypt(plain), aadLength);
  plain.fill(0);
  if (options.headerProtectionKey === undefined) protectionKey.fill(0);
  if (options.imageXtsKey === undefined) imageXtsKey.fill(0);
  return out;
}

/** 64 random bytes whose halves differ (XTS key1 ≠ key2). */
export function randomXtsKey(random: RandomSource = systemRandom): Uint8Array {
  for (;;) {
    const key = random(IMAGE_XTS_KEY_SIZE);
    if (key.subarray(0, 32).some((b, i) => b !== key[32 + i])) return key;
  }
}

function checkLength(bytes: Uint8Array, size: number, what: string): Uint8Array {
  if (bytes.length !== size) throw new SeHeaderError('invalid-argument', `${what} must be ${size} bytes, got ${bytes.length}`);
  return bytes;
}
