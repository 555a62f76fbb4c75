// Disassembler with GNU objdump's mnemonics and operand syntax, driven by the instruction
// table's `operands` strings and `aliases`. Relative targets print as bare lowercase
// hex addresses, as objdump does before its `<symbol>` annotation.

import { DECODE_TABLE } from './dispatch.js';
import { instructionLength, opcodeKey } from './decoder.js';
import { FORMAT_FIELDS, extractField } from './formats.js';
import type { InstructionDef } from './types.js';

export interface Disassembly {
  /** Mnemonic as objdump prints it (`.long`/`.short`/`.byte` style for unknown opcodes). */
  mnemonic: string;
  /** Operands as objdump prints them, comma-separated. */
  operands: string;
  /** Whole line: mnemonic, a tab, operands (or just the mnemonic). */
  text: string;
  length: 2 | 4 | 6;
  entry: InstructionDef | undefined;
}

function signed(value: number, width: number): number {
  return value >= 2 ** (width - 1) ? value - 2 ** width : value;
}

function formatAddress(value: number): string {
  return value.toString(16);
}

/** Renders one operand token of an entry's `operands` string. */
function renderToken(token: string, fields: Record<string, number>, entry: InstructionDef, address: bigint): string | undefined {
  const colon = token.indexOf(':');
  const kind = token.slice(0, colon);
  const name = token.slice(colon + 1);
  const field = (n: string): number => {
    const v = fields[n];
    if (v === undefined) throw new Error(`disassembler: ${entry.mnemonic} has no field ${n} in format ${entry.format}`);
    return v;
  };
  const reg = (n: string | undefined): string => (n === undefined ? '%r0' : `%r${field(n)}`);
  switch (kind) {
    case 'r':
      return `%r${field(name)}`;
    case 'f':
      return `%f${field(name)}`;
    case 'v':
      return `%v${field(name)}`;
    case 'c':
      return `%c${field(name)}`;
    case 'a':
      return `%a${field(name)}`;
    case 'u':
    case 'm':
      return String(field(name));
    case 'u6':
      // The low 6 bits of an 8-bit immediate whose top bits the mnemonic already shows (risbgz).
      return String(field(name) & 0x3f);
    case 'm7':
      // The low 3 bits of a modifier whose bit 0 the mnemonic already shows (wcdgb: single element).
      return String(field(name) & 7);
    case 'm?':
      return field(name) === 0 ? undefined : String(field(name));
    case 'mf?':
      // The flags of a string instruction the mnemonic does not show (its `s`/`z` name CS and ZS).
      return (field(name) & 12) === 0 ? undefined : String(field(name) & 12);
    case 's': {
      const spec = FORMAT_FIELDS[entry.format].fields[name];
      return String(signed(field(name), spec?.width ?? 16));
    }
    case 'rel': {
      const spec = FORMAT_FIELDS[entry.format].fields[name];
      const offset = BigInt(signed(field(name), spec?.width ?? 16)) * 2n;
      return formatAddress(Number(BigInt.asUintN(64, address + offset)));
    }
    case 'dxb': {
      const d = field('D' + name);
      const x = field('X' + name);
      const b = field('B' + name);
      if (x === 0 && b === 0) return String(d);
      if (x === 0) return `${d}(%r${b})`;
      return `${d}(%r${x},${reg(b === 0 ? undefined : 'B' + name)})`;
    }
    case 'db': {
      const d = field('D' + name);
      const b = field('B' + name);
      return b === 0 ? String(d) : `${d}(%r${b})`;
    }
    case 'dvb': {
      const d = field('D' + name);
      const b = field('B' + name);
      const v = field('V' + name);
      // Like an index register, a zero vector register is left out (objdump).
      if (v === 0) return b === 0 ? String(d) : `${d}(%r${b})`;
      return `${d}(%v${v},%r${b})`;
    }
    case 'dlb': {
      // SS-a: D1(L,B1) with the length code + 1; `dlb:1` uses L, `dlb:L1` style names L1/L2.
      const [which, lengthField] = name.includes('/') ? (name.split('/') as [string, string]) : [name, 'L'];
      const d = field('D' + which);
      const b = field('B' + which);
      return `${d}(${field(lengthField) + 1},%r${b})`;
    }
    default:
      throw new Error(`disassembler: unknown operand token ${token} in ${entry.mnemonic}`);
  }
}

