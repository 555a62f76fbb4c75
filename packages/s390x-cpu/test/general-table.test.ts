// The general instructions of the table against GNU binutils: random encodings of every entry
// disassemble (through our decoder and disassembler) to exactly what s390x-linux-gnu-objdump
// prints, so opcodes, formats, operand syntax and extended mnemonics all agree.
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { requireTool, run, tempPath } from '@pvdump/test-support';
import { DECODE_TABLE, disassemble, INSTRUCTIONS, opcodeKey } from '../src/isa/index.ts';
import { generalInstructions } from '../src/isa/general/index.ts';
import { randomEncoding } from './differential/encode.ts';
import { objdump, wellFormed } from './differential/objdump.ts';
import { Rng } from './differential/rng.ts';

describe('general instruction table', () => {
  it('has unique mnemonics, all problem-state, all in the composed table', () => {
    const names = generalInstructions.map((e) => e.mnemonic);
    expect(new Set(names).size).toBe(names.length);
    for (const e of generalInstructions) {
      expect(e.privileged).toBe(false);
      expect(INSTRUCTIONS).toContain(e);
    }
    expect(generalInstructions.length).toBeGreaterThan(300);
  });

  it('decodes each entry from its own encoding', () => {
    const rng = new Rng(1);
    for (const e of generalInstructions) {
      const bytes = randomEncoding(e, rng);
      const dv = new DataView(bytes.buffer);
      const a = bytes.length === 2 ? (dv.getUint16(0) << 16) >>> 0 : dv.getUint32(0);
      const b = bytes.length === 6 ? dv.getUint16(4) : 0;
      expect(DECODE_TABLE[opcodeKey(a, b)]?.mnemonic).toBe(e.mnemonic);
    }
  });

  it('disassembles 16 random encodings of every entry exactly as objdump does', () => {
    requireTool('s390x-linux-gnu-as');
    const rng = new Rng(0x6e6e);
    const blobs: Uint8Array[] = [];
    for (const e of generalInstructions) for (let i = 0; i < 16; i++) blobs.push(randomEncoding(e, rng, true));
    const src = tempPath('general.s');
    const obj = tempPath('general.o');
    writeFileSync(src, '.text\n_start:\n' + blobs.map((b) => ` .byte ${Array.from(b, (x) => '0x' + x.toString(16)).join(',')}`).join('\n') + '\n');
    run('s390x-linux-gnu-as', ['-march=z13', src, '-o', obj]);
    const theirs = new Map(objdump(obj).map((l) => [l.address, l.text]));
    let address = 0n;
    const mismatches: string[] = [];
    for (const blob of blobs) {
      const ours = disassemble(blob, address).text;
      const expected = theirs.get(address);
      if (expected !== undefined && !wellFormed(expected)) {
        address += BigInt(blob.length);
        continue;
      }
      if (ours !== expected) mismatches.push(`${Buffer.from(blob).toString('hex')}: ours "${ours}" objdump "${expected}"`);
      address += BigInt(blob.length);
    }
    expect(mismatches.slice(0, 40)).toEqual([]);
  });
});
