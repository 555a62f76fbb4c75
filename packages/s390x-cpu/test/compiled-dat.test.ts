// Compiled blocks with DAT on: a block is entered through the TLB's translation of its page and
// must give the same results, counts and budgets as the plain loop, also when the code is changed
// through another virtual address of the same frame or its page is remapped; its operands go
// through the data TLB, which must follow IPTE and leave DAT-protected and low-address-protected
// stores to the checked path.
import { describe, expect, it } from 'vitest';
import type { Cpu, GuestMemory } from '../src/index.ts';
import { LC } from '../src/state/index.ts';
import { CODE_AT, machine } from './support/machine.ts';

const DAT_PSW = 0x0400000180000000n;
const SEGMENT_TABLE = 0x10000;
const PAGE_TABLE = 0x14000;
const INVALID = 0x20n;
/** Virtual page 0x80 is a second name of the code's frame. */
const ALIAS = 0x80000;

function datMachine(source: string, blocks: 'off' | 'always' | 'hot'): { cpu: Cpu; mem: GuestMemory } {
  const m = machine(source, DAT_PSW);
  for (let i = 0; i < 2048; i++) m.mem.writeU64(SEGMENT_TABLE + 8 * i, INVALID);
  m.mem.writeU64(SEGMENT_TABLE, BigInt(PAGE_TABLE));
  for (let p = 0; p < 256; p++) m.mem.writeU64(PAGE_TABLE + 8 * p, BigInt(p * 4096));
  m.mem.writeU64(PAGE_TABLE + 8 * (ALIAS / 4096), BigInt(CODE_AT & ~0xfff));
  m.cpu.setCr(1, BigInt(SEGMENT_TABLE) | 0x3n);
  m.cpu.setPsw({ mask: DAT_PSW, addr: BigInt(CODE_AT) });
  m.cpu.useBlocks = blocks !== 'off';
  if (blocks === 'always') m.cpu.compileThreshold = 0;
  return m;
}

function outcome(source: string, blocks: 'off' | 'always' | 'hot', budget: number) {
  const { cpu } = datMachine(source, blocks);
  const stop = cpu.run(budget);
  const s = cpu.snapshot();
  return { kind: stop.kind, executed: stop.executed, gprs: s.gprs, psw: s.psw };
}

const LOOP = `
    lghi %r1, 300
    lghi %r3, 0x3000
loop:
    aghi %r2, 2
    stg %r2, 8(%r3)
    lg %r4, 8(%r3)
    agr %r5, %r4
    brctg %r1, loop
    .short 0
`;

// Each pass stores a new immediate into the AGHI through the alias page.
const PATCH = `
    lghi %r1, 100
    lghi %r2, 0
    larl %r5, patch
    agfi %r5, ${ALIAS - (CODE_AT & ~0xfff)}
loop:
patch:
    aghi %r2, 1
    mvhhi 2(%r5), 3
    brctg %r1, loop
    .short 0
`;

// Stores and loads on virtual page 0x30, then the guest remaps it to frame 0x40 (IPTE, new PTE).
const REMAP = `
    lghi %r1, 50
    lghi %r3, 0x30
    sllg %r3, %r3, 12
loop1:
    aghi %r2, 1
    stg %r2, 0(%r3)
    lg %r4, 0(%r3)
    brctg %r1, loop1
    lghi %r5, ${PAGE_TABLE >>> 4}
    sllg %r5, %r5, 4
    ipte %r5, %r3
    lgfi %r6, 0x40000
    stg %r6, ${8 * 0x30}(%r5)
    lghi %r1, 50
loop2:
    aghi %r2, 1
    stg %r2, 8(%r3)
    lg %r7, 0(%r3)
    agr %r8, %r7
    brctg %r1, loop2
    .short 0
`;

// Loads from a page, then a store into it (it is DAT protected, or page 0 under low-address protection).
const PROTECTED_STORE = `
    lghi %r1, 40
loop:
    lg %r4, 0(%r3)
    agr %r5, %r4
    brctg %r1, loop
    mvhi 4(%r3), 9
    .short 0
`;

