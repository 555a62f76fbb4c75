// Host absolute storage as the UV sees it: the machine's memory, addressed by host absolute
// address, holding UV control blocks, donated storage, dump buffers and the guests' pages.
// `GuestMemory` of @pvdump/s390x-cpu satisfies this interface structurally; `SparseHostStorage`
// allocates only the pages that were written, so large machines cost nothing until used.

export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;

/** Minimal byte-addressed storage interface; every access must lie inside 0..size. */
export interface HostStorage {
  readonly size: number;
  read(address: number, length: number): Uint8Array;
  write(address: number, data: Uint8Array): void;
  /**
   * A live view of [address, address + length) when the storage holds it contiguously (no copy),
   * else undefined. Optional: the UV encrypts exported pages in place through it.
   */
  subarray?(address: number, length: number): Uint8Array | undefined;
}

export class SparseHostStorage implements HostStorage {
  private readonly pages = new Map<number, Uint8Array>();

  constructor(readonly size: number) {
    if (!Number.isSafeInteger(size) || size <= 0 || size % PAGE_SIZE !== 0) {
      throw new RangeError(`host storage size ${size} must be a positive multiple of 4096`);
    }
  }

  /** Number of pages that hold data (for tests and memory accounting). */
  get allocatedPages(): number {
    return this.pages.size;
  }

  read(address: number, length: number): Uint8Array {
    this.check(address, length);
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const addr = address + done;
      const pageOff = addr % PAGE_SIZE;
      const take = Math.min(PAGE_SIZE - pageOff, length - done);
      const page = this.pages.get(Math.floor(addr / PAGE_SIZE));
      if (page !== undefined) out.set(page.subarray(pageOff, pageOff + take), done);
      done += take;
    }
    return out;
  }

  write(address: number, data: Uint8Array): void {
    this.check(address, data.length);
    let done = 0;
    while (done < data.length) {
      const addr = address + done;
      const pageOff = addr % PAGE_SIZE;
      const take = Math.min(PAGE_SIZE - pageOff, data.length - done);
      const index = Math.floor(addr / PAGE_SIZE);
      let page = this.pages.get(index);
      if (page === undefined) {
        page = new Uint8Array(PAGE_SIZE);
        this.pages.set(index, page);
      }
      page.set(data.subarray(done, done + take), pageOff);
      done += take;
    }
  }

  private check(address: number, length: number): void {
    if (!Number.isSafeInteger(address) || !Number.isSafeInteger(length) || address < 0 || length < 0 || address + length > this.size) {
      throw new RangeError(`host storage access of ${length} bytes at 0x${address.toString(16)} is outside 0..0x${this.size.toString(16)}`);
    }
  }
}
