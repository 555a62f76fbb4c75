// An interception the host completes in place (`completeInPlace`): the CPU does not stop, the
// host's register and condition-code results are seen by the next instruction, inside a hot
// compiled block as in the plain loop, with the same instruction count; a host that declines
// gets the interception stop as before.
import { describe, expect, it } from 'vitest';
import type { InstructionInterception } from '../src/index.ts';
import { machine } from './support/machine.ts';

// 100 passes: the DIAGNOSE's cc (set by the host to 1) is added into r5 by the branch after it.
const LOOP = `
    lghi %r1, 100
loop:
    aghi %r2, 1
    diag %r2, %r3, 0x44
    jnl 1f
    aghi %r5, 1
1:  aghi %r4, 1
    brctg %r1, loop
    .short 0
`;

function runLoop(blocks: boolean) {
  const { cpu } = machine(LOOP);
  cpu.useBlocks = blocks;
  const seen: InstructionInterception[] = [];
  cpu.completeInPlace = (interception) => {
    seen.push(interception);
    cpu.setGpr(3, cpu.getGpr(3) + 7n);
    cpu.cc = 1;
    cpu.completeInterception();
    return true;
  };
  const stop = cpu.run(100_000);
  return { cpu, stop, seen };
}

describe('interceptions completed in place', () => {
  it('run on with the host results, in blocks as in the plain loop', () => {
    const a = runLoop(true);
    const b = runLoop(false);
    for (const { cpu, stop, seen } of [a, b]) {
      expect(stop.kind).toBe('wait');
      expect(seen).toHaveLength(100);
      expect(seen[0]).toMatchObject({ mnemonic: 'diag', length: 4, operandAddress: 0x44n, fields: { R1: 2, R3: 3 } });
      expect(Array.from(seen[0]!.bytes)).toEqual([0x83, 0x23, 0x00, 0x44]);
      expect(cpu.getGpr(3)).toBe(700n);
      expect(cpu.getGpr(5)).toBe(100n);
      expect(cpu.getGpr(4)).toBe(100n);
      expect(cpu.pendingInterception).toBeUndefined();
    }
    expect(a.stop.executed).toBe(b.stop.executed);
  });

  it('stop with the interception when the host declines', () => {
    const { cpu } = machine(LOOP);
    cpu.completeInPlace = () => false;
    const stop = cpu.run(100_000);
    expect(stop.kind).toBe('interception');
    expect(cpu.pendingInterception?.mnemonic).toBe('diag');
    expect(cpu.getGpr(2)).toBe(1n);
  });
});
