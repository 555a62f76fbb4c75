// The absolute storage of a SIE guest (the SIE architecture's guest storage as Linux KVM and
// kvm-unit-tests use it): guest absolute address + MSO (no MSO with CPUSTAT_SM), bounded by MSL,
// is a host virtual address translated with the host's primary ASCE (CR1) at SIE entry. [E] The
// guest's storage is the run of host frames those translations give from guest address 0 while
// they stay contiguous; the guest CPU reads and writes them in place (shared with the host, keys
// included). Pages the host has not mapped inside that run are holes: a guest access to one stops
// the guest CPU (nullified) so the interpretive-execution loop can raise the host's translation
// exception. An access past the run is resolved there too: a host translation exception, a guest
// addressing exception past MSL, or a validity interception.

import type { AbsoluteStorage, InaccessibleHandler, InaccessibleResolution } from '../../memory/guest-memory.js';
import { DEFAULT_INACCESSIBLE_CODE, PAGE_SIZE } from '../../memory/guest-memory.js';

/** A window of host absolute storage [base, base + size) seen as a guest's absolute storage. */
export class GuestStorageWindow implements AbsoluteStorage {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly storageKeys: Uint8Array;
  private readonly baseFrame: number;

  /**
   * @param holes guest pages (absolute address >> 12) inside the window the host has not mapped:
   * an access to one stops the guest CPU with a `page-access` stop.
   */
  constructor(
    private readonly host: AbsoluteStorage,
    readonly base: number,
    readonly size: number,
    private readonly holes: ReadonlySet<number> = new Set(),
  ) {
    if (base % PAGE_SIZE !== 0 || size % PAGE_SIZE !== 0 || size <= 0 || base + size > host.size) {
      throw new RangeError(`guest storage window 0x${base.toString(16)}+0x${size.toString(16)} must be whole pages inside host storage`);
    }
    this.baseFrame = base / PAGE_SIZE;
    this.bytes = host.bytes.subarray(base, base + size);
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, size);
    this.storageKeys = host.storageKeys.subarray(this.baseFrame, this.baseFrame + size / PAGE_SIZE);
  }

  get inaccessibleCount(): number {
    return this.host.inaccessibleCount + this.holes.size;
  }
  get checkedFrameCount(): number {
    return this.host.checkedFrameCount + this.holes.size;
  }
  isPageAccessible(page: number): boolean {
    return !this.holes.has(page) && this.host.isPageAccessible(page + this.baseFrame);
  }
  get onInaccessibleAccess(): InaccessibleHandler | undefined {
    const handler = this.host.onInaccessibleAccess;
    const baseFrame = this.baseFrame;
    const holes = this.holes;
    if (handler === undefined && holes.size === 0) return undefined;
    return (access): InaccessibleResolution => {
      if (holes.has(access.page)) return { kind: 'stop' };
      if (handler === undefined) return { kind: 'program', code: DEFAULT_INACCESSIBLE_CODE };
      return handler({ ...access, absoluteAddress: access.absoluteAddress + baseFrame * PAGE_SIZE, page: access.page + baseFrame });
    };
  }
  set onInaccessibleAccess(_handler: InaccessibleHandler | undefined) {
    throw new Error('the inaccessible-page handler of a SIE guest is its host storage’s');
  }
  recordAccess(frame: number, store: boolean): void {
    this.host.recordAccess(frame + this.baseFrame, store);
  }
  setStorageKey(frame: number, key: number): void {
    this.host.setStorageKey(frame + this.baseFrame, key);
  }
}
