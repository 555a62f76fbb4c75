// MOVE LONG and COMPARE LOGICAL LONG (PoO chapter 7): lengths and padding, destructive overlap,
// condition codes, the register forms of the 24-, 31- and 64-bit addressing modes, the unit of
// interruption (the PSW stays at the instruction until it completes) and an operand running into
// an invalid page far above 2^52 (the exception finds the registers describing the progress, and
// the instruction completes once the page is mapped). Each runs with the plain interpreter and
// with compiled blocks; a batch of random MVCL/CLCL cases is compared with qemu-s390x.
import { describe, expect, it } from 'vitest';
import { requireTool } from '@pvdump/test-support';
import { Cpu, GuestMemory, ManualTodClock } from '../src/index.ts';
import { INSTRUCTIONS } from '../src/isa/index.ts';
import { LC } from '../src/state/index.ts';
import { runBatch } from './differential/compare.ts';
import { generateCases } from './differential/generator.ts';
import { Rng } from './differential/rng.ts';
import { DAT_PSW_64, FarDat, PAGE_ZERO_FRAME } from './support/far-dat.ts';
import { assemble, CODE_AT, PGM_WAIT_ADDRESS, programInterruption, type TestMachine } from './support/machine.ts';

const SRC = 0x40000;
const DST = 0x60000;
const MODES = [false, true] as const;

/** Assembled snippets by source: each runs with and without compiled blocks. */
const assembled = new Map<string, Uint8Array>();

/** A CPU in 64-bit supervisor state at CODE_AT running `source`; program interruptions end in a wait. */
function machine(source: string): TestMachine {
  let code = assembled.get(source);
  if (code === undefined) assembled.set(source, (code = assemble(source)));
  const mem = new GuestMemory(1 << 20);
  mem.write(CODE_AT, code);
  mem.writeU64(LC.PROGRAM_NEW_PSW, 0x0002000180000000n);
  mem.writeU64(LC.PROGRAM_NEW_PSW + 8, BigInt(PGM_WAIT_ADDRESS));
  const clock = new ManualTodClock();
  const cpu = new Cpu(mem, { clock });
  cpu.setPsw({ mask: 0x0000000180000000n, addr: BigInt(CODE_AT) });
  return { cpu, mem, clock };
}

function finish(m: TestMachine, blocks: boolean): void {
  m.cpu.useBlocks = blocks;
  if (blocks) m.cpu.compileThreshold = 0;
  expect(m.cpu.run(100_000).kind).toBe('wait');
}

/** The CC an `ipm %rN` stored. */
const ipmCc = (v: bigint): number => Number((v >> 28n) & 3n);
const pattern = (len: number, seed: number) => Uint8Array.from({ length: len }, (_, i) => (seed + 37 * i) & 0xff);

/** `mvcl`/`clcl` with R1 = 2, R2 = 4 set from the arguments, CC to r6, then a disabled wait. */
function longOp(mn: 'mvcl' | 'clcl', dst: number, word1: number, src: number, word2: number, mode = ''): TestMachine {
  const m = machine(` lgfi %r2,${dst}\n iilf %r3,${word1 >>> 0}\n lgfi %r4,${src}\n iilf %r5,${word2 >>> 0}\n${mode} ${mn} %r2,%r4\n ipm %r6\n sam64\n lpswe 0x300`);
  m.mem.writeU64(0x300, 0x0002000180000000n);
  m.mem.writeU64(0x308, 0xfffn);
  return m;
}

