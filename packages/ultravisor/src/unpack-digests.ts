// The three SE-header digests over an image's encrypted pages (spec ultravisor.md §4-§5): the
// UV recomputes them during UNPACK_IMG and compares them with the header at VERIFY_IMG; the image
// builder computes them the same way. [E] definition (the real one is inside IBM's firmware and
// pvimg): PLD = SHA-512 over the pages as unpacked (ciphertext, 4096 bytes each, in unpack
// order); ALD = SHA-512 over their guest addresses (u64 big-endian); TLD = SHA-512 over their
// 16-byte XTS tweaks.
import { sha512 } from '@noble/hashes/sha2.js';

export class UnpackDigests {
  private readonly pld = sha512.create();
  private readonly ald = sha512.create();
  private readonly tld = sha512.create();
  private pageCount = 0n;

  /** Adds one 4 KiB page (as stored in the image, i.e. encrypted), its guest address and tweak. */
  add(page: Uint8Array, guestAddress: bigint, tweak: Uint8Array): void {
    if (page.length !== 4096) throw new RangeError(`unpack page must be 4096 bytes, got ${page.length}`);
    if (tweak.length !== 16) throw new RangeError(`unpack tweak must be 16 bytes, got ${tweak.length}`);
    const address = new Uint8Array(8);
    new DataView(address.buffer).setBigUint64(0, guestAddress);
    this.pld.update(page);
    this.ald.update(address);
    this.tld.update(tweak);
    this.pageCount += 1n;
  }

  get pages(): bigint {
    return this.pageCount;
  }

  /** The digests so far (the running hashes stay usable). */
  digests(): { pld: Uint8Array; ald: Uint8Array; tld: Uint8Array; pages: bigint } {
    return { pld: this.pld.clone().digest(), ald: this.ald.clone().digest(), tld: this.tld.clone().digest(), pages: this.pageCount };
  }
}
