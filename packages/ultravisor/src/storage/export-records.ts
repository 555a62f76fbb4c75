// The UV's records of exported pages (spec ultravisor.md §7.3-§7.5 [E]), packed: per guest page
// the export counter of its tweak component (the component is 00000000 ‖ counter ‖ guest address,
// so the counter and the page index rebuild it) and the SHA-256 of its ciphertext. Records live in
// typed arrays of 256 pages (1 MiB of guest storage) allocated on the first export in that MiB,
// so a 2 GiB guest costs 36 bytes per exported page and no object per page.
import { PAGE_SIZE } from './host-storage.js';

/** SHA-256 digest length of a record. */
export const RECORD_DIGEST_SIZE = 32;
const PAGES_PER_BLOCK = 256;

interface RecordBlock {
  /** Export counter per page; 0 = no record (counters start at 1). */
  counters: Uint32Array;
  digests: Uint8Array;
  used: number;
}

/**
 * Tweak component of an export [E] (spec ultravisor.md §7.4): 00000000 ‖ export counter (u32) ‖
 * guest absolute page address (u64), so it never starts with the special indicator FFFFFFFF.
 */
export function tweakComponent(counter: number, guestAddress: number, out: Uint8Array = new Uint8Array(16), at = 0): Uint8Array {
  // Big-endian fields written byte by byte: this runs for every exported page and every entry of
  // a storage-state table.
  const high = Math.floor(guestAddress / 0x100000000);
  out.fill(0, at, at + 4);
  putU32(out, at + 4, counter);
  putU32(out, at + 8, high);
  putU32(out, at + 12, guestAddress >>> 0);
  return out;
}

function putU32(out: Uint8Array, at: number, value: number): void {
  out[at] = value >>> 24;
  out[at + 1] = (value >>> 16) & 0xff;
  out[at + 2] = (value >>> 8) & 0xff;
  out[at + 3] = value & 0xff;
}

export class ExportRecords {
  private readonly blocks = new Map<number, RecordBlock>();
  private count = 0;

  /** Number of exported pages. */
  get size(): number {
    return this.count;
  }

  has(guestPage: number): boolean {
    return this.counterOf(guestPage) !== undefined;
  }

  /** The export counter of the page's record, if it has one. */
  counterOf(guestPage: number): number | undefined {
    const block = this.blocks.get(Math.floor(guestPage / PAGES_PER_BLOCK));
    const counter = block?.counters[guestPage % PAGES_PER_BLOCK] ?? 0;
    return counter === 0 ? undefined : counter;
  }

  /** The page's 16-byte tweak component (into `out` at `at`, else a new array), if it has a record. */
  component(guestPage: number, out?: Uint8Array, at = 0): Uint8Array | undefined {
    const counter = this.counterOf(guestPage);
    return counter === undefined ? undefined : tweakComponent(counter, guestPage * PAGE_SIZE, out, at);
  }

  /** Records an export: `digest` holds the 32-byte SHA-256 of the ciphertext at `digestAt`. */
  set(guestPage: number, counter: number, digest: Uint8Array, digestAt = 0): void {
    if (!Number.isInteger(counter) || counter < 1 || counter > 0xffffffff) throw new RangeError(`export counter ${counter} is outside 1..0xFFFFFFFF`);
    const index = Math.floor(guestPage / PAGES_PER_BLOCK);
    let block = this.blocks.get(index);
    if (block === undefined) {
      block = { counters: new Uint32Array(PAGES_PER_BLOCK), digests: new Uint8Array(PAGES_PER_BLOCK * RECORD_DIGEST_SIZE), used: 0 };
      this.blocks.set(index, block);
    }
    const slot = guestPage % PAGES_PER_BLOCK;
    if (block.counters[slot] === 0) {
      block.used++;
      this.count++;
    }
    block.counters[slot] = counter;
    block.digests.set(digest.subarray(digestAt, digestAt + RECORD_DIGEST_SIZE), slot * RECORD_DIGEST_SIZE);
  }

  /** True if the page has a record whose digest equals `digest` (compared in constant time). */
  digestMatches(guestPage: number, digest: Uint8Array): boolean {
    const block = this.blocks.get(Math.floor(guestPage / PAGES_PER_BLOCK));
    const slot = guestPage % PAGES_PER_BLOCK;
    if (block === undefined || block.counters[slot] === 0 || digest.length !== RECORD_DIGEST_SIZE) return false;
    let diff = 0;
    const at = slot * RECORD_DIGEST_SIZE;
    for (let i = 0; i < RECORD_DIGEST_SIZE; i++) diff |= block.digests[at + i]! ^ digest[i]!;
    return diff === 0;
  }

  delete(guestPage: number): void {
    const index = Math.floor(guestPage / PAGES_PER_BLOCK);
    const block = this.blocks.get(index);
    const slot = guestPage % PAGES_PER_BLOCK;
    if (block === undefined || block.counters[slot] === 0) return;
    block.counters[slot] = 0;
    block.digests.fill(0, slot * RECORD_DIGEST_SIZE, (slot + 1) * RECORD_DIGEST_SIZE);
    this.count--;
    if (--block.used === 0) this.blocks.delete(index);
  }

  clear(): void {
    for (const block of this.blocks.values()) {
      block.counters.fill(0);
      block.digests.fill(0);
    }
    this.blocks.clear();
    this.count = 0;
  }
}
