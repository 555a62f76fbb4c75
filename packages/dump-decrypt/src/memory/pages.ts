/**
 * Page-by-page memory decryption of the single PT_LOAD (spec pv-dump-crypto.md §4, §7, §8, §9):
 * page i uses storage-state entry i of `pv_mem_meta` (relative to the PT_LOAD start). Encrypted
 * pages are XTS-decrypted with tweak = component OR nonce, zero pages become zeros whatever the
 * file holds, shared pages are copied. `scanPageStates` checks every entry once, streaming, before
 * any output is written, so an invalid entry never leaves half a dump behind.
 */
import type { DumpReader } from '@pvdump/dump-format';
import type { PageCipher, PageLoader } from '../crypto/page-cipher.js';
import { PV_PAGE_SIZE, TWEAK_COMPONENT_SIZE, pageTweak } from '@pvdump/pv-format';
import { classifyEntry, emptyCensus, entryIsMapped, PageKind, type PageCensus } from '../pv/page-state.js';
import type { PvLayout } from '../pv/context.js';

/** Pages per read while scanning the storage-state table (1 MiB of entries). */
const SCAN_PAGES = 1 << 16;

/** Classifies every page's entry (throws on the first invalid one) and counts the states. */
export async function scanPageStates(reader: DumpReader, layout: PvLayout): Promise<PageCensus> {
  const census = emptyCensus();
  const metaAt = Number(layout.memMeta.offset);
  for (let first = 0; first < layout.pages; first += SCAN_PAGES) {
    const n = Math.min(SCAN_PAGES, layout.pages - first);
    const meta = await reader.readFile(layout.memMeta.offset + BigInt(first * TWEAK_COMPONENT_SIZE), n * TWEAK_COMPONENT_SIZE);
    for (let i = 0; i < n; i++) {
      const page = first + i;
      const kind = classifyEntry(meta, i * TWEAK_COMPONENT_SIZE, page, layout.load.start, metaAt);
      if (kind === PageKind.Encrypted) census.encrypted += 1;
      else {
        if (kind === PageKind.Zero) census.zero += 1;
        else census.shared += 1;
        if (entryIsMapped(meta, i * TWEAK_COMPONENT_SIZE)) census.mapped += 1;
      }
    }
  }
  census.total = layout.pages;
  return census;
}

/**
 * Decrypts a run of whole pages in place: `data` holds the file bytes of pages
 * `firstPage … firstPage + n − 1` (or receives them through `load`), `meta` their entries. Every
 * entry is classified first (an invalid one throws before any byte changes), then the whole run
 * goes to the cipher in one call.
 * `metaFileOffset` names the table in errors.
 */
export function decryptPagesInPlace(cipher: PageCipher, nonce: Uint8Array, meta: Uint8Array, data: Uint8Array, firstPage: number, loadStart: bigint, metaFileOffset?: number, load?: PageLoader): void {
  const n = data.length / PV_PAGE_SIZE;
  const tweaks = new Uint8Array(n * 16);
  const kinds = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const e = i * TWEAK_COMPONENT_SIZE;
    const kind = classifyEntry(meta, e, firstPage + i, loadStart, metaFileOffset);
    kinds[i] = kind;
    if (kind === PageKind.Encrypted) pageTweak(meta, e, nonce, tweaks.subarray(i * 16, i * 16 + 16));
  }
  try {
    cipher.decryptPageRun(tweaks, kinds, data, load);
  } finally {
    tweaks.fill(0);
  }
}
