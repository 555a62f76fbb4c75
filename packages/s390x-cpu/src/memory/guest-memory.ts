// Guest absolute storage (spec s390x-cpu.md §3): a flat byte array addressed by guest absolute
// address, shared by all CPUs of a configuration. Pages (4 KiB) can be made inaccessible to the
// CPUs, as the Ultravisor does with a secure page the host exported; a CPU that touches such a
// page asks the `onInaccessibleAccess` handler what to do. Every 4 KiB frame also has its storage
// key (PoO chapter 3, "Storage Key"): access-control bits ACC (bits 0–3), fetch-protection bit F
// (4), reference bit R (5) and change bit C (6), one byte per frame as SSKE/ISKE see it.

export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;

/** What a CPU should do after touching an inaccessible page. */
export type InaccessibleResolution =
  /** The handler made the page accessible again: retry the access. */
  | { kind: 'retry' }
  /** Raise this program interruption in the guest (nullifying, as for a translation exception). */
  | { kind: 'program'; code: number }
  /** Stop the CPU with a `page-access` stop reason; the instruction is nullified and re-runs on resume. */
  | { kind: 'stop' };

/** Details passed to the handler. */
export interface InaccessibleAccess {
  /** Absolute address of the first byte touched on the page. */
  absoluteAddress: number;
  /** Page number (absolute address >> 12). */
  page: number;
  write: boolean;
  /** Address of the CPU that touched it (its `cpuAddress`). */
  cpuAddress: number;
}

export type InaccessibleHandler = (access: InaccessibleAccess) => InaccessibleResolution;

/**
 * Program-interruption code used when no handler is installed: 0x3D, secure-storage access
 * ([E], spec §5's code for a guest touching storage it may not access).
 */
export const DEFAULT_INACCESSIBLE_CODE = 0x3d;

/** Storage-key bits in the key byte (ISKE/SSKE layout: bits 56–63 of the register). */
export const SKEY_ACC = 0xf0;
export const SKEY_FETCH_PROTECTION = 0x08;
export const SKEY_REFERENCE = 0x04;
export const SKEY_CHANGE = 0x02;
/**
 * [E] Key of every frame after power-on and clear reset: access key 0, no fetch protection, R and
 * C one (as if every frame had been referenced and changed: a conservative record). R and C are
 * recorded exactly from the moment SSKE or a reset-reference-bit instruction clears them.
 */
export const INITIAL_STORAGE_KEY = SKEY_REFERENCE | SKEY_CHANGE;

/** Interface the CPU needs from absolute storage; `GuestMemory` is the implementation. */
export interface AbsoluteStorage {
  /** Size in bytes (a multiple of 4 KiB). */
  readonly size: number;
  /** Backing bytes; CPUs read and write them directly after checking accessibility. */
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /** Number of inaccessible pages; 0 lets the CPU skip the per-page check. */
  readonly inaccessibleCount: number;
  isPageAccessible(page: number): boolean;
  onInaccessibleAccess: InaccessibleHandler | undefined;
  /** Storage key of each 4 KiB frame (absolute address >> 12). */
  readonly storageKeys: Uint8Array;
  /**
   * Frames a CPU may not access through its unchecked fast path: inaccessible frames plus frames
   * whose reference or change bit is zero (the next access must record it). 0 lets the CPU skip
   * every per-frame check.
   */
  readonly checkedFrameCount: number;
  /**
   * Grows each time a frame comes to need checking (made inaccessible, or its reference or change
   * bit cleared); with `frameNeedsCheck`, lets a CPU run fast on the frames that need none while
   * others do. Storage without them is fast only while no frame needs checking.
   */
  readonly checkEpoch?: number;
  /** Whether frame `frame` needs the checked path (inaccessible, or R or C zero). */
  frameNeedsCheck?(frame: number): boolean;
  /** Records a reference (and for `store` a change) to frame `frame` in its storage key. */
  recordAccess(frame: number, store: boolean): void;
  /** Sets the storage key of frame `frame` (SSKE and friends; R and C included). */
  setStorageKey(frame: number, key: number): void;
}

/** Largest guest memory this implementation allocates (4 GiB); a JS typed array limit. */
export const MAX_MEMORY_SIZE = 4 * 1024 * 1024 * 1024;

export class GuestMemory implements AbsoluteStorage {
  readonly size: number;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  private readonly inaccessible: Uint8Array;
  /** Number of inaccessible pages (a plain field: the CPU reads it on every storage access). */
  inaccessibleCount = 0;
  readonly storageKeys: Uint8Array;
  /** Frames whose R or C bit is zero. */
  private unrecordedCount = 0;
  checkedFrameCount = 0;
  checkEpoch = 0;
  onInaccessibleAccess: InaccessibleHandler | undefined = undefined;

