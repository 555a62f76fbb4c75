// The disassembler against GNU objdump: random encodings of every control, floating-point and
// vector table entry (fields random, unused bits zero), assembled as raw bytes with
// s390x-linux-gnu-as and disassembled by s390x-linux-gnu-objdump -d. Opcodes objdump does not
// know (it prints `.long`) are skipped.
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { requireTool, run, tempPath } from '@pvdump/test-support';
import { disassemble, FORMAT_FIELDS, type InstructionDef } from '../src/isa/index.ts';
import { placeOpcode, setBits, usedFields } from './differential/encode.ts';
import { controlInstructions } from '../src/isa/control/index.ts';
import { messageSecurityInstructions } from '../src/isa/crypto/message-security-assist.ts';
import { floatInstructions } from '../src/isa/float/index.ts';
import { vectorInstructions } from '../src/isa/vector/index.ts';

/** xorshift32: deterministic test randomness. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

export function randomEncoding(entry: InstructionDef, next: () => number): Uint8Array {
  const { length, fields } = FORMAT_FIELDS[entry.format];
  const bytes = new Uint8Array(6);
  // Only fields the operand syntax shows get random values; objdump prints the others if set.
  const used = usedFields(entry.operands);
  for (const [name, spec] of Object.entries(fields)) {
    if (!used.has(name)) continue;
    if (spec.kind === 'disp20') {
      setBits(bytes, spec.pos, 12, next() & 0xfff);
      setBits(bytes, spec.pos + 12, 8, next() & 0xff);
    } else setBits(bytes, spec.pos, spec.width, spec.width >= 32 ? next() : next() & ((1 << spec.width) - 1));
    if (spec.kind === 'vector') setBits(bytes, 36 + [8, 12, 16, 32].indexOf(spec.pos), 1, next() & 1);
  }
  placeOpcode(bytes, entry.opcode);
  return bytes.subarray(0, length);
}

/** objdump's text per instruction address. */
function objdumpLines(blobs: Uint8Array[]): Map<bigint, string> {
  requireTool('s390x-linux-gnu-as');
  requireTool('s390x-linux-gnu-objdump');
  const src = tempPath('dis.s');
  const obj = tempPath('dis.o');
  const lines = blobs.map((b) => ` .byte ${Array.from(b, (x) => '0x' + x.toString(16)).join(',')}`);
  writeFileSync(src, '.text\n' + lines.join('\n') + '\n');
  run('s390x-linux-gnu-as', ['-march=z13', src, '-o', obj]);
  const out = run('s390x-linux-gnu-objdump', ['-d', '--no-show-raw-insn', obj]);
  const byAddress = new Map<bigint, string>();
  for (const line of out.split('\n')) {
    const m = /^\s*([0-9a-f]+):\t(.*)$/.exec(line);
    if (m) byAddress.set(BigInt('0x' + m[1]!), m[2]!.replace(/\s+<[^>]*>$/, '').replace(/\s+$/, ''));
  }
  return byAddress;
}

describe('disassembler vs objdump', () => {
  const groups = { control: controlInstructions, float: floatInstructions, vector: vectorInstructions, 'message-security': messageSecurityInstructions };
  for (const [name, entries] of Object.entries(groups)) {
    it(`agrees with objdump on the ${name} instructions`, () => {
      const next = rng(0x5eed + name.length);
      const blobs: Uint8Array[] = [];
      for (const e of entries) for (let i = 0; i < 12; i++) blobs.push(randomEncoding(e, next));
      const theirs = objdumpLines(blobs);
      let address = 0n;
      let compared = 0;
      const mismatches: string[] = [];
      blobs.forEach((blob) => {
        const ours = disassemble(blob, address).text;
        const expected = theirs.get(address);
        address += BigInt(blob.length);
        if (expected === undefined || expected.startsWith('.long') || expected.startsWith('.short')) return;
        compared++;
        if (ours !== expected) mismatches.push(`${Array.from(blob, (x) => x.toString(16).padStart(2, '0')).join('')}: ours "${ours}" objdump "${expected}"`);
      });
      expect(mismatches).toEqual([]);
      expect(compared).toBeGreaterThan(entries.length * 6);
    });
  }
});
