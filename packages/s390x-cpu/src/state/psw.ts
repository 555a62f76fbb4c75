// PSW layout and helpers (spec s390x-cpu.md §2): the 16-byte z/Architecture PSW, its fields,
// addressing modes, validity, and conversion from the 8-byte ESA-format PSW used by LPSW and IPL.

import type { Psw } from '@pvdump/s390x-arch';

/** A 16-byte PSW as plain data (the register model's, @pvdump/s390x-arch). */
export type { Psw };

export const PSW_MASK_PER = 0x4000000000000000n;
export const PSW_MASK_DAT = 0x0400000000000000n;
export const PSW_MASK_IO = 0x0200000000000000n;
export const PSW_MASK_EXT = 0x0100000000000000n;
export const PSW_MASK_KEY = 0x00f0000000000000n;
export const PSW_SHIFT_KEY = 52n;
/** Bit 12: must be 0 in a 16-byte PSW, is 1 in an 8-byte PSW. */
export const PSW_MASK_SHORT = 0x0008000000000000n;
export const PSW_MASK_MCHECK = 0x0004000000000000n;
export const PSW_MASK_WAIT = 0x0002000000000000n;
export const PSW_MASK_PSTATE = 0x0001000000000000n;
export const PSW_MASK_ASC = 0x0000c00000000000n;
export const PSW_SHIFT_ASC = 46n;
export const PSW_MASK_CC = 0x0000300000000000n;
export const PSW_SHIFT_CC = 44n;
export const PSW_MASK_PM = 0x00000f0000000000n;
export const PSW_SHIFT_PM = 40n;
export const PSW_MASK_RI = 0x0000008000000000n;
export const PSW_MASK_EA = 0x0000000100000000n;
export const PSW_MASK_BA = 0x0000000080000000n;
/** Bits that must be zero in a loaded 16-byte PSW (QEMU treats bit 24, RI, as reserved too). */
export const PSW_MASK_RESERVED = 0xb80800fe7fffffffn;

/** Common masks (§2). */
export const PSW_MASK_64 = 0x0000000180000000n;
export const PSW_MASK_DISABLED_WAIT_64 = 0x0002000180000000n;

export type AddressingMode = 24 | 31 | 64;
export type AddressSpaceControl = 'primary' | 'access-register' | 'secondary' | 'home';

const ASC_NAMES: readonly AddressSpaceControl[] = ['primary', 'access-register', 'secondary', 'home'];

/** Addressing mode from the EA/BA bits; `undefined` for the invalid combination EA=1, BA=0. */
export function pswAddressingMode(mask: bigint): AddressingMode | undefined {
  const ea = (mask & PSW_MASK_EA) !== 0n;
  const ba = (mask & PSW_MASK_BA) !== 0n;
  if (ea && ba) return 64;
  if (ba) return 31;
  if (ea) return undefined;
  return 24;
}

/** Mask with the EA/BA bits set for `mode`. */
export function pswWithAddressingMode(mask: bigint, mode: AddressingMode): bigint {
  const cleared = mask & ~(PSW_MASK_EA | PSW_MASK_BA);
  if (mode === 64) return cleared | PSW_MASK_EA | PSW_MASK_BA;
  if (mode === 31) return cleared | PSW_MASK_BA;
  return cleared;
}

/** Highest instruction address valid in `mode`. */
export function addressLimit(mode: AddressingMode): bigint {
  return mode === 64 ? 0xffffffffffffffffn : mode === 31 ? 0x7fffffffn : 0xffffffn;
}

export function pswConditionCode(mask: bigint): number {
  return Number((mask & PSW_MASK_CC) >> PSW_SHIFT_CC);
}
export function pswWithConditionCode(mask: bigint, cc: number): bigint {
  return (mask & ~PSW_MASK_CC) | (BigInt(cc & 3) << PSW_SHIFT_CC);
}
export function pswKey(mask: bigint): number {
  return Number((mask & PSW_MASK_KEY) >> PSW_SHIFT_KEY);
}
export function pswProgramMask(mask: bigint): number {
  return Number((mask & PSW_MASK_PM) >> PSW_SHIFT_PM);
}
export function pswAddressSpace(mask: bigint): AddressSpaceControl {
  return ASC_NAMES[Number((mask & PSW_MASK_ASC) >> PSW_SHIFT_ASC)] ?? 'primary';
}
export function pswIsWait(mask: bigint): boolean {
  return (mask & PSW_MASK_WAIT) !== 0n;
}
export function pswIsProblemState(mask: bigint): boolean {
  return (mask & PSW_MASK_PSTATE) !== 0n;
}
export function pswIsDat(mask: bigint): boolean {
  return (mask & PSW_MASK_DAT) !== 0n;
}
/** A disabled wait: wait bit set with I/O and external interruptions masked off. */
export function pswIsDisabledWait(mask: bigint): boolean {
  return pswIsWait(mask) && (mask & (PSW_MASK_IO | PSW_MASK_EXT)) === 0n;
}

/**
 * Why a PSW cannot be loaded, or `undefined` when it is valid (§2): reserved bits, EA without
 * BA, or an address beyond the addressing mode. Loading such a PSW is an early specification
 * exception.
 */
export function pswInvalidReason(psw: Psw): string | undefined {
  if ((psw.mask & PSW_MASK_RESERVED) !== 0n) {
    return `reserved PSW mask bits set (0x${(psw.mask & PSW_MASK_RESERVED).toString(16)})`;
  }
  const mode = pswAddressingMode(psw.mask);
  if (mode === undefined) return 'extended addressing without basic addressing (EA=1, BA=0)';
  if (psw.addr > addressLimit(mode)) return `address 0x${psw.addr.toString(16)} exceeds ${mode}-bit addressing`;
  return undefined;
}

/** Converts an 8-byte ESA-format PSW (two 32-bit words) to the 16-byte form (§2). */
export function shortPswToPsw(word0: number, word1: number): Psw {
  const mask = (BigInt((word0 & ~0x00080000) >>> 0) << 32n) | BigInt((word1 & 0x80000000) >>> 0);
  return { mask, addr: BigInt((word1 & 0x7fffffff) >>> 0) };
}

/** Whether word 0 of an 8-byte PSW has bit 12 set, as LPSW requires. */
export function shortPswHasFormatBit(word0: number): boolean {
  return (word0 & 0x00080000) !== 0;
}

/**
 * Converts a 16-byte PSW to the 8-byte ESA format; only possible for 24/31-bit addresses.
 * Returns the two words.
 */
export function pswToShortPsw(psw: Psw): [number, number] {
  const hi = Number((psw.mask >> 32n) & 0xffffffffn);
  const ba = Number(psw.mask & PSW_MASK_BA) !== 0 ? 0x80000000 : 0;
  const word0 = (hi | 0x00080000) >>> 0;
  const word1 = (ba | Number(psw.addr & 0x7fffffffn)) >>> 0;
  return [word0, word1];
}

/** Formats a PSW the way QEMU's `info registers` does: mask and address as 16 hex digits. */
export function formatPsw(psw: Psw): string {
  return `mask ${psw.mask.toString(16).padStart(16, '0')} addr ${psw.addr.toString(16).padStart(16, '0')}`;
}
