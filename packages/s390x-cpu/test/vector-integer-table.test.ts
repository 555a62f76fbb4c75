// The vector support, integer and string instructions (PoO chapters 21–23) against GNU binutils:
// every combination of the mask fields each entry shows (element sizes, flags, indices), with
// the other fields random, disassembles exactly as s390x-linux-gnu-objdump prints it, so
// opcodes, operand syntax and the extended mnemonics for every M value agree.
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { requireTool, run, tempPath } from '@pvdump/test-support';
import { disassemble, FORMAT_FIELDS, type InstructionDef } from '../src/isa/index.ts';
import { VECTOR_INTEGER_INSTRUCTIONS } from '../src/isa/vector/integer-groups.ts';
import { placeOpcode, setBits, usedFields } from './differential/encode.ts';
import { objdump } from './differential/objdump.ts';
import { Rng } from './differential/rng.ts';

/** Every encoding of `entry` over its shown mask fields; other shown fields random. */
function encodings(entry: InstructionDef, rng: Rng): Uint8Array[] {
  const { length, fields } = FORMAT_FIELDS[entry.format];
  const used = usedFields(entry.operands);
  const masks = [...used].filter((name) => name.startsWith('M') && fields[name] !== undefined);
  const out: Uint8Array[] = [];
  for (let combo = 0; combo < 16 ** masks.length; combo++) {
    const bytes = new Uint8Array(6);
    for (const [name, spec] of Object.entries(fields)) {
      if (!used.has(name)) continue;
      const k = masks.indexOf(name);
      if (k >= 0) setBits(bytes, spec.pos, 4, Math.floor(combo / 16 ** k) % 16);
      else if (spec.kind === 'disp20') {
        setBits(bytes, spec.pos, 12, rng.below(4096));
        setBits(bytes, spec.pos + 12, 8, rng.below(256));
      } else setBits(bytes, spec.pos, spec.width, rng.below(2 ** spec.width));
      if (spec.kind === 'vector') setBits(bytes, 36 + [8, 12, 16, 32].indexOf(spec.pos), 1, rng.below(2));
    }
    placeOpcode(bytes, entry.opcode);
    out.push(bytes.slice(0, length));
  }
  return out;
}

describe('vector integer and string instructions vs objdump', () => {
  it('disassemble every mask combination exactly as objdump does', () => {
    requireTool('s390x-linux-gnu-as');
    const rng = new Rng(0x7ec);
    const blobs = VECTOR_INTEGER_INSTRUCTIONS.flatMap((e) => encodings(e, rng));
    const src = tempPath('vector-integer.s');
    const obj = tempPath('vector-integer.o');
    writeFileSync(src, '.text\n' + blobs.map((b) => ` .byte ${Array.from(b, (x) => '0x' + x.toString(16)).join(',')}`).join('\n') + '\n');
    run('s390x-linux-gnu-as', ['-march=z15', src, '-o', obj]);
    const theirs = new Map(objdump(obj).map((l) => [l.address, l.text]));
    let address = 0n;
    let compared = 0;
    const mismatches: string[] = [];
    for (const blob of blobs) {
      const ours = disassemble(blob, address).text;
      const expected = theirs.get(address);
      address += BigInt(blob.length);
      // objdump prints reserved encodings of some entries as data (a nonzero field it does not show).
      if (expected === undefined || expected.startsWith('.long') || expected.startsWith('.short')) continue;
      compared++;
      if (ours !== expected) mismatches.push(`${Buffer.from(blob).toString('hex')}: ours "${ours}" objdump "${expected}"`);
    }
    expect(mismatches.slice(0, 40)).toEqual([]);
    expect(compared).toBeGreaterThan(blobs.length * 0.9);
  });
});
