// Host storage assembled from regions (spec ultravisor.md §7 [E] glue for host models): a base
// storage for everything, with other storages mapped over page-aligned ranges, e.g. a guest's
// `GuestMemory` from @pvdump/s390x-cpu at the ASCE origin, so that the CPU interpreter and the UV
// share the same bytes for the guest's pages.
import { PAGE_SIZE, type HostStorage } from './host-storage.js';

export interface StorageRegion {
  /** Host absolute address of the region's byte 0; 4 KiB-aligned. */
  origin: number;
  storage: HostStorage;
}

export class MappedHostStorage implements HostStorage {
  readonly size: number;
  private readonly regions: readonly StorageRegion[];

  constructor(
    private readonly base: HostStorage,
    regions: readonly StorageRegion[],
  ) {
    this.size = base.size;
    const sorted = [...regions].sort((a, b) => a.origin - b.origin);
    let end = 0;
    for (const r of sorted) {
      if (r.origin % PAGE_SIZE !== 0 || r.storage.size % PAGE_SIZE !== 0) throw new RangeError(`storage region at 0x${r.origin.toString(16)} is not 4 KiB-aligned`);
      if (r.origin < end) throw new RangeError(`storage region at 0x${r.origin.toString(16)} overlaps the previous one`);
      if (r.origin + r.storage.size > base.size) throw new RangeError(`storage region at 0x${r.origin.toString(16)} extends beyond host storage`);
      end = r.origin + r.storage.size;
    }
    this.regions = sorted;
  }

  read(address: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    this.split(address, length, (storage, at, offset, n) => out.set(storage.read(at, n), offset));
    return out;
  }

  write(address: number, data: Uint8Array): void {
    this.split(address, data.length, (storage, at, offset, n) => storage.write(at, data.subarray(offset, offset + n)));
  }

  /** Calls `fn` for each piece of [address, address + length) with the storage that holds it. */
  private split(address: number, length: number, fn: (storage: HostStorage, at: number, offset: number, n: number) => void): void {
    if (!Number.isSafeInteger(address) || !Number.isSafeInteger(length) || address < 0 || length < 0 || address + length > this.size) {
      throw new RangeError(`host storage access of ${length} bytes at 0x${address.toString(16)} is outside 0..0x${this.size.toString(16)}`);
    }
    let done = 0;
    while (done < length) {
      const at = address + done;
      const region = this.regions.find((r) => at >= r.origin && at < r.origin + r.storage.size);
      if (region !== undefined) {
        const n = Math.min(length - done, region.origin + region.storage.size - at);
        fn(region.storage, at - region.origin, done, n);
        done += n;
      } else {
        const next = this.regions.find((r) => r.origin > at);
        const n = Math.min(length - done, (next?.origin ?? this.size) - at);
        fn(this.base, at, done, n);
        done += n;
      }
    }
  }
}
