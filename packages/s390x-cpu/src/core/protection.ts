// Storage protection (spec s390x-cpu.md §3a; PoO chapter 3, "Protection"): key-controlled
// protection with the fetch-protection and storage-protection overrides, low-address protection,
// and the translation-exception identification a protection exception stores (enhanced
// suppression on protection: protection code in TEID bits 56, 60 and 61, access in bits 52–53).

import { SKEY_FETCH_PROTECTION } from '../memory/guest-memory.js';

/** CR0 low-word bits (bit n of the register is 1 << (63 − n)). */
export const CR0_LOW_ADDRESS_PROTECTION = 0x10000000; // bit 35
export const CR0_FETCH_PROTECTION_OVERRIDE = 0x02000000; // bit 38
export const CR0_STORAGE_PROTECTION_OVERRIDE = 0x01000000; // bit 39
export const CR0_EDAT = 0x00800000; // bit 40
export const CR0_INSTRUCTION_EXECUTION_PROTECTION = 0x00100000; // bit 43

/** TEID bits 52–53: the access that failed was a fetch (10) or a store (01). */
export const TEID_FETCH = 0x800;
export const TEID_STORE = 0x400;
/** Protection codes of a protection exception's TEID (bits 56, 60, 61). */
export const TEID_PROTECTION_DAT = 0x004;
export const TEID_PROTECTION_KEY = 0x008;
export const TEID_PROTECTION_LOW_ADDRESS = 0x080;
export const TEID_PROTECTION_IEP = 0x084;

/**
 * Whether key-controlled protection permits an access with `accessKey` to a frame whose storage
 * key is `storageKey`: key 0 and a matching key always; storage key 9 when storage-protection
 * override is on; a fetch when the frame is not fetch protected, or when fetch-protection override
 * is on and `fetchOverride` (effective address 0–2047, and DAT off or no private space).
 */
export function keyPermits(accessKey: number, storageKey: number, store: boolean, cr0Low: number, fetchOverride: boolean): boolean {
  if (accessKey === 0) return true;
  const acc = storageKey >>> 4;
  if (acc === accessKey) return true;
  if (acc === 9 && (cr0Low & CR0_STORAGE_PROTECTION_OVERRIDE) !== 0) return true;
  if (store) return false;
  if ((storageKey & SKEY_FETCH_PROTECTION) === 0) return true;
  return fetchOverride && (cr0Low & CR0_FETCH_PROTECTION_OVERRIDE) !== 0;
}

/** Effective addresses fetch-protection override applies to (0–2047). */
export function inFetchOverrideRange(logical: number): boolean {
  return logical < 2048;
}

/** Effective addresses low-address protection guards against stores: 0–511 and 4096–4607. */
export function isLowAddress(logical: number): boolean {
  return logical < 512 || (logical >= 4096 && logical < 4608);
}

/** TEID of a protection exception: the page of the logical address, the access and the protection code. */
export function protectionTeid(logical: number, store: boolean, code: number, asceId: number): number {
  return logical - (logical % 4096) + (store ? TEID_STORE : TEID_FETCH) + code + asceId;
}
