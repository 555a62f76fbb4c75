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
  private regions: readonly StorageRegion[] = [];

  constructor(
    private readonly base: HostStorage,
    regions: readonly StorageRegion[] = [],
  ) {
    this.size = base.size;
    for (const r of regions) this.map(r.origin, r.storage);
  }

  /** Maps `storage` (4 KiB-aligned, not overlapping another mapping) at host address `origin`. */
  map(origin: number, storage: HostStorage): void {
    if (origin % PAGE_SIZE !== 0 || storage.size % PAGE_SIZE !== 0) throw new RangeError(`storage region at 0x${origin.toString(16)} is not 4 KiB-aligned`);
    if (origin + storage.size > this.size) throw new RangeError(`storage region at 0x${origin.toString(16)} extends beyond host storage`);
    for (const r of this.regions) {
      if (origin < r.origin + r.storage.size && r.origin < origin + storage.size) throw new RangeError(`storage region at 0x${origin.toString(16)} overlaps the one at 0x${r.origin.toString(16)}`);
    }
    this.regions = [...this.regions, { origin, storage }].sort((a, b) => a.origin - b.origin);
  }

  /** Removes the mapping at `origin`; its range reads from the base storage again. */
  unmap(origin: number): void {
    this.regions = this.regions.filter((r) => r.origin !== origin);
  }

  read(address: number, length: number): Uint8Array {
    const region = this.inside(address, length);
    if (region !== undefined) return region.storage.read(address - region.origin, length);
    const out = new Uint8Array(length);
    this.split(address, length, (storage, at, offset, n) => out.set(storage.read(at, n), offset));
    return out;
  }

  write(address: number, data: Uint8Array): void {
    const region = this.inside(address, data.length);
    if (region !== undefined) return region.storage.write(address - region.origin, data);
    this.split(address, data.length, (storage, at, offset, n) => storage.write(at, data.subarray(offset, offset + n)));
  }

  subarray(address: number, length: number): Uint8Array | undefined {
    const region = this.inside(address, length);
    return region?.storage.subarray?.(address - region.origin, length);
  }

  /** The mapping holding all of [address, address + length), if one does (the common case). */
  private inside(address: number, length: number): StorageRegion | undefined {
    for (const r of this.regions) {
      if (address >= r.origin && address + length <= r.origin + r.storage.size) return r;
    }
    return undefined;
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
