/**
 * Random vector floating-point cases for the differential test against qemu-s390x: every vector
 * FP table entry in each element format it has (short, long, extended), in the all-elements (V)
 * and single-element (W) forms, with source registers filled with values biased to the special
 * values of PoO chapter 19 (bfpValue), related operands (equal, negated, one unit apart), integer
 * elements at the range edges for the conversions, every rounding method and the XxC control,
 * and a random FPC (rounding mode, flags, sometimes enabled traps) set before the instruction.
 * Each case is assembled with the base mnemonic and explicit M fields.
 */
import type { InstructionDef } from '../../src/isa/index.ts';
import { vectorFloatArithmeticInstructions } from '../../src/isa/vector/float-arithmetic.ts';
import { vectorFloatCompareInstructions } from '../../src/isa/vector/float-compare.ts';
import { vectorFloatConvertInstructions } from '../../src/isa/vector/float-convert.ts';
import { bfpValue } from './bfp-generator.ts';
import { MEM_SIZE, type CaseInit, type SequenceCase } from './sequence-program.ts';
import type { Rng } from './rng.ts';

interface Fmt {
  bits: 32 | 64 | 128;
  exponentBits: number;
}
const FORMATS: Record<number, Fmt> = { 2: { bits: 32, exponentBits: 8 }, 3: { bits: 64, exponentBits: 11 }, 4: { bits: 128, exponentBits: 15 } };

export const SINGLE = 8;
export const XXC = 4;

/** The vector FP entries: every one is covered. */
export const vectorFloatEntries = (): InstructionDef[] => [...vectorFloatArithmeticInstructions, ...vectorFloatCompareInstructions, ...vectorFloatConvertInstructions];

/** How one instruction's fields are chosen and its sources filled. */
interface Shape {
  /** Field holding the floating-point format and the formats to draw from. */
  formatField: string;
  formats: readonly number[];
  /** Field holding the single-element control (and XxC where `xxc`). */
  flagsField: string;
  xxc?: boolean;
  /** Field holding a rounding method. */
  roundingField?: string;
  /** Other fields: a value for each. */
  extra?: (rng: Rng) => Record<string, number>;
  /** Source element format for a format value (default: the same); 'int' for integer elements. */
  source?: (fpf: number) => number | 'int';
  /** Only the single-element form exists. */
  scalar?: boolean;
}

const MIN_MAX_MODES = [0, 1, 2, 3, 4, 8, 9, 10, 11, 12];
const ROUNDING = [0, 1, 3, 4, 5, 6, 7];

const SHAPES: Record<string, Shape> = {
  vfa: { formatField: 'M4', formats: [2, 3, 4], flagsField: 'M5' },
  vfs: { formatField: 'M4', formats: [2, 3, 4], flagsField: 'M5' },
  vfm: { formatField: 'M4', formats: [2, 3, 4], flagsField: 'M5' },
  vfd: { formatField: 'M4', formats: [2, 3, 4], flagsField: 'M5' },
  vfsq: { formatField: 'M3', formats: [2, 3, 4], flagsField: 'M4' },
  vfma: { formatField: 'M6', formats: [2, 3, 4], flagsField: 'M5' },
  vfms: { formatField: 'M6', formats: [2, 3, 4], flagsField: 'M5' },
  vfnma: { formatField: 'M6', formats: [2, 3, 4], flagsField: 'M5' },
  vfnms: { formatField: 'M6', formats: [2, 3, 4], flagsField: 'M5' },
  vfmax: { formatField: 'M4', formats: [2, 3, 4], flagsField: 'M5', extra: (rng) => ({ M6: rng.pick(MIN_MAX_MODES) }) },
  vfmin: { formatField: 'M4', formats: [2, 3, 4], flagsField: 'M5', extra: (rng) => ({ M6: rng.pick(MIN_MAX_MODES) }) },
  vfce: { formatField: 'M4', formats: [2, 3, 4], flagsField: 'M5', extra: (rng) => ({ M6: rng.below(2) }) },
  vfch: { formatField: 'M4', formats: [2, 3, 4], flagsField: 'M5', extra: (rng) => ({ M6: rng.below(2) }) },
  vfche: { formatField: 'M4', formats: [2, 3, 4], flagsField: 'M5', extra: (rng) => ({ M6: rng.below(2) }) },
  wfc: { formatField: 'M3', formats: [2, 3, 4], flagsField: 'M4', scalar: true },
  wfk: { formatField: 'M3', formats: [2, 3, 4], flagsField: 'M4', scalar: true },
  vftci: { formatField: 'M4', formats: [2, 3, 4], flagsField: 'M5', extra: (rng) => ({ I3: rng.chance(0.5) ? 1 << rng.below(12) : rng.below(4096) }) },
  vcfps: { formatField: 'M3', formats: [2, 3], flagsField: 'M4', xxc: true, roundingField: 'M5', source: () => 'int' },
  vcfpl: { formatField: 'M3', formats: [2, 3], flagsField: 'M4', xxc: true, roundingField: 'M5', source: () => 'int' },
  vcsfp: { formatField: 'M3', formats: [2, 3], flagsField: 'M4', xxc: true, roundingField: 'M5' },
  vclfp: { formatField: 'M3', formats: [2, 3], flagsField: 'M4', xxc: true, roundingField: 'M5' },
  vfi: { formatField: 'M3', formats: [2, 3, 4], flagsField: 'M4', xxc: true, roundingField: 'M5' },
  vfll: { formatField: 'M3', formats: [2, 3], flagsField: 'M4' },
  vflr: { formatField: 'M3', formats: [3, 4], flagsField: 'M4', xxc: true, roundingField: 'M5' },
  vfpso: { formatField: 'M3', formats: [2, 3, 4], flagsField: 'M4', extra: (rng) => ({ M5: rng.below(3) }) },
};

