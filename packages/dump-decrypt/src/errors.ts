/**
 * The error every unusable PV dump, key or request raises (spec pv-dump-crypto.md §10: the
 * zgetdump failure table). `userError` marks bad input for the command line, which prints the
 * message without a stack trace. Messages keep zgetdump's wording where the spec gives it.
 */

export type PvDecryptErrorCode =
  | 'no-key'
  | 'bad-key'
  | 'not-pv'
  | 'no-pv-data'
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

/**
 * A protected guest's dump that holds no PV data: it has the guest's NT_S390_PV_CPU_DATA notes
 * but no pv_mem_meta / pv_compl sections, the plain dump QEMU writes when KVM_PV_DUMP INIT fails
 * (the Ultravisor refuses it for an image without AllowDumping, PCF bit 34). [E] zgetdump -k
 * copies such a dump as a plain one; a key was asked to decrypt it, so this says why it cannot.
 */
export function isProtectedGuestDumpWithoutPvData(dump: { readonly isPv: boolean; readonly cpus: readonly { readonly pvCpuData?: Uint8Array }[] }): boolean {
  return !dump.isPv && dump.cpus.some((cpu) => cpu.pvCpuData !== undefined);
}

export function noPvDataError(dump: string): PvDecryptError {
  return new PvDecryptError(
    'no-pv-data',
    `${dump} is the dump of a protected guest but holds no PV data (no pv_mem_meta and pv_compl sections; its PV CPU notes are empty): the Ultravisor refused the PV dump, most likely because the guest's image does not allow dumping (made without --enable-dump), and the VMM wrote a plain dump instead, as QEMU does. Its protected memory is ciphertext only the Ultravisor could export, so it cannot be decrypted with the customer communication key; rebuild the image with --enable-dump to get decryptable dumps`,
  );
}
