// Storage-to-storage and string instructions (PoO chapter 7): MVC, CLC, NC, OC, XC, TR, TRT (SS
// format, L+1 bytes, left to right, byte by byte so overlapping operands behave as architected),
// the interruptible long/string forms MVCLE, CLCLE, MVST, CLST, SRST (they process at most one
// 4 KiB unit per execution [E] and set CC 3 to be re-executed, as the architecture allows), EXECUTE
// (EX, EXRL), FIND LEFTMOST ONE and POPULATION COUNT.

import type { CpuCore } from '../../core/cpu-core.js';
import { fB1, fB2InB, fD1, fD2InB, fI32, fL, fR1, fR3, fRreR1, fRreR2, fRrfM3 } from '../fields.js';
import type { InstructionDef } from '../types.js';
import { def, eaLow, eaRS, eaRX, setAddressReg, splitAddress, OUT_HI, OUT_LO, TWO32 } from './alu.js';

/** Bytes an interruptible instruction handles per execution before CC 3 [E]. */
export const UNIT_OF_OPERATION = 4096;

/** An SS-a instruction: first and second operand addresses and the length L + 1. */
function ss(mnemonic: string, opcode: number, body: (cpu: CpuCore, op1: number, op2: number, len: number) => void): InstructionDef {
  return def(mnemonic, opcode, 'SS-a', 'dlb:1,db:2', (cpu, a, b) => {
    const op1 = cpu.ea(0, fB1(a), fD1(a));
    const op2 = cpu.ea(0, fB2InB(b), fD2InB(b));
    body(cpu, op1, op2, fL(a) + 1);
  });
}

function bitwise(mnemonic: string, opcode: number, op: (x: number, y: number) => number): InstructionDef {
  return ss(mnemonic, opcode, (cpu, op1, op2, len) => {
    cpu.probe(op2, len, false);
    cpu.probe(op1, len, true);
    let any = 0;
    for (let k = 0; k < len; k++) {
      const d = cpu.step(op1, k);
      const v = op(cpu.readU8(d), cpu.readU8(cpu.step(op2, k))) & 0xff;
      cpu.writeU8(d, v);
      any |= v;
    }
    cpu.cc = any === 0 ? 0 : 1;
  });
}

/** Register `r` as a length: 64 bits in 64-bit mode, else bits 32–63. */
function lengthOf(cpu: CpuCore, r: number): number {
  return cpu.amode === 64 ? cpu.r[2 * r]! * TWO32 + cpu.r[2 * r + 1]! : cpu.r[2 * r + 1]!;
}
function setLength(cpu: CpuCore, r: number, v: number): void {
  if (cpu.amode === 64) {
    const hi = Math.floor(v / TWO32);
    cpu.r[2 * r] = hi >>> 0;
    cpu.r[2 * r + 1] = (v - hi * TWO32) >>> 0;
  } else cpu.r[2 * r + 1] = v >>> 0;
}
/** Writes address `addr` to register `r` in the addressing mode's form (the long and string instructions' register results). */
export function setAddress(cpu: CpuCore, r: number, addr: number): void {
  splitAddress(cpu, addr);
  setAddressReg(cpu, r, OUT_HI, OUT_LO);
}

/**
 * Compares up to `n` bytes of two operands (`l1` and `l2` long, the shorter extended with `pad`),
 * as CLCL and CLCLE do: the count of equal bytes before the first unequal pair (or `n`), and
 * CC 1 / 2 when the first operand's byte there is low / high, else 0.
 */
export function comparePadded(cpu: CpuCore, p1: number, l1: number, p2: number, l2: number, pad: number, n: number): { equal: number; cc: number } {
  for (let k = 0; k < n; k++) {
    const x = k < l1 ? cpu.readU8(cpu.step(p1, k)) : pad;
    const y = k < l2 ? cpu.readU8(cpu.step(p2, k)) : pad;
    if (x !== y) return { equal: k, cc: x < y ? 1 : 2 };
  }
  return { equal: n, cc: 0 };
}

/** The terminating / search character of MVST, CLST, SRST: GR0 bits 56–63; bits 32–55 must be zero. */
function terminator(cpu: CpuCore): number {
  const v = cpu.r[1]!;
  cpu.requireSpec((v & 0xffffff00) === 0);
  return v & 0xff;
}