function randomBits(rng: Rng, bits: number): bigint {
  let v = 0n;
  for (let i = 0; i < bits; i += 32) v = (v << 32n) | BigInt(rng.u32());
  return BigInt.asUintN(bits, v);
}

/** An integer element of `bits` bits near the edges that conversions care about. */
function integerValue(rng: Rng, bits: 32 | 64): bigint {
  const r = rng.below(5);
  const top = 1n << BigInt(bits - 1);
  if (r === 0) return BigInt.asUintN(bits, rng.pick([0n, 1n, -1n, top, top - 1n, top + 1n, (1n << 24n) + 1n, (1n << 53n) + 1n, 3n]));
  if (r === 1) return BigInt.asUintN(bits, BigInt(rng.below(2001) - 1000));
  if (r === 2) return BigInt.asUintN(bits, BigInt(rng.u32()) << BigInt(rng.below(bits - 31)));
  return randomBits(rng, bits);
}

/** A value related to `first`: equal, negated, one unit apart, or independent. */
function related(rng: Rng, f: Fmt, first: bigint): bigint {
  const r = rng.below(8);
  const mask = (1n << BigInt(f.bits)) - 1n;
  if (r === 0) return first;
  if (r === 1) return first ^ (1n << BigInt(f.bits - 1));
  if (r === 2) return (first + (rng.chance(0.5) ? 1n : mask)) & mask;
  return bfpValue(rng, f);
}

/** Fills V `reg` with elements of format value `source` ('int': integers of `intBits`), related to `like` when given. */
function fillRegister(rng: Rng, init: CaseInit, reg: number, source: number | 'int', intBits: 32 | 64, like?: bigint[]): bigint[] {
  const bits = source === 'int' ? intBits : FORMATS[source]!.bits;
  const n = 128 / bits;
  const view = new DataView(init.vrs.buffer, init.vrs.byteOffset);
  const values: bigint[] = [];
  for (let i = 0; i < n; i++) {
    let v: bigint;
    if (source === 'int') v = integerValue(rng, intBits);
    else if (like?.[i] !== undefined) v = related(rng, FORMATS[source]!, like[i]!);
    else v = bfpValue(rng, FORMATS[source]!);
    values.push(v);
    if (bits === 32) view.setUint32(16 * reg + 4 * i, Number(v));
    else if (bits === 64) view.setBigUint64(16 * reg + 8 * i, v);
    else {
      view.setBigUint64(16 * reg, v >> 64n);
      view.setBigUint64(16 * reg + 8, BigInt.asUintN(64, v));
    }
  }
  return values;
}

/** A random FPC: rounding mode 0–3 or 7, random flags, traps enabled in `trapShare` of the cases. */
function randomFpc(rng: Rng, trapShare: number): number {
  const mode = rng.pick([0, 0, 1, 2, 3, 7]);
  const flags = rng.chance(0.3) ? rng.u32() & 0xf8 : 0;
  const masks = rng.chance(trapShare) ? rng.u32() & 0xf8 : 0;
  return ((masks << 24) | (flags << 16) | mode) >>> 0;
}

