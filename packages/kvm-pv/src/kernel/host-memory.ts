// The host machine's absolute storage as the kernel manages it (docs/ultravisor.md §7 [E]):
// a sparse base for kernel memory (UV storage, donated storage, bounce buffers) with the frames
// of each guest's RAM mapped over it, so that the CPU interpreter (which works on the guest's
// flat `GuestMemory`) and the Ultravisor (which works on host addresses) share the same bytes.
import { SparseHostStorage, type HostStorage } from '@pvdump/ultravisor';

export const PAGE_SIZE = 4096;

interface Region {
  origin: number;
  storage: HostStorage;
}

export class HostMemory implements HostStorage {
  readonly size: number;
  private readonly base: SparseHostStorage;
  private regions: Region[] = [];

  constructor(size: number) {
    this.base = new SparseHostStorage(size);
    this.size = size;
  }

  /** Maps `storage` (4 KiB-aligned, not overlapping another mapping) at host address `origin`. */
  map(origin: number, storage: HostStorage): void {
    if (origin % PAGE_SIZE !== 0 || storage.size % PAGE_SIZE !== 0 || origin + storage.size > this.size) {
      throw new RangeError(`host mapping at 0x${origin.toString(16)} of 0x${storage.size.toString(16)} bytes is not page-aligned inside host storage`);
    }
    for (const r of this.regions) {
      if (origin < r.origin + r.storage.size && r.origin < origin + storage.size) throw new RangeError(`host mapping at 0x${origin.toString(16)} overlaps one at 0x${r.origin.toString(16)}`);
    }
    this.regions = [...this.regions, { origin, storage }].sort((a, b) => a.origin - b.origin);
  }

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

  /** The mapping holding all of [address, address + length), if one does (the common case). */
  private inside(address: number, length: number): Region | undefined {
    for (const r of this.regions) {
      if (address >= r.origin && address + length <= r.origin + r.storage.size) return r;
    }
    return undefined;
  }

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

/**
 * First-fit allocator for kernel memory (page granular). `refuse` lets tests make an allocation
 * fail, as vmalloc can, to reach the -ENOMEM paths.
 */
export class KernelAllocator {
  private free: { start: number; length: number }[];
  refuse: ((length: number) => boolean) | undefined = undefined;

  constructor(start: number, end: number) {
    this.free = [{ start, length: end - start }];
  }

  /** A page-aligned block of at least `length` bytes, or undefined when none is left (or refused). */
  alloc(length: number): number | undefined {
    if (this.refuse?.(length) === true) return undefined;
    const size = Math.ceil(Math.max(length, 1) / PAGE_SIZE) * PAGE_SIZE;
    const i = this.free.findIndex((b) => b.length >= size);
    if (i < 0) return undefined;
    const block = this.free[i]!;
    const start = block.start;
    if (block.length === size) this.free.splice(i, 1);
    else this.free[i] = { start: start + size, length: block.length - size };
    return start;
  }

  release(start: number, length: number): void {
    const size = Math.ceil(Math.max(length, 1) / PAGE_SIZE) * PAGE_SIZE;
    this.free.push({ start, length: size });
    this.free.sort((a, b) => a.start - b.start);
    const merged: { start: number; length: number }[] = [];
    for (const b of this.free) {
      const last = merged[merged.length - 1];
      if (last !== undefined && last.start + last.length === b.start) last.length += b.length;
      else merged.push({ ...b });
    }
    this.free = merged;
  }
}
