// Dynamic address translation (spec s390x-cpu.md §3; PoO chapter 3, "Dynamic Address
// Translation"): virtual → real through the region-first/second/third, segment and page tables
// designated by an address-space-control element (ASCE), with table-length/offset checks,
// invalid bits, table-type checks, DAT protection, EDAT-1 large (1 MiB) segments and region
// protection, EDAT-2 huge (2 GiB) region-third frames, and instruction-execution protection.
// Large and huge frame addresses are absolute (no prefixing); page frames are real.
//
// Entry layouts (64-bit, MSB-0 bit numbers; masks below):
//   ASCE:        origin 0–51, P (private space) 55, R (real space) 58, DT 60–61, TL 62–63
//   region entry: origin 0–51, FC 53 (region-third, EDAT-2), P 54 (EDAT-1), IEP 55 (with FC),
//                 TF 56–57, I 58, TT 60–61, TL 62–63; with FC the frame is bits 0–32
//   segment entry: page-table origin 0–52, FC 53 (EDAT-1), P 54, IEP 55 (with FC), I 58,
//                 TT 60–61 (must be 00); with FC the frame is bits 0–43
//   page entry:   frame 0–51, bit 52 zero, I 53, P 54, IEP 55 (bit 55 zero without IEP)
// Virtual address indexes: RFX 0–10, RSX 11–21, RTX 22–32, SX 33–43, PX 44–51, BX 52–63.

import { TEID_FETCH, TEID_PROTECTION_DAT, TEID_PROTECTION_IEP, TEID_STORE } from './protection.js';
import {
  PGM_ASCE_TYPE,
  PGM_PAGE_TRANSLATION,
  PGM_PROTECTION,
  PGM_REGION_FIRST_TRANSLATION,
  PGM_REGION_SECOND_TRANSLATION,
  PGM_REGION_THIRD_TRANSLATION,
  PGM_SEGMENT_TRANSLATION,
  PGM_TRANSLATION_SPECIFICATION,
  ProgramException,
} from './exceptions.js';

const TWO32 = 4294967296;

/** Entry bits in the low word of an 8-byte table entry / ASCE. */
export const DAT = {
  ASCE_REAL_SPACE: 0x20,
  DESIGNATION_TYPE: 0x0c,
  TABLE_LENGTH: 0x03,
  TABLE_OFFSET: 0xc0,
  INVALID: 0x20,
  TABLE_TYPE: 0x0c,
  SEGMENT_FC: 0x400,
  REGION_FC: 0x400,
  PROTECT: 0x200,
  NO_EXECUTE: 0x100,
  PAGE_INVALID: 0x400,
  PAGE_RESERVED: 0x800,
} as const;

/** Levels, highest first; the exception each level's index or entry raises. */
const LEVEL_EXCEPTION = [PGM_REGION_FIRST_TRANSLATION, PGM_REGION_SECOND_TRANSLATION, PGM_REGION_THIRD_TRANSLATION, PGM_SEGMENT_TRANSLATION];
/** Table type (TT/DT value) of each level: region-first 3, region-second 2, region-third 1, segment 0. */
const LEVEL_TYPE = [3, 2, 1, 0];

/** Reads an 8-byte table entry at a real address as [high word, low word]. */
export type EntryReader = (real: number) => [number, number];

export interface DatContext {
  /** ASCE as two 32-bit halves. */
  asceHi: number;
  asceLo: number;
  /** ASCE identification for the TEID: 0 primary, 1 access-register, 2 secondary, 3 home. */
  asceId: number;
  /** EDAT-1 enabled (CR0 bit 40): segment entries with FC designate 1 MiB frames; region P bits apply. */
  edat1: boolean;
  /** EDAT-2 enabled (CR0 bit 40 with the facility): region-third entries with FC designate 2 GiB frames. */
  edat2: boolean;
  /** Instruction-execution protection enabled (CR0 bit 43). */
  iep: boolean;
  /** The access is an instruction fetch (IEP applies). */
  instruction: boolean;
  readEntry: EntryReader;
}

/** A completed translation. */
export interface Translation {
  /** Real address, or absolute for a large or huge frame (`absolute`). */
  real: number;
  absolute: boolean;
  /** DAT protection applies (stores fail). */
  protectedPage: boolean;
  /** Instruction-execution protection applies (instruction fetches fail). */
  noExecute: boolean;
}

/** The 11-bit index of `level` (0 = RFX … 3 = SX) of the virtual address `vhi`:`vlo` (32-bit halves). */
function levelIndex(vhi: number, vlo: number, level: number): number {
  switch (level) {
    case 0:
      return vhi >>> 21;
    case 1:
      return (vhi >>> 10) & 0x7ff;
    case 2:
      return ((vhi & 0x3ff) << 1) | (vlo >>> 31);
    default:
      return (vlo >>> 20) & 0x7ff;
  }
}