describe('MOVE LONG', () => {
  for (const blocks of MODES) {
    it(`moves the second operand, pads the rest and sets the CC from the lengths (blocks ${blocks})`, () => {
      const data = pattern(300, 3);
      // First longer: 100 bytes moved, 50 padding bytes, CC 2.
      let m = longOp('mvcl', DST, 0xee00_0000 + 150, SRC, 0x5a00_0000 + 100);
      m.mem.write(SRC, data);
      finish(m, blocks);
      expect(Array.from(m.mem.bytes.subarray(DST, DST + 100))).toEqual(Array.from(data.subarray(0, 100)));
      expect(m.mem.bytes.subarray(DST + 100, DST + 150).every((b) => b === 0x5a)).toBe(true);
      expect(m.mem.bytes[DST + 150]).toBe(0);
      expect(ipmCc(m.cpu.getGpr(6))).toBe(2);
      expect(m.cpu.getGpr(2)).toBe(BigInt(DST + 150));
      // Bits 32–39 of R1+1 and the padding byte stay.
      expect(m.cpu.getGpr(3)).toBe(0xee00_0000n);
      expect(m.cpu.getGpr(4)).toBe(BigInt(SRC + 100));
      expect(m.cpu.getGpr(5)).toBe(0x5a00_0000n);
      // First shorter: only its length moves, CC 1; equal: CC 0.
      m = longOp('mvcl', DST, 20, SRC, 0x5a00_0000 + 300);
      m.mem.write(SRC, data);
      finish(m, blocks);
      expect(Array.from(m.mem.bytes.subarray(DST, DST + 21))).toEqual([...data.subarray(0, 20), 0]);
      expect(ipmCc(m.cpu.getGpr(6))).toBe(1);
      expect(m.cpu.getGpr(5)).toBe(0x5a00_0000n + 280n);
      m = longOp('mvcl', DST, 7, SRC, 7);
      finish(m, blocks);
      expect(ipmCc(m.cpu.getGpr(6))).toBe(0);
      // Zero first-operand length: nothing stored, CC from the lengths.
      m = longOp('mvcl', DST, 0, SRC, 5);
      finish(m, blocks);
      expect(ipmCc(m.cpu.getGpr(6))).toBe(1);
      expect(m.cpu.getGpr(2)).toBe(BigInt(DST));
    });

    it(`destructive overlap sets CC 3 and moves nothing; other overlaps move left to right (blocks ${blocks})`, () => {
      const data = pattern(300, 9);
      let m = longOp('mvcl', SRC + 10, 100, SRC, 100);
      m.mem.write(SRC, data);
      finish(m, blocks);
      expect(ipmCc(m.cpu.getGpr(6))).toBe(3);
      expect(Array.from(m.mem.bytes.subarray(SRC, SRC + 300))).toEqual(Array.from(data));
      expect(m.cpu.getGpr(2)).toBe(BigInt(SRC + 10));
      expect(m.cpu.getGpr(3)).toBe(100n);
      // Overlap only in the padding part is not destructive: 10 bytes moved, 90 padded.
      m = longOp('mvcl', SRC + 10, 100, SRC, 0x2200_0000 + 10);
      m.mem.write(SRC, data);
      finish(m, blocks);
      expect(ipmCc(m.cpu.getGpr(6))).toBe(2);
      expect(Array.from(m.mem.bytes.subarray(SRC + 10, SRC + 20))).toEqual(Array.from(data.subarray(0, 10)));
      expect(m.mem.bytes[SRC + 20]).toBe(0x22);
      // Destination below the source: each byte is read before it is overwritten.
      m = longOp('mvcl', SRC, 100, SRC + 10, 100);
      m.mem.write(SRC, data);
      finish(m, blocks);
      expect(ipmCc(m.cpu.getGpr(6))).toBe(0);
      expect(Array.from(m.mem.bytes.subarray(SRC, SRC + 100))).toEqual(Array.from(data.subarray(10, 110)));
    });

    it(`the 24- and 31-bit modes zero the address bits above the mode and keep bits 0-31 (blocks ${blocks})`, () => {
      // Bits 32–39 (24-bit) or bit 32 (31-bit) of the addresses set, and high words to keep.
      for (const [mode, extra] of [
        [' sam24\n', 0xab00],
        [' sam31\n', 0x8000],
      ] as const) {
        const m = longOp('mvcl', DST, 40, SRC, 0x3300_0000 + 30, ` iihf %r2,0x11111111\n oilh %r2,${extra}\n iihf %r4,0x22222222\n oilh %r4,${extra}\n iihf %r3,0x33333333\n${mode}`);
        m.mem.write(SRC, pattern(30, 1));
        finish(m, blocks);
        expect(m.cpu.getGpr(2)).toBe(0x1111_1111_0000_0000n + BigInt(DST + 40));
        expect(m.cpu.getGpr(4)).toBe(0x2222_2222_0000_0000n + BigInt(SRC + 30));
        expect(m.cpu.getGpr(3)).toBe(0x3333_3333_0000_0000n);
        expect(m.cpu.getGpr(5)).toBe(0x3300_0000n);
        expect(m.mem.bytes[DST + 39]).toBe(0x33);
      }
    });

    it(`an odd R1 or R2 is a specification exception (blocks ${blocks})`, () => {
      for (const insn of ['mvcl %r3,%r4', 'mvcl %r2,%r5', 'clcl %r1,%r2']) {
        const m = machine(` ${insn}`);
        m.cpu.useBlocks = blocks;
        m.cpu.run(100);
        expect(programInterruption(m.mem).code).toBe(6);
      }
    });

    it(`stops at a page boundary with the PSW at the instruction and resumes (blocks ${blocks})`, () => {
      // Destination 0x3000 bytes from 0x100 before a page: units of 0x100, 0x1000, 0x1000, 0xf00.
      const m = longOp('mvcl', DST - 0x100, 0x3000, SRC, 0x7700_0000 + 0x2000);
      m.mem.write(SRC, pattern(0x2000, 4));
      m.cpu.useBlocks = blocks;
      if (blocks) m.cpu.compileThreshold = 0;
      const mvclAt = BigInt(CODE_AT + 6 + 6 + 6 + 6);
      expect(m.cpu.run(5).kind).toBe('budget');
      expect(m.cpu.getPsw().addr).toBe(mvclAt);
      expect(m.cpu.getGpr(2)).toBe(BigInt(DST));
      expect(m.cpu.getGpr(3)).toBe(0x2f00n);
      expect(m.cpu.getGpr(4)).toBe(BigInt(SRC + 0x100));
      expect(m.cpu.getGpr(5)).toBe(0x7700_0000n + 0x1f00n);
      finish(m, blocks);
      expect(ipmCc(m.cpu.getGpr(6))).toBe(2);
      expect(Array.from(m.mem.bytes.subarray(DST - 0x100, DST + 0x1f00))).toEqual(Array.from(pattern(0x2000, 4)));
      expect(m.mem.bytes.subarray(DST + 0x1f00, DST + 0x2f00).every((b) => b === 0x77)).toBe(true);
      expect(m.cpu.getGpr(3)).toBe(0n);
    });
  }
});

