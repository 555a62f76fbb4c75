// Compiled blocks with DAT on: a block is entered through the TLB's translation of its page and
// must give the same results, counts and budgets as the plain loop, also when the code is changed
// through another virtual address of the same frame or its page is remapped.
import { describe, expect, it } from 'vitest';
import type { Cpu, GuestMemory } from '../src/index.ts';
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

describe('compiled blocks with DAT on', () => {
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
