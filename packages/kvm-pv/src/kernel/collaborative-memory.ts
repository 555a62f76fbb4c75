// Collaborative memory management (CMMA) as Linux v6.0's KVM serves it: EXTRACT AND SET STORAGE
// ATTRIBUTES (ESSA) of a plain guest, the per-page states behind it and the VM attribute that
// turns it on (KVM_S390_VM_MEM_CTRL). KVM keeps each guest page's block-usage state (stable,
// unused, potentially volatile, volatile), its no-DAT bit and a logical-zero bit in the page's
// PGSTE; here they are one byte per page of the guest RAM (`GuestRam.storageAttributes`), in the
// PGSTE's bit positions of byte 4 (usage 0x03, no-DAT 0x40, logical zero 0x80), which are also
// the values KVM_S390_GET_CMMA_BITS hands out.
//
// ESSA (handle_essa, __do_essa, pgste_perform_essa): without CMMA enabled for the VM an
// operation exception; the operation request code (M3) above 6, or above 7 with facility 147 (the
// ESSA no-DAT extension), a specification exception; R2's whole 64 bits are the page's guest
// absolute address, beyond memory an addressing exception. Then the state before the operation
// goes to R1 (usage << 2, block content 0 resident / 2 preserved / 3 logically zero, 0x20 no-DAT)
// and the operation sets the new state. In migration mode each operation that sets a state
// marks the page in the CMMA dirty bitmap (`CollaborativeMemory.markDirty`).
//
// Migration (kvm_s390_vm_start_migration, kvm_s390_get_cmma_bits, kvm_s390_set_cmma_bits): START
// marks every page dirty (the slot must log dirty pages); KVM_S390_GET_CMMA_BITS hands out the
// states from the first dirty page on, clearing the dirty bits it passes, or with the PEEK flag
// the states from `start_gfn` on without a migration; KVM_S390_SET_CMMA_BITS writes states on the
// destination. The values are the attribute byte's usage and no-DAT bits (& 0x43).
import { PGM_ADDRESSING, PGM_OPERATION, PGM_SPECIFICATION, type Cpu, type InstructionInterception } from '@pvdump/s390x-cpu';
import { CMMA_PEEK, Errno } from '../uapi/constants.js';
import type { GuestRam } from './guest-ram.js';
import { PAGE_SIZE } from './host-memory.js';

/** ESSA's operation request codes (M3). */
export const EssaOrc = {
  GET_STATE: 0,
  SET_STABLE: 1,
  SET_UNUSED: 2,
  SET_VOLATILE: 3,
  SET_POT_VOLATILE: 4,
  SET_STABLE_RESIDENT: 5,
  SET_STABLE_IF_RESIDENT: 6,
  SET_STABLE_NODAT: 7,
} as const;

/** Block-usage states (bits 60–61 of ESSA's result). */
export const BlockUsage = { STABLE: 0, UNUSED: 1, POT_VOLATILE: 2, VOLATILE: 3 } as const;

/** A page's attribute byte: the PGSTE's guest-state bits (usage, no-DAT, logical zero). */
export const PageAttribute = { USAGE: 0x03, NODAT: 0x40, ZERO: 0x80 } as const;

/** Facility 147: the ESSA no-DAT extension (ORC 7 and the no-DAT bit). */
export const ESSA_NODAT_FACILITY = 147;

/** ESSA's result bits beside the usage: block content (62–63) and no-DAT (58). */
const RESULT_PRESERVED = 2;
const RESULT_ZERO = 1;
const RESULT_NODAT = 0x20;

/**
 * One operation on a page's attribute byte (pgste_perform_essa): the new byte and whether the
 * host may discard the page's contents (an unused or volatile page that is not resident).
 * `changed` is the guest-change bit of a page that is not resident.
 */
