// The disassembler against s390x-linux-gnu-objdump -d on the whole C corpus (every program in
// every variant, -O0, -O2 and -O3 for z13 to z15, libc and start-up code included): same mnemonic and
// operands for every instruction objdump decodes.
import { beforeAll, describe, expect, it } from 'vitest';
import { disassemble } from '../src/isa/index.ts';
import { buildCorpus, type CorpusBinary } from '@pvdump/test-support/corpus';
import { objdump } from './differential/objdump.ts';

let binaries: CorpusBinary[] = [];

beforeAll(async () => {
  binaries = await buildCorpus();
}, 600_000);

describe('disassembler vs objdump on the corpus', () => {
  it('agrees on every instruction of every corpus binary', () => {
    let compared = 0;
    const mismatches: string[] = [];
    for (const bin of binaries) {
      for (const line of objdump(bin.path)) {
        // objdump shows data words in .text as `.long`/`.short`; those are not instructions.
        if (line.text.startsWith('.')) continue;
        const ours = disassemble(line.bytes, line.address).text;
        compared++;
        if (ours !== line.text) mismatches.push(`${bin.name} ${line.address.toString(16)}: ours "${ours}" objdump "${line.text}"`);
      }
    }
    expect(mismatches.slice(0, 40)).toEqual([]);
    expect(compared).toBeGreaterThan(20000);
  });
});