describe('MOVE LONG as the target of EXECUTE', () => {
  for (const blocks of MODES) {
    it(`an unfinished unit leaves the PSW at the EXRL, which runs it again until done (blocks ${blocks})`, () => {
      const m = machine(` lgfi %r2,${DST - 0x10}\n lgfi %r3,0x2000\n lgfi %r4,${SRC}\n iilf %r5,0x66000800\n exrl 0,0f\n ipm %r6\n sam64\n lpswe 0x300\n0: mvcl %r2,%r4`);
      m.mem.writeU64(0x300, 0x0002000180000000n);
      m.mem.writeU64(0x308, 0xfffn);
      m.mem.write(SRC, pattern(0x800, 8));
      m.cpu.useBlocks = blocks;
      if (blocks) m.cpu.compileThreshold = 0;
      expect(m.cpu.run(5).kind).toBe('budget');
      expect(m.cpu.getPsw().addr).toBe(BigInt(CODE_AT + 24));
      expect(m.cpu.getGpr(3)).toBe(0x1ff0n);
      finish(m, blocks);
      expect(ipmCc(m.cpu.getGpr(6))).toBe(2);
      expect(Array.from(m.mem.bytes.subarray(DST - 0x10, DST + 0x7f0))).toEqual(Array.from(pattern(0x800, 8)));
      expect(m.mem.bytes.subarray(DST + 0x7f0, DST + 0x1ff0).every((b) => b === 0x66)).toBe(true);
      expect(m.cpu.getGpr(2)).toBe(BigInt(DST + 0x1ff0));
    });
  }
});