export function essaTransition(attribute: number, orc: number, resident: boolean, changed: boolean): { attribute: number; discard: boolean } {
  const keep = attribute & ~PageAttribute.USAGE;
  let next = attribute;
  let discard = false;
  switch (orc) {
    case EssaOrc.GET_STATE:
      break;
    case EssaOrc.SET_STABLE:
      next = attribute & ~(PageAttribute.USAGE | PageAttribute.NODAT);
      break;
    case EssaOrc.SET_UNUSED:
    case EssaOrc.SET_VOLATILE:
      next = keep | (orc === EssaOrc.SET_UNUSED ? BlockUsage.UNUSED : BlockUsage.VOLATILE);
      discard = !resident;
      break;
    case EssaOrc.SET_POT_VOLATILE:
      // A resident page may become volatile later; one that is gone is volatile at once when it
      // was logically zero or unchanged (then discarded); a changed one stays stable.
      if (resident) next = keep | BlockUsage.POT_VOLATILE;
      else if ((attribute & PageAttribute.ZERO) !== 0) next = keep | BlockUsage.VOLATILE;
      else if (!changed) {
        next = keep | BlockUsage.VOLATILE;
        discard = true;
      } else next = keep;
      break;
    case EssaOrc.SET_STABLE_RESIDENT:
      // KVM does not make the page resident (it could go away again at once).
      next = keep;
      break;
    case EssaOrc.SET_STABLE_IF_RESIDENT:
      if (resident) next = keep;
      break;
    case EssaOrc.SET_STABLE_NODAT:
      next = keep | PageAttribute.NODAT;
      break;
    default:
      throw new RangeError(`ESSA operation request code ${orc} is not defined`);
  }
  if (discard) next |= PageAttribute.ZERO;
  return { attribute: next, discard };
}

/** ESSA's R1: the page's state before the operation (usage, block content, no-DAT). */
export function essaResult(attribute: number, resident: boolean): bigint {
  let result = (attribute & PageAttribute.USAGE) << 2;
  if (!resident) result |= RESULT_PRESERVED | ((attribute & PageAttribute.ZERO) !== 0 ? RESULT_ZERO : 0);
  if ((attribute & PageAttribute.NODAT) !== 0) result |= RESULT_NODAT;
  return BigInt(result);
}

/** The most values one GET or SET_CMMA_BITS handles (KVM_S390_CMMA_SIZE_MAX). */
export const CMMA_SIZE_MAX = 1 << 20;
/** GET_CMMA_BITS stops before a gap of clean pages longer than this (KVM_S390_MAX_BIT_DISTANCE). */
const MAX_BIT_DISTANCE = 16;
/** The values' bits: usage and no-DAT (the logical-zero bit stays with the host). */
const MIGRATED_BITS = PageAttribute.USAGE | PageAttribute.NODAT;

/** `struct kvm_s390_cmma_log` (GET/SET_CMMA_BITS); `remaining` is `mask` for SET. */
export interface CmmaLog {
  startGfn: bigint;
  count: number;
  flags: number;
  remaining: bigint;
  values: bigint;
}

/** The VM's CMMA settings and its migration record (kvm->arch.use_cmma, migration_mode, cmma_dirty_pages). */
export class CollaborativeMemory {
  /** KVM_S390_VM_MEM_ENABLE_CMMA was set (use_cmma). */
  enabled = false;
  /** The guest has issued ESSA, or states were set (the mm's uses_cmm): only then GET_CMMA_BITS reports states. */
  used = false;
  /** KVM_S390_VM_MIGRATION_START until STOP: every state change is recorded. */
  migrationMode = false;
  /** Pages whose state changed since GET_CMMA_BITS last handed them out (the memslot's second dirty bitmap). */
  dirty: Uint8Array | undefined = undefined;
  dirtyPages = 0;

  /** Marks `page` in the dirty bitmap (counted only when it was clear). */
  markDirty(page: number): void {
    if (this.dirty === undefined || page >= this.dirty.length * 8 || this.isDirty(page)) return;
    this.dirty[page >> 3]! |= 0x80 >> (page & 7);
    this.dirtyPages++;
  }

  private isDirty(page: number): boolean {
    return this.dirty !== undefined && (this.dirty[page >> 3]! & (0x80 >> (page & 7))) !== 0;
  }

  /** The first dirty page at or after `page`, from page 0 again when `page` is beyond memory; `pageCount` when none. */
  private nextDirty(page: number, pageCount: number): number {
    for (let p = page >= pageCount ? 0 : page; p < pageCount; p++) if (this.isDirty(p)) return p;
    return pageCount;
  }

