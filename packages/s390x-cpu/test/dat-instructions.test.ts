// DAT instructions and controls beyond the basic walk: IPTE (single and range), IDTE on segment
// and region-third tables, CSPG, region protection with EDAT-1 only, EDAT-2 huge frames and
// EDAT-1 large frames as absolute addresses (no prefixing), instruction-execution protection.
import { describe, expect, it } from 'vitest';
import { type GuestMemory } from '../src/index.ts';
import { LC } from '../src/state/index.ts';
import { CODE_AT, machine, programInterruption } from './support/machine.ts';

const DAT_PSW = 0x0400000180000000n;
const REGION_THIRD_TABLE = 0x18000;
const SEGMENT_TABLE = 0x10000;
const PAGE_TABLE = 0x14000;
const INVALID = 0x20n;

/** Region-third table → segment table → page table identity-mapping the first 1 MiB. */
function tables(mem: GuestMemory): bigint {
  for (let i = 0; i < 2048; i++) {
    mem.writeU64(REGION_THIRD_TABLE + 8 * i, INVALID | 0x4n);
    mem.writeU64(SEGMENT_TABLE + 8 * i, INVALID);
  }
  mem.writeU64(REGION_THIRD_TABLE, BigInt(SEGMENT_TABLE) | 0x4n | 0x3n);
  mem.writeU64(SEGMENT_TABLE, BigInt(PAGE_TABLE));
  for (let p = 0; p < 256; p++) mem.writeU64(PAGE_TABLE + 8 * p, BigInt(p * 4096));
  return BigInt(REGION_THIRD_TABLE) | 0x4n | 0x3n;
}

function dat(source: string, cr0 = 0xe0n) {
  const m = machine(source, DAT_PSW);
  m.cpu.setCr(1, tables(m.mem));
  m.cpu.setCr(0, cr0);
  m.mem.writeU64(0x30000, 0x1111n);
  m.mem.writeU64(0x31000, 0x2222n);
  return m;
}

describe('DAT instructions', () => {
  it('IPTE with a range invalidates R3+1 entries and advances R2', () => {
    const { cpu, mem } = dat('ipte %r1,%r2,%r3');
    cpu.setGpr(1, BigInt(PAGE_TABLE + 0x123));
    cpu.setGpr(2, 0x30000n);
    cpu.setGpr(3, 1n);
    cpu.run(1);
    expect(mem.readU64(PAGE_TABLE + 8 * 0x30) & 0x400n).toBe(0x400n);
    expect(mem.readU64(PAGE_TABLE + 8 * 0x31) & 0x400n).toBe(0x400n);
    expect(mem.readU64(PAGE_TABLE + 8 * 0x32) & 0x400n).toBe(0n);
    expect(cpu.getGpr(2)).toBe(0x32000n);
  });

  it('IDTE invalidates the segment entry of an address; the TLB forgets it', () => {
    const { cpu, mem } = dat('lg %r5,0(%r2)\nidte %r1,%r0,%r2\nlg %r5,8(%r2)');
    cpu.setGpr(1, BigInt(SEGMENT_TABLE));
    cpu.setGpr(2, 0x30000n);
    cpu.run(3);
    expect(mem.readU64(SEGMENT_TABLE) & INVALID).toBe(INVALID);
    expect(programInterruption(mem)).toMatchObject({ code: 0x10, oldAddr: BigInt(CODE_AT + 10) });
  });

  it('IDTE on a region-third table (designation type 1)', () => {
    const { cpu, mem } = dat('idte %r1,%r0,%r2');
    cpu.setGpr(1, BigInt(REGION_THIRD_TABLE) | 0x4n);
    cpu.setGpr(2, 0n);
    cpu.run(1);
    expect(mem.readU64(REGION_THIRD_TABLE) & INVALID).toBe(INVALID);
  });

  it('CSPG swaps when equal (purging with bit 63) and loads when not', () => {
    const { cpu, mem } = dat('cspg %r2,%r4\nipm %r7\ncspg %r2,%r4\nipm %r8');
    mem.writeU64(0x40000, 5n);
    cpu.setGpr(2, 5n);
    cpu.setGpr(3, 9n);
    cpu.setGpr(4, 0x40001n);
    cpu.run(4);
    expect(mem.readU64(0x40000)).toBe(9n);
    expect((cpu.getGpr(7) >> 28n) & 3n).toBe(0n);
    expect((cpu.getGpr(8) >> 28n) & 3n).toBe(1n);
    expect(cpu.getGpr(2)).toBe(9n);
  });
});

