/**
 * Typed SE header errors. `reason` is a fixed union so the UV can map each to a return code
 * (spec ultravisor.md §7.2: no key slot → rc 0x108 [P]; the others are emulator-defined, see
 * `seHeaderRc` in calls/image.ts).
 */
import { ReasonedUserError } from '../errors.js';

export type SeHeaderErrorReason =
  /** fewer bytes than the fixed part or than `sehs` */
  | 'truncated'
  /** bytes 0–7 are not `IBMSecEx` */
  | 'bad-magic'
  /** version other than 0x0100 */
  | 'unsupported-version'
  /** sehs / nks / sea inconsistent or beyond limits */
  | 'bad-length'
  /** the customer public key is not a valid P-521 point */
  | 'bad-customer-key'
  /** no key slot is named by any of the given host keys */
  | 'no-key-slot-for-host'
  /** the key slot's wrapped key does not authenticate under the exchange key */
  | 'key-slot-authentication-failed'
  /** the header's GCM tag does not verify (tampered plaintext, encrypted area or tag) */
  | 'authentication-failed'
  /** the encrypted area holds optional items, which version 1 does not allow (noi ≠ 0) */
  | 'unsupported-optional-items'
  /** a bad argument when building a header */
  | 'invalid-argument';

export class SeHeaderError extends ReasonedUserError<SeHeaderErrorReason> {
  override readonly name = 'SeHeaderError';
  constructor(reason: SeHeaderErrorReason, message: string) {
    super(reason, `SE header: ${message}`);
  }
}
