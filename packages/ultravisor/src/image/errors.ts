/** Typed errors for guest ELF files and Secure Execution images (bad input → `userError`). */
import { ReasonedUserError } from '../errors.js';

export type ImageErrorReason =
  /** the guest ELF is malformed or not a big-endian s390x executable */
  | 'bad-guest-elf'
  /** the guest needs more memory than the image builder allows */
  | 'guest-too-large'
  /** a genprotimg-layout image whose loader trailer, IPL parameter block, SE header or components do not fit together or the file */
  | 'bad-image'
  /** an image whose components do not match its SE header (digests, page count, start PSW) once opened */
  | 'verification-failed'
  /** bad arguments when building */
  | 'invalid-argument';

export class ImageError extends ReasonedUserError<ImageErrorReason> {
  override readonly name = 'ImageError';
}
