// The register model (docs/s390x-cpu.md §1): FPR n is the leftmost doubleword of V n, copies share
// no arrays, and the validator names the field that is out of shape or range.
import { describe, expect, it } from 'vitest';
import { copyCpuRegisters, fprOf, fprsOf, gsCbFromWords, gsCbWords, validateCpuRegisters, zeroCpuRegisters } from '../src/index.ts';

describe('CpuRegisters', () => {
  it('reads FPR n from bytes 0–7 of V n, big-endian', () => {
    const r = zeroCpuRegisters();
    r.vrs[5]!.set([0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect(fprOf(r.vrs, 5)).toBe(0x400921fb54442d18n);
    expect(fprsOf(r.vrs)[5]).toBe(0x400921fb54442d18n);
    expect(fprsOf(r.vrs)).toHaveLength(16);
    expect(() => fprOf(r.vrs, 16)).toThrow(/FPR index 16/);
  });
  it('copies without sharing arrays', () => {
    const r = zeroCpuRegisters();
    const c = copyCpuRegisters(r);
    c.gprs[0] = 1n;
    c.vrs[0]![0] = 1;
    c.psw.addr = 2n;
    c.gsCb.gsd = 3n;
    expect(r).toEqual(zeroCpuRegisters());
  });
  it('converts the guarded-storage block to and from its words in storage order', () => {
    const g = { reserved: 0n, gsd: 1n, gssm: 2n, gsepla: 3n };
    expect(gsCbWords(g)).toEqual([0n, 1n, 2n, 3n]);
    expect(gsCbFromWords([0n, 1n, 2n, 3n])).toEqual(g);
  });
  it('validates shapes and ranges, naming the field', () => {
    expect(() => validateCpuRegisters(zeroCpuRegisters())).not.toThrow();
    const r = zeroCpuRegisters();
    r.gprs.pop();
    expect(() => validateCpuRegisters(r)).toThrow(/gprs has 15 entries/);
    const s = zeroCpuRegisters();
    s.acrs[3] = 2 ** 32;
    expect(() => validateCpuRegisters(s)).toThrow(/acrs\[3\]/);
    const t = zeroCpuRegisters();
    t.vrs[31] = new Uint8Array(8);
    expect(() => validateCpuRegisters(t)).toThrow(/vrs\[31\] has 8 bytes/);
    const u = zeroCpuRegisters();
    u.clockComparator = -1n;
    expect(() => validateCpuRegisters(u)).toThrow(/clockComparator/);
  });
});
