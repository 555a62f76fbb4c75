/**
 * Random BFP cases for the differential test against qemu-s390x: every BFP table entry with
 * operands of its formats biased to the special values of PoO chapter 19 (±0, ±∞, quiet and
 * signalling NaNs with payloads, subnormals, the smallest/largest normals, values around
 * integer and range boundaries, near-ties), pairs of related operands (equal, negated, one ulp
 * apart), a random FPC (rounding mode 0–3 or 7, flags, sometimes enabled traps) set by SFPC
 * before the instruction, and M3/M4 modifiers (mostly valid, sometimes reserved values).
 */
import { INSTRUCTIONS, type InstructionDef } from '../../src/isa/index.ts';
import { MEM_SIZE, type CaseInit, type SequenceCase } from './sequence-program.ts';
import type { Rng } from './rng.ts';

interface Fmt {
  bits: 32 | 64 | 128;
  exponentBits: number;
}
const SHORT: Fmt = { bits: 32, exponentBits: 8 };
const LONG: Fmt = { bits: 64, exponentBits: 11 };
const EXTENDED: Fmt = { bits: 128, exponentBits: 15 };

/** GPRs an operand may name: not r11 (buffer), r12 (FPC value), r15 (stack). */
const GPRS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14];
const PAIRS = [0, 1, 4, 5, 8, 9, 12, 13];

const randomBits = (rng: Rng, bits: number): bigint => {
  let v = 0n;
  for (let i = 0; i < bits; i += 32) v = (v << 32n) | BigInt(rng.u32());
  return BigInt.asUintN(bits, v);
};

/** A value of format `f`, biased to special values and boundaries. */
export function bfpValue(rng: Rng, f: Fmt): bigint {
  const fractionBits = f.bits - 1 - f.exponentBits;
  const maxExp = (1 << f.exponentBits) - 1;
  const bias = (maxExp - 1) / 2;
  const sign = rng.chance(0.35) ? 1n : 0n;
  const r = rng.below(16);
  let exp: number;
  if (r < 2) exp = 0;
  else if (r < 4) exp = maxExp;
  else if (r < 5) exp = rng.pick([1, 2, maxExp - 1, maxExp - 2]);
  else if (r < 9) exp = bias + rng.below(8) - 2;
  else if (r < 12) exp = bias + rng.pick([30, 31, 32, 52, 53, 62, 63, 64, 112, 113]) - (rng.below(3) - 1) * (rng.chance(0.5) ? 1 : 0);
  else if (r < 13) exp = rng.chance(0.5) ? rng.below(8) + 1 : maxExp - 1 - rng.below(8);
  else exp = rng.below(maxExp + 1);
  if (exp > maxExp) exp = maxExp;
  const fr = rng.below(8);
  let frac: bigint;
  const full = (1n << BigInt(fractionBits)) - 1n;
  if (fr === 0) frac = 0n;
  else if (fr === 1) frac = full;
  else if (fr === 2) frac = rng.chance(0.5) ? 1n : 1n << BigInt(fractionBits - 1);
  else if (fr === 3) frac = randomBits(rng, fractionBits) & ~((1n << BigInt(rng.below(fractionBits))) - 1n);
  else if (fr === 4) frac = (1n << BigInt(rng.below(fractionBits))) | (rng.chance(0.5) ? 1n : 0n);
  else frac = randomBits(rng, fractionBits);
  if (exp === maxExp && frac === 0n && rng.chance(0.5)) frac = rng.chance(0.5) ? 1n << BigInt(fractionBits - 1) : 1n;
  return (sign << BigInt(f.bits - 1)) | (BigInt(exp) << BigInt(fractionBits)) | frac;
}

/** A second operand related to the first: equal, negated, one unit apart, or independent. */
function relatedValue(rng: Rng, f: Fmt, first: bigint): bigint {
  const r = rng.below(8);
  const mask = (1n << BigInt(f.bits)) - 1n;
  if (r === 0) return first;
  if (r === 1) return first ^ (1n << BigInt(f.bits - 1));
  if (r === 2) return (first + (rng.chance(0.5) ? 1n : mask)) & mask;
  return bfpValue(rng, f);
}

function interestingInteger(rng: Rng): bigint {
  const edges = [0n, 1n, 2n, 3n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x7fffffffffffffffn, 0x8000000000000000n, 0xffffffffffffffffn, 0x1000001n, 0x20000000000001n, 0xffffffff80000000n, 0x0123456789abcdefn];
  const r = rng.below(4);
  if (r === 0) return rng.pick(edges);
  if (r === 1) return BigInt.asUintN(64, BigInt(rng.below(2001) - 1000));
  if (r === 2) return BigInt(rng.u32()) << BigInt(rng.below(33));
  return randomBits(rng, 64);
}

