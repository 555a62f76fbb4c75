// Storage-key and protection instructions (PoO chapter 10; spec s390x-cpu.md §3a): SSKE (with
// the conditional MR/MC and multiple-block M3 bits), ISKE, RRBE, RRBM, IVSK, IPK, SPKA and
// TEST PROTECTION. Storage keys belong to 4 KiB frames of absolute storage; SSKE, ISKE, RRBE and
// RRBM name a frame by real address (prefixing applies), IVSK and TPROT by logical address.

import type { CpuCore } from '../../core/cpu-core.js';
import { PGM_PRIVILEGED, ProgramException } from '../../core/exceptions.js';
import { keyPermits } from '../../core/protection.js';
import { SKEY_ACC, SKEY_CHANGE, SKEY_FETCH_PROTECTION, SKEY_REFERENCE } from '../../memory/guest-memory.js';
import { def, defPriv } from '../define.js';
import { fB1, fB2, fB2InB, fD1, fD2, fD2InB, fRreR1, fRreR2, fRrfM3, type InsnA, type InsnB } from '../fields.js';
import { OUT_HI, OUT_LO, setAddressReg, splitAddress } from '../general/alu.js';
import type { InstructionDef } from '../types.js';
import { requireKeyZeroWithoutStorageKeys, storageKeyInstruction } from './storage-key-removal.js';

/** SSKE M3 bits: non-quiescing, reference-bit update mask, change-bit update mask, multiple-block. */
const M3_NQ = 0x8;
const M3_MR = 0x4;
const M3_MC = 0x2;
const M3_MB = 0x1;
/** CR0 bit 36: extraction-authority control (IVSK, IPK in the problem state). */
const CR0_EXTRACTION_AUTHORITY = 0x08000000;
/** Translation exceptions that make TPROT set condition code 3 instead of interrupting. */
const TPROT_UNAVAILABLE = new Set([0x10, 0x11, 0x39, 0x3a, 0x3b]);

/** The frame of the real address in R2 (bits 0–51 in the current addressing mode) as an absolute frame number. */
function frameOfRealRegister(cpu: CpuCore, r2: number): { frame: number; real: number } {
  const real = cpu.gprAddress(r2);
  const page = real - (real % 4096);
  return { frame: Math.floor(cpu.realToAbsoluteChecked(page) / 4096), real: page };
}

/**
 * SSKE: sets the key of the frame R2 designates to R1 bits 56–62. With MR or MC (conditional
 * SSKE) the old key goes to R1 bits 48–55 and the key is left alone when ACC and F match and
 * the R / C bits match or are masked: CC 0 unchanged, CC 1 set. With MB every frame up to the
 * next 1 MiB boundary gets the key and R2 points at that boundary.
 */
function setStorageKeyExtended(cpu: CpuCore, a: InsnA<'RRF-c'>): void {
  const r1 = fRreR1(a);
  const r2 = fRreR2(a);
  const m3 = fRrfM3(a) & ~M3_NQ;
  const newKey = cpu.r[2 * r1 + 1]! & 0xfe;
  const { frame, real } = frameOfRealRegister(cpu, r2);
  const mem = cpu.mem;
  const conditional = (m3 & (M3_MR | M3_MC)) !== 0;
  const setOne = (f: number): void => {
    const old = mem.storageKeys[f]!;
    if (!conditional) {
      mem.setStorageKey(f, newKey);
      return;
    }
    const accF = SKEY_ACC | SKEY_FETCH_PROTECTION;
    const same = (old & accF) === (newKey & accF) && ((m3 & M3_MR) !== 0 || (old & SKEY_REFERENCE) === (newKey & SKEY_REFERENCE)) && ((m3 & M3_MC) !== 0 || (old & SKEY_CHANGE) === (newKey & SKEY_CHANGE));
    if (!same) {
      let key = newKey & accF;
      key |= (m3 & M3_MR) !== 0 ? old & SKEY_REFERENCE : newKey & SKEY_REFERENCE;
      key |= (m3 & M3_MC) !== 0 ? old & SKEY_CHANGE : newKey & SKEY_CHANGE;
      mem.setStorageKey(f, key);
    }
    cpu.r[2 * r1 + 1] = ((cpu.r[2 * r1 + 1]! & 0xffff00ff) | (old << 8)) >>> 0;
    cpu.cc = same ? 0 : 1;
  };
  if ((m3 & M3_MB) === 0) {
    setOne(frame);
  } else {
    const boundary = real - (real % 0x100000) + 0x100000;
    const count = (boundary - real) / 4096;
    for (let i = 0; i < count; i++) {
      const f = Math.floor(cpu.realToAbsoluteChecked(real + i * 4096) / 4096);
      setOne(f);
    }
    splitAddress(cpu, cpu.wrap(boundary));
    setAddressReg(cpu, r2, OUT_HI, OUT_LO);
  }
  // Fast paths cached the set of frames needing checks: make the run loop re-read it.
  cpu.controlRegistersChanged();
}