export const storageInstructions: InstructionDef[] = [
  ss('mvc', 0xd2, (cpu, op1, op2, len) => {
    cpu.probe(op2, len, false);
    cpu.probe(op1, len, true);
    for (let k = 0; k < len; k++) cpu.writeU8(cpu.step(op1, k), cpu.readU8(cpu.step(op2, k)));
  }),
  ss('clc', 0xd5, (cpu, op1, op2, len) => {
    for (let k = 0; k < len; k++) {
      const x = cpu.readU8(cpu.step(op1, k));
      const y = cpu.readU8(cpu.step(op2, k));
      if (x !== y) {
        cpu.cc = x < y ? 1 : 2;
        return;
      }
    }
    cpu.cc = 0;
  }),
  bitwise('nc', 0xd4, (x, y) => x & y),
  bitwise('oc', 0xd6, (x, y) => x | y),
  bitwise('xc', 0xd7, (x, y) => x ^ y),
  ss('tr', 0xdc, (cpu, op1, op2, len) => {
    cpu.probe(op1, len, true);
    for (let k = 0; k < len; k++) {
      const d = cpu.step(op1, k);
      cpu.writeU8(d, cpu.readU8(cpu.step(op2, cpu.readU8(d))));
    }
  }),
  ss('trt', 0xdd, (cpu, op1, op2, len) => {
    for (let k = 0; k < len; k++) {
      const addr = cpu.step(op1, k);
      const f = cpu.readU8(cpu.step(op2, cpu.readU8(addr)));
      if (f === 0) continue;
      // GR1 gets the address (bit 32 kept in 31-bit mode, bits 32–39 in 24-bit mode), GR2 the byte.
      if (cpu.amode === 64) setAddress(cpu, 1, addr);
      else if (cpu.amode === 31) cpu.r[3] = ((cpu.r[3]! & 0x80000000) | addr) >>> 0;
      else cpu.r[3] = ((cpu.r[3]! & 0xff000000) | addr) >>> 0;
      cpu.r[5] = ((cpu.r[5]! & 0xffffff00) | f) >>> 0;
      cpu.cc = k === len - 1 ? 2 : 1;
      return;
    }
    cpu.cc = 0;
  }),
  def('mvcle', 0xa8, 'RS-a', 'r:R1,r:R3,db:2', (cpu, a) => {
    eaRS(cpu, a);
    const pad = eaLow(cpu) & 0xff;
    const r1 = fR1(a);
    const r3 = fR3(a);
    cpu.requireSpec((r1 & 1) === 0 && (r3 & 1) === 0);
    const dst = cpu.gprAddress(r1);
    const src = cpu.gprAddress(r3);
    const dlen = lengthOf(cpu, r1 + 1);
    const slen = lengthOf(cpu, r3 + 1);
    const finalCc = dlen === slen ? 0 : dlen < slen ? 1 : 2;
    // Up to the end of the destination's 4 KiB page per execution.
    const n = Math.min(dlen, UNIT_OF_OPERATION - (dst % UNIT_OF_OPERATION));
    const fromSource = Math.min(n, slen);
    if (fromSource > 0) cpu.probe(src, fromSource, false);
    if (n > 0) cpu.probe(dst, n, true);
    for (let k = 0; k < n; k++) cpu.writeU8(cpu.step(dst, k), k < slen ? cpu.readU8(cpu.step(src, k)) : pad);
    setAddress(cpu, r1, cpu.step(dst, n));
    setLength(cpu, r1 + 1, dlen - n);
    setAddress(cpu, r3, cpu.step(src, fromSource));
    setLength(cpu, r3 + 1, slen - fromSource);
    cpu.cc = dlen - n === 0 ? finalCc : 3;
  }),
  def('clcle', 0xa9, 'RS-a', 'r:R1,r:R3,db:2', (cpu, a) => {
    eaRS(cpu, a);
    const pad = eaLow(cpu) & 0xff;
    const r1 = fR1(a);
    const r3 = fR3(a);
    cpu.requireSpec((r1 & 1) === 0 && (r3 & 1) === 0);
    const p1 = cpu.gprAddress(r1);
    const p2 = cpu.gprAddress(r3);
    const l1 = lengthOf(cpu, r1 + 1);
    const l2 = lengthOf(cpu, r3 + 1);
    const total = Math.max(l1, l2);
    const { equal: k, cc: compared } = comparePadded(cpu, p1, l1, p2, l2, pad, Math.min(total, UNIT_OF_OPERATION));
    const cc = compared === 0 && k < total ? 3 : compared;
    const d1 = Math.min(k, l1);
    const d2 = Math.min(k, l2);
    setAddress(cpu, r1, cpu.step(p1, d1));
    setLength(cpu, r1 + 1, l1 - d1);
    setAddress(cpu, r3, cpu.step(p2, d2));
    setLength(cpu, r3 + 1, l2 - d2);
    cpu.cc = cc;
  }),
  def('mvst', 0xb255, 'RRE', 'r:R1,r:R2', (cpu, a) => {
    const end = terminator(cpu);
    const r1 = fRreR1(a);
    const r2 = fRreR2(a);
    const dst = cpu.gprAddress(r1);
    const src = cpu.gprAddress(r2);
    for (let k = 0; k < UNIT_OF_OPERATION; k++) {
      const c = cpu.readU8(cpu.step(src, k));
      cpu.writeU8(cpu.step(dst, k), c);
      if (c === end) {
        setAddress(cpu, r1, cpu.step(dst, k));
        cpu.cc = 1;
        return;
      }
    }
    setAddress(cpu, r1, cpu.step(dst, UNIT_OF_OPERATION));
    setAddress(cpu, r2, cpu.step(src, UNIT_OF_OPERATION));
    cpu.cc = 3;
  }),
  def('clst', 0xb25d, 'RRE', 'r:R1,r:R2', (cpu, a) => {
    const end = terminator(cpu);
    const r1 = fRreR1(a);
    const r2 = fRreR2(a);
    const p1 = cpu.gprAddress(r1);
    const p2 = cpu.gprAddress(r2);
    for (let k = 0; k < UNIT_OF_OPERATION; k++) {
      const x = cpu.readU8(cpu.step(p1, k));
      const y = cpu.readU8(cpu.step(p2, k));
      if (x === y) {
        if (x === end) {
          cpu.cc = 0;
          return;
        }
        continue;
      }
      // The operand that ends first is the lower one.
      cpu.cc = x === end ? 1 : y === end ? 2 : x < y ? 1 : 2;
      setAddress(cpu, r1, cpu.step(p1, k));
      setAddress(cpu, r2, cpu.step(p2, k));
      return;
    }
    setAddress(cpu, r1, cpu.step(p1, UNIT_OF_OPERATION));
    setAddress(cpu, r2, cpu.step(p2, UNIT_OF_OPERATION));
    cpu.cc = 3;
  }),
  def('srst', 0xb25e, 'RRE', 'r:R1,r:R2', (cpu, a) => {
    const wanted = terminator(cpu);
    const r1 = fRreR1(a);
    const r2 = fRreR2(a);
    const end = cpu.gprAddress(r1);
    let p = cpu.gprAddress(r2);
    for (let k = 0; k < UNIT_OF_OPERATION; k++) {
      if (cpu.sameAddress(p, end)) {
        cpu.cc = 2;
        return;
      }
      if (cpu.readU8(p) === wanted) {
        setAddress(cpu, r1, p);
        cpu.cc = 1;
        return;
      }
      p = cpu.step(p, 1);
    }
    setAddress(cpu, r2, p);
    cpu.cc = 3;
  }),
  def('ex', 0x44, 'RX-a', 'r:R1,dxb:2', (cpu, a) => {
    const r1 = fR1(a);
    cpu.execute(eaRX(cpu, a), r1 !== 0 ? cpu.r[2 * r1 + 1]! & 0xff : 0);
  }),
  def('exrl', 0xc60, 'RIL-b', 'r:R1,rel:RI2', (cpu, a, b) => {
    const r1 = fR1(a);
    cpu.execute(cpu.relative(fI32(a, b)), r1 !== 0 ? cpu.r[2 * r1 + 1]! & 0xff : 0);
  }),
  def('flogr', 0xb983, 'RRE', 'r:R1,r:R2', (cpu, a) => {
    const r1 = fRreR1(a);
    cpu.requireSpec((r1 & 1) === 0);
    const j = 2 * fRreR2(a);
    const hi = cpu.r[j]!;
    const lo = cpu.r[j + 1]!;
    if ((hi | lo) === 0) {
      cpu.r[2 * r1] = 0;
      cpu.r[2 * r1 + 1] = 64;
      cpu.r[2 * r1 + 2] = 0;
      cpu.r[2 * r1 + 3] = 0;
      cpu.cc = 0;
      return;
    }
    const pos = hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
    cpu.r[2 * r1] = 0;
    cpu.r[2 * r1 + 1] = pos;
    cpu.r[2 * r1 + 2] = pos < 32 ? (hi & ~(0x80000000 >>> pos)) >>> 0 : hi;
    cpu.r[2 * r1 + 3] = pos >= 32 ? (lo & ~(0x80000000 >>> (pos - 32))) >>> 0 : lo;
    cpu.cc = 2;
  }),
  // M3 bit 0 (miscellaneous-instruction-extensions facility 3) asks for the count of the whole
  // doubleword instead of one count per byte; the other M3 bits are ignored.
  def('popcnt', 0xb9e1, 'RRF-c', 'r:R1,r:R2,m?:M3', (cpu, a) => {
    const j = 2 * fRreR2(a);
    const i = 2 * fRreR1(a);
    let hi = bytePopcount(cpu.r[j]!);
    let lo = bytePopcount(cpu.r[j + 1]!);
    if ((fRrfM3(a) & 8) !== 0) {
      lo = byteSum(hi) + byteSum(lo);
      hi = 0;
    }
    cpu.r[i] = hi;
    cpu.r[i + 1] = lo;
    cpu.cc = (hi | lo) === 0 ? 0 : 1;
  }),
];

/** The sum of the four bytes of `w`. */
const byteSum = (w: number): number => (w & 0xff) + ((w >>> 8) & 0xff) + ((w >>> 16) & 0xff) + (w >>> 24);

/** Each byte of `w` replaced by the number of one bits in it. */
function bytePopcount(w: number): number {
  let v = w - ((w >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return ((v + (v >>> 4)) & 0x0f0f0f0f) >>> 0;
}
