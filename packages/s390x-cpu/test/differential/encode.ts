/**
 * Random encodings of table entries: every field the operand syntax shows gets a random value
 * (unused bits stay zero, so objdump prints the same operands), then the opcode bits are set.
 * Shared by the table test and the disassembler checks.
 */
import { ExtensionKind, extensionKind, FORMAT_FIELDS, keyOfOpcode, type InstructionDef } from '../../src/isa/index.ts';
import type { Rng } from './rng.ts';

/** Sets `width` bits at MSB-0 bit `pos` of a 6-byte instruction to `value`. */
export function setBits(bytes: Uint8Array, pos: number, width: number, value: number): void {
  for (let i = 0; i < width; i++) {
    const bit = Math.floor(value / 2 ** (width - 1 - i)) % 2;
    const p = pos + i;
    const mask = 0x80 >>> (p & 7);
    bytes[p >>> 3] = bit ? bytes[p >>> 3]! | mask : bytes[p >>> 3]! & ~mask;
  }
}

/** Field names an operand syntax string refers to. */
export function usedFields(operands: string): Set<string> {
  const used = new Set<string>();
  for (const token of operands.split(',')) {
    const [kind, name] = token.split(':') as [string, string | undefined];
    if (name === undefined) continue;
    if (kind === 'dxb' || kind === 'db' || kind === 'dvb' || kind === 'dlb') {
      for (const f of ['D', 'X', 'B', 'V']) used.add(f + name);
      used.add('L');
    } else used.add(name);
  }
  return used;
}

/**
 * `forwardOnly` keeps relative-immediate fields (RI2, RI3, RI4) non-negative, so targets stay
 * small addresses when the code sits near address 0.
 */
export function randomEncoding(entry: InstructionDef, rng: Rng, forwardOnly = false): Uint8Array {
  const { length, fields } = FORMAT_FIELDS[entry.format];
  const bytes = new Uint8Array(6);
  const used = usedFields(entry.operands);
  for (const [name, spec] of Object.entries(fields)) {
    if (!used.has(name)) continue;
    if (spec.kind === 'disp20') {
      setBits(bytes, spec.pos, 12, rng.below(4096));
      setBits(bytes, spec.pos + 12, 8, rng.below(256));
    } else {
      const relative = name.startsWith('RI');
      setBits(bytes, spec.pos, spec.width, rng.below(2 ** (forwardOnly && relative ? spec.width - 1 : spec.width)));
    }
  }
  placeOpcode(bytes, entry.opcode);
  return bytes.slice(0, length);
}

/** Writes an entry's opcode (first byte and extension, wherever its format keeps it) into `bytes`. */
export function placeOpcode(bytes: Uint8Array, opcode: number): void {
  const key = keyOfOpcode(opcode);
  bytes[0] = key >>> 8;
  const kind = extensionKind(key >>> 8);
  if (kind === ExtensionKind.Byte1) bytes[1] = key & 0xff;
  else if (kind === ExtensionKind.Nibble) bytes[1] = (bytes[1]! & 0xf0) | (key & 15);
  else if (kind === ExtensionKind.Byte5) bytes[5] = key & 0xff;
}