function memoryOutcome(source: string, blocks: 'off' | 'always' | 'hot', setup: (m: { cpu: Cpu; mem: GuestMemory }) => void, words: number[]) {
  const m = datMachine(source, blocks);
  setup(m);
  const stop = m.cpu.run(100_000);
  const s = m.cpu.snapshot();
  return { kind: stop.kind, executed: stop.executed, gprs: s.gprs, psw: s.psw, pgm: m.mem.readU16(LC.PGM_CODE), words: words.map((w) => m.mem.readU64(w)) };
}

describe('compiled blocks with DAT on', () => {
  it('follow a data page the guest remaps with IPTE', () => {
    const setup = (m: { mem: GuestMemory }) => m.mem.writeU64(0x40000, 7n);
    const off = memoryOutcome(REMAP, 'off', setup, [0x30000, 0x30008, 0x40000, 0x40008]);
    expect(off.words).toEqual([50n, 0n, 7n, 100n]);
    expect(off.gprs[8]).toBe(350n);
    for (const mode of ['always', 'hot'] as const) expect(memoryOutcome(REMAP, mode, setup, [0x30000, 0x30008, 0x40000, 0x40008])).toEqual(off);
  });

  it('leave stores into a DAT-protected page and into page 0 under low-address protection to the checked path', () => {
    const dataProtected = (m: { cpu: Cpu; mem: GuestMemory }) => {
      m.mem.writeU64(PAGE_TABLE + 8 * 0x50, 0x50000n | 0x200n);
      m.cpu.setGpr(3, 0x50000n);
    };
    const lowAddress = (m: { cpu: Cpu; mem: GuestMemory }) => {
      m.cpu.setCr(0, 0x10000000n);
      m.cpu.setGpr(3, 0x100n);
    };
    for (const [setup, at] of [
      [dataProtected, 0x50000],
      [lowAddress, 0x100],
    ] as const) {
      const off = memoryOutcome(PROTECTED_STORE, 'off', setup, [at]);
      expect(off.pgm).toBe(0x04);
      expect(off.words).toEqual([0n]);
      for (const mode of ['always', 'hot'] as const) expect(memoryOutcome(PROTECTED_STORE, mode, setup, [at])).toEqual(off);
    }
  });

  it('give the plain loop’s registers, PSW and count', () => {
    const off = outcome(LOOP, 'off', 100_000);
    expect(off.kind).toBe('wait');
    expect(off.gprs[2]).toBe(600n);
    for (const mode of ['always', 'hot'] as const) expect(outcome(LOOP, mode, 100_000)).toEqual(off);
  });

  it('stop exactly on the budget', () => {
    for (const budget of [7, 99, 401, 1001]) {
      const off = outcome(LOOP, 'off', budget);
      expect(off.executed).toBe(budget);
      for (const mode of ['always', 'hot'] as const) expect(outcome(LOOP, mode, budget)).toEqual(off);
    }
  });

  it('see code changed through another virtual address of the same frame', () => {
    const off = outcome(PATCH, 'off', 100_000);
    expect(off.gprs[2]).toBe(1n + 3n * 99n);
    for (const mode of ['always', 'hot'] as const) expect(outcome(PATCH, mode, 100_000)).toEqual(off);
  });

  it('follow a remapped code page after a TLB purge', () => {
    // Two frames hold the same loop with different immediates; the host remaps the page between runs.
    const { cpu, mem } = datMachine(LOOP, 'always');
    const other = 0x40000;
    for (let i = 0; i < 4096; i += 8) mem.writeU64(other + i, mem.readU64((CODE_AT & ~0xfff) + i));
    // In the copy, `aghi %r2, 2` adds 5 instead.
    const aghi = CODE_AT + 8 - (CODE_AT & ~0xfff);
    expect(mem.readU32(other + aghi)).toBe(0xa72b0002);
    mem.writeU32(other + aghi, 0xa72b0005);
    expect(cpu.run(2 + 5 * 10).kind).toBe('budget');
    expect(cpu.getGpr(2)).toBe(20n);
    mem.writeU64(PAGE_TABLE + 8 * (CODE_AT >>> 12), BigInt(other));
    cpu.purgeTlb();
    expect(cpu.run(5 * 10).kind).toBe('budget');
    expect(cpu.getGpr(2)).toBe(20n + 50n);
  });
});
