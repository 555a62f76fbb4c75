/**
 * Storage-state entries of `pv_mem_meta` and zgetdump's page-state rules (spec
 * pv-dump-crypto.md §4, §7, §8): an entry whose first word is not FFFFFFFF is the tweak component
 * of an encrypted page; a special entry marks a zero or shared page (mapped is ignored); every
 * other special entry is an error naming the page.
 */
import { PvDecryptError } from '../errors.js';
import { SpecialFlag, SpecialTweakComponent, TWEAK_COMPONENT_SIZE, isSpecialTweakComponent } from '@pvdump/pv-format';

const STATE_ZERO = SpecialFlag.IS_ZERO_PAGE;
const STATE_SHARED = SpecialFlag.IS_SHARED_PAGE;
const STATE_MAPPED = SpecialFlag.IS_MAPPED_PAGE;

export const PageKind = { Encrypted: 0, Zero: 1, Shared: 2 } as const;
export type PageKind = (typeof PageKind)[keyof typeof PageKind];

/** Census of page states, with the mapped bit counted separately (as the fixture README does). */
export interface PageCensus {
  encrypted: number;
  zero: number;
  shared: number;
  /** Zero or shared pages that also had the mapped bit. */
  mapped: number;
  total: number;
}

export function emptyCensus(): PageCensus {
  return { encrypted: 0, zero: 0, shared: 0, mapped: 0, total: 0 };
}

/** zgetdump's internal state for message 23: 1 encrypted, 2 shared, 4 zero, printed with %#lx. */
function zgetdumpStateText(bits: number): string {
  const s = (bits & STATE_SHARED ? 2 : 0) | (bits & STATE_ZERO ? 4 : 0);
  return s === 0 ? '0' : '0x' + s.toString(16);
}

/**
 * Classifies the entry of page `pageIndex` (of the PT_LOAD starting at guest address `loadStart`)
 * at `meta[entryOffset..+16]`. Throws for an invalid special entry; `metaFileOffset` is where the
 * section starts in the file (for the message).
 */
export function classifyEntry(meta: Uint8Array, entryOffset: number, pageIndex: number, loadStart: bigint, metaFileOffset?: number): PageKind {
  const e = entryOffset;
  if (!isSpecialTweakComponent(meta, e)) return PageKind.Encrypted;
  const reserved = meta[e + SpecialTweakComponent.flagReserved1]!;
  const bits = meta[e + SpecialTweakComponent.flags]!;
  const state = bits & ~STATE_MAPPED;
  if (reserved === 0 && (bits & SpecialFlag.RESERVED) === 0) {
    if (state === STATE_ZERO) return PageKind.Zero;
    if (state === STATE_SHARED) return PageKind.Shared;
  }
  const why =
    reserved !== 0 || (bits & SpecialFlag.RESERVED) !== 0
      ? `reserved flag bits set (byte 14 = 0x${reserved.toString(16)}, byte 15 = 0x${bits.toString(16)})`
      : state === 0
        ? `no zero or shared flag (byte 15 = 0x${bits.toString(16)})`
        : `both zero and shared (byte 15 = 0x${bits.toString(16)})`;
  const pageAddress = loadStart + BigInt(pageIndex) * 4096n;
  throw new PvDecryptError(
    'invalid-page-state',
    `Reading encrypted memory failed: Invalid page state. page-idx: 0x${pageIndex.toString(16)}, state: ${zgetdumpStateText(bits)} ` +
      `(guest page 0x${pageAddress.toString(16)}: its pv_mem_meta entry is special but ${why}; the storage-state table is corrupt)`,
    metaFileOffset === undefined ? undefined : metaFileOffset + pageIndex * TWEAK_COMPONENT_SIZE,
  );
}

/** True when a special entry has the mapped bit (for the census). */
export function entryIsMapped(meta: Uint8Array, entryOffset: number): boolean {
  return meta[entryOffset] === 0xff && (meta[entryOffset + SpecialTweakComponent.flags]! & STATE_MAPPED) !== 0;
}
