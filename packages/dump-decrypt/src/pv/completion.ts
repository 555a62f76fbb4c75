/**
 * Completion data (section `pv_compl`, spec pv-dump-crypto.md §2, §5, §6, §9): checks in
 * zgetdump's order, dump-key derivation, GCM opening, and the result: the tweak nonce and the
 * 64-byte memory XTS key. Wrong key and tampered completion data cannot be told apart (both
 * fail the GCM tag), and the message says so.
 */
import { deriveDumpKey } from '../crypto/dump-key.js';
import { gcmOpen } from '../crypto/gcm.js';
import { PvDecryptError } from '../errors.js';
import {
  Completion,
  COMPLETION_AAD_END,
  COMPLETION_SECTION_MAX,
  CompletionPlain,
} from './layout.js';

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
  if (size > COMPLETION_SECTION_MAX) {
    throw new PvDecryptError('bad-completion', `Unsupported section size: ${hx(size)} > ${hx(COMPLETION_SECTION_MAX)} (section pv_compl); the dump is corrupt`, at);
  }
  if (size < 4) {
    throw new PvDecryptError('bad-completion', `Unable to read decryption information: Unsupported pv_compl section size (${hx(size)}); the dump is corrupt or not complete`, at);
  }
  const v = new DataView(section.buffer, section.byteOffset, section.byteLength);
  const version = v.getUint32(Completion.version);
  if (version !== 1) {
    throw new PvDecryptError('unsupported-completion-version', `Unable to read decryption information: Unsupported dump completion version (${hx(version)}) found in section pv_compl; only version 1 is known`, at);
  }
  if (size < Completion.size) {
    throw new PvDecryptError('bad-completion', `Unable to read decryption information: Corrupted completion configuration data (section pv_compl has ${size} bytes, version 1 needs ${Completion.size})`, at);
  }
  const len = v.getUint32(Completion.len);
  if (len !== Completion.size) {
    throw new PvDecryptError('bad-completion', `Unable to read decryption information: Incorrect completion configuration data length (len field ${hx(len)}, version 1 needs ${hx(Completion.size)})`, at === undefined ? undefined : at + Completion.len);
  }
}

/** Derives the dump key and opens the completion data (zgetdump checks 12–13). */
export function openCompletion(section: Uint8Array, cck: Uint8Array, at?: number): CompletionSecrets {
  checkCompletion(section, at);
  const seed = section.subarray(Completion.seed, Completion.iv);
  const dumpKey = deriveDumpKey(cck, seed);
  const plain = gcmOpen(
    dumpKey,
    section.subarray(Completion.iv, Completion.reserved92),
    section.subarray(0, COMPLETION_AAD_END),
    section.subarray(Completion.tweakNonce, Completion.tag),
    section.subarray(Completion.tag, Completion.size),
  );
  if (plain === undefined) {
    dumpKey.fill(0);
    throw new PvDecryptError(
      'completion-auth',
      'Unable to read decryption information: Unable to decrypt completion configuration data: Verifying the GCM tag failed. ' +
        'Either the key is not the customer communication key of this guest, or the completion data (section pv_compl) was modified; the two cannot be told apart',
      at,
    );
  }
  const secrets: CompletionSecrets = {
    dumpKey,
    tweakNonce: plain.slice(CompletionPlain.tweakNonce, CompletionPlain.tweakNonce + 16),
    xtsKey: plain.slice(CompletionPlain.xtsKey, CompletionPlain.xtsKeyEnd),
  };
  plain.fill(0);
  return secrets;
}
