// Guest RAM as the host kernel manages it (docs/kvm-pv-api.md §8): anonymous memory whose frames
// the guest's CPUs use directly, the host touching a secure page (PIN_PAGE_SHARED, else export),
// the guest touching a non-secure page (import; "not mapped" → fault the page in and retry), and
// swap [E]: over a resident-page limit, secure pages are exported and their ciphertext moves to a
// swap store; the next guest access brings it back and the import checks its integrity.
import { GuestMemory, PGM_ADDRESSING, type InaccessibleResolution } from '@pvdump/s390x-cpu';
import { StorageRc, type Ultravisor } from '@pvdump/ultravisor';
import { PAGE_SIZE, type HostMemory } from './host-memory.js';

/** Where swapped-out pages go: one 4 KiB record per guest page. */
export interface SwapStore {
  put(page: number, data: Uint8Array): void;
  get(page: number): Uint8Array | undefined;
  delete(page: number): void;
  readonly size: number;
}

/** A swap store in process memory [E] (a swap device's contents, one array per page). */
export class MemorySwapStore implements SwapStore {
  readonly pages = new Map<number, Uint8Array>();
  put(page: number, data: Uint8Array): void {
    this.pages.set(page, data.slice());
  }
  get(page: number): Uint8Array | undefined {
    return this.pages.get(page);
  }
  delete(page: number): void {
    this.pages.delete(page);
  }
  get size(): number {
    return this.pages.size;
  }
}

/** Counters a test or a benchmark can read. */
export interface GuestRamStats {
  imports: number;
  exports: number;
  pins: number;
  swapOuts: number;
  swapIns: number;
  failedImports: number;
}

const ZERO_PAGE = new Uint8Array(PAGE_SIZE);

export class GuestRam {
  readonly memory: GuestMemory;
  readonly size: number;
  /** The protected configuration using this RAM (set by KVM_PV_ENABLE, cleared by DISABLE). */
  configHandle: bigint | undefined = undefined;
  readonly swap: SwapStore;
  /** Each page's CMMA states as KVM keeps them in its PGSTE (`collaborative-memory.ts`). */
  readonly storageAttributes: Uint8Array;
  /** Guest pages in host frames that swap may take (secure or exported), oldest first. */
  private readonly resident = new Set<number>();
  readonly stats: GuestRamStats = { imports: 0, exports: 0, pins: 0, swapOuts: 0, swapIns: 0, failedImports: 0 };

  constructor(
    readonly hostOrigin: number,
    size: number,
    private readonly host: HostMemory,
    private readonly uv: () => Ultravisor | undefined,
    /** Most guest pages kept in host frames while protected; undefined = no limit. */
    readonly pageLimit: number | undefined,
    swap?: SwapStore,
  ) {
    this.memory = new GuestMemory(size);
    this.size = size;
    this.swap = swap ?? new MemorySwapStore();
    this.storageAttributes = new Uint8Array(Math.ceil(size / PAGE_SIZE));
  }

  /** The host address of guest page `page`, or undefined while it is swapped out ("not mapped"). */
  hostAddressOf(gaddr: number): number | undefined {
    const page = Math.floor(gaddr / PAGE_SIZE);
    if (gaddr < 0 || gaddr >= this.size || this.swap.get(page) !== undefined) return undefined;
    return this.hostOrigin + gaddr;
  }

  isSwapped(page: number): boolean {
    return this.swap.get(page) !== undefined;
  }

  /** A protected VM starts with every page inaccessible to its CPUs (nothing imported yet). */
  becomeProtected(handle: bigint): void {
    this.configHandle = handle;
    for (let p = 0; p < this.memory.pageCount; p++) this.memory.setPageAccessible(p, false);
  }

