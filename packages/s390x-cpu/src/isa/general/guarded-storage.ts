// Guarded-storage facility (facility 133, z14; PoO chapter 7 "Guarded Storage"): LOAD GUARDED
// (LGG) and LOAD LOGICAL AND SHIFT GUARDED (LLGFSG) load a pointer and, when the guarded-storage
// facility is enabled (CR2 bit 59) and the pointer falls in a guarded section, branch to the
// program's guarded-storage event handler instead of loading it; LOAD / STORE GUARDED STORAGE
// CONTROLS (LGSC, STGSC) move the 32-byte guarded-storage control block (reserved, GSD, GSSM,
// GSEPLA) between storage and the CPU (special-operation exception when CR2 bit 59 is off).
//
// GSD: guarded-storage origin in bits 0–(63−GSC), guarded-load shift (GLS) in bits 53–55,
// guarded-storage characteristic (GSC) in bits 58–63: the guarded region is 2^GSC bytes
// (GSC 25–56), 64 sections of 2^(GSC−6) bytes, GSSM bit n guards section n.
// Event parameter list at GSEPLA: +1 GSEAM (addressing mode: PSW bits 31–32), +2 GSECI (bit 7:
// 0 LGG, 1 LLGFSG; the transactional bits stay 0), +3 GSEAI (bit 1 DAT mode, bits 2–3 the
// address-space control, bits 4–7 the access register B2 in access-register mode), +8 GSEHA
// (handler address, set by the program), +16 GSEIA (instruction address), +24 GSEOA (operand
// address), +32 GSEIR (intermediate result), +40 GSERA (return address: the instruction itself,
// as no transaction is running).

import { gsCbFromWords, gsCbWords } from '@pvdump/s390x-arch';
import type { CpuCore } from '../../core/cpu-core.js';
import { PGM_OPERATION, PGM_SPECIAL_OPERATION } from '../../core/exceptions.js';
import { fB2, fR1, fX2, fD20, type InsnA, type InsnB } from '../fields.js';
import { defFacility } from '../define.js';
import type { InstructionDef } from '../types.js';
import { OUT_HI, OUT_LO, read64 } from './alu.js';

/** Facility bit of guarded storage (PoO "Facility indications"). */
export const GUARDED_STORAGE_FACILITY = 133;
/** CR2 bit 59, in the low word of CR2: the guarded-storage facility is enabled. */
const CR2_GUARDED_STORAGE = 0x10;
/** Offsets in the guarded-storage event parameter list. */
const GSEPL = { GSEAM: 1, GSECI: 2, GSEAI: 3, GSEHA: 8, GSEIA: 16, GSEOA: 24, GSEIR: 32, GSERA: 40 } as const;
/** Size of the guarded-storage control block LGSC/STGSC move. */
const CONTROL_BLOCK_SIZE = 32;

type GuardedFormat = 'RXY-a';

function requireFacility(cpu: CpuCore): void {
  if (!cpu.hasFacility(GUARDED_STORAGE_FACILITY)) cpu.programException(PGM_OPERATION);
}

/** CR2 bit 59. */
export const guardedStorageEnabled = (cpu: CpuCore): boolean => (cpu.cr[5]! & CR2_GUARDED_STORAGE) !== 0;

/** Whether `value` points into a section the GSD and GSSM guard. [E] A GSC outside 25–56 guards nothing. */
export function isGuarded(gsd: bigint, gssm: bigint, value: bigint): boolean {
  const gsc = Number(gsd & 63n);
  if (gsc < 25 || gsc > 56) return false;
  if (value >> BigInt(gsc) !== gsd >> BigInt(gsc)) return false;
  const section = Number((value >> BigInt(gsc - 6)) & 63n);
  return ((gssm >> BigInt(63 - section)) & 1n) === 1n;
}

/** The guarded-load shift of LLGFSG: GSD bits 53–55. */
const guardedLoadShift = (gsd: bigint): bigint => (gsd >> 8n) & 7n;

function storeU64(cpu: CpuCore, address: number, value: bigint): void {
  cpu.writeU64(address, Number(value >> 32n), Number(value & 0xffffffffn));
}

/**
 * The guarded-storage event: the parameter list at GSEPLA is filled and the CPU branches to its
 * GSEHA; R1 and the condition code are unchanged. Access exceptions on the list nullify the
 * guarded load (every store is checked before any is made).
 */