/** A TEID: the page of `vhi`:`vlo` plus the low bits `extra`; a bigint when the page is not exact as a number. */
function teidOf(vhi: number, vlo: number, extra: number): number | bigint {
  const low = ((vlo & 0xfffff000) >>> 0) + extra;
  return vhi < 0x200000 ? vhi * TWO32 + low : (BigInt(vhi) << 32n) | BigInt(low);
}

/**
 * Translates the virtual address `vhi`:`vlo` (two exact 32-bit halves) to a real address, or
 * throws the program exception the architecture defines, with the translation-exception
 * identification. Stores to DAT-protected pages and instruction fetches from IEP pages fail here.
 */
export function translate(vhi: number, vlo: number, write: boolean, ctx: DatContext): Translation {
  const access = (write ? TEID_STORE : TEID_FETCH) + ctx.asceId;
  const fail = (code: number): never => {
    throw new ProgramException(code, 0, teidOf(vhi, vlo, access));
  };
  const done = (real: number, absolute: boolean, protectedPage: boolean, noExecute: boolean): Translation => {
    if (write && protectedPage) throw new ProgramException(PGM_PROTECTION, 0, teidOf(vhi, vlo, access + TEID_PROTECTION_DAT));
    if (ctx.instruction && noExecute) throw new ProgramException(PGM_PROTECTION, 0, teidOf(vhi, vlo, TEID_FETCH + TEID_PROTECTION_IEP + ctx.asceId));
    return { real, absolute, protectedPage, noExecute };
  };
  if ((ctx.asceLo & DAT.ASCE_REAL_SPACE) !== 0) return { real: vhi * TWO32 + vlo, absolute: false, protectedPage: false, noExecute: false };
  const dt = (ctx.asceLo & DAT.DESIGNATION_TYPE) >>> 2;
  let level = 3 - dt;
  // Index bits above the designated table must be zero.
  for (let l = 0; l < level; l++) if (levelIndex(vhi, vlo, l) !== 0) fail(PGM_ASCE_TYPE);
  let origin = ctx.asceHi * TWO32 + ((ctx.asceLo & 0xfffff000) >>> 0);
  let offset = 0;
  let length = ctx.asceLo & DAT.TABLE_LENGTH;
  let protectedPage = false;
  for (; level <= 3; level++) {
    const index = levelIndex(vhi, vlo, level);
    if (index >>> 9 < offset || index >>> 9 > length) fail(LEVEL_EXCEPTION[level]!);
    const [hi, lo] = ctx.readEntry(origin + index * 8);
    if ((lo & DAT.INVALID) !== 0) fail(LEVEL_EXCEPTION[level]!);
    if ((lo & DAT.TABLE_TYPE) >>> 2 !== LEVEL_TYPE[level]) fail(PGM_TRANSLATION_SPECIFICATION);
    // Segment protection always applies; region protection only with EDAT-1.
    if ((lo & DAT.PROTECT) !== 0 && (level === 3 || ctx.edat1)) protectedPage = true;
    if (level === 3) {
      if ((lo & DAT.SEGMENT_FC) !== 0 && ctx.edat1) {
        // 1 MiB segment frame (absolute): bits 0–43 of the entry plus bits 44–63 of the address.
        const frame = hi * TWO32 + ((lo & 0xfff00000) >>> 0);
        return done(frame + (vlo & 0xfffff), true, protectedPage, ctx.iep && (lo & DAT.NO_EXECUTE) !== 0);
      }
      origin = hi * TWO32 + ((lo & 0xfffff800) >>> 0);
      break;
    }
    if (level === 2 && (lo & DAT.REGION_FC) !== 0 && ctx.edat2) {
      // 2 GiB region-third frame (absolute): bits 0–32 of the entry plus bits 33–63 of the address.
      const frame = hi * TWO32 + ((lo & 0x80000000) >>> 0);
      return done(frame + (vlo & 0x7fffffff), true, protectedPage, ctx.iep && (lo & DAT.NO_EXECUTE) !== 0);
    }
    origin = hi * TWO32 + ((lo & 0xfffff000) >>> 0);
    offset = (lo & DAT.TABLE_OFFSET) >>> 6;
    length = lo & DAT.TABLE_LENGTH;
  }
  const px = (vlo >>> 12) & 0xff;
  const [phi, plo] = ctx.readEntry(origin + px * 8);
  if ((plo & DAT.PAGE_INVALID) !== 0) fail(PGM_PAGE_TRANSLATION);
  // Bit 52 must be zero; bit 55 too unless instruction-execution protection is installed [E: it is].
  if ((plo & DAT.PAGE_RESERVED) !== 0) fail(PGM_TRANSLATION_SPECIFICATION);
  if ((plo & DAT.PROTECT) !== 0) protectedPage = true;
  return done(phi * TWO32 + ((plo & 0xfffff000) >>> 0) + (vlo & 0xfff), false, protectedPage, ctx.iep && (plo & DAT.NO_EXECUTE) !== 0);
}