  /** After DISABLE: the UV cleared the secure pages; swapped ones are dropped as on teardown. */
  becomeUnprotected(): void {
    this.configHandle = undefined;
    for (let p = 0; p < this.memory.pageCount; p++) {
      if (this.swap.get(p) !== undefined) {
        this.swap.delete(p);
        this.memory.write(p * PAGE_SIZE, ZERO_PAGE);
      }
      this.memory.setPageAccessible(p, true);
    }
    this.resident.clear();
  }

  /** The UV reports a page state change (its page listener). */
  pageStateChanged(gaddr: number, state: 'secure' | 'shared' | 'non-secure'): void {
    const page = Math.floor(gaddr / PAGE_SIZE);
    if (this.configHandle === undefined) return;
    this.memory.setPageAccessible(page, state !== 'non-secure');
    if (state === 'secure') this.resident.add(page);
  }

  /**
   * The host touches guest page `page` (arch_make_page_accessible): a secure page is first
   * pinned shared (succeeds for guest-shared pages), else exported. Returns false if the UV
   * refuses both (the host access would fault: -EFAULT).
   */
  makeHostAccessible(page: number): boolean {
    const uv = this.uv();
    if (uv === undefined || this.configHandle === undefined) return true;
    // What the host observes through faults: only a secure page the guest has not shared faults.
    if (uv.guestPageState(this.configHandle, page * PAGE_SIZE) !== 'secure') return true;
    const host = this.hostOrigin + page * PAGE_SIZE;
    if (uv.pinPageShared(BigInt(host)).cc === 0) {
      this.stats.pins++;
      return true;
    }
    const r = uv.convertFromSecure(BigInt(host));
    if (r.cc !== 0) return false;
    this.stats.exports++;
    return true;
  }

  /**
   * Host read of guest bytes (copy_from_user on the RAM mapping): secure pages are exported
   * first, all of the range's in one batch; a swapped-out page is copied from swap as it is
   * (ciphertext, no UV call). Returns undefined if a page cannot be made accessible.
   */
  hostRead(offset: number, length: number, into?: Uint8Array): Uint8Array | undefined {
    const out = into ?? new Uint8Array(length);
    if (!this.makeRangeHostAccessible(offset, length)) return undefined;
    let done = 0;
    while (done < length) {
      const at = offset + done;
      const page = Math.floor(at / PAGE_SIZE);
      const swapped = this.swap.size === 0 ? undefined : this.swap.get(page);
      if (swapped !== undefined) {
        const inPage = at % PAGE_SIZE;
        const n = Math.min(PAGE_SIZE - inPage, length - done);
        out.set(swapped.subarray(inPage, inPage + n), done);
        done += n;
        continue;
      }
      // Up to the next swapped page (or the end) straight from the frames.
      let end = Math.min(offset + length, (page + 1) * PAGE_SIZE);
      while (end < offset + length && (this.swap.size === 0 || this.swap.get(end / PAGE_SIZE) === undefined)) end = Math.min(offset + length, end + PAGE_SIZE);
      out.set(this.memory.bytes.subarray(at, end), done);
      done += end - at;
    }
    return out;
  }

  /**
   * The host touches every page of a range (a copy_from_user that faults on each secure page):
   * the secure pages that are in their frames are exported with one batched UV request, in page
   * order, as one export per fault would. Pages the UV refuses get the per-page path.
   */
  private makeRangeHostAccessible(offset: number, length: number): boolean {
    const uv = this.uv();
    const handle = this.configHandle;
    if (uv === undefined || handle === undefined || length <= 0) return true;
    const secure: number[] = [];
    const last = Math.floor((offset + length - 1) / PAGE_SIZE);
    for (let page = Math.floor(offset / PAGE_SIZE); page <= last; page++) {
      if (this.swap.size !== 0 && this.swap.get(page) !== undefined) continue;
      if (uv.guestPageState(handle, page * PAGE_SIZE) === 'secure') secure.push(page);
    }
    if (secure.length === 0) return true;
    const r = uv.convertFromSecurePages(secure.map((page) => this.hostOrigin + page * PAGE_SIZE));
    this.stats.exports += r.done;
    for (const page of secure.slice(r.done)) if (!this.makeHostAccessible(page)) return false;
    return true;
  }