describe('COMPARE LOGICAL LONG', () => {
  for (const blocks of MODES) {
    it(`compares with padding and points the registers at the first difference (blocks ${blocks})`, () => {
      const data = pattern(200, 2);
      // Equal with the shorter operand padded: CC 0, both exhausted.
      let m = longOp('clcl', DST, 60, SRC, 0x4100_0000 + 50);
      m.mem.write(SRC, data.subarray(0, 50));
      m.mem.write(DST, data.subarray(0, 50));
      m.mem.bytes.fill(0x41, DST + 50, DST + 60);
      finish(m, blocks);
      expect(ipmCc(m.cpu.getGpr(6))).toBe(0);
      expect(m.cpu.getGpr(2)).toBe(BigInt(DST + 60));
      expect(m.cpu.getGpr(3)).toBe(0n);
      expect(m.cpu.getGpr(4)).toBe(BigInt(SRC + 50));
      expect(m.cpu.getGpr(5)).toBe(0x4100_0000n);
      // A difference in the padded part: the exhausted operand stays at its end.
      m = longOp('clcl', DST, 60, SRC, 0x4100_0000 + 50);
      m.mem.write(SRC, data.subarray(0, 50));
      m.mem.write(DST, data.subarray(0, 50));
      m.mem.bytes.fill(0x41, DST + 50, DST + 60);
      m.mem.bytes[DST + 55] = 0x40;
      finish(m, blocks);
      expect(ipmCc(m.cpu.getGpr(6))).toBe(1);
      expect(m.cpu.getGpr(2)).toBe(BigInt(DST + 55));
      expect(m.cpu.getGpr(3)).toBe(5n);
      expect(m.cpu.getGpr(4)).toBe(BigInt(SRC + 50));
      expect(m.cpu.getGpr(5)).toBe(0x4100_0000n);
      // First operand high at byte 17.
      m = longOp('clcl', DST, 100, SRC, 100);
      m.mem.write(SRC, data.subarray(0, 100));
      m.mem.write(DST, data.subarray(0, 100));
      m.mem.bytes[SRC + 17] = 0;
      m.mem.bytes[DST + 17] = 1;
      finish(m, blocks);
      expect(ipmCc(m.cpu.getGpr(6))).toBe(2);
      expect(m.cpu.getGpr(2)).toBe(BigInt(DST + 17));
      expect(m.cpu.getGpr(5)).toBe(83n);
      // Both lengths zero: CC 0, nothing read.
      m = longOp('clcl', 0xfffff0, 0, 0xfffff0, 0);
      finish(m, blocks);
      expect(ipmCc(m.cpu.getGpr(6))).toBe(0);
    });

    it(`in 24-bit mode bits 32-39 of the addresses become zero, bits 0-31 stay (blocks ${blocks})`, () => {
      const m = longOp('clcl', DST, 16, SRC, 16, ' iihf %r2,0x11111111\n oilh %r2,0xab00\n sam24\n');
      finish(m, blocks);
      expect(ipmCc(m.cpu.getGpr(6))).toBe(0);
      expect(m.cpu.getGpr(2)).toBe(0x1111_1111_0000_0000n + BigInt(DST + 16));
      expect(m.cpu.getGpr(4)).toBe(BigInt(SRC + 16));
    });

    it(`stops at page boundaries with the PSW at the instruction and resumes (blocks ${blocks})`, () => {
      const m = longOp('clcl', DST - 0x10, 0x2100, SRC, 0x2100);
      m.mem.bytes[SRC + 0x2000] = 9;
      m.cpu.useBlocks = blocks;
      if (blocks) m.cpu.compileThreshold = 0;
      expect(m.cpu.run(5).kind).toBe('budget');
      expect(m.cpu.getPsw().addr).toBe(BigInt(CODE_AT + 24));
      expect(m.cpu.getGpr(2)).toBe(BigInt(DST - 0x10 + 0x10));
      expect(m.cpu.getGpr(4)).toBe(BigInt(SRC + 0x10));
      expect(m.cpu.getGpr(3)).toBe(0x20f0n);
      finish(m, blocks);
      expect(ipmCc(m.cpu.getGpr(6))).toBe(1);
      expect(m.cpu.getGpr(4)).toBe(BigInt(SRC + 0x2000));
      expect(m.cpu.getGpr(2)).toBe(BigInt(DST - 0x10 + 0x2000));
      expect(m.cpu.getGpr(5)).toBe(0x100n);
    });
  }
});

