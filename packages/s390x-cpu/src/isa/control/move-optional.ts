// MOVE WITH OPTIONAL SPECIFICATIONS (MVCOS, PoO chapter 10; facility 27): moves up to 4096
// bytes from the second operand to the first, each operand accessed with the key and address
// space its operand-access control in GR0 names (OAC1 bits 32–47 for the first operand, OAC2
// bits 48–63 for the second; in each: key bits 0–3, AS bits 8–9, K bit 14 and A bit 15 say the
// key / AS is the specified one instead of the PSW's). R3 holds the true length (bits 32–63
// outside 64-bit mode): CC 0 when all of it moved, CC 3 when only the first 4096 bytes did
// (no register changes; the program loops). Accesses go through the CPU's own translation with
// the PSW key and address-space control temporarily replaced, so the TLB, key checks and TEID
// are those of an ordinary access in that space.

import type { CpuCore } from '../../core/cpu-core.js';
import { PGM_PRIVILEGED, PGM_SPECIAL_OPERATION, ProgramException } from '../../core/exceptions.js';
import { def } from '../define.js';
import { fB2InB, fD2InB, fRxfR3, type InsnA, type InsnB } from '../fields.js';
import { eaSI } from '../general/alu.js';
import type { InstructionDef } from '../types.js';
import { requireKeyZeroWithoutStorageKeys } from './storage-key-removal.js';

export const MOVE_WITH_OPTIONAL_SPECIFICATIONS_FACILITY = 27;

const PAGE = 4096;
/** Most bytes one execution moves. */
const MAX_UNIT = 4096;
/** Address-space control values (PSW bits 16–17). */
const AS_SECONDARY = 2;
const AS_HOME = 3;
/** PSW bit 5: DAT mode. */
const PSW_DAT = 0x04000000;
/** CR0 bit 37: secondary-space control. */
const CR0_SECONDARY_SPACE = 0x04000000;

/** The key and address-space control one operand is accessed with. */
interface OperandControls {
  key: number;
  asc: number;
}

/**
 * Decodes one 16-bit OAC against the PSW, with the exceptions its specified values raise:
 * privileged operation in the problem state for a key the PSW-key mask (CR3 bits 32–47) does not
 * allow or for the home space; special operation for the secondary space while CR0's
 * secondary-space control is off, and (storage-key removal, facility 169) for a specified
 * non-zero key.
 */
function operandControls(cpu: CpuCore, oac: number): OperandControls {
  const pswAsc = (cpu.maskHi >>> 14) & 3;
  const keyValid = (oac & 2) !== 0;
  const ascValid = (oac & 1) !== 0;
  const key = keyValid ? (oac >>> 12) & 15 : cpu.pswKey;
  const asc = ascValid ? (oac >>> 6) & 3 : pswAsc;
  if (cpu.problemState) {
    if (keyValid && (cpu.cr[2 * 3 + 1]! & (0x80000000 >>> key)) === 0) throw new ProgramException(PGM_PRIVILEGED);
    if (ascValid && asc === AS_HOME) throw new ProgramException(PGM_PRIVILEGED);
  }
  if (asc === AS_SECONDARY && (cpu.cr[1]! & CR0_SECONDARY_SPACE) === 0) throw new ProgramException(PGM_SPECIAL_OPERATION);
  if (keyValid) requireKeyZeroWithoutStorageKeys(cpu, key);
  return { key, asc };
}

/** Absolute address of logical `addr` accessed with `controls`; the PSW's key and space are restored even when the access fails. */
function absoluteWith(cpu: CpuCore, controls: OperandControls, addr: number, write: boolean): number {
  const savedKey = cpu.pswKey;
  const savedAsc = (cpu.maskHi >>> 14) & 3;
  const changes = controls.key !== savedKey || controls.asc !== savedAsc;
  if (changes) {
    cpu.setPswKey(controls.key);
    cpu.setAddressSpaceControl(controls.asc);
  }
  try {
    return cpu.absolute(addr, write);
  } finally {
    if (changes) {
      cpu.setPswKey(savedKey);
      cpu.setAddressSpaceControl(savedAsc);
    }
  }
}

/** Bytes from `addr` to the end of its page. */
const toPageEnd = (addr: number): number => PAGE - (addr % PAGE);

/**
 * MVCOS D1(B1),D2(B2),R3. DAT off is a special-operation exception (as QEMU and the hardware it
 * models refuse it). Every access exception is recognized before any byte is stored; the bytes
 * move left to right one at a time, as MVC moves them.
 */
function moveWithOptionalSpecifications(cpu: CpuCore, a: InsnA<'SSF'>, b: InsnB<'SSF'>): void {
  const r3 = fRxfR3(a);
  const dest = eaSI(cpu, a);
  const src = cpu.ea(0, fB2InB(b), fD2InB(b));
  if ((cpu.maskHi & PSW_DAT) === 0) throw new ProgramException(PGM_SPECIAL_OPERATION);
  const gr0 = cpu.r[1]!;
  const destControls = operandControls(cpu, gr0 >>> 16);
  const srcControls = operandControls(cpu, gr0 & 0xffff);
  const lenHi = cpu.amode === 64 ? cpu.r[2 * r3]! : 0;
  const lenLo = cpu.r[2 * r3 + 1]!;
  const partial = lenHi !== 0 || lenLo > MAX_UNIT;
  const length = partial ? MAX_UNIT : lenLo;
  // Pieces that stay inside one page of each operand, translated before anything is stored.
  const pieces: { from: number; to: number; at: number; n: number }[] = [];
  for (let done = 0; done < length;) {
    const s = cpu.step(src, done);
    const d = cpu.step(dest, done);
    const n = Math.min(length - done, toPageEnd(s), toPageEnd(d));
    pieces.push({ from: absoluteWith(cpu, srcControls, s, false), to: absoluteWith(cpu, destControls, d, true), at: d, n });
    done += n;
  }
  const bytes = cpu.mem.bytes;
  for (const { from, to, at, n } of pieces) {
    for (let i = 0; i < n; i++) bytes[to + i] = bytes[from + i]!;
    cpu.noteHostStore(at, n);
  }
  cpu.cc = partial ? 3 : 0;
}

export const moveOptionalInstructions: InstructionDef[] = [def('mvcos', 0xc80, 'SSF', 'db:1,db:2,r:R3', moveWithOptionalSpecifications)];