/** Operand text for `syntax` (comma-separated tokens) with the decoded fields. */
export function renderOperands(syntax: string, fields: Record<string, number>, entry: InstructionDef, address: bigint): string {
  if (syntax === '') return '';
  const out: string[] = [];
  for (const token of syntax.split(',')) {
    const text = renderToken(token, fields, entry, address);
    if (text !== undefined) out.push(text);
  }
  return out.join(',');
}

/** Decodes all fields of `entry`'s format. */
function fieldsOf(entry: InstructionDef, a: number, b: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, spec] of Object.entries(FORMAT_FIELDS[entry.format].fields)) out[name] = extractField(a, b, spec);
  return out;
}

/**
 * Disassembles the instruction in `bytes` (at least its length) located at `address`.
 * Unknown opcodes print as objdump does: `.long 0x…` for 4 bytes, `.short 0x…` for 2, and
 * `.long` + `.short` style for 6 (mnemonic `.insn`-free raw data).
 */
export function disassemble(bytes: Uint8Array, address = 0n): Disassembly {
  if (bytes.length < 2) throw new RangeError('disassemble needs at least 2 bytes');
  const length = instructionLength(bytes[0]!);
  if (bytes.length < length) throw new RangeError(`disassemble: instruction at 0x${address.toString(16)} needs ${length} bytes, got ${bytes.length}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const a = length === 2 ? (dv.getUint16(0) << 16) >>> 0 : dv.getUint32(0);
  const b = length === 6 ? dv.getUint16(4) : 0;
  const entry = DECODE_TABLE[opcodeKey(a, b)];
  if (entry === undefined) {
    const hex = Array.from(bytes.subarray(0, length), (x) => x.toString(16).padStart(2, '0')).join('');
    const mnemonic = length === 2 ? '.short' : '.long';
    const operands = length === 6 ? `0x${hex.slice(0, 8)}` : `0x${hex}`;
    return { mnemonic, operands, text: `${mnemonic}\t${operands}`, length, entry };
  }
  const fields = fieldsOf(entry, a, b);
  let mnemonic = entry.mnemonic;
  let syntax = entry.operands;
  for (const alias of entry.aliases ?? []) {
    const masked = Object.entries(alias.whenMasked ?? {}).every(([k, [mask, value]]) => ((fields[k] ?? 0) & mask) === value);
    if (masked && Object.entries(alias.when).every(([k, v]) => fields[k] === v)) {
      mnemonic = alias.mnemonic;
      syntax = alias.operands;
      break;
    }
  }
  const operands = renderOperands(syntax, fields, entry, address);
  return { mnemonic, operands, text: operands === '' ? mnemonic : `${mnemonic}\t${operands}`, length, entry };
}

/** Disassembles a block of code starting at `address`; stops at a truncated instruction. */
export function disassembleBlock(bytes: Uint8Array, address = 0n): { address: bigint; text: string; bytes: Uint8Array }[] {
  const out: { address: bigint; text: string; bytes: Uint8Array }[] = [];
  let off = 0;
  while (off + 2 <= bytes.length) {
    const length = instructionLength(bytes[off]!);
    if (off + length > bytes.length) break;
    const d = disassemble(bytes.subarray(off, off + length), address + BigInt(off));
    out.push({ address: address + BigInt(off), text: d.text, bytes: bytes.subarray(off, off + length) });
    off += length;
  }
  return out;
}
