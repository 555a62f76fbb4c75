// Whole-frame instructions (PoO chapter 10; docs §3a): MOVE PAGE (MVPG) with its key-selection
// and condition-code-option controls in GR0, PERFORM FRAME MANAGEMENT FUNCTION (PFMF, part of
// EDAT-1) setting storage keys and clearing 4 KiB, 1 MiB or 2 GiB frames, and TEST BLOCK.

import type { CpuCore } from '../../core/cpu-core.js';
import {
  PGM_ASCE_TYPE,
  PGM_PAGE_TRANSLATION,
  PGM_PRIVILEGED,
  PGM_PROTECTION,
  PGM_REGION_FIRST_TRANSLATION,
  PGM_REGION_SECOND_TRANSLATION,
  PGM_REGION_THIRD_TRANSLATION,
  PGM_SEGMENT_TRANSLATION,
  ProgramException,
} from '../../core/exceptions.js';
import { CR0_LOW_ADDRESS_PROTECTION, TEID_PROTECTION_LOW_ADDRESS, TEID_STORE } from '../../core/protection.js';
import { SKEY_CHANGE, SKEY_REFERENCE } from '../../memory/guest-memory.js';
import { def, defPriv } from '../define.js';
import { fRreR1, fRreR2, type InsnA } from '../fields.js';
import { OUT_HI, OUT_LO, setAddressReg, splitAddress } from '../general/alu.js';
import type { InstructionDef } from '../types.js';
import { requireStorageKeys } from './storage-key-removal.js';

const PAGE = 4096;
/** Real lowcore byte where a translation exception of MVPG stores the instruction's R1/R2 byte. */
const OPERAND_ACCESS_ID = 0xa2;
/** Exceptions MVPG's condition-code option turns into a condition code. */
const TRANSLATION_CODES = new Set([PGM_SEGMENT_TRANSLATION, PGM_PAGE_TRANSLATION, PGM_ASCE_TYPE, PGM_REGION_FIRST_TRANSLATION, PGM_REGION_SECOND_TRANSLATION, PGM_REGION_THIRD_TRANSLATION]);

/**
 * Runs `access` with access key `key` instead of the PSW key when `key` is defined (MVPG's key
 * selection), restoring the PSW key afterwards even when the access fails.
 */
function withAccessKey<T>(cpu: CpuCore, key: number | undefined, access: () => T): T {
  if (key === undefined) return access();
  const saved = cpu.pswKey;
  cpu.setPswKey(key);
  try {
    return access();
  } finally {
    cpu.setPswKey(saved);
  }
}

/**
 * MVPG R1,R2: copies the 4 KiB page R2 designates to the page R1 designates. GR0 bit 55 (CCO)
 * turns a translation exception of the source into CC 2 and of the destination into CC 1;
 * bits 52 (destination) and 53 (source) select the key in bits 56–59 for that access (both: a
 * specification exception; the problem state needs the key's PSW-key-mask bit); bits 48–51
 * must be zero (the move-page-and-set-key functions are not offered). CC 0 on success.
 */
function movePage(cpu: CpuCore, a: InsnA<'RRE'>): void {
  const r1 = fRreR1(a);
  const r2 = fRreR2(a);
  const gr0 = cpu.r[1]!;
  const dks = (gr0 & 0x800) !== 0;
  const sks = (gr0 & 0x400) !== 0;
  const cco = (gr0 & 0x100) !== 0;
  cpu.requireSpec((gr0 & 0xf000) === 0 && !(dks && sks));
  const key = (gr0 >>> 4) & 15;
  if ((dks || sks) && cpu.problemState && (cpu.cr[2 * 3 + 1]! & (0x80000000 >>> key)) === 0) throw new ProgramException(PGM_PRIVILEGED);
  const dest = cpu.gprAddress(r1);
  const src = cpu.gprAddress(r2);
  const destPage = dest - (dest % PAGE);
  const srcPage = src - (src % PAGE);
  const translate = (page: number, store: boolean, ccOnFault: number, useKey: boolean): number | undefined => {
    try {
      return withAccessKey(cpu, useKey ? key : undefined, () => cpu.absolute(page, store));
    } catch (e) {
      if (e instanceof ProgramException && TRANSLATION_CODES.has(e.code)) {
        if (cco) {
          cpu.cc = ccOnFault;
          return undefined;
        }
        cpu.writeRealU8(OPERAND_ACCESS_ID, (r1 << 4) | r2);
      }
      throw e;
    }
  };
  const from = translate(srcPage, false, 2, sks);
  if (from === undefined) return;
  const to = translate(destPage, true, 1, dks);
  if (to === undefined) return;
  cpu.mem.bytes.copyWithin(to, from, from + PAGE);
  cpu.noteHostStore(destPage, PAGE);
  cpu.cc = 0;
}