/** ISKE: the key of the frame R2 designates into R1 bits 56–63 (bit 63 zero). */
function insertStorageKeyExtended(cpu: CpuCore, a: InsnA<'RRE'>): void {
  const r1 = fRreR1(a);
  const { frame } = frameOfRealRegister(cpu, fRreR2(a));
  cpu.r[2 * r1 + 1] = ((cpu.r[2 * r1 + 1]! & 0xffffff00) | cpu.mem.storageKeys[frame]!) >>> 0;
}

/** RRBE: resets the reference bit; CC = old R (bit 1) and C (bit 0). */
function resetReferenceBitExtended(cpu: CpuCore, a: InsnA<'RRE'>): void {
  const { frame } = frameOfRealRegister(cpu, fRreR2(a));
  const key = cpu.mem.storageKeys[frame]!;
  cpu.cc = (key >>> 1) & 3;
  cpu.mem.setStorageKey(frame, key & ~SKEY_REFERENCE);
  cpu.controlRegistersChanged();
}

/** RRBM: resets the reference bits of the 64 frames of the 256 KiB block R2 designates; R1 gets the old bits (frame 0 leftmost). */
function resetReferenceBitsMultiple(cpu: CpuCore, a: InsnA<'RRE'>): void {
  const r1 = fRreR1(a);
  const real = cpu.gprAddress(fRreR2(a));
  const block = real - (real % 0x40000);
  let hi = 0;
  let lo = 0;
  const frames: number[] = [];
  for (let i = 0; i < 64; i++) frames.push(Math.floor(cpu.realToAbsoluteChecked(block + i * 4096) / 4096));
  frames.forEach((f, i) => {
    const key = cpu.mem.storageKeys[f]!;
    if ((key & SKEY_REFERENCE) !== 0) {
      if (i < 32) hi |= 0x80000000 >>> i;
      else lo |= 0x80000000 >>> (i - 32);
    }
    cpu.mem.setStorageKey(f, key & ~SKEY_REFERENCE);
  });
  cpu.r[2 * r1] = hi >>> 0;
  cpu.r[2 * r1 + 1] = lo >>> 0;
  cpu.controlRegistersChanged();
}

/** Problem-state use of IVSK and IPK needs the extraction-authority control. */
function requireExtractionAuthority(cpu: CpuCore): void {
  if (cpu.problemState && (cpu.cr[1]! & CR0_EXTRACTION_AUTHORITY) === 0) throw new ProgramException(PGM_PRIVILEGED);
}

/** IVSK: ACC and F of the key of the frame the logical address in R2 maps to, into R1 bits 56–60 (61–63 zero). */
function insertVirtualStorageKey(cpu: CpuCore, a: InsnA<'RRE'>): void {
  requireExtractionAuthority(cpu);
  const r1 = fRreR1(a);
  const abs = cpu.absoluteNoCheck(cpu.gprAddress(fRreR2(a)));
  const key = cpu.mem.storageKeys[Math.floor(abs / 4096)]! & (SKEY_ACC | SKEY_FETCH_PROTECTION);
  cpu.r[2 * r1 + 1] = ((cpu.r[2 * r1 + 1]! & 0xffffff00) | key) >>> 0;
}