  /**
   * KVM_S390_VM_MIGRATION_START: without CMMA only the mode; with it every page is dirty, which
   * needs memory whose slot logs dirty pages (-EINVAL otherwise).
   */
  startMigration(pageCount: number | undefined, logsDirtyPages: boolean): number {
    if (this.migrationMode) return 0;
    if (pageCount === undefined) return -Errno.EINVAL;
    if (!this.enabled) {
      this.migrationMode = true;
      return 0;
    }
    if (!logsDirtyPages) return -Errno.EINVAL;
    this.dirty = new Uint8Array(Math.ceil(pageCount / 8)).fill(0xff);
    if (pageCount % 8 !== 0) this.dirty[this.dirty.length - 1] = (0xff00 >> (pageCount % 8)) & 0xff;
    this.dirtyPages = pageCount;
    this.migrationMode = true;
    return 0;
  }

  /** KVM_S390_VM_MIGRATION_STOP. */
  stopMigration(): void {
    this.migrationMode = false;
  }

  /**
   * KVM_S390_GET_CMMA_BITS (kvm_s390_get_cmma_bits): -ENXIO without CMMA, -EINVAL for unknown
   * flags or without PEEK outside a migration; a zeroed log for a zero count, a guest that never
   * used CMMA, or a migration with no dirty page left. Returns the log to copy back, the values
   * for the user buffer and the result (0 or a negative errno: PEEK from beyond memory -EFAULT).
   */
  getBits(log: CmmaLog, attributes: Uint8Array): { log: CmmaLog; values: Uint8Array; result: number } {
    const none = new Uint8Array(0);
    if (!this.enabled) return { log, values: none, result: -Errno.ENXIO };
    if ((log.flags & ~CMMA_PEEK) !== 0) return { log, values: none, result: -Errno.EINVAL };
    const peek = (log.flags & CMMA_PEEK) !== 0;
    if (!peek && !this.migrationMode) return { log, values: none, result: -Errno.EINVAL };
    const bufsize = Math.min(log.count, CMMA_SIZE_MAX);
    if (bufsize === 0 || !this.used || (!peek && this.dirtyPages === 0)) return { log: { startGfn: 0n, count: 0, flags: 0, remaining: 0n, values: 0n }, values: none, result: 0 };
    const values = new Uint8Array(bufsize);
    const out: CmmaLog = { ...log, count: 0 };
    let result = 0;
    if (peek) {
      // From start_gfn on until the buffer or memory ends; not even one value is -EFAULT.
      for (let gfn = log.startGfn; out.count < bufsize && gfn < BigInt(attributes.length); gfn++) values[out.count++] = attributes[Number(gfn)]! & MIGRATED_BITS;
      if (out.count === 0) result = -Errno.EFAULT;
    } else this.collectDirty(out, attributes, values, bufsize);
    out.remaining = this.migrationMode ? BigInt(this.dirtyPages) : 0n;
    return { log: out, values: values.subarray(0, out.count), result };
  }

  /** kvm_s390_get_cmma: from the first dirty page on, through gaps of at most 16 clean pages, clearing the dirty bits passed. */
  private collectDirty(out: CmmaLog, attributes: Uint8Array, values: Uint8Array, bufsize: number): void {
    const pageCount = attributes.length;
    const first = this.nextDirty(out.startGfn >= BigInt(pageCount) ? pageCount : Number(out.startGfn), pageCount);
    out.startGfn = BigInt(first);
    if (first >= pageCount) return;
    let current = first;
    let next = this.nextDirty(current + 1, pageCount);
    while (out.count < bufsize) {
      if (this.isDirty(current)) {
        this.dirty![current >> 3]! &= ~(0x80 >> (current & 7));
        this.dirtyPages--;
      }
      values[out.count++] = attributes[current]! & MIGRATED_BITS;
      if (next > current + MAX_BIT_DISTANCE) return;
      if (current === next) next = this.nextDirty(current + 1, pageCount);
      // A `next` below the start (the search wrapped round) is far away, as in KVM's unsigned arithmetic.
      if (next >= pageCount || next < first || next - first >= bufsize) return;
      current++;
    }
  }

