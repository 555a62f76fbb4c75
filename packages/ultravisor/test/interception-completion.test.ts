// Completing an instruction interception of a secure CPU: the host's condition code reaches the
// guest for an instruction that sets one (SSCH), and is ignored for one whose condition code
// stays as it was (SET CHANNEL MONITOR, SET ADDRESS LIMIT, STORE CHANNEL PATH STATUS).
import { describe, expect, it } from 'vitest';
import { setsConditionCode } from '../src/interception.ts';
import { bootedMachine } from './support/machine.ts';

const CC_MASK = 0x0000300000000000n;

/** Runs CPU 0 to an interception of `instruction` with cc 1 in its PSW, completes it with cc 3, and returns the cc the CPU runs on with. */
function ccAfterCompletion(instruction: number[]): number {
  const m = bootedMachine({ cpus: 1 });
  const cpu = m.cpus[0]!;
  m.uv.runSecureCpu(cpu, (s) => {
    s.psw = { ...s.psw, mask: (s.psw.mask & ~CC_MASK) | (1n << 44n) };
    return { kind: 'instruction', instruction: Uint8Array.from(instruction) };
  });
  let cc = -1;
  m.uv.runSecureCpu(
    cpu,
    (s) => {
      cc = Number((s.psw.mask & CC_MASK) >> 44n);
      return { kind: 'other', reason: 'checked' };
    },
    { conditionCode: 3 },
  );
  return cc;
}

describe('the condition code of a completed interception', () => {
  it('SSCH takes the host’s condition code', () => {
    expect(ccAfterCompletion([0xb2, 0x33, 0x20, 0x00])).toBe(3);
  });

  it('SCHM, SAL and STCPS keep the guest’s', () => {
    expect(ccAfterCompletion([0xb2, 0x3c, 0x00, 0x00])).toBe(1);
    expect(ccAfterCompletion([0xb2, 0x37, 0x00, 0x00])).toBe(1);
    expect(ccAfterCompletion([0xb2, 0x3a, 0x20, 0x00])).toBe(1);
    expect(['sal', 'schm', 'stcps'].map(setsConditionCode)).toEqual([false, false, false]);
    expect(['ssch', 'tsch', 'servc', 'sigp'].map(setsConditionCode)).toEqual([true, true, true, true]);
  });
});