/** Operand format of each FPR field, from the mnemonic (E short, D long, X extended). */
function fieldFormats(mn: string): Record<string, Fmt> {
  const letter = (c: string): Fmt => (c === 'e' ? SHORT : c === 'd' ? LONG : EXTENDED);
  let m: RegExpExecArray | null;
  // Two-format mnemonics first: load lengthened/rounded, multiply to a longer format.
  if ((m = /^l([dx])([ed])br?$/.exec(mn)) && mn !== 'ldr') return { R1: letter(m[1]!), R2: letter(m[2]!) };
  // Rounding from extended: R1 names a pair as well (the result goes to its first register).
  if ((m = /^l([de])([dx])bra$/.exec(mn))) return { R1: m[2] === 'x' ? EXTENDED : letter(m[1]!), R2: letter(m[2]!) };
  if ((m = /^m([dx])([ed])br?$/.exec(mn))) return { R1: letter(m[1]!), R2: letter(m[2]!) };
  if ((m = /^c([edx])l?[fg]bra?$/.exec(mn))) return { R1: letter(m[1]!) };
  if ((m = /^cl?[fg]([edx])bra?$/.exec(mn))) return { R2: letter(m[1]!) };
  if ((m = /^fi([edx])bra$/.exec(mn))) return { R1: letter(m[1]!), R2: letter(m[1]!) };
  if ((m = /^tc([edx])b$/.exec(mn))) return { R1: letter(m[1]!) };
  if ((m = /^di([ed])br$/.exec(mn))) return { R1: letter(m[1]!), R2: letter(m[1]!), R3: letter(m[1]!) };
  if ((m = /^(?:a|s|m|me|d|ma|ms|sq|c|k|lt|lc|ln|lp)([edx])br?$/.exec(mn))) return { R1: letter(m[1]!), R2: letter(m[1]!), R3: letter(m[1]!) };
  return {};
}

/** Whether an FPR operand of `mnemonic` is an extended register pair. */
export function hasExtendedOperand(mnemonic: string): boolean {
  return Object.values(fieldFormats(mnemonic)).includes(EXTENDED);
}

/**
 * qemu-s390x 7.2 multiplies the wrong operand for MULTIPLY to a longer format: MDEB(R) takes
 * FPR R1 as a long operand instead of its left 32 bits, MXDB(R) takes the R1 pair as an extended
 * operand instead of FPR R1 as a long one (fixed in QEMU 8.0). test/bfp-semantics.test.ts checks
 * the architected results.
 */
export const QEMU_WRONG_OPERAND = new Set(['mdebr', 'mdeb', 'mxdbr', 'mxdb']);

/** DIVIDE TO INTEGER: qemu-s390x 7.2 does not have it (test/vector-float-semantics.test.ts checks it). */
export const QEMU_MISSING = new Set(['diebr', 'didbr']);

/** The BFP entries of the table the differential test covers. */
export function bfpInstructions(): InstructionDef[] {
  return INSTRUCTIONS.filter((e) => !QEMU_WRONG_OPERAND.has(e.mnemonic) && !QEMU_MISSING.has(e.mnemonic) && (Object.keys(fieldFormats(e.mnemonic)).length > 0 || ['srnm', 'srnmb', 'efpc', 'sfpc'].includes(e.mnemonic)));
  // Not SFASR: qemu-s390x 7.2 aborts on it ("tcg_s390_data_exception: assertion failed: (dxc <=
  // 0xff)") even without enabled flags; test/bfp-semantics.test.ts checks it instead.
}

/** A random FPC: rounding mode 0–3 or 7, random flags, traps enabled in `trapShare` of the cases. */
function randomFpc(rng: Rng, trapShare: number): number {
  const mode = rng.pick([0, 0, 1, 2, 3, 7]);
  const flags = rng.chance(0.3) ? rng.u32() & 0xf8 : 0;
  const masks = rng.chance(trapShare) ? rng.u32() & 0xf8 : 0;
  return ((masks << 24) | (flags << 16) | mode) >>> 0;
}

function writeValue(init: CaseInit, f: Fmt, reg: number, v: bigint): void {
  const view = new DataView(init.vrs.buffer, init.vrs.byteOffset);
  if (f === SHORT) view.setUint32(16 * reg, Number(v));
  else if (f === LONG) view.setBigUint64(16 * reg, v);
  else {
    view.setBigUint64(16 * reg, v >> 64n);
    view.setBigUint64(16 * (reg + 2), BigInt.asUintN(64, v));
  }
}

function randomInit(rng: Rng): CaseInit {
  const gprs: bigint[] = [];
  for (let r = 0; r < 15; r++) gprs.push(interestingInteger(rng));
  return { gprs, cc: rng.below(4), vrs: rng.fill(new Uint8Array(512)), mem: rng.fill(new Uint8Array(MEM_SIZE)) };
}

