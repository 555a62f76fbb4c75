// Specification exceptions (PoO chapter 6, "Specification Exception"; docs §2): a PSW with bit
// 12 set loaded by LPSWE (early: ILC 0, the invalid PSW as old PSW), LPSW without bit 12, an odd
// instruction address (no instruction runs), an odd EXECUTE target, and misaligned word and
// doubleword relative-long operands.
import { describe, expect, it } from 'vitest';
import { CODE_AT, machine, programInterruption } from './support/machine.ts';

describe('specification exceptions', () => {
  it('LPSWE of a PSW with bit 12 set: early exception, ILC 0, old PSW = the invalid PSW', () => {
    const { cpu, mem } = machine('lpswe 0(%r1)');
    cpu.setGpr(1, 0x4000n);
    mem.writeU64(0x4000, 0x0008000180000000n);
    mem.writeU64(0x4008, 0xdeadbeeen);
    cpu.run(3);
    expect(programInterruption(mem)).toMatchObject({ code: 6, ilc: 0, oldMask: 0x0008000180000000n, oldAddr: 0xdeadbeeen });
  });

  it('an odd PSW address runs nothing: ILC 0 and the odd address in the old PSW', () => {
    const { cpu, mem } = machine('lpswe 0(%r1)');
    cpu.setGpr(1, 0x4000n);
    mem.writeU64(0x4000, 0x0000000180000000n);
    mem.writeU64(0x4008, 0x5001n);
    // lghi %r0,1 at the odd address: it must not run.
    mem.write(0x5001, Uint8Array.from([0xa7, 0x09, 0x00, 0x01]));
    cpu.run(3);
    expect(programInterruption(mem)).toMatchObject({ code: 6, ilc: 0, oldAddr: 0x5001n });
    expect(cpu.getGpr(0)).toBe(0n);
  });

  it('EXECUTE of an odd target is a specification exception; the target does not run', () => {
    const { cpu, mem } = machine('ex 0,1(%r1)');
    cpu.setGpr(1, 0x5000n);
    mem.write(0x5001, Uint8Array.from([0x18, 0x23]));
    cpu.setGpr(3, 0xddn);
    cpu.run(2);
    expect(programInterruption(mem)).toMatchObject({ code: 6, ilc: 4, oldAddr: BigInt(CODE_AT + 4) });
    expect(cpu.getGpr(2)).toBe(0n);
  });

  it.each([
    ['lrl %r1,.+10', 'word'],
    ['strl %r1,.+10', 'word'],
    ['lgrl %r1,.+12', 'doubleword'],
    ['stgrl %r1,.+12', 'doubleword'],
    ['lgfrl %r1,.+10', 'word'],
    ['crl %r1,.+10', 'word'],
    ['cgrl %r1,.+12', 'doubleword'],
    ['clgfrl %r1,.+10', 'word'],
  ])('%s: a misaligned %s relative-long operand is a specification exception', (source) => {
    const { cpu, mem } = machine(source);
    cpu.run(2);
    expect(programInterruption(mem)).toMatchObject({ code: 6, ilc: 6, oldAddr: BigInt(CODE_AT + 6) });
  });

  it('aligned relative-long operands and halfword ones load normally', () => {
    const { cpu } = machine('lrl %r1,.+16\nlhrl %r2,.+12\nj .+8\n.long 0x12345678');
    cpu.run(3);
    expect(cpu.getGpr(1) & 0xffffffffn).toBe(0x12345678n);
    expect(cpu.getGpr(2) & 0xffffffffn).toBe(0x5678n);
    expect(cpu.getPsw().addr).toBe(BigInt(CODE_AT + 20));
  });
});