/**
 * PFMF R1,R2: for the frame (FSC 0, 4 KiB, real address), or every frame from R2 to the next
 * 1 MiB (FSC 1) or 2 GiB (FSC 2) boundary (absolute addresses; R2 then points at the boundary):
 * SK sets the storage key from R1 bits 56–62 (MR / MC keep the old R / C bits), CF clears the
 * frame. Reserved bits or an invalid FSC are a specification exception; clearing frame 0 or 1
 * under low-address protection is a protection exception.
 */
function performFrameManagement(cpu: CpuCore, a: InsnA<'RRE'>): void {
  const r1 = fRreR1(a);
  const r2 = fRreR2(a);
  const hi = cpu.r[2 * r1]!;
  const lo = cpu.r[2 * r1 + 1]!;
  const setKey = (lo & 0x20000) !== 0;
  const clear = (lo & 0x10000) !== 0;
  const fsc = (lo >>> 12) & 7;
  const keepR = (lo & 0x400) !== 0;
  const keepC = (lo & 0x200) !== 0;
  // Bits 0–43, 52 and 55 reserved; FSC 0 (4 KiB), 1 (1 MiB, EDAT-1) and 2 (2 GiB, EDAT-2) are installed.
  cpu.requireSpec(hi === 0 && (lo & 0xfff00900) === 0 && fsc <= 2);
  if (setKey) requireStorageKeys(cpu);
  const addr = cpu.gprAddress(r2);
  const size = fsc === 0 ? PAGE : fsc === 1 ? 0x100000 : 0x80000000;
  const first = addr - (addr % PAGE);
  const end = fsc === 0 ? first + PAGE : addr - (addr % size) + size;
  const lowProtect = clear && (cpu.cr[1]! & CR0_LOW_ADDRESS_PROTECTION) !== 0;
  for (let frame = first; frame < end; frame += PAGE) {
    const abs = fsc === 0 ? cpu.realToAbsoluteChecked(frame) : cpu.absoluteFrameChecked(frame);
    if (lowProtect && fsc === 0 && frame < 2 * PAGE) throw new ProgramException(PGM_PROTECTION, 0, frame + TEID_STORE + TEID_PROTECTION_LOW_ADDRESS);
    const f = abs / PAGE;
    if (setKey) {
      const old = cpu.mem.storageKeys[f]!;
      let key = lo & 0xf8;
      key |= keepR ? old & SKEY_REFERENCE : lo & SKEY_REFERENCE;
      key |= keepC ? old & SKEY_CHANGE : lo & SKEY_CHANGE;
      cpu.mem.setStorageKey(f, key);
    }
    if (clear) {
      cpu.mem.bytes.fill(0, abs, abs + PAGE);
      cpu.noteHostStore(frame, PAGE);
    }
  }
  if (fsc !== 0) {
    splitAddress(cpu, cpu.wrap(end));
    setAddressReg(cpu, r2, OUT_HI, OUT_LO);
  }
  cpu.controlRegistersChanged();
}

/**
 * TB R1,R2: clears the 4 KiB block whose real address R2 holds and reports it usable (CC 0) [E:
 * storage never fails]. Low-address protection applies; a block beyond memory is an addressing
 * exception.
 */
function testBlock(cpu: CpuCore, a: InsnA<'RRE'>): void {
  const addr = cpu.gprAddress(fRreR2(a));
  const block = addr - (addr % PAGE);
  const abs = cpu.realToAbsoluteChecked(block);
  if ((cpu.cr[1]! & CR0_LOW_ADDRESS_PROTECTION) !== 0 && block < 2 * PAGE) {
    throw new ProgramException(PGM_PROTECTION, 0, block + TEID_STORE + TEID_PROTECTION_LOW_ADDRESS);
  }
  cpu.mem.bytes.fill(0, abs, abs + PAGE);
  cpu.mem.recordAccess(abs / PAGE, true);
  cpu.noteHostStore(block, PAGE);
  cpu.cc = 0;
}

export const frameInstructions: InstructionDef[] = [def('mvpg', 0xb254, 'RRE', 'r:R1,r:R2', movePage), defPriv('pfmf', 0xb9af, 'RRE', 'r:R1,r:R2', performFrameManagement), defPriv('tb', 0xb22c, 'RRE', 'r:R1,r:R2', testBlock)];