  constructor(size: number) {
    if (!Number.isInteger(size) || size <= 0 || size % PAGE_SIZE !== 0 || size > MAX_MEMORY_SIZE) {
      throw new RangeError(`guest memory size ${size} must be a positive multiple of 4096 up to 4 GiB`);
    }
    this.size = size;
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
    this.inaccessible = new Uint8Array(size / PAGE_SIZE);
    this.storageKeys = new Uint8Array(size / PAGE_SIZE).fill(INITIAL_STORAGE_KEY);
  }

  recordAccess(frame: number, store: boolean): void {
    const key = this.storageKeys[frame]!;
    this.setStorageKey(frame, key | SKEY_REFERENCE | (store ? SKEY_CHANGE : 0));
  }

  setStorageKey(frame: number, key: number): void {
    const old = this.storageKeys[frame];
    if (old === undefined) throw new RangeError(`frame ${frame} outside guest memory of ${this.storageKeys.length} frames`);
    const value = key & 0xfe;
    this.storageKeys[frame] = value;
    const full = SKEY_REFERENCE | SKEY_CHANGE;
    const wasRecorded = (old & full) === full;
    const isRecorded = (value & full) === full;
    if (wasRecorded !== isRecorded) {
      if (!isRecorded) this.checkEpoch++;
      this.unrecordedCount += isRecorded ? -1 : 1;
      this.checkedFrameCount = this.inaccessibleCount + this.unrecordedCount;
    }
  }

  /** Storage key of frame `frame`. */
  getStorageKey(frame: number): number {
    const key = this.storageKeys[frame];
    if (key === undefined) throw new RangeError(`frame ${frame} outside guest memory of ${this.storageKeys.length} frames`);
    return key;
  }

  /** Clear reset: every storage key back to its initial value. */
  resetStorageKeys(): void {
    this.storageKeys.fill(INITIAL_STORAGE_KEY);
    this.unrecordedCount = 0;
    this.checkedFrameCount = this.inaccessibleCount;
  }

  get pageCount(): number {
    return this.inaccessible.length;
  }

  frameNeedsCheck(frame: number): boolean {
    return this.inaccessible[frame] !== 0 || (this.storageKeys[frame]! & (SKEY_REFERENCE | SKEY_CHANGE)) !== (SKEY_REFERENCE | SKEY_CHANGE);
  }
  isPageAccessible(page: number): boolean {
    return this.inaccessible[page] === 0;
  }

  /** Makes page `page` (absolute address >> 12) accessible or not to the CPUs. */
  setPageAccessible(page: number, accessible: boolean): void {
    this.checkPage(page);
    const was = this.inaccessible[page] === 0;
    if (was === accessible) return;
    this.inaccessible[page] = accessible ? 0 : 1;
    if (!accessible) this.checkEpoch++;
    this.inaccessibleCount += accessible ? -1 : 1;
    this.checkedFrameCount = this.inaccessibleCount + this.unrecordedCount;
  }

  /** Copies `length` bytes at absolute `address` (host view: ignores accessibility). */
  read(address: number, length: number): Uint8Array {
    this.checkRange(address, length);
    return this.bytes.slice(address, address + length);
  }

  /** Writes `data` at absolute `address` (host view: ignores accessibility). */
  write(address: number, data: Uint8Array): void {
    this.checkRange(address, data.length);
    this.bytes.set(data, address);
  }

  /** A live view of `length` bytes at `address` (no copy). */
  subarray(address: number, length: number): Uint8Array {
    this.checkRange(address, length);
    return this.bytes.subarray(address, address + length);
  }

  readU64(address: number): bigint {
    this.checkRange(address, 8);
    return this.view.getBigUint64(address);
  }
  writeU64(address: number, value: bigint): void {
    this.checkRange(address, 8);
    this.view.setBigUint64(address, BigInt.asUintN(64, value));
  }
  readU32(address: number): number {
    this.checkRange(address, 4);
    return this.view.getUint32(address);
  }
  writeU32(address: number, value: number): void {
    this.checkRange(address, 4);
    this.view.setUint32(address, value >>> 0);
  }
  readU16(address: number): number {
    this.checkRange(address, 2);
    return this.view.getUint16(address);
  }
  writeU16(address: number, value: number): void {
    this.checkRange(address, 2);
    this.view.setUint16(address, value & 0xffff);
  }

  private checkRange(address: number, length: number): void {
    if (!Number.isInteger(address) || !Number.isInteger(length) || address < 0 || length < 0 || address + length > this.size) {
      throw new RangeError(`guest memory access of ${length} bytes at 0x${address.toString(16)} is outside 0..0x${this.size.toString(16)}`);
    }
  }

  private checkPage(page: number): void {
    if (!Number.isInteger(page) || page < 0 || page >= this.inaccessible.length) {
      throw new RangeError(`page ${page} outside guest memory of ${this.inaccessible.length} pages`);
    }
  }
}