function guardedStorageEvent(cpu: CpuCore, b2: number, operandAddress: bigint, intermediate: bigint, shifted: boolean): void {
  const gsepla = cpu.gsCb.gsepla;
  const list = cpu.addressOf(Number(gsepla >> 32n), Number(gsepla & 0xffffffffn));
  const at = (offset: number): number => cpu.step(list, offset);
  read64(cpu, at(GSEPL.GSEHA));
  const handler = cpu.addressOf(OUT_HI, OUT_LO);
  cpu.probe(at(GSEPL.GSEAM), 3, true);
  cpu.probe(at(GSEPL.GSEIA), 32, true);
  const addressSpace = (cpu.maskHi >>> 14) & 3;
  const dat = (cpu.maskHi & 0x04000000) !== 0;
  const accessMode = cpu.amode === 64 ? 3 : cpu.amode === 31 ? 1 : 0;
  cpu.writeU8(at(GSEPL.GSEAM), accessMode);
  cpu.writeU8(at(GSEPL.GSECI), shifted ? 1 : 0);
  cpu.writeU8(at(GSEPL.GSEAI), (dat ? 0x40 : 0) | (addressSpace << 4) | (addressSpace === 1 ? b2 : 0));
  const instruction = cpu.addressBig(cpu.ia);
  storeU64(cpu, at(GSEPL.GSEIA), instruction);
  storeU64(cpu, at(GSEPL.GSEOA), operandAddress);
  storeU64(cpu, at(GSEPL.GSEIR), intermediate);
  storeU64(cpu, at(GSEPL.GSERA), instruction);
  cpu.branchTo(handler);
}

/**
 * LGG / LLGFSG: the doubleword (LGG) or the word zero-extended and shifted left by GLS (LLGFSG)
 * is the intermediate result; it goes to R1 unless guarded storage is enabled and it points into
 * a guarded section, which is a guarded-storage event instead. The operand must be aligned on
 * its size (specification exception).
 */
function guardedLoad(shifted: boolean) {
  return (cpu: CpuCore, a: InsnA<GuardedFormat>, b: InsnB<GuardedFormat>): void => {
    requireFacility(cpu);
    const address = cpu.ea(fX2(a), fB2(a), fD20(a, b));
    const operandAddress = (BigInt(cpu.eaHi) << 32n) | BigInt(cpu.eaLo);
    cpu.requireSpec((cpu.eaLo & (shifted ? 3 : 7)) === 0);
    let intermediate: bigint;
    if (shifted) {
      intermediate = BigInt.asUintN(64, BigInt(cpu.readU32(address)) << guardedLoadShift(cpu.gsCb.gsd));
    } else {
      read64(cpu, address);
      intermediate = (BigInt(OUT_HI) << 32n) | BigInt(OUT_LO);
    }
    if (guardedStorageEnabled(cpu) && isGuarded(cpu.gsCb.gsd, cpu.gsCb.gssm, intermediate)) {
      guardedStorageEvent(cpu, fB2(a), operandAddress, intermediate, shifted);
      return;
    }
    const r1 = 2 * fR1(a);
    cpu.r[r1] = Number(intermediate >> 32n);
    cpu.r[r1 + 1] = Number(intermediate & 0xffffffffn);
  };
}

/** LGSC / STGSC: facility, enablement (special operation), then a doubleword-aligned 32-byte operand. */
function controlsAddress(cpu: CpuCore, a: InsnA<GuardedFormat>, b: InsnB<GuardedFormat>): number {
  requireFacility(cpu);
  if (!guardedStorageEnabled(cpu)) cpu.programException(PGM_SPECIAL_OPERATION);
  const address = cpu.ea(fX2(a), fB2(a), fD20(a, b));
  cpu.requireSpec((cpu.eaLo & 7) === 0);
  return address;
}

function loadControls(cpu: CpuCore, a: InsnA<GuardedFormat>, b: InsnB<GuardedFormat>): void {
  const address = controlsAddress(cpu, a, b);
  cpu.probe(address, CONTROL_BLOCK_SIZE, false);
  cpu.gsCb = gsCbFromWords([0, 8, 16, 24].map((offset) => cpu.readU64(cpu.step(address, offset))));
}

function storeControls(cpu: CpuCore, a: InsnA<GuardedFormat>, b: InsnB<GuardedFormat>): void {
  const address = controlsAddress(cpu, a, b);
  cpu.probe(address, CONTROL_BLOCK_SIZE, true);
  gsCbWords(cpu.gsCb).forEach((word, i) => storeU64(cpu, cpu.step(address, 8 * i), word));
}

export const guardedStorageInstructions: InstructionDef[] = [
  defFacility('guarded-storage', 'lgg', 0xe34c, 'RXY-a', 'r:R1,dxb:2', guardedLoad(false)),
  defFacility('guarded-storage', 'llgfsg', 0xe348, 'RXY-a', 'r:R1,dxb:2', guardedLoad(true)),
  defFacility('guarded-storage', 'lgsc', 0xe34d, 'RXY-a', 'r:R1,dxb:2', loadControls),
  defFacility('guarded-storage', 'stgsc', 0xe349, 'RXY-a', 'r:R1,dxb:2', storeControls),
];
