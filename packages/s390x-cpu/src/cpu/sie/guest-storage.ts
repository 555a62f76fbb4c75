// The absolute storage of a SIE guest (the SIE architecture's guest storage as Linux KVM and
// kvm-unit-tests use it): guest absolute address + MSO (no MSO with CPUSTAT_SM), bounded by MSL,
// is a host virtual address translated with the host's primary ASCE (CR1) at SIE entry. [E] The
// guest's storage is the run of host frames those translations give from guest address 0 while
// they stay contiguous; the guest CPU reads and writes them in place (shared with the host, keys
// included). An access past that run is resolved by the interpretive-execution loop: a host
// translation exception, a guest addressing exception past MSL, or a validity interception.

import type { AbsoluteStorage, InaccessibleHandler } from '../../memory/guest-memory.js';
import { PAGE_SIZE } from '../../memory/guest-memory.js';

/** A window of host absolute storage [base, base + size) seen as a guest's absolute storage. */
export class GuestStorageWindow implements AbsoluteStorage {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly storageKeys: Uint8Array;
  private readonly baseFrame: number;

  constructor(
    private readonly host: AbsoluteStorage,
    readonly base: number,
    readonly size: number,
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
    return this.host.inaccessibleCount;
  }
  get checkedFrameCount(): number {
    return this.host.checkedFrameCount;
  }
  isPageAccessible(page: number): boolean {
    return this.host.isPageAccessible(page + this.baseFrame);
  }
  get onInaccessibleAccess(): InaccessibleHandler | undefined {
    const handler = this.host.onInaccessibleAccess;
    if (handler === undefined) return undefined;
    const baseFrame = this.baseFrame;
    return (access) => handler({ ...access, absoluteAddress: access.absoluteAddress + baseFrame * PAGE_SIZE, page: access.page + baseFrame });
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
