// The host machine's absolute storage as the kernel manages it (docs/ultravisor.md §7 [E]):
// a sparse base for kernel memory (UV storage, donated storage, bounce buffers) with the frames
// of each guest's RAM mapped over it, so that the CPU interpreter (which works on the guest's
// flat `GuestMemory`) and the Ultravisor (which works on host addresses) share the same bytes.
import { MappedHostStorage, SparseHostStorage } from '@pvdump/ultravisor';

export const PAGE_SIZE = 4096;

/** Kernel memory on a sparse base, with each guest's RAM frames mapped over it. */
export class HostMemory extends MappedHostStorage {
  constructor(size: number) {
    super(new SparseHostStorage(size));
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
