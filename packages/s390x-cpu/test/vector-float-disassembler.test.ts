// The disassembler against GNU objdump on every vector floating-point entry and DIEBR/DIDBR:
// random encodings of the base form plus, for every extended mnemonic (vfadb, wfaxb, vfkhedbs,
// wcdgb, vflpsb, wftcixb, …), encodings that satisfy its conditions with the other fields random,
// so each name objdump prints is compared, not only those random fields happen to hit.
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { requireTool, run, tempPath } from '@pvdump/test-support';
import { disassemble, FORMAT_FIELDS, type InstructionDef } from '../src/isa/index.ts';
import { bfpDivideToIntegerInstructions } from '../src/isa/float/bfp-divide-to-integer.ts';
import { placeOpcode, setBits, usedFields } from './differential/encode.ts';
import { Rng } from './differential/rng.ts';
import { vectorFloatEntries } from './differential/vector-float-generator.ts';

/** An encoding of `entry` with `fixed` field values (masked ones merged into random values), other shown fields random. */
function encoding(entry: InstructionDef, rng: Rng, fixed: Record<string, number>, masked: Record<string, readonly [number, number]> = {}): Uint8Array {
  const { length, fields } = FORMAT_FIELDS[entry.format];
  const bytes = new Uint8Array(6);
  const used = usedFields(entry.operands);
  for (const [name, spec] of Object.entries(fields)) {
    if (!used.has(name) && fixed[name] === undefined && masked[name] === undefined) continue;
    let value = fixed[name] ?? rng.below(2 ** spec.width);
    const m = masked[name];
    if (m !== undefined) value = (value & ~m[0]) | m[1];
    setBits(bytes, spec.pos, spec.width, value);
    if (spec.kind === 'vector') setBits(bytes, 36 + [8, 12, 16, 32].indexOf(spec.pos), 1, rng.below(2));
  }
  placeOpcode(bytes, entry.opcode);
  return bytes.slice(0, length);
}

/** objdump's text per instruction address. */
function objdumpLines(blobs: Uint8Array[]): Map<bigint, string> {
  requireTool('s390x-linux-gnu-as');
  requireTool('s390x-linux-gnu-objdump');
  const src = tempPath('vfp-dis.s');
  const obj = tempPath('vfp-dis.o');
  writeFileSync(src, '.text\n' + blobs.map((b) => ` .byte ${Array.from(b, (x) => '0x' + x.toString(16)).join(',')}`).join('\n') + '\n');
  run('s390x-linux-gnu-as', [src, '-o', obj]);
  const byAddress = new Map<bigint, string>();
  for (const line of run('s390x-linux-gnu-objdump', ['-d', '--no-show-raw-insn', obj]).split('\n')) {
    const m = /^\s*([0-9a-f]+):\t(.*)$/.exec(line);
    if (m) byAddress.set(BigInt('0x' + m[1]!), m[2]!.replace(/\s+$/, ''));
  }
  return byAddress;
}

describe('disassembler vs objdump: vector floating point and DIVIDE TO INTEGER', () => {
  it('prints every extended mnemonic and base form as objdump does', () => {
    const rng = new Rng(0x7f9);
    const entries = [...vectorFloatEntries(), ...bfpDivideToIntegerInstructions];
    const blobs: Uint8Array[] = [];
    for (const e of entries) {
      for (let i = 0; i < 8; i++) blobs.push(encoding(e, rng, {}));
      for (const alias of e.aliases ?? []) for (let i = 0; i < 3; i++) blobs.push(encoding(e, rng, alias.when, alias.whenMasked));
    }
    const theirs = objdumpLines(blobs);
    let address = 0n;
    const mismatches: string[] = [];
    const printed = new Set<string>();
    for (const blob of blobs) {
      const ours = disassemble(blob, address).text;
      const expected = theirs.get(address);
      address += BigInt(blob.length);
      if (expected === undefined || expected.startsWith('.long')) continue;
      printed.add(expected.split('\t')[0]!);
      if (ours !== expected) mismatches.push(`${Buffer.from(blob).toString('hex')}: ours "${ours}" objdump "${expected}"`);
    }
    expect(mismatches).toEqual([]);
    const aliasNames = entries.flatMap((e) => (e.aliases ?? []).map((a) => a.mnemonic));
    expect(aliasNames.filter((n) => !printed.has(n))).toEqual([]);
    expect(printed.size).toBeGreaterThan(150);
  });
});
