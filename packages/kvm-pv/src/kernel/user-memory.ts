// The VMM process's address space (docs/kvm-pv-api.md §2: the ioctl structs live "at a user
// address"): private anonymous memory for the VMM's own buffers, and mappings of guest RAM that
// reach the guest's frames through the kernel's fault path (GuestRam). The kernel copies structs
// in and out with copyFromUser/copyToUser, which fail (-EFAULT) on any unmapped byte.
import type { GuestRam } from './guest-ram.js';
import { PAGE_SIZE } from './host-memory.js';

type Mapping = { start: number; length: number } & ({ kind: 'anonymous'; bytes: Uint8Array; writable: boolean } | { kind: 'guest-ram'; ram: GuestRam });

/** A user-space access to an address that is not mapped (the process would get SIGSEGV). */
export class UserFault extends Error {
  override readonly name = 'UserFault';
  constructor(
    readonly address: bigint,
    length: number,
  ) {
    super(`user access of ${length} bytes at 0x${address.toString(16)} touches unmapped memory`);
  }
}

/** First user address handed out [E]; 0 and low addresses stay unmapped so NULL faults. */
const FIRST_MAPPING = 0x10000000;

export class UserAddressSpace {
  private mappings: Mapping[] = [];
  private next = FIRST_MAPPING;

  /** mmap(MAP_ANONYMOUS|MAP_PRIVATE): zeroed memory; returns its address. */
  mmapAnonymous(length: number): bigint {
    const size = Math.ceil(Math.max(length, 1) / PAGE_SIZE) * PAGE_SIZE;
    const start = this.reserve(size);
    this.mappings.push({ start, length: size, kind: 'anonymous', bytes: new Uint8Array(size), writable: true });
    return BigInt(start);
  }

  /** mprotect: makes an anonymous mapping read-only (stores and copy_to_user then fail) or writable again. */
  protect(address: bigint, writable: boolean): void {
    const m = this.mappings.find((x) => BigInt(x.start) === address);
    if (m?.kind !== 'anonymous') throw new UserFault(address, 0);
    m.writable = writable;
  }

  /** Copies into an anonymous mapping regardless of its protection (setting up read-only data). */
  poke(address: bigint, data: Uint8Array): void {
    const m = this.find(address, data.length);
    if (m?.kind !== 'anonymous') throw new UserFault(address, data.length);
    m.bytes.set(data, Number(address) - m.start);
  }

  /** Maps guest RAM (the kernel hands out its frames); returns its address. */
  mapGuestRam(ram: GuestRam): bigint {
    const start = this.reserve(ram.size);
    this.mappings.push({ start, length: ram.size, kind: 'guest-ram', ram });
    return BigInt(start);
  }

  munmap(address: bigint): void {
    this.mappings = this.mappings.filter((m) => BigInt(m.start) !== address);
  }

  /** The guest RAM mapped at [address, address + length), with the offset of `address` in it. */
  guestRamAt(address: bigint, length: number): { ram: GuestRam; offset: number } | undefined {
    const m = this.find(address, length);
    return m?.kind === 'guest-ram' ? { ram: m.ram, offset: Number(address) - m.start } : undefined;
  }

  /** copy_from_user: the bytes, or undefined (-EFAULT) when any is unmapped or inaccessible. */
  copyFromUser(address: bigint, length: number): Uint8Array | undefined {
    const m = this.find(address, length);
    if (m === undefined) return undefined;
    const offset = Number(address) - m.start;
    if (m.kind === 'anonymous') return m.bytes.slice(offset, offset + length);
    return m.ram.hostRead(offset, length);
  }

  /** copy_to_user: false (-EFAULT) when any byte is unmapped or inaccessible. */
  copyToUser(address: bigint, data: Uint8Array): boolean {
    const m = this.find(address, data.length);
    if (m === undefined) return false;
    const offset = Number(address) - m.start;
    if (m.kind === 'anonymous') {
      if (!m.writable) return false;
      m.bytes.set(data, offset);
      return true;
    }
    return m.ram.hostWrite(offset, data);
  }

  /**
   * The bytes of the anonymous mapping at [address, address + length) themselves, not a copy: a
   * mapping the kernel shares with the process (a vCPU's `kvm_run`, which user space maps from
   * the vCPU descriptor), read and written by both without copies. Throws UserFault when unmapped.
   */
  sharedBytes(address: bigint, length: number): Uint8Array {
    const m = this.find(address, length);
    if (m?.kind !== 'anonymous') throw new UserFault(address, length);
    const offset = Number(address) - m.start;
    return m.bytes.subarray(offset, offset + length);
  }

  /** The VMM's own load: throws UserFault where the process would get SIGSEGV. */
  read(address: bigint, length: number): Uint8Array {
    const data = this.copyFromUser(address, length);
    if (data === undefined) throw new UserFault(address, length);
    return data;
  }

  /** The VMM's own store. */
  write(address: bigint, data: Uint8Array): void {
    if (!this.copyToUser(address, data)) throw new UserFault(address, data.length);
  }

  /**
   * Reads guest RAM mapped at `address` into `into` without an intermediate copy (the dump's
   * write(2) straight from the mapping). Throws UserFault like `read`.
   */
  readInto(address: bigint, into: Uint8Array): void {
    const m = this.find(address, into.length);
    if (m === undefined) throw new UserFault(address, into.length);
    const offset = Number(address) - m.start;
    if (m.kind === 'anonymous') into.set(m.bytes.subarray(offset, offset + into.length));
    else if (m.ram.hostRead(offset, into.length, into) === undefined) throw new UserFault(address, into.length);
  }

  private reserve(size: number): number {
    const start = this.next;
    this.next += size + PAGE_SIZE; // a guard page between mappings
    return start;
  }

  private find(address: bigint, length: number): Mapping | undefined {
    if (address < 0n || length < 0 || address > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
    const at = Number(address);
    return this.mappings.find((m) => at >= m.start && at + length <= m.start + m.length);
  }
}