  /** Host write of guest bytes; a swapped-out page is brought back first. */
  hostWrite(offset: number, data: Uint8Array): boolean {
    let done = 0;
    while (done < data.length) {
      const at = offset + done;
      const page = Math.floor(at / PAGE_SIZE);
      const inPage = at % PAGE_SIZE;
      const n = Math.min(PAGE_SIZE - inPage, data.length - done);
      this.swapIn(page);
      if (!this.makeHostAccessible(page)) return false;
      this.memory.bytes.set(data.subarray(done, done + n), at);
      done += n;
    }
    return true;
  }

  /**
   * A protected guest's CPU touched a page it may not access (SIE exit with PGM 0x3E,
   * gmap_make_secure): bring a swapped page back, import it, retry. A failed integrity check
   * [E] gives the guest an addressing exception instead of wrong data.
   */
  guestFault(page: number): InaccessibleResolution {
    const uv = this.uv();
    const handle = this.configHandle;
    if (uv === undefined || handle === undefined) return { kind: 'program', code: PGM_ADDRESSING };
    for (let attempt = 0; attempt < 2; attempt++) {
      const r = uv.convertToSecure(handle, BigInt(page * PAGE_SIZE));
      if (r.cc === 0) {
        this.stats.imports++;
        this.resident.add(page);
        this.enforceLimit(page);
        return { kind: 'retry' };
      }
      if (r.rc === StorageRc.PAGE_NOT_MAPPED && this.isSwapped(page)) {
        this.swapIn(page); // fault the page in, then retry the import
        continue;
      }
      break;
    }
    this.stats.failedImports++;
    return { kind: 'program', code: PGM_ADDRESSING };
  }

  /** Copies a swapped-out page back into its frame (still exported: ciphertext). */
  private swapIn(page: number): void {
    const data = this.swap.get(page);
    if (data === undefined) return;
    this.memory.bytes.set(data, page * PAGE_SIZE);
    this.swap.delete(page);
    this.stats.swapIns++;
    this.resident.add(page);
  }

  /** Swaps out the oldest resident pages until at most `pageLimit` remain (never `keep`). */
  private enforceLimit(keep: number): void {
    const uv = this.uv();
    if (this.pageLimit === undefined || uv === undefined || this.configHandle === undefined) return;
    for (const page of this.resident) {
      if (this.resident.size <= this.pageLimit) return;
      if (page === keep) continue;
      this.resident.delete(page);
      const state = uv.guestPageState(this.configHandle, page * PAGE_SIZE);
      if (state !== 'secure' && state !== 'exported') continue; // shared pages stay, cleared ones need nothing
      if (state === 'secure' && !this.makeHostAccessible(page)) continue;
      const at = page * PAGE_SIZE;
      this.swap.put(page, this.memory.bytes.subarray(at, at + PAGE_SIZE));
      this.memory.bytes.set(ZERO_PAGE, at);
      this.stats.swapOuts++;
    }
  }

  /** Swaps out every secure or exported page for which `choose(page)` is true (tests, pressure). */
  swapOut(choose: (page: number) => boolean): number {
    const uv = this.uv();
    if (uv === undefined || this.configHandle === undefined) return 0;
    let count = 0;
    for (const page of [...this.resident]) {
      if (!choose(page)) continue;
      const state = uv.guestPageState(this.configHandle, page * PAGE_SIZE);
      if (state !== 'secure' && state !== 'exported') continue;
      if (state === 'secure' && !this.makeHostAccessible(page)) continue;
      const at = page * PAGE_SIZE;
      this.swap.put(page, this.memory.bytes.subarray(at, at + PAGE_SIZE));
      this.memory.bytes.set(ZERO_PAGE, at);
      this.resident.delete(page);
      this.stats.swapOuts++;
      count++;
    }
    return count;
  }

  get residentPages(): number {
    return this.resident.size;
  }
}
