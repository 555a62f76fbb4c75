// The vector support, integer and string instructions where qemu-s390x 7.2 cannot be the
// reference (it deviates from the architecture, or the case needs supervisor state): the
// architected VCKSM, vector enablement (DXC 0xFE), specification exceptions for reserved M and
// I4 values, and the condition codes of the string and compare instructions on chosen data.
import { describe, expect, it } from 'vitest';
import { Cpu, FACILITY_BITS } from '../src/index.ts';
import { machine, programInterruption } from './support/machine.ts';

const enable = (cpu: { setCr(i: number, v: bigint): void }): void => cpu.setCr(0, 0x600e0n);
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** Runs `source` (z15 mnemonics) with V registers loaded from `vectors` (hex, by register number). */
function runVector(source: string, vectors: Record<number, string>, steps: number, enabled = true): ReturnType<typeof machine> {
  const m = machine('.machine "z15"\n' + source);
  if (enabled) enable(m.cpu);
  const snapshot = m.cpu.snapshot();
  for (const [v, value] of Object.entries(vectors)) snapshot.vrs[Number(v)]!.set(Buffer.from(value, 'hex'));
  m.cpu.restore(snapshot);
  m.cpu.run(steps);
  return m;
}

describe('vector integer instructions: architected behaviour', () => {
  it('VCKSM adds the four words of V2 and word 1 of V3 with end-around carry (qemu 7.2 doubles the sum instead)', () => {
    const { cpu } = runVector('vcksm %v1,%v2,%v3', { 1: 'ff'.repeat(16), 2: '00000001000000020000000300000004', 3: '000000000000000a0000000000000000' }, 1);
    expect(hex(cpu.snapshot().vrs[1]!)).toBe('00000000000000140000000000000000');
    const carry = runVector('vcksm %v1,%v2,%v3', { 2: 'ffffffff00000002ffffffff00000000', 3: '00000000800000000000000000000000' }, 1);
    // 0x80000000 + 0xffffffff → 0x80000000 (carry added back), + 2, + 0xffffffff → 0x80000002.
    expect(hex(carry.cpu.snapshot().vrs[1]!)).toBe('00000000800000020000000000000000');
  });

  it('needs vector enablement: a data exception with DXC 0xFE', () => {
    const { mem } = runVector('vavgb %v1,%v2,%v3', {}, 2, false);
    expect(programInterruption(mem)).toMatchObject({ code: 7, dxc: 0xfe });
  });

  it('LCBB counts to the block boundary without vector enablement; CC 0 for a full 16 bytes, 3 otherwise', () => {
    const m = runVector('lcbb %r2,0(%r1),0\nipm %r3\nlcbb %r4,8(%r1),6\nipm %r5', {}, 0, false);
    m.cpu.setGpr(1, 0x4038n);
    m.cpu.run(4);
    expect(m.cpu.getGpr(2)).toBe(8n);
    expect((m.cpu.getGpr(3) >> 28n) & 3n).toBe(3n);
    expect(m.cpu.getGpr(4)).toBe(16n);
    expect((m.cpu.getGpr(5) >> 28n) & 3n).toBe(0n);
  });

  it.each([
    ['vpopct %v1,%v2,4', 'element size 4'],
    ['vlbb %v1,0(%r1),7', 'block-boundary code 7'],
    ['vsld %v1,%v2,%v3,8', 'VSLD shift over 7'],
    ['vsldb %v1,%v2,%v3,16', 'VSLDB shift over 15'],
    ['vfee %v1,%v2,%v3,0,4', 'VFEE flag RT'],
    ['vistr %v1,%v2,0,2', 'VISTR flag ZS'],
    ['vstrs %v1,%v2,%v3,%v4,0,1', 'VSTRS flag CS'],
    ['vac %v1,%v2,%v3,%v4,3', 'VAC below quadword'],
    ['vllez %v1,0(%r1),4', 'VLLEZ size 4'],
    ['vlebrf %v1,0(%r1),4', 'VLEBRF index 4'],
    ['vmsl %v1,%v2,%v3,%v4,2,0', 'VMSL below doubleword'],
  ])('%s is a specification exception (%s)', (source) => {
    const { mem } = runVector(source, {}, 2);
    expect(programInterruption(mem).code).toBe(6);
  });

  it('VSTRS finds a full match (CC 2), a partial match at the end (CC 3) and none (CC 0)', () => {
    const text = Buffer.from('hello, vector wo').toString('hex');
    const search = (needle: string, length: number): { index: number; cc: number } => {
      const { cpu } = runVector('vstrsb %v1,%v2,%v3,%v4\nipm %r2', { 2: text, 3: Buffer.from(needle.padEnd(16, '\0')).toString('hex'), 4: '00000000000000' + length.toString(16).padStart(2, '0') + '0'.repeat(16) }, 2);
      return { index: cpu.snapshot().vrs[1]![7]!, cc: Number((cpu.getGpr(2) >> 28n) & 3n) };
    };
    expect(search('vector', 6)).toEqual({ index: 7, cc: 2 });
    expect(search('world', 5)).toEqual({ index: 14, cc: 3 });
    expect(search('xyz', 3)).toEqual({ index: 16, cc: 0 });
  });

  it('VFENE tells which string is lower; VEC compares the rightmost element of doubleword 0', () => {
    const { cpu } = runVector('vfenebs %v1,%v2,%v3\nipm %r2\nvecf %v4,%v5\nipm %r3', { 2: '61626364' + '00'.repeat(12), 3: '61626464' + '00'.repeat(12), 4: '00000000fffffffe' + '00'.repeat(8), 5: '000000000000000f' + '00'.repeat(8) }, 4);
    expect(cpu.snapshot().vrs[1]![7]).toBe(2);
    expect((cpu.getGpr(2) >> 28n) & 3n).toBe(1n);
    expect((cpu.getGpr(3) >> 28n) & 3n).toBe(1n);
  });

  describe('on a CPU model without the vector-enhancements facilities (z13)', () => {
    /** Runs `source` on a CPU whose facility list lacks bits 135 and 148; the interruption code, 0 for none. */
    const z13 = (source: string): number => {
      const { mem } = machine('.machine "z15"\n' + source);
      const cpu = new Cpu(mem, { facilities: FACILITY_BITS.filter((bit) => bit !== 135 && bit !== 148) });
      cpu.setPsw({ mask: 0x0000000180000000n, addr: 0x2000n });
      enable(cpu);
      cpu.setGpr(1, 0x4000n);
      cpu.run(2);
      return cpu.snapshot().psw.addr === 0xdeadn ? programInterruption(mem).code : 0;
    };
    it.each([['vbperm %v1,%v2,%v3'], ['vnx %v1,%v2,%v3'], ['vmslg %v1,%v2,%v3,%v4,0'], ['vlbrq %v1,0(%r1)'], ['vsld %v1,%v2,%v3,1'], ['vstrsb %v1,%v2,%v3,%v4']])('%s is an operation exception', (source) => {
      expect(z13(source)).toBe(1);
    });
    it('VPOPCT counts bytes only and VLLEZ has no left-aligned word: specification exceptions', () => {
      expect(z13('vpopct %v1,%v2,1')).toBe(6);
      expect(z13('vllezlf %v1,0(%r1)')).toBe(6);
      expect(z13('vpopct %v1,%v2,0\nvllezf %v1,0(%r1)')).toBe(0);
    });
  });
});