  /** KVM_S390_SET_CMMA_BITS's checks before the values are copied in: -ENXIO without CMMA, -EINVAL for flags or more than 1 MiB of values. */
  checkSetBits(log: CmmaLog): number {
    if (!this.enabled) return -Errno.ENXIO;
    if (log.flags !== 0 || log.count > CMMA_SIZE_MAX) return -Errno.EINVAL;
    return 0;
  }

  /**
   * KVM_S390_SET_CMMA_BITS (kvm_s390_set_cmma_bits): each value's usage and no-DAT bits under
   * `mask` (in the PGSTE's positions, << 24) set from `startGfn` on; a page beyond memory ends it
   * with -EFAULT. The guest counts as using CMMA afterwards.
   */
  setBits(log: CmmaLog, values: Uint8Array, attributes: Uint8Array): number {
    const mask = Number((log.remaining >> 24n) & BigInt(MIGRATED_BITS));
    let result = 0;
    for (let i = 0; i < values.length; i++) {
      const gfn = log.startGfn + BigInt(i);
      if (gfn >= BigInt(attributes.length)) {
        result = -Errno.EFAULT;
        break;
      }
      const page = Number(gfn);
      attributes[page] = (attributes[page]! & ~mask) | (values[i]! & mask);
    }
    this.used = true;
    return result;
  }

  /** KVM_S390_VM_MEM_CLR_CMMA (s390_reset_cmma): every page stable, no no-DAT bit (logical zero kept). */
  static reset(ram: Pick<GuestRam, 'storageAttributes'>): void {
    const attributes = ram.storageAttributes;
    for (let i = 0; i < attributes.length; i++) attributes[i] = attributes[i]! & ~(PageAttribute.USAGE | PageAttribute.NODAT);
  }
}

/** What ESSA needs of the VM. */
export interface CmmaVm {
  readonly cmma: CollaborativeMemory;
  readonly memory: Pick<GuestRam, 'size' | 'storageAttributes' | 'isSwapped'> | undefined;
  readonly facilities: readonly number[];
}

/** The program interruption for the intercepted ESSA (the PSW rewound to it, its length as the ILC). */
function programInterruption(cpu: Cpu, interception: InstructionInterception, code: number): true {
  cpu.setPsw({ mask: cpu.getPsw().mask, addr: interception.address });
  cpu.deliverProgramInterruption(code, interception.length, 0);
  return true;
}

/**
 * Completes an intercepted ESSA on a plain vCPU; true (the CPU runs on). The CPU has recognised
 * the privileged-operation exception. [E] A plain guest's pages are always resident (this host
 * never pages a plain guest out), so the block content is always "resident" and no operation
 * discards a page.
 */
export function extractAndSetStorageAttributes(cpu: Cpu, vm: CmmaVm, interception: InstructionInterception): boolean {
  cpu.completeInterception();
  const ram = vm.memory;
  if (!vm.cmma.enabled || ram === undefined) return programInterruption(cpu, interception, PGM_OPERATION);
  const orc = interception.fields.M3 ?? 0;
  const highest = vm.facilities.includes(ESSA_NODAT_FACILITY) ? EssaOrc.SET_STABLE_NODAT : EssaOrc.SET_STABLE_IF_RESIDENT;
  if (orc > highest) return programInterruption(cpu, interception, PGM_SPECIFICATION);
  vm.cmma.used = true;
  const address = cpu.getGpr(interception.fields.R2 ?? 0);
  if (address >= BigInt(ram.size)) return programInterruption(cpu, interception, PGM_ADDRESSING);
  const frame = Number(address / BigInt(PAGE_SIZE));
  const resident = !ram.isSwapped(frame);
  const before = ram.storageAttributes[frame]!;
  ram.storageAttributes[frame] = essaTransition(before, orc, resident, true).attribute;
  cpu.setGpr(interception.fields.R1 ?? 0, essaResult(before, resident));
  if (vm.cmma.migrationMode && orc !== EssaOrc.GET_STATE) vm.cmma.markDirty(frame);
  return true;
}