/** Facts about a generated instruction the deviation check needs. */
export interface VectorFloatCase extends SequenceCase {
  mnemonic: string;
  fields: Record<string, number>;
  fpc: number;
  /** The XxC control was one. */
  xxc: boolean;
  /** V1, V2, V3, V4 as chosen. */
  registers: Record<string, number>;
}

/** One instruction of `entry` with its sources placed in `init`. */
function instruction(rng: Rng, entry: InstructionDef, init: CaseInit): { line: string; fields: Record<string, number>; xxc: boolean; registers: Record<string, number> } {
  const mn = entry.mnemonic;
  const shape = SHAPES[mn];
  if (shape === undefined) throw new Error(`vector FP generator: no shape for ${mn}`);
  const fpf = rng.pick(shape.formats);
  const single = shape.scalar !== true && rng.chance(0.4);
  const fields: Record<string, number> = { [shape.formatField]: fpf, [shape.flagsField]: shape.scalar === true ? 0 : (single ? SINGLE : 0) | (shape.xxc === true && rng.chance(0.3) ? XXC : 0) };
  if (shape.roundingField !== undefined) fields[shape.roundingField] = rng.pick(ROUNDING);
  Object.assign(fields, shape.extra?.(rng) ?? {});
  if (mn === 'vfce' || mn === 'vfch' || mn === 'vfche') fields.M5! |= rng.chance(0.4) ? 4 : 0;
  // Sometimes a value the instruction rejects: a format it lacks, a reserved rounding method or
  // modifier bit, a VFPSO operation or VFMAX mode beyond the defined ones (both sides must raise
  // the specification exception).
  if (rng.chance(0.04)) {
    const field = rng.pick([shape.formatField, shape.roundingField ?? shape.formatField, ...Object.keys(shape.extra?.(rng) ?? {})]);
    if (field === shape.formatField) fields[field] = rng.pick([0, 1, 5, 6, 7, 15]);
    else if (field === shape.roundingField) fields[field] = rng.pick([2, 8, 15]);
    else if (field === 'M6' && (mn === 'vfmax' || mn === 'vfmin')) fields[field] = rng.pick([5, 6, 7, 13, 14, 15]);
    else if (field === 'M5' && mn === 'vfpso') fields[field] = rng.pick([3, 7, 15]);
  }
  const source = shape.source?.(fpf) ?? fpf;
  const intBits = fpf === 2 ? 32 : 64;
  const used = new Set<number>();
  const pickRegister = (): number => {
    if (used.size > 0 && rng.chance(0.08)) return [...used][rng.below(used.size)]!;
    let r: number;
    do r = rng.below(32);
    while (used.has(r));
    return r;
  };
  const operands: string[] = [];
  const registers: Record<string, number> = {};
  let first: bigint[] | undefined;
  for (const token of entry.operands.split(',')) {
    const [kind, name] = token.split(':') as [string, string];
    if (kind === 'v') {
      const reg = pickRegister();
      // The sources: every vector operand but V1, except WFC/WFK whose V1 is compared.
      const isSource = name !== 'V1' || shape.scalar === true;
      if (isSource && !used.has(reg)) {
        const values = fillRegister(rng, init, reg, source, intBits, first);
        first ??= values;
      }
      used.add(reg);
      registers[name] = reg;
      operands.push(`%v${reg}`);
    } else operands.push(String(fields[name] ?? 0));
  }
  return { line: `${mn} ${operands.join(',')}`, fields, xxc: shape.xxc === true && (fields[shape.flagsField]! & XXC) !== 0, registers };
}

/** `count` cases, each a random FPC and one vector FP instruction; `trapShare` of the FPCs enable traps. */
export function generateVectorFloatCases(rng: Rng, count: number, entries: readonly InstructionDef[], trapShare = 0.1): VectorFloatCase[] {
  const cases: VectorFloatCase[] = [];
  for (let i = 0; i < count; i++) {
    const init: CaseInit = { gprs: Array.from({ length: 15 }, () => randomBits(rng, 64)), cc: rng.below(4), vrs: rng.fill(new Uint8Array(512)), mem: rng.fill(new Uint8Array(MEM_SIZE)) };
    const fpc = randomFpc(rng, trapShare);
    const entry = entries[i % entries.length]!;
    const { line, fields, xxc, registers } = instruction(rng, entry, init);
    const body = [`iilf %r12,${fpc}`, 'sfpc %r12', line];
    cases.push({ init, body, title: `${line} [fpc 0x${fpc.toString(16)}]`, mnemonic: entry.mnemonic, fields, fpc, xxc, registers });
  }
  return cases;
}
