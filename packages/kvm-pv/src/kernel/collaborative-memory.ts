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
import { PGM_ADDRESSING, PGM_OPERATION, PGM_SPECIFICATION, type Cpu, type InstructionInterception } from '@pvdump/s390x-cpu';
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

/** The VM's CMMA settings and its migration record (kvm->arch.use_cmma, migration_mode, cmma_dirty_pages). */
export class CollaborativeMemory {
  /** KVM_S390_VM_MEM_ENABLE_CMMA was set (use_cmma). */
  enabled = false;
  /** The guest has issued ESSA (the mm's uses_cmm): only then GET_CMMA_BITS reports states. */
  used = false;
  /** KVM_S390_VM_MIGRATION_START until STOP: every state change is recorded. */
  migrationMode = false;
  /** Pages whose state changed since GET_CMMA_BITS last handed them out (the memslot's second dirty bitmap). */
  dirty: Uint8Array | undefined = undefined;
  dirtyPages = 0;

  /** Marks `page` in the dirty bitmap (counted only when it was clear). */
  markDirty(page: number): void {
    if (this.dirty === undefined || page >= this.dirty.length * 8) return;
    const bit = 0x80 >> (page & 7);
    if ((this.dirty[page >> 3]! & bit) !== 0) return;
    this.dirty[page >> 3]! |= bit;
    this.dirtyPages++;
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
