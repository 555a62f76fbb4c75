/**
 * Completion data (section `pv_compl`, spec pv-dump-crypto.md §2, §5, §6, §9): checks in
 * zgetdump's order, dump-key derivation, GCM opening, and the result: the tweak nonce and the
 * 64-byte memory XTS key. Wrong key and tampered completion data cannot be told apart (both
 * fail the GCM tag), and the message says so.
 */
import { CCK_SIZE, CompletionDataV1, PV_COMPL_DATA_VERSION_1, PV_MAX_COMPL_DATA_SIZE, completionSeed, deriveDumpKey, openCompletionData } from '@pvdump/pv-format';
import { PvDecryptError } from '../errors.js';

export interface CompletionSecrets {
  /** The 32-byte dump key: opens every CPU note. Wipe with `wipeSecrets`. */
  dumpKey: Uint8Array;
  /** 16-byte tweak nonce, ORed into every page's tweak component. */
  tweakNonce: Uint8Array;
  /** 64-byte memory XTS key (key1 ‖ key2). */
  xtsKey: Uint8Array;
}

export function wipeSecrets(s: CompletionSecrets): void {
  s.dumpKey.fill(0);
  s.tweakNonce.fill(0);
  s.xtsKey.fill(0);
}

const hx = (n: number): string => '0x' + n.toString(16);

/** Validates the header of a `pv_compl` section (zgetdump checks 7–11); `at` = its file offset. */
export function checkCompletion(section: Uint8Array, at?: number): void {
  const size = section.length;
  if (size > PV_MAX_COMPL_DATA_SIZE) {
    throw new PvDecryptError('bad-completion', `Unsupported section size: ${hx(size)} > ${hx(PV_MAX_COMPL_DATA_SIZE)} (section pv_compl); the dump is corrupt`, at);
  }
  if (size < 4) {
    throw new PvDecryptError('bad-completion', `Unable to read decryption information: Unsupported pv_compl section size (${hx(size)}); the dump is corrupt or not complete`, at);
  }
  const v = new DataView(section.buffer, section.byteOffset, section.byteLength);
  const version = v.getUint32(CompletionDataV1.version);
  if (version !== PV_COMPL_DATA_VERSION_1) {
    throw new PvDecryptError('unsupported-completion-version', `Unable to read decryption information: Unsupported dump completion version (${hx(version)}) found in section pv_compl; only version 1 is known`, at);
  }
  if (size < CompletionDataV1.size) {
    throw new PvDecryptError('bad-completion', `Unable to read decryption information: Corrupted completion configuration data (section pv_compl has ${size} bytes, version 1 needs ${CompletionDataV1.size})`, at);
  }
  const len = v.getUint32(CompletionDataV1.len);
  if (len !== CompletionDataV1.size) {
    throw new PvDecryptError(
      'bad-completion',
      `Unable to read decryption information: Incorrect completion configuration data length (len field ${hx(len)}, version 1 needs ${hx(CompletionDataV1.size)})`,
      at === undefined ? undefined : at + CompletionDataV1.len,
    );
  }
}

/** Derives the dump key and opens the completion data (zgetdump checks 12–13). */
export function openCompletion(section: Uint8Array, cck: Uint8Array, at?: number): CompletionSecrets {
  checkCompletion(section, at);
  if (cck.length !== CCK_SIZE) {
    throw new PvDecryptError('bad-key', `Unable to derive dump key: Wrong key size: expected ${CCK_SIZE} != actual ${cck.length}`);
  }
  const dumpKey = deriveDumpKey(cck, completionSeed(section));
  const opened = openCompletionData(dumpKey, section);
  if (opened === undefined) {
    dumpKey.fill(0);
    throw new PvDecryptError(
      'completion-auth',
      'Unable to read decryption information: Unable to decrypt completion configuration data: Verifying the GCM tag failed. ' +
        'Either the key is not the customer communication key of this guest, or the completion data (section pv_compl) was modified; the two cannot be told apart',
      at,
    );
  }
  return { dumpKey, tweakNonce: opened.nonce, xtsKey: opened.key };
}
