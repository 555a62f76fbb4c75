// Compiled blocks must be invisible: the same results as the plain loop, exact budgets and
// instruction counts, exceptions with the right old PSW, and no stale code after stores into a
// running block, stores by the program, host writes or mode changes.
import { describe, expect, it } from 'vitest';
import { LC, type CpuSnapshot } from '../src/state/index.ts';
import { CODE_AT, machine, programInterruption } from './support/machine.ts';

// A loop of 200 iterations summing into r2; then a disabled wait via the program-new PSW.
const LOOP = `
    lghi %r1, 200
    lghi %r2, 0
loop:
    aghi %r2, 3
    xgr %r3, %r2
    agr %r4, %r3
    brctg %r1, loop
    .short 0
`;

function finalState(blocks: boolean, source: string, budget = 100_000): { snapshot: CpuSnapshot; executed: number; kind: string } {
  const { cpu } = machine(source);
  cpu.useBlocks = blocks;
  const stop = cpu.run(budget);
  return { snapshot: cpu.snapshot(), executed: stop.executed, kind: stop.kind };
}

describe('compiled blocks', () => {
  it('give the same state and instruction count as the plain loop', () => {
    const withBlocks = finalState(true, LOOP);
    const without = finalState(false, LOOP);
    expect(withBlocks.kind).toBe('wait');
    expect(withBlocks.snapshot.gprs).toEqual(without.snapshot.gprs);
    expect(withBlocks.executed).toBe(without.executed);
    expect(withBlocks.snapshot.gprs[2]).toBe(600n);
  });

  it('stop exactly on the budget inside a hot loop', () => {
    for (const budget of [37, 101, 555, 777]) {
      const a = finalState(true, LOOP, budget);
      const b = finalState(false, LOOP, budget);
      expect(a.kind).toBe('budget');
      expect(a.executed).toBe(budget);
      expect(a.snapshot.gprs).toEqual(b.snapshot.gprs);
      expect(a.snapshot.psw).toEqual(b.snapshot.psw);
    }
  });

  it('report exceptions inside a block with the right old PSW and count', () => {
    // The 150th iteration divides by zero (r5 = r1 - 50 reaches 0).
    const source = `
    lghi %r1, 200
loop:
    lgr %r5, %r1
    aghi %r5, -50
    lghi %r7, 1000
    dsgr %r6, %r5
    brctg %r1, loop
`;
    const { cpu, mem } = machine(source);
    const stop = cpu.run(10_000);
    expect(stop.kind).toBe('wait');
    const pgm = programInterruption(mem);
    expect(pgm.code).toBe(9);
    // dsgr is at CODE_AT + 4 + 4 + 4 + 4; the old PSW points past it.
    expect(pgm.oldAddr).toBe(BigInt(CODE_AT + 16 + 4));
    expect(cpu.getGpr(1)).toBe(50n);
    expect(stop.executed).toBe(1 + 150 * 5 + 4 + 1);
  });

  it('count exactly up to an interception inside a hot block, and resume after it', () => {
    const source = `
    lghi %r1, 100
loop:
    aghi %r2, 1
    aghi %r3, 2
    diag %r2, %r3, 0x44
    aghi %r4, 1
    brctg %r1, loop
    .short 0
`;
    const counts = (blocks: boolean): number[] => {
      const { cpu } = machine(source);
      cpu.useBlocks = blocks;
      const out: number[] = [];
      for (let i = 0; i < 100; i++) {
        const stop = cpu.run(1_000_000);
        expect(stop.kind).toBe('interception');
        out.push(stop.executed);
        cpu.completeInterception();
      }
      expect(cpu.getGpr(2)).toBe(100n);
      return out;
    };
    expect(counts(true)).toEqual(counts(false));
  });

  it('see a store into the running block immediately', () => {
    // Each iteration rewrites the immediate of the "aghi %r2" two instructions ahead (at patch+2)
    // with the loop counter, so r2 sums 200..1.
    const source = `
    lghi %r1, 200
    lghi %r2, 0
    larl %r9, patch
loop:
    sth %r1, 2(%r9)
patch:
    aghi %r2, 0
    brctg %r1, loop
    .short 0
`;
    const { cpu } = machine(source);
    cpu.run(10_000);
    expect(cpu.getGpr(2)).toBe(BigInt((200 * 201) / 2));
  });

  it('see host writes to code between runs', () => {
    const source = `
loop:
    aghi %r2, 1
    aghi %r3, 1
    j loop
`;
    const { cpu, mem } = machine(source);
    cpu.run(3000);
    expect(cpu.getGpr(2)).toBe(1000n);
    // Host rewrites "aghi %r2,1" into "aghi %r2,5" (immediate at byte 2).
    mem.writeU16(CODE_AT + 2, 5);
    cpu.setPsw({ mask: 0x0000000180000000n, addr: BigInt(CODE_AT) });
    cpu.run(3000);
    expect(cpu.getGpr(2)).toBe(1000n + 5000n);
    expect(cpu.getGpr(3)).toBe(2000n);
  });

  it('follow mode changes in the middle of a block', () => {
    const source = `
    lghi %r1, 40
    llihf %r4, 0x12345678
loop:
    sam31
    la %r5, 0(%r4)
    sam64
    la %r6, 0(%r4)
    brctg %r1, loop
    .short 0
`;
    const { cpu } = machine(source);
    cpu.run(10_000);
    expect(cpu.getGpr(5)).toBe(0n);
    expect(cpu.getGpr(6)).toBe(0x1234567800000000n);
    expect(cpu.getPsw().addr).toBe(0xdeadn);
  });

  it('keep SVC interruptions exact in hot code', () => {
    const source = `
    lghi %r1, 100
loop:
    aghi %r2, 1
    svc 7
    brctg %r1, loop
    .short 0
`;
    const { cpu, mem } = machine(source);
    // The SVC-new PSW returns straight to the interrupted code through LPSWE of the old PSW.
    mem.writeU64(LC.SVC_NEW_PSW, 0x0000000180000000n);
    mem.writeU64(LC.SVC_NEW_PSW + 8, 0x3000n);
    mem.write(0x3000, Uint8Array.from([0xb2, 0xb2, 0x01, 0x40])); // lpswe 0x140
    const stop = cpu.run(100_000);
    expect(stop.kind).toBe('wait');
    expect(cpu.getGpr(2)).toBe(100n);
    expect(mem.readU16(LC.SVC_CODE)).toBe(7);
  });
});
