// While some frames need checking (inaccessible pages, unrecorded R/C bits), the run loop still
// fetches and compiles code from the frames around the instruction address that need none; every
// operand then takes the checked path, so an access to an inaccessible page reaches its handler,
// and a frame that comes to need checking while the CPU runs is checked from then on.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { machine } from './support/machine.ts';

// 300 passes reading the doubleword at 0x40000 (data page 0x40) and summing it into r2.
const LOOP = `
    lghi %r1, 300
    lghi %r2, 0
    llilf %r3, 0x40000
loop:
    ag %r2, 0(%r3)
    aghi %r4, 1
    brctg %r1, loop
    .short 0
`;

/** Counts the functions generated while `body` runs (compiled blocks). */
function compiledDuring(body: () => void): number {
  let count = 0;
  const original = globalThis.Function;
  vi.stubGlobal(
    'Function',
    new Proxy(original, {
      construct(target, args: unknown[]) {
        count++;
        return Reflect.construct(target, args) as object;
      },
    }),
  );
  try {
    body();
  } finally {
    vi.unstubAllGlobals();
  }
  return count;
}

afterEach(() => vi.unstubAllGlobals());

describe('frames that need checking', () => {
  it('leave the code around the instruction address fast and compiled, with the same result', () => {
    const results = [true, false].map((blocks) => {
      const { cpu, mem } = machine(LOOP);
      cpu.useBlocks = blocks;
      cpu.compileThreshold = 0;
      mem.writeU64(0x40000, 5n);
      mem.setPageAccessible(0x80, false); // far from the code and the data
      let stop: ReturnType<typeof cpu.run> | undefined;
      const compiled = compiledDuring(() => (stop = cpu.run(100_000)));
      return { stop, r2: cpu.getGpr(2), r4: cpu.getGpr(4), compiled };
    });
    expect(results[0]!.stop?.kind).toBe('wait');
    expect(results[0]!.r2).toBe(1500n);
    expect(results[0]!.r4).toBe(300n);
    expect(results[0]!.stop?.executed).toBe(results[1]!.stop?.executed);
    expect(results[0]!.compiled).toBeGreaterThan(0);
    expect(results[1]!.compiled).toBe(0);
  });

  it('send an operand on an inaccessible page to the handler, also from a compiled block', () => {
    const { cpu, mem } = machine(LOOP);
    cpu.compileThreshold = 0;
    mem.writeU64(0x40000, 5n);
    mem.setPageAccessible(0x80, false);
    mem.setPageAccessible(0x40, false);
    const touched: number[] = [];
    mem.onInaccessibleAccess = (access) => {
      touched.push(access.page);
      mem.setPageAccessible(access.page, true);
      return { kind: 'retry' };
    };
    expect(cpu.run(100_000).kind).toBe('wait');
    expect(touched).toEqual([0x40]);
    expect(cpu.getGpr(2)).toBe(1500n);
  });

  it('check a frame that comes to need it while the CPU runs', () => {
    // The handler of page 0x80 (touched once, in the pass with r1 = 150) makes the data page inaccessible; its
    // next access must reach the handler, which gives a program interruption.
    const source = LOOP.replace('aghi %r4, 1', 'aghi %r4, 1\n    cghi %r1, 150\n    jne 1f\n    lg %r5, 0(%r6)\n1:');
    const { cpu, mem } = machine(source);
    cpu.compileThreshold = 0;
    cpu.setGpr(6, 0x80000n);
    mem.writeU64(0x40000, 5n);
    mem.setPageAccessible(0x90, false);
    mem.setPageAccessible(0x80, false);
    mem.onInaccessibleAccess = (access) => {
      if (access.page === 0x80) {
        mem.setPageAccessible(0x80, true);
        mem.setPageAccessible(0x40, false);
        return { kind: 'retry' };
      }
      return { kind: 'program', code: 0x3d };
    };
    expect(cpu.run(100_000).kind).toBe('wait');
    expect(mem.readU16(0x8e)).toBe(0x3d);
    expect(cpu.getGpr(2)).toBe(5n * 151n); // passes 300 down to 150 read it; the next one faults
  });
});
