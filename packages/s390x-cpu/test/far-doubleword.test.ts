// Doubleword operands at virtual addresses near 2^64 (where kvm-unit-tests' vmalloc maps its
// buffers and their metadata): such an address is not exact as a number, so both words of the
// doubleword must come from one translation of the operand's first byte. Checked with the plain
// interpreter and with compiled blocks under DAT (from the first execution and once hot).
import { describe, expect, it } from 'vitest';
import { machine } from './support/machine.ts';

const DAT_PSW = 0x0400000180000000n;
const INVALID = 0x20n;
const REGION_FIRST = 0x40000;
const REGION_SECOND = 0x44000;
const REGION_THIRD = 0x18000;
const SEGMENT_TABLE = 0x10000;
const PAGE_TABLE = 0x14000;
/** Virtual 0xffc0000000000000 + x maps to real x (x below 1 MiB), as does virtual x. */
const FAR = 0xffc0000000000000n;

// A vmalloc-style buffer at FAR + 0x31000 with its metadata (npages, magic) in the 16 bytes before it.
const PROGRAM = `
    lghi %r1, 40
loop:
    ltg %r5, -16(%r2)
    cg %r5, -16(%r2)
    jne bad
    lg %r6, -8(%r2)
    ag %r7, -16(%r2)
    ldy %f0, -8(%r2)
    brctg %r1, loop
    .short 0
bad:
    .short 0
`;

function run(blocks: 'off' | 'always' | 'hot') {
  const m = machine(PROGRAM, DAT_PSW);
  for (let i = 0; i < 2048; i++) {
    m.mem.writeU64(REGION_FIRST + 8 * i, INVALID | 0xcn);
    m.mem.writeU64(REGION_SECOND + 8 * i, INVALID | 0x8n);
    m.mem.writeU64(REGION_THIRD + 8 * i, INVALID | 0x4n);
    m.mem.writeU64(SEGMENT_TABLE + 8 * i, INVALID);
  }
  m.mem.writeU64(REGION_FIRST, BigInt(REGION_SECOND) | 0xcn | 0x3n);
  m.mem.writeU64(REGION_FIRST + 8 * 2046, BigInt(REGION_SECOND) | 0xcn | 0x3n);
  m.mem.writeU64(REGION_SECOND, BigInt(REGION_THIRD) | 0x8n | 0x3n);
  m.mem.writeU64(REGION_THIRD, BigInt(SEGMENT_TABLE) | 0x4n | 0x3n);
  m.mem.writeU64(SEGMENT_TABLE, BigInt(PAGE_TABLE));
  for (let p = 0; p < 256; p++) m.mem.writeU64(PAGE_TABLE + 8 * p, BigInt(p * 4096));
  m.cpu.setCr(1, BigInt(REGION_FIRST) | 0xcn | 0x3n);
  m.cpu.setCr(0, 0x40000n); // AFP registers
  m.mem.writeU64(0x30ff0, 0x1_0000_0005n);
  m.mem.writeU64(0x30ff8, 0x7e57c0den);
  m.cpu.setGpr(2, FAR + 0x31000n);
  m.cpu.useBlocks = blocks !== 'off';
  if (blocks === 'always') m.cpu.compileThreshold = 0;
  const stop = m.cpu.run(1000);
  return { stop: stop.kind, at: m.cpu.getPsw().addr, r5: m.cpu.getGpr(5), r6: m.cpu.getGpr(6), r7: m.cpu.getGpr(7), f0: m.cpu.getFprBits(0) };
}

describe('doubleword operands near 2^64', () => {
  for (const blocks of ['off', 'always', 'hot'] as const) {
    it(`LTG, CG, LG, AG and LDY read both words of the operand (blocks ${blocks})`, () => {
      const out = run(blocks);
      expect(out).toMatchObject({ r5: 0x1_0000_0005n, r6: 0x7e57c0den, r7: 40n * 0x1_0000_0005n, f0: 0x7e57c0den });
      // The loop ended on its count (the operation exception of the halfword after it), not at `bad`.
      expect(out.stop).toBe('wait');
    });
  }
});
