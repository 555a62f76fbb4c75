// MOVE LONG (MVCL) and COMPARE LOGICAL LONG (CLCL), PoO chapter 7: even/odd register pairs R1,
// R1+1 and R2, R2+1; addresses in R1 and R2 (bits 40–63, 33–63 or 0–63 by addressing mode),
// unsigned 24-bit lengths in bits 40–63 of R1+1 and R2+1, the padding byte in bits 32–39 of R2+1.
// Both are interruptible: one execution handles one unit that stays within one page of each operand
// [E], updates the registers to describe the progress and, when bytes remain, leaves the PSW at the
// instruction so it resumes where it stopped. An access exception in a later page therefore finds
// the registers describing everything done before it.

import type { CpuCore } from '../../core/cpu-core.js';
import { FAR_ADDRESS } from '../../core/far-addresses.js';
import { fR1, fR2 } from '../fields.js';
import type { InstructionDef } from '../types.js';
import { def } from './alu.js';
import { comparePadded, setAddress } from './storage.js';

const PAGE = 4096;
const LENGTH_MASK = 0xffffff;

/** Sets bits 40–63 of odd register `r` to `len`, keeping the padding byte / bits 32–39 and bits 0–31. */
function setLength(cpu: CpuCore, r: number, len: number): void {
  cpu.r[2 * r + 1] = ((cpu.r[2 * r + 1]! & ~LENGTH_MASK) | len) >>> 0;
}

/** Bytes from `addr` to the end of its 4 KiB page (exact for far addresses, `far-addresses.ts`). */
const toPageEnd = (addr: number): number => PAGE - (addr % PAGE);

/**
 * Destructive overlap (PoO MVCL): the first operand starts inside the `len` bytes of the second
 * operand after its first byte, so a byte would be fetched after being stored into; the address
 * space wraps around in the current addressing mode.
 */
function destructiveOverlap(cpu: CpuCore, dst: number, src: number, len: number): boolean {
  if (len === 0) return false;
  let offset: number;
  if (cpu.amode !== 64) offset = ((dst - src) & cpu.amask) >>> 0;
  else if (dst < FAR_ADDRESS && src < FAR_ADDRESS) offset = dst - src;
  else return Number(BigInt.asUintN(64, cpu.addressBig(dst) - cpu.addressBig(src))) < len && !cpu.sameAddress(dst, src);
  return offset > 0 && offset < len;
}

/** Leaves an interruptible instruction unfinished: the PSW stays at it (or at its EXECUTE) so it resumes. */
function resumeLater(cpu: CpuCore): void {
  cpu.nextIa = cpu.ia;
}

export const longStorageInstructions: InstructionDef[] = [
  def('mvcl', 0x0e, 'RR', 'r:R1,r:R2', (cpu, a) => {
    const r1 = fR1(a);
    const r2 = fR2(a);
    cpu.requireSpec(((r1 | r2) & 1) === 0);
    const dst = cpu.gprAddress(r1);
    const src = cpu.gprAddress(r2);
    const dlen = cpu.r[2 * r1 + 3]! & LENGTH_MASK;
    const srcWord = cpu.r[2 * r2 + 3]!;
    const slen = srcWord & LENGTH_MASK;
    // The lengths keep their order while both shrink by the same count, so each execution's CC is
    // the one of the original lengths.
    const finalCc = dlen === slen ? 0 : dlen < slen ? 1 : 2;
    if (dlen === 0 || destructiveOverlap(cpu, dst, src, Math.min(dlen, slen))) {
      // Nothing moves; the addresses are still rewritten in the addressing mode's form.
      setAddress(cpu, r1, dst);
      setAddress(cpu, r2, src);
      cpu.cc = dlen === 0 ? finalCc : 3;
      return;
    }
    // One unit [E]: bytes of the second operand up to the end of either page, or else padding up
    // to the end of the first operand's page.
    let n = Math.min(dlen, toPageEnd(dst));
    if (slen > 0) {
      n = Math.min(n, slen, toPageEnd(src));
      cpu.probe(src, n, false);
      cpu.probe(dst, n, true);
      for (let k = 0; k < n; k++) cpu.writeU8(cpu.step(dst, k), cpu.readU8(cpu.step(src, k)));
      setAddress(cpu, r2, cpu.step(src, n));
      setLength(cpu, r2 + 1, slen - n);
    } else {
      const pad = srcWord >>> 24;
      cpu.probe(dst, n, true);
      for (let k = 0; k < n; k++) cpu.writeU8(cpu.step(dst, k), pad);
      setAddress(cpu, r2, src);
    }
    setAddress(cpu, r1, cpu.step(dst, n));
    setLength(cpu, r1 + 1, dlen - n);
    if (dlen - n > 0) resumeLater(cpu);
    else cpu.cc = finalCc;
  }),
  def('clcl', 0x0f, 'RR', 'r:R1,r:R2', (cpu, a) => {
    const r1 = fR1(a);
    const r2 = fR2(a);
    cpu.requireSpec(((r1 | r2) & 1) === 0);
    const p1 = cpu.gprAddress(r1);
    const p2 = cpu.gprAddress(r2);
    const l1 = cpu.r[2 * r1 + 3]! & LENGTH_MASK;
    const word2 = cpu.r[2 * r2 + 3]!;
    const l2 = word2 & LENGTH_MASK;
    const pad = word2 >>> 24;
    const total = Math.max(l1, l2);
    // One unit [E]: up to the end of the page of each operand still being read.
    let n = total;
    if (l1 > 0) n = Math.min(n, toPageEnd(p1));
    if (l2 > 0) n = Math.min(n, toPageEnd(p2));
    const { equal: k, cc } = comparePadded(cpu, p1, l1, p2, l2, pad, n);
    // The registers point at the unequal bytes (an exhausted operand stays at its end).
    const d1 = Math.min(k, l1);
    const d2 = Math.min(k, l2);
    setAddress(cpu, r1, cpu.step(p1, d1));
    setLength(cpu, r1 + 1, l1 - d1);
    setAddress(cpu, r2, cpu.step(p2, d2));
    setLength(cpu, r2 + 1, l2 - d2);
    if (cc === 0 && k < total) resumeLater(cpu);
    else cpu.cc = cc;
  }),
];
