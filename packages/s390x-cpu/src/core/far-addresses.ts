// Exact 64-bit logical addresses as JavaScript numbers (spec s390x-cpu.md §4: effective addresses
// are 64-bit and wrap modulo 2^64 in the 64-bit addressing mode). Numbers are exact only below
// 2^53, yet guests map virtual storage near 2^64. Addresses below FAR_ADDRESS (2^52) are their own
// value; an address at or above it is represented by a number in [2^52, 2^53) that names its 4 KiB
// page through a small table and carries the byte offset in its low bits:
//
//     FAR_ADDRESS + id × 8192 + offset        (offset = address mod 4096 when made; < 8192)
//
// so `a % 4096`, `a & 7`, alignment tests and `a + k` that stays within 4096 bytes past the page
// are exact arithmetic on the representation itself; `CpuCore.step` carries anything else out
// exactly. The table keeps the pages of the last TABLE_SLOTS distinct identifiers; a page still in
// use is given a fresh identifier once its own is half a table old, so a number made during an
// instruction (or the instruction address refreshed at each fetch) stays valid.

/** Addresses from here on are represented through the far-page table. */
export const FAR_ADDRESS = 4503599627370496;
/** Span of one page identifier: the page's 4096 bytes and 4096 more reached by a plain `+`. */
export const FAR_STRIDE = 8192;
const TABLE_SLOTS = 4096;
/** Identifiers that fit below 2^53 (then the table starts over). */
const MAX_IDS = FAR_ADDRESS / FAR_STRIDE;
const TWO32 = 4294967296;
const RECENT_SLOTS = 64;

export class FarAddresses {
  /** Per slot: the identifier it holds (-1 none), its page key and the page's exact address. */
  private readonly ids = new Float64Array(TABLE_SLOTS).fill(-1);
  private readonly keys = new Float64Array(TABLE_SLOTS);
  private readonly pageHi = new Uint32Array(TABLE_SLOTS);
  private readonly pageLo = new Uint32Array(TABLE_SLOTS);
  /** Newest identifier of each page in the table, by page key (high word × 2^20 + low word's page). */
  private readonly byPage = new Map<number, number>();
  private nextId = 0;
  /** The identifiers of recently represented pages, direct-mapped by page key (saves the map lookup). */
  private readonly recentKeys = new Float64Array(RECENT_SLOTS).fill(-1);
  private readonly recentIds = new Float64Array(RECENT_SLOTS);
  /** Exact halves set by `decode`. */
  hi = 0;
  lo = 0;

  /** The number that stands for address hi:lo (hi at or above 2^20). */
  represent(hi: number, lo: number): number {
    const key = hi * 1048576 + (lo >>> 12);
    const recent = key % RECENT_SLOTS;
    let id = this.recentKeys[recent] === key ? this.recentIds[recent]! : (this.byPage.get(key) ?? -1);
    if (id < 0 || this.nextId - id > TABLE_SLOTS / 2) id = this.allocate(key, hi, lo);
    this.recentKeys[recent] = key;
    this.recentIds[recent] = id;
    return FAR_ADDRESS + id * FAR_STRIDE + (lo & 0xfff);
  }

  /** The exact virtual page number (address / 4096) of `a`, or -1 when `a` names no page of the table. */
  page(a: number): number {
    const rel = a - FAR_ADDRESS;
    const id = Math.floor(rel / FAR_STRIDE);
    const slot = id % TABLE_SLOTS;
    if (!(rel >= 0 && rel < FAR_ADDRESS) || this.ids[slot] !== id) return -1;
    // An offset past the page (a plain `+` within the stride) is in the next page (modulo 2^52 pages).
    return (this.keys[slot]! + (rel - id * FAR_STRIDE >= 4096 ? 1 : 0)) % FAR_ADDRESS;
  }

  /** Sets `hi`/`lo` to the address `a` represents; false when `a` names no page of the table. */
  decode(a: number): boolean {
    const rel = a - FAR_ADDRESS;
    if (!(rel >= 0 && rel < FAR_ADDRESS)) return false;
    const id = Math.floor(rel / FAR_STRIDE);
    const slot = id % TABLE_SLOTS;
    if (this.ids[slot] !== id) return false;
    let lo = this.pageLo[slot]! + (rel - id * FAR_STRIDE);
    let hi = this.pageHi[slot]!;
    if (lo >= TWO32) {
      lo -= TWO32;
      hi = (hi + 1) >>> 0;
    }
    this.hi = hi;
    this.lo = lo;
    return true;
  }

  private allocate(key: number, hi: number, lo: number): number {
    if (this.nextId >= MAX_IDS) this.clear();
    const id = this.nextId++;
    const slot = id % TABLE_SLOTS;
    if (this.ids[slot]! >= 0 && this.byPage.get(this.keys[slot]!) === this.ids[slot]) this.byPage.delete(this.keys[slot]!);
    this.ids[slot] = id;
    this.keys[slot] = key;
    this.pageHi[slot] = hi;
    this.pageLo[slot] = (lo & ~0xfff) >>> 0;
    this.byPage.set(key, id);
    return id;
  }

  private clear(): void {
    this.ids.fill(-1);
    this.byPage.clear();
    this.nextId = 0;
    this.recentKeys.fill(-1);
  }
}