describe('an operand running into an invalid page above 2^53', () => {
  const TWO53 = 1n << 53n;
  for (const [mn, blocks] of [
    ['mvcl', false],
    ['mvcl', true],
    ['clcl', false],
    ['clcl', true],
  ] as const) {
    it(`${mn}: page-translation exception after the first page, registers at the boundary, completes once mapped (blocks ${blocks})`, () => {
      const mem = new GuestMemory(4 << 20);
      // r2 = 2^53 - 0x80 (first operand), r4 = 0x50000 (second), lengths 0x200.
      const source = ` llihf %r2,0x200000\n aghi %r2,-0x80\n lghi %r3,0x200\n lgfi %r4,0x50000\n lghi %r5,0x200\n ${mn} %r2,%r4\n ipm %r6\n lpswe 0x300`;
      let code = assembled.get(source);
      if (code === undefined) assembled.set(source, (code = assemble(source)));
      mem.write(CODE_AT, code);
      // LPSWE's operand: virtual page 0 is the frame PAGE_ZERO_FRAME.
      mem.writeU64(PAGE_ZERO_FRAME + 0x300, 0x0002000180000000n);
      mem.writeU64(PAGE_ZERO_FRAME + 0x308, 0xfffn);
      mem.writeU64(LC.PROGRAM_NEW_PSW, 0x0002000180000000n);
      mem.writeU64(LC.PROGRAM_NEW_PSW + 8, BigInt(PGM_WAIT_ADDRESS));
      const dat = new FarDat(mem, 0x200000);
      dat.map(TWO53 - 4096n, 0x300000);
      // The page after builds the tables, so the page itself is an invalid page-table entry.
      dat.map(TWO53 + 4096n, 0x320000);
      const data = pattern(0x200, 6);
      mem.write(0x50000, data);
      // CLCL: the first operand's mapped bytes equal the second's.
      if (mn === 'clcl') mem.write(0x300000 + 0xf80, data.subarray(0, 0x80));
      const cpu = new Cpu(mem, { clock: new ManualTodClock() });
      dat.install(cpu);
      cpu.setPsw({ mask: DAT_PSW_64, addr: BigInt(CODE_AT) });
      cpu.useBlocks = blocks;
      if (blocks) cpu.compileThreshold = 0;
      expect(cpu.run(10_000).kind).toBe('wait');
      const pgm = programInterruption(mem);
      expect(pgm.code).toBe(0x11);
      const mnAt = BigInt(CODE_AT + 6 + 4 + 4 + 6 + 4);
      expect(pgm.oldAddr).toBe(mnAt);
      expect(cpu.getGpr(2)).toBe(TWO53);
      expect(cpu.getGpr(3)).toBe(0x180n);
      expect(cpu.getGpr(4)).toBe(0x50080n);
      expect(cpu.getGpr(5)).toBe(0x180n);
      if (mn === 'mvcl') expect(Array.from(mem.bytes.subarray(0x300f80, 0x301000))).toEqual(Array.from(data.subarray(0, 0x80)));
      // Map the page and resume at the instruction.
      dat.map(TWO53, 0x310000);
      if (mn === 'clcl') mem.write(0x310000, data.subarray(0x80, 0x200));
      if (mn === 'clcl') mem.bytes[0x310100] = mem.bytes[0x310100]! ^ 0xff;
      cpu.setPsw({ mask: DAT_PSW_64, addr: mnAt });
      expect(cpu.run(10_000).kind).toBe('wait');
      expect(cpu.getPsw().addr).toBe(0xfffn);
      if (mn === 'mvcl') {
        expect(ipmCc(cpu.getGpr(6))).toBe(0);
        expect(Array.from(mem.bytes.subarray(0x310000, 0x310180))).toEqual(Array.from(data.subarray(0x80)));
        expect(cpu.getGpr(2)).toBe(TWO53 + 0x180n);
      } else {
        expect(ipmCc(cpu.getGpr(6))).toBe((data[0x180]! ^ 0xff) < data[0x180]! ? 1 : 2);
        expect(cpu.getGpr(2)).toBe(TWO53 + 0x100n);
        expect(cpu.getGpr(3)).toBe(0x80n);
      }
    });
  }
});

describe('MVCL and CLCL: random cases against qemu-s390x', () => {
  it('400 cases give identical registers, CC and memory', () => {
    requireTool('qemu-s390x');
    requireTool('s390x-linux-gnu-gcc');
    const entries = INSTRUCTIONS.filter((e) => e.mnemonic === 'mvcl' || e.mnemonic === 'clcl');
    expect(entries).toHaveLength(2);
    const cases = generateCases(new Rng(20261205), 400, entries);
    const result = runBatch(cases, 'long-storage');
    expect(result.faults).toBe(0);
    expect(result.mismatches.slice(0, 10).join('\n\n')).toBe('');
  }, 60_000);
});