describe('EDAT and instruction-execution protection', () => {
  it('region protection applies only with EDAT-1; segment protection always', () => {
    const store = (cr0: bigint, regionP: boolean) => {
      const m = dat('mvi 0(%r2),1', cr0);
      if (regionP) m.mem.writeU64(REGION_THIRD_TABLE, BigInt(SEGMENT_TABLE) | 0x200n | 0x4n | 0x3n);
      else m.mem.writeU64(SEGMENT_TABLE, BigInt(PAGE_TABLE) | 0x200n);
      m.cpu.setGpr(2, 0x30000n);
      m.cpu.run(1);
      return programInterruption(m.mem).code;
    };
    expect(store(0xe0n, true)).toBe(0);
    expect(store(0x008000e0n, true)).toBe(0x04);
    expect(store(0xe0n, false)).toBe(0x04);
  });

  it('EDAT-2 maps a 2 GiB region-third frame; large and huge frames are absolute (no prefixing)', () => {
    const m = dat('lg %r5,0(%r2)\nlg %r6,0(%r3)', 0x008000e0n);
    // Region-third entry 1 (virtual 2 GiB…4 GiB) → huge frame at absolute 0.
    m.mem.writeU64(REGION_THIRD_TABLE + 8, 0x400n | 0x4n);
    m.mem.writeU64(0x30, 0xabcdn);
    m.cpu.setPrefix(0x80000);
    m.mem.writeU64(0x80030, 0x5555n);
    m.cpu.setGpr(2, 0x80000030n);
    m.cpu.setGpr(3, 0x30n);
    m.cpu.run(2);
    expect(m.cpu.getGpr(5)).toBe(0xabcdn);
    expect(m.cpu.getGpr(6)).toBe(0x5555n);
  });

  it('translates virtual addresses near 2^64 exactly through a region-first table', () => {
    const m = machine('lg %r5,8(%r2)\nmvhi 16(%r2),42\nlg %r6,0(%r3)', DAT_PSW);
    const RFT = 0x40000;
    const RST = 0x44000;
    for (let i = 0; i < 2048; i++) {
      m.mem.writeU64(RFT + 8 * i, INVALID | 0xcn);
      m.mem.writeU64(RST + 8 * i, INVALID | 0x8n);
    }
    tables(m.mem);
    // Virtual 0xffc0000000000000 (region-first index 2046) and the code at 0 share the region-second table.
    m.mem.writeU64(RFT + 8 * 2046, BigInt(RST) | 0xcn | 0x3n);
    m.mem.writeU64(RFT, BigInt(RST) | 0xcn | 0x3n);
    m.mem.writeU64(RST, BigInt(REGION_THIRD_TABLE) | 0x8n | 0x3n);
    m.cpu.setCr(1, BigInt(RFT) | 0xcn | 0x3n);
    m.mem.writeU64(0x30008, 0x1234n);
    m.cpu.setGpr(2, 0xffc0000000030000n);
    m.cpu.setGpr(3, 0xffc0000000081000n);
    m.cpu.run(3);
    expect(m.cpu.getGpr(5)).toBe(0x1234n);
    expect(m.mem.readU32(0x30010)).toBe(42);
    // Page 0x81 of that segment is mapped; make it invalid: the TEID holds the exact page.
    m.mem.writeU64(PAGE_TABLE + 8 * 0x81, 0x400n);
    // The TLB may keep the old translation until purged (as IPTE would), far pages included.
    m.cpu.purgeTlb();
    m.cpu.setPsw({ mask: DAT_PSW, addr: BigInt(CODE_AT + 12) });
    m.cpu.run(1);
    expect(programInterruption(m.mem).code).toBe(0x11);
    expect(m.mem.readU64(LC.TRANS_EXC_ID)).toBe(0xffc0000000081800n);
  });

  it('IEP (CR0 bit 43) forbids instruction fetches from a page whose entry has bit 55', () => {
    const m = dat('br %r2', 0x001000e0n);
    m.mem.writeU64(PAGE_TABLE + 8 * 0x40, 0x40000n | 0x100n);
    m.mem.write(0x40000, Uint8Array.from([0x07, 0x07]));
    m.cpu.setGpr(2, 0x40000n);
    m.cpu.run(3);
    expect(programInterruption(m.mem).code).toBe(0x04);
    expect(m.mem.readU64(LC.TRANS_EXC_ID)).toBe(0x40000n | 0x800n | 0x84n);
  });
});
