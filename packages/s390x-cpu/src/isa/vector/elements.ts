// Vector elements as the vector instruction groups read and write them (PoO chapter 21, "Vector
// Facility Overview"): elements are numbered from the left, element size 1 << es bytes (0 byte,
// 1 halfword, 2 word, 3 doubleword, 4 quadword). Results are built in a scratch register and
// copied into V1 at the end, so any operand may also be the first operand.

import type { CpuCore } from '../../core/cpu-core.js';
import { PGM_OPERATION } from '../../core/exceptions.js';
import { defFacility } from '../define.js';
import type { Format } from '../formats.js';
import type { InstructionAlias, InstructionDef, Semantics } from '../types.js';
import { VECTOR_ENHANCEMENTS_1, VECTOR_ENHANCEMENTS_2 } from './float-elements.js';

/** Element-size suffixes of the extended mnemonics. */
export const SUFFIX: readonly string[] = ['b', 'h', 'f', 'g', 'q'];

/** Aliases base+suffix for the element sizes `sizes` of mask field `field` (other fields in `also`). */
export function sized(base: string, field: string, operands: string, sizes: readonly number[], suffixes: readonly string[] = SUFFIX, also: Readonly<Record<string, number>> = {}, tail = ''): InstructionAlias[] {
  return sizes.map((m) => ({ mnemonic: base + suffixes[m]! + tail, when: { ...also, [field]: m }, operands }));
}

/** The facility an entry belongs to (for documentation and the table). */
export type VectorFacility = 'vector' | 'vector-enhancements-1' | 'vector-enhancements-2';

const FACILITY_BIT: Readonly<Record<VectorFacility, number | undefined>> = { vector: undefined, 'vector-enhancements-1': VECTOR_ENHANCEMENTS_1, 'vector-enhancements-2': VECTOR_ENHANCEMENTS_2 };

/**
 * One vector table entry (all of them are problem-state). The opcodes a vector-enhancements
 * facility adds are operation exceptions on a CPU model without it (`CpuOptions.facilities`).
 */
export function vdef<F extends Format>(facility: VectorFacility, mnemonic: string, opcode: number, format: F, operands: string, exec: Semantics<NoInfer<F>>, aliases?: readonly InstructionAlias[]): InstructionDef {
  const bit = FACILITY_BIT[facility];
  const run: Semantics<F> =
    bit === undefined
      ? exec
      : (cpu, a, b) => {
          if (!cpu.hasFacility(bit)) cpu.programException(PGM_OPERATION);
          exec(cpu, a, b);
        };
  return defFacility(facility, mnemonic, opcode, format, operands, run, aliases);
}

/** Whether the CPU model has vector-enhancements facility 1 (more element sizes for some z13 opcodes). */
export const hasEnhancements1 = (cpu: CpuCore): boolean => cpu.hasFacility(VECTOR_ENHANCEMENTS_1);

/** Vector enablement (DXC 0xFE), then the element-size field `m` must be one of `allowed`. */
export function elementSize(cpu: CpuCore, m: number, allowed: readonly number[]): number {
  cpu.checkVector();
  cpu.requireSpec(allowed.includes(m));
  return m;
}

/** Element `i` of size 1 << es bytes of V v, unsigned. */
export function getBig(cpu: CpuCore, v: number, es: number, i: number): bigint {
  const bytes = 1 << es;
  const dv = cpu.vrView;
  const at = 16 * v + i * bytes;
  if (es === 0) return BigInt(dv.getUint8(at));
  if (es === 1) return BigInt(dv.getUint16(at));
  if (es === 2) return BigInt(dv.getUint32(at));
  if (es === 3) return dv.getBigUint64(at);
  return (dv.getBigUint64(at) << 64n) | dv.getBigUint64(at + 8);
}

/** Element `i` of size 1 << es bytes (es ≤ 2) of V v as an unsigned number: the fast path of the common sizes. */
export function getSmall(cpu: CpuCore, v: number, es: number, i: number): number {
  const at = 16 * v + (i << es);
  const dv = cpu.vrView;
  return es === 0 ? dv.getUint8(at) : es === 1 ? dv.getUint16(at) : dv.getUint32(at);
}

/** Writes element `i` of size 1 << es bytes (es ≤ 2) of `out` from the low bits of `value`. */
export function putSmall(out: DataView, es: number, i: number, value: number): void {
  const at = i << es;
  if (es === 0) out.setUint8(at, value & 0xff);
  else if (es === 1) out.setUint16(at, value & 0xffff);
  else out.setUint32(at, value >>> 0);
}

/** Writes element `i` of size 1 << es bytes of `out` (the value is taken modulo the element size). */
export function putBig(out: Uint8Array, es: number, i: number, value: bigint): void {
  const bytes = 1 << es;
  let x = BigInt.asUintN(bytes * 8, value);
  for (let k = bytes - 1; k >= 0; k--) {
    out[i * bytes + k] = Number(x & 0xffn);
    x >>= 8n;
  }
}

export const signedOf = (x: bigint, es: number): bigint => BigInt.asIntN(8 << es, x);

/** The scratch result register. */
export const scratch = new Uint8Array(16);
export const scratchView = new DataView(scratch.buffer);

/** Copies the scratch register into V v. */
export function commit(cpu: CpuCore, v: number): void {
  cpu.vr.set(scratch, 16 * v);
}

/** Starts a result from V v's current contents (for instructions that change only part of it). */
export function startFrom(cpu: CpuCore, v: number): void {
  scratch.set(cpu.vr.subarray(16 * v, 16 * v + 16));
}

/** Count of elements of size es. */
export const count = (es: number): number => 16 >>> es;

/** Reads `length` bytes at `addr` (probed first) into `out` from byte `at`. */
export function readBytes(cpu: CpuCore, addr: number, length: number, out: Uint8Array, at: number): void {
  if (length === 0) return;
  cpu.probe(addr, length, false);
  for (let k = 0; k < length; k++) out[at + k] = cpu.readU8(cpu.step(addr, k));
}

/** Stores `length` bytes of `from` starting at byte `at` to `addr` (probed first). */
export function writeBytes(cpu: CpuCore, addr: number, length: number, from: Uint8Array, at: number): void {
  if (length === 0) return;
  cpu.probe(addr, length, true);
  for (let k = 0; k < length; k++) cpu.writeU8(cpu.step(addr, k), from[at + k]!);
}
