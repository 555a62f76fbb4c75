/**
 * The error every unusable PV dump, key or request raises (spec pv-dump-crypto.md §10: the
 * zgetdump failure table). `userError` marks bad input for the command line, which prints the
 * message without a stack trace. Messages keep zgetdump's wording where the spec gives it.
 */

export type PvDecryptErrorCode =
  | 'no-key'
  | 'bad-key'
  | 'not-pv'
  | 'bad-shstrtab'
  | 'bad-completion'
  | 'unsupported-completion-version'
  | 'completion-length'
  | 'completion-auth'
  | 'bad-mem-meta'
  | 'multiple-pt-load'
  | 'bad-pt-load'
  | 'bad-cpu-note'
  | 'unsupported-cpu-version'
  | 'cpu-auth'
  | 'missing-page-tweak'
  | 'invalid-page-state'
  | 'address-not-in-dump'
  | 'io';

export class PvDecryptError extends Error {
  override readonly name = 'PvDecryptError';
  readonly userError = true;
  constructor(
    readonly code: PvDecryptErrorCode,
    message: string,
    /** File offset the problem was found at, when there is one. */
    readonly offset?: number,
  ) {
    super(offset === undefined ? message : `${message} (at file offset 0x${offset.toString(16)})`);
  }
}

/** A PV dump and no key (zgetdump's check 4); `dump` names the dump as the user knows it. */
export function noKeyError(dump: string): PvDecryptError {
  return new PvDecryptError('no-key', `No key for dump decryption provided: ${dump} is a protected-guest (PV) dump; give the customer communication key (32 bytes) with -k`);
}
