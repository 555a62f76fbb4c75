/**
 * Machine host keys (spec ultravisor.md §5, §7.2): a P-521 (secp521r1) key pair per machine.
 * The customer's SE header carries one key slot per permitted host, named by the SHA-256 of the
 * host public key's X ‖ Y (each left-padded to 80 bytes); the UV finds its slot with that hash and
 * derives the exchange key with ECDH. Private keys are kept as the 66-byte big-endian scalar,
 * public keys as the 133-byte uncompressed SEC1 point 04 ‖ X ‖ Y.
 */
import { p521 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { createECDH } from 'node:crypto';
import { UltravisorUserError } from '../errors.js';
import { systemRandom, type RandomSource } from '../random.js';

/** Byte length of a P-521 scalar or coordinate. */
export const P521_SIZE = 66;
/** Byte length of an uncompressed SEC1 P-521 point (04 ‖ X ‖ Y). */
export const P521_POINT_SIZE = 1 + 2 * P521_SIZE;
/** Coordinates in SE structures are left-padded to 80 bytes (s390-tools `EcPubKeyCoord`). */
export const SE_COORD_SIZE = 80;

/** A machine host key pair. Wipe `privateKey` with `fill(0)` when done. */
export interface HostKeyPair {
  /** 66-byte big-endian private scalar. */
  readonly privateKey: Uint8Array;
  /** 133-byte uncompressed SEC1 point 04 ‖ X ‖ Y. */
  readonly publicKey: Uint8Array;
}

/** A bad host key (wrong length, not on the curve): a user input problem. */
export class HostKeyError extends UltravisorUserError {
  override readonly name = 'HostKeyError';
}

/** Makes a new P-521 host key pair (the scalar comes from `random`, retried until valid). */
export function generateHostKeyPair(random: RandomSource = systemRandom): HostKeyPair {
  for (;;) {
    const candidate = random(P521_SIZE);
    // Keep the scalar below 2^521 so most candidates are valid scalars (< n).
    candidate[0]! &= 0x01;
    if (p521.utils.isValidSecretKey(candidate)) {
      return { privateKey: candidate, publicKey: p521.getPublicKey(candidate, false) };
    }
    candidate.fill(0);
  }
}

/** The host key pair of a private scalar (66 bytes, or 80 bytes left-padded as in s390-tools files). */
export function hostKeyPairFromPrivate(privateKey: Uint8Array): HostKeyPair {
  const scalar = unpad(privateKey, P521_SIZE, 'host private key');
  if (!p521.utils.isValidSecretKey(scalar)) throw new HostKeyError('host private key is not a valid P-521 scalar (zero or not below the group order)');
  return { privateKey: scalar, publicKey: p521.getPublicKey(scalar, false) };
}

/** Checks and normalises a public key: an uncompressed SEC1 point or 80+80 / 66+66 bytes X ‖ Y. */
export function normalizePublicKey(publicKey: Uint8Array, what = 'host public key'): Uint8Array {
  let point: Uint8Array;
  if (publicKey.length === P521_POINT_SIZE && publicKey[0] === 0x04) point = publicKey;
  else if (publicKey.length === 2 * SE_COORD_SIZE || publicKey.length === 2 * P521_SIZE) {
    const half = publicKey.length / 2;
    point = new Uint8Array(P521_POINT_SIZE);
    point[0] = 0x04;
    point.set(unpad(publicKey.subarray(0, half), P521_SIZE, `${what} X`), 1);
    point.set(unpad(publicKey.subarray(half), P521_SIZE, `${what} Y`), 1 + P521_SIZE);
  } else {
    throw new HostKeyError(`${what} has ${publicKey.length} bytes; expected a 133-byte uncompressed P-521 point or X ‖ Y`);
  }
  try {
    p521.Point.fromBytes(point).assertValidity();
  } catch {
    throw new HostKeyError(`${what} is not a point on the P-521 curve`);
  }
  return point.slice();
}

/** X ‖ Y each left-padded to 80 bytes (160 bytes), as in SE headers and s390-tools key files. */
export function paddedCoordinates(publicKey: Uint8Array): Uint8Array {
  const point = normalizePublicKey(publicKey);
  const out = new Uint8Array(2 * SE_COORD_SIZE);
  out.set(point.subarray(1, 1 + P521_SIZE), SE_COORD_SIZE - P521_SIZE);
  out.set(point.subarray(1 + P521_SIZE), 2 * SE_COORD_SIZE - P521_SIZE);
  return out;
}

/** The 32-byte public host key hash that names a key slot: SHA-256(X ‖ Y, each padded to 80). */
export function hostKeyHash(publicKey: Uint8Array): Uint8Array {
  return sha256(paddedCoordinates(publicKey));
}

/**
 * ECDH on P-521: the 66-byte shared X coordinate. Uses node:crypto (OpenSSL) as the fast path;
 * `ecdhSharedXNoble` is the reference the tests compare it with.
 */
export function ecdhSharedX(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  const ecdh = createECDH('secp521r1');
  ecdh.setPrivateKey(privateKey);
  const shared = ecdh.computeSecret(publicKey);
  const out = new Uint8Array(P521_SIZE);
  out.set(shared, P521_SIZE - shared.length);
  shared.fill(0);
  return out;
}

/** ECDH on P-521 with @noble/curves: the 66-byte shared X coordinate. */
export function ecdhSharedXNoble(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  const compressed = p521.getSharedSecret(privateKey, publicKey, true);
  const x = compressed.slice(1);
  compressed.fill(0);
  return x;
}

/** Strips left zero padding down to `size` bytes, refusing non-zero padding. */
export function unpad(bytes: Uint8Array, size: number, what: string): Uint8Array {
  if (bytes.length < size) {
    const out = new Uint8Array(size);
    out.set(bytes, size - bytes.length);
    return out;
  }
  const pad = bytes.length - size;
  for (let i = 0; i < pad; i++) {
    if (bytes[i] !== 0) throw new HostKeyError(`${what}: padding byte ${i} is 0x${bytes[i]!.toString(16)}, not zero (value does not fit in ${size} bytes)`);
  }
  return bytes.slice(pad);
}