/** IPK: the PSW key into GR2 bits 56–59, bits 60–63 zero. */
function insertPswKey(cpu: CpuCore): void {
  requireExtractionAuthority(cpu);
  cpu.r[5] = ((cpu.r[5]! & 0xffffff00) | (cpu.pswKey << 4)) >>> 0;
}

/** SPKA: the PSW key from bits 56–59 of the operand address; the problem state needs the key's bit in the PSW-key mask (CR3 bits 32–47). */
function setPswKeyFromAddress(cpu: CpuCore, a: InsnA<'S'>): void {
  cpu.ea(0, fB2(a), fD2(a));
  const key = (cpu.eaLo >>> 4) & 15;
  if (cpu.problemState && (cpu.cr[2 * 3 + 1]! & (0x80000000 >>> key)) === 0) throw new ProgramException(PGM_PRIVILEGED);
  requireKeyZeroWithoutStorageKeys(cpu, key);
  cpu.setPswKey(key);
}

/**
 * TPROT: whether the first-operand location could be fetched and stored with the access key in
 * bits 56–59 of the second-operand address. CC 0 both, 1 fetch only (key, DAT or low-address
 * protection), 2 neither, 3 the
 * translation is not available (an invalid or out-of-range table entry). An address beyond
 * memory is an addressing exception.
 */
function testProtection(cpu: CpuCore, a: InsnA<'SSE'>, b: InsnB<'SSE'>): void {
  cpu.ea(0, fB2InB(b), fD2InB(b));
  const accessKey = (cpu.eaLo >>> 4) & 15;
  requireKeyZeroWithoutStorageKeys(cpu, accessKey);
  const logical = cpu.ea(0, fB1(a), fD1(a));
  let abs: number;
  try {
    abs = cpu.absoluteNoCheck(logical);
  } catch (e) {
    if (e instanceof ProgramException && TPROT_UNAVAILABLE.has(e.code)) {
      cpu.cc = 3;
      return;
    }
    throw e;
  }
  const datProtected = cpu.translationProtected;
  const key = cpu.mem.storageKeys[Math.floor(abs / 4096)]!;
  const cr0 = cpu.cr[1]!;
  const override = cpu.fetchOverrideApplies(logical);
  const fetch = keyPermits(accessKey, key, false, cr0, override);
  // Low-address protection counts as store protection, as KVM and QEMU test it (kvm-unit-tests tprot).
  const store = !datProtected && !cpu.lowAddressProtected(logical) && keyPermits(accessKey, key, true, cr0, override);
  cpu.cc = fetch ? (store ? 0 : 1) : 2;
}

export const storageKeyInstructions: InstructionDef[] = [
  defPriv('sske', 0xb22b, 'RRF-c', 'r:R1,r:R2,m?:M3', storageKeyInstruction(setStorageKeyExtended)),
  defPriv('iske', 0xb229, 'RRE', 'r:R1,r:R2', storageKeyInstruction(insertStorageKeyExtended)),
  defPriv('rrbe', 0xb22a, 'RRE', 'r:R1,r:R2', storageKeyInstruction(resetReferenceBitExtended)),
  defPriv('rrbm', 0xb9ae, 'RRE', 'r:R1,r:R2', storageKeyInstruction(resetReferenceBitsMultiple)),
  def('ivsk', 0xb223, 'RRE', 'r:R1,r:R2', storageKeyInstruction(insertVirtualStorageKey)),
  def('ipk', 0xb20b, 'S', '', insertPswKey),
  def('spka', 0xb20a, 'S', 'db:2', setPswKeyFromAddress),
  defPriv('tprot', 0xe501, 'SSE', 'db:1,db:2', testProtection),
];
