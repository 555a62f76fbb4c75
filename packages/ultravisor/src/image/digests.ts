/**
 * The SE header's image measurement (spec ultravisor.md §4–§5; as pvimg computes it): over the
 * encrypted pages in unpack order, PLD = SHA-512 of the 4 KiB ciphertexts, ALD = SHA-512 of the
 * u64 big-endian guest addresses, TLD = SHA-512 of the 16-byte tweaks; nep = the page count.
 * The same running digests the UV keeps during UNPACK_IMG (`UnpackDigests`), so both sides agree.
 */
import { UnpackDigests } from '../unpack-digests.js';

export interface ImageDigests {
  readonly pageListDigest: Uint8Array;
  readonly addressListDigest: Uint8Array;
  readonly tweakListDigest: Uint8Array;
  readonly encryptedPageCount: bigint;
}

export function computeImageDigests(pages: Iterable<{ readonly guestAddress: bigint; readonly tweak: Uint8Array; readonly ciphertext: Uint8Array }>): ImageDigests {
  const running = new UnpackDigests();
  for (const p of pages) running.add(p.ciphertext, p.guestAddress, p.tweak);
  const d = running.digests();
  return { pageListDigest: d.pld, addressListDigest: d.ald, tweakListDigest: d.tld, encryptedPageCount: d.pages };
}