/** One instruction of `entry` with operand values placed in `init`; returns its assembly lines. */
function instruction(rng: Rng, entry: InstructionDef, init: CaseInit): string[] {
  const mn = entry.mnemonic;
  const formats = fieldFormats(mn);
  const ops: string[] = [];
  const pre: string[] = [];
  let firstValue: bigint | undefined;
  const usedFprs = new Set<number>();
  for (const token of entry.operands.split(',').filter((t) => t !== '')) {
    const [kind, name] = token.split(':') as [string, string];
    if (kind === 'f') {
      const f = formats[name] ?? LONG;
      // Mostly distinct, valid registers; sometimes the same register twice or an invalid pair.
      let reg: number;
      // (gas rejects invalid pairs: test/bfp-semantics.test.ts checks their specification exception.)
      if (f === EXTENDED) reg = rng.pick(PAIRS.filter((p) => !usedFprs.has(p)));
      else reg = rng.chance(0.1) && usedFprs.size > 0 ? [...usedFprs][0]! : rng.below(16);
      if (!usedFprs.has(reg)) {
        let v = firstValue === undefined ? bfpValue(rng, f) : relatedValue(rng, f, firstValue);
        // qemu-s390x 7.2's LOAD AND TEST neither quiets a signalling NaN nor signals invalid
        // (PoO: it does); test/bfp-semantics.test.ts checks it.
        if (/^lt[edx]br$/.test(mn)) v |= 1n << BigInt(f.bits - 2 - f.exponentBits);
        firstValue ??= v;
        writeValue(init, f, reg, v);
      }
      usedFprs.add(reg);
      ops.push(`%f${reg}`);
    } else if (kind === 'r') {
      const reg = rng.pick(GPRS);
      if (!mn.startsWith('c') || Object.keys(formats).includes('R1')) init.gprs[reg] = interestingInteger(rng);
      ops.push(`%r${reg}`);
    } else if (kind === 'm') {
      if (name === 'M3') ops.push(String(rng.chance(0.9) ? rng.pick([0, 1, 3, 4, 5, 6, 7]) : rng.pick([2, 8, 9, 15])));
      else ops.push(String(rng.chance(0.85) ? rng.pick([0, 4]) : rng.below(16)));
    } else if (kind === 'dxb' || kind === 'db') {
      if (mn.startsWith('tc')) ops.push(`${rng.chance(0.7) ? 1 << rng.below(12) : rng.below(4096)}(%r0,%r0)`);
      else if (kind === 'db') ops.push(`${mn === 'srnmb' && rng.chance(0.8) ? rng.pick([0, 1, 2, 3, 7]) : rng.below(mn === 'srnm' ? 4096 : 16)}(%r0)`);
      else {
        const f = mn.endsWith('eb') || /^(ldeb|lxeb|mdeb)$/.test(mn) ? SHORT : LONG;
        const offset = 8 * rng.below(MEM_SIZE / 8 - 1);
        const v = firstValue === undefined ? bfpValue(rng, f) : relatedValue(rng, f.bits === 32 ? SHORT : LONG, firstValue & ((1n << BigInt(f.bits)) - 1n));
        const view = new DataView(init.mem.buffer, init.mem.byteOffset);
        if (f === SHORT) view.setUint32(offset, Number(v & 0xffffffffn));
        else view.setBigUint64(offset, v & 0xffffffffffffffffn);
        ops.push(`${offset}(%r0,%r11)`);
      }
    } else throw new Error(`bfp generator: operand kind ${kind} of ${mn}`);
  }
  if (mn === 'sfpc') {
    const value = randomFpc(rng, 0.3);
    pre.push(`iilf ${ops[0]},${value}`);
  }
  return [...pre, `${mn} ${ops.join(',')}`];
}

/** `count` cases, each a random FPC and one BFP instruction (sometimes two); `trapShare` of the FPCs enable traps. */
export function generateBfpCases(rng: Rng, count: number, entries: readonly InstructionDef[], trapShare = 0.1): SequenceCase[] {
  const cases: SequenceCase[] = [];
  for (let i = 0; i < count; i++) {
    const init = randomInit(rng);
    const body = [`iilf %r12,${randomFpc(rng, trapShare)}`, 'sfpc %r12'];
    body.push(...instruction(rng, entries[i % entries.length]!, init));
    if (rng.chance(0.15)) body.push(...instruction(rng, rng.pick(entries), init));
    cases.push({ init, body, title: body.slice(2).join('; ') + ` [fpc ${body[0]!.split(',')[1]}]` });
  }
  return cases;
}
