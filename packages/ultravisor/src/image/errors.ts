/** Typed errors for guest ELF files and protected image containers (bad input → `userError`). */
import { ReasonedUserError } from '../errors.js';

export type ImageErrorReason =
  /** the guest ELF is malformed or not a big-endian s390x executable */
  | 'bad-guest-elf'
  /** the guest needs more memory than the image builder allows */
  | 'guest-too-large'
  /** the container's magic, version, sizes or offsets are wrong */
  | 'bad-container'
  /** the container's trailing SHA-256 does not match (corruption in transit or on disk) */
  | 'checksum-mismatch'
  /** the page table is inconsistent (unaligned, unordered or duplicate addresses, bad tweaks) */
  | 'bad-page-table'
  /** a genprotimg-layout image whose loader trailer, IPL parameter block, SE header or components do not fit together or the file */
  | 'bad-image'
  /** an image whose components do not match its SE header (digests, page count, start PSW) once opened */
  | 'verification-failed'
  /** bad arguments when building */
  | 'invalid-argument';

export class ImageError extends ReasonedUserError<ImageErrorReason> {
  override readonly name = 'ImageError';
}
