// Core CPU tests: snapshot round trip, PSW helpers, run loop with the example instructions,
// prefixing, program interruptions through the lowcore.
import { describe, expect, it } from 'vitest';
import { Cpu, GuestMemory } from '../src/index.ts';
import { cloneCpuSnapshot, initialCpuSnapshot, pswAddressingMode, pswInvalidReason, shortPswToPsw, pswToShortPsw, LC } from '../src/state/index.ts';

function machine(code: number[], at = 0x2000): { cpu: Cpu; mem: GuestMemory } {
  const mem = new GuestMemory(1 << 20);
  mem.write(at, Uint8Array.from(code));
  const cpu = new Cpu(mem);
  cpu.setPsw({ mask: 0x0000000180000000n, addr: BigInt(at) });
  return { cpu, mem };
}

describe('snapshot', () => {
  it('initial values follow the reset table', () => {
    const s = initialCpuSnapshot();
    expect(s.crs[0]).toBe(0xe0n);
    expect(s.crs[14]).toBe(0xc2000000n);
    expect(s.bear).toBe(1n);
    expect(s.vrs).toHaveLength(32);
  });
  it('round-trips through a CPU', () => {
    const s = initialCpuSnapshot();
    s.gprs = s.gprs.map((_, i) => 0x0102030405060708n * BigInt(i + 1));
    s.vrs[3]![0] = 0xab;
    s.psw = { mask: 0x0705000180000000n, addr: 0x1234n };
    s.fpc = 0x12345678;
    s.prefix = 0x4000;
    s.acrs[5] = 0xdeadbeef;
    s.clockComparator = 0xfedcba9876543210n;
    s.cpuTimer = 0x8000000000000001n;
    const cpu = new Cpu(new GuestMemory(1 << 16), { snapshot: s });
    const back = cpu.snapshot();
    expect(back).toEqual(s);
    const c = cloneCpuSnapshot(back);
    c.vrs[3]![0] = 0;
    expect(back.vrs[3]![0]).toBe(0xab);
  });
});

describe('psw helpers', () => {
  it('addressing modes and validity', () => {
    expect(pswAddressingMode(0x0000000180000000n)).toBe(64);
    expect(pswAddressingMode(0x0000000080000000n)).toBe(31);
    expect(pswAddressingMode(0n)).toBe(24);
    expect(pswAddressingMode(0x0000000100000000n)).toBeUndefined();
    expect(pswInvalidReason({ mask: 0x0000000180000000n, addr: 0x1000n })).toBeUndefined();
    expect(pswInvalidReason({ mask: 0x0008000180000000n, addr: 0n })).toMatch(/reserved/);
    expect(pswInvalidReason({ mask: 0x0000000080000000n, addr: 0x80000000n })).toMatch(/31-bit/);
  });
  it('converts the 8-byte PSW', () => {
    const p = shortPswToPsw(0x00090001, 0x80001234);
    expect(p).toEqual({ mask: 0x0001000180000000n, addr: 0x1234n });
    expect(pswToShortPsw({ mask: 0x0000000080000000n, addr: 0x1234n })).toEqual([0x00080000, 0x80001234]);
  });
});

describe('run loop', () => {
  it('runs LR/AR and stops on the budget', () => {
    // lr %r1,%r2; ar %r1,%r3
    const { cpu } = machine([0x18, 0x12, 0x1a, 0x13]);
    cpu.setGpr(2, 5n);
    cpu.setGpr(3, 0xfffffffan); // -6 in the low word
    const stop = cpu.run(2);
    expect(stop).toEqual({ kind: 'budget', executed: 2 });
    expect(cpu.getGpr(1)).toBe(0xffffffffn);
    expect(cpu.cc).toBe(1);
    expect(cpu.getPsw().addr).toBe(0x2004n);
  });
  it('branches with BCR and sets the BEAR', () => {
    // bcr 15,%r4 at 0x2000
    const { cpu } = machine([0x07, 0xf4]);
    cpu.setGpr(4, 0x3000n);
    cpu.run(1);
    expect(cpu.getPsw().addr).toBe(0x3000n);
    expect(cpu.bear).toBe(0x2000);
  });
  it('delivers an operation exception through the lowcore', () => {
    const { cpu, mem } = machine([0x00, 0x00]);
    mem.writeU64(LC.PROGRAM_NEW_PSW, 0x0002000180000000n);
    mem.writeU64(LC.PROGRAM_NEW_PSW + 8, 0xdeadn);
    const stop = cpu.run(10);
    expect(stop.kind).toBe('wait');
    expect(mem.readU16(LC.PGM_CODE)).toBe(1);
    expect(mem.readU16(LC.PGM_ILC)).toBe(2);
    expect(mem.readU64(LC.PROGRAM_OLD_PSW + 8)).toBe(0x2002n);
    expect(cpu.getPsw()).toEqual({ mask: 0x0002000180000000n, addr: 0xdeadn });
  });
  it('early specification exception for an invalid PSW', () => {
    const { cpu, mem } = machine([0x07, 0x00]);
    mem.writeU64(LC.PROGRAM_NEW_PSW, 0x0002000180000000n);
    mem.writeU64(LC.PROGRAM_NEW_PSW + 8, 0xfffn);
    cpu.setPsw({ mask: 0x0008000180000000n, addr: 0x2000n });
    const stop = cpu.run(10);
    expect(stop.kind).toBe('wait');
    expect(mem.readU16(LC.PGM_CODE)).toBe(6);
    expect(mem.readU16(LC.PGM_ILC)).toBe(0);
    expect(mem.readU64(LC.PROGRAM_OLD_PSW)).toBe(0x0008000180000000n);
    expect(mem.readU64(LC.PROGRAM_OLD_PSW + 8)).toBe(0x2000n);
  });
  it('applies prefixing to the lowcore', () => {
    const { cpu, mem } = machine([0x00, 0x00]);
    cpu.setPrefix(0x10000);
    mem.writeU64(0x10000 + LC.PROGRAM_NEW_PSW, 0x0002000180000000n);
    mem.writeU64(0x10000 + LC.PROGRAM_NEW_PSW + 8, 0xbeefn);
    cpu.run(5);
    expect(mem.readU16(0x10000 + LC.PGM_CODE)).toBe(1);
    expect(mem.readU16(LC.PGM_CODE)).toBe(0);
    expect(cpu.getPsw().addr).toBe(0xbeefn);
  });
});
