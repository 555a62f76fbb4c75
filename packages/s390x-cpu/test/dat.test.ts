// Dynamic address translation: segment-, region-third- and region-first-table ASCEs, page
// remapping, invalid entries, DAT protection, ASCE-type, EDAT-1 large segments, TLB purging with
// PTLB and IPTE, and a hot loop running translated.
import { describe, expect, it } from 'vitest';
import { type GuestMemory } from '../src/index.ts';
import { LC } from '../src/state/index.ts';
import { CODE_AT, machine, programInterruption } from './support/machine.ts';

const DAT_PSW = 0x0400000180000000n;
const SEGMENT_TABLE = 0x10000;
const PAGE_TABLE = 0x14000;
const REGION_THIRD_TABLE = 0x18000;
const REGION_FIRST_TABLE = 0x40000;
const REGION_SECOND_TABLE = 0x44000;
const INVALID = 0x20n;

/** Identity-maps the first 1 MiB through one segment and one page table; returns the segment-table ASCE. */
function buildTables(mem: GuestMemory): bigint {
  for (let i = 0; i < 2048; i++) mem.writeU64(SEGMENT_TABLE + 8 * i, INVALID);
  mem.writeU64(SEGMENT_TABLE, BigInt(PAGE_TABLE));
  for (let p = 0; p < 256; p++) mem.writeU64(PAGE_TABLE + 8 * p, BigInt(p * 4096));
  // Virtual page 0x80 → real 0x30000; 0x81 invalid; 0x82 protected.
  mem.writeU64(PAGE_TABLE + 8 * 0x80, 0x30000n);
  mem.writeU64(PAGE_TABLE + 8 * 0x81, 0x31000n | 0x400n);
  mem.writeU64(PAGE_TABLE + 8 * 0x82, 0x32000n | 0x200n);
  mem.writeU64(0x30008, 0x1122334455667788n);
  return BigInt(SEGMENT_TABLE) | 0x3n; // DT = segment table, TL = 3
}

function datMachine(source: string, asce?: (mem: GuestMemory) => bigint) {
  const m = machine(source, DAT_PSW);
  const segmentAsce = buildTables(m.mem);
  m.cpu.setCr(1, asce ? asce(m.mem) : segmentAsce);
  m.cpu.setPsw({ mask: DAT_PSW, addr: BigInt(CODE_AT) });
  return m;
}

describe('dynamic address translation', () => {
  it('translates through a remapped page', () => {
    const { cpu } = datMachine('lg %r1,8(%r2)');
    cpu.setGpr(2, 0x80000n);
    expect(cpu.run(1).kind).toBe('budget');
    expect(cpu.getGpr(1)).toBe(0x1122334455667788n);
  });

  it('page-translation exception: nullifying, TEID with the page and fetch indication', () => {
    const { cpu, mem } = datMachine('lg %r1,16(%r2)');
    cpu.setGpr(2, 0x81000n);
    cpu.run(5);
    expect(programInterruption(mem)).toMatchObject({ code: 0x11, ilc: 6, oldAddr: BigInt(CODE_AT) });
    expect(mem.readU64(LC.TRANS_EXC_ID)).toBe(0x81800n);
  });

  it('protection exception for a store into a DAT-protected page; loads work', () => {
    const { cpu, mem } = datMachine('lg %r3,0(%r2)\nstg %r1,0(%r2)');
    cpu.setGpr(2, 0x82000n);
    cpu.run(5);
    expect(programInterruption(mem)).toMatchObject({ code: 0x04, ilc: 6, oldAddr: BigInt(CODE_AT + 12) });
    // Page, store access (bit 53), DAT protection code (bit 61).
    expect(mem.readU64(LC.TRANS_EXC_ID)).toBe(0x82404n);
  });

  it('segment-translation exception for an invalid segment entry', () => {
    const { cpu, mem } = datMachine('lg %r1,0(%r2)');
    cpu.setGpr(2, 0x100000n);
    cpu.run(5);
    expect(programInterruption(mem).code).toBe(0x10);
  });

  it('ASCE-type exception for an address beyond a segment-table ASCE', () => {
    const { cpu, mem } = datMachine('lg %r1,0(%r2)');
    cpu.setGpr(2, 0x80000000n);
    cpu.run(5);
    expect(programInterruption(mem).code).toBe(0x38);
  });

  it('walks region-first, region-second and region-third tables; a region index beyond the table length faults', () => {
    const asce = (mem: GuestMemory): bigint => {
      for (let i = 0; i < 2048; i++) {
        mem.writeU64(REGION_FIRST_TABLE + 8 * i, INVALID | 0xcn);
        mem.writeU64(REGION_SECOND_TABLE + 8 * i, INVALID | 0x8n);
        mem.writeU64(REGION_THIRD_TABLE + 8 * i, INVALID | 0x4n);
      }
      mem.writeU64(REGION_FIRST_TABLE, BigInt(REGION_SECOND_TABLE) | 0xcn | 0x3n);
      mem.writeU64(REGION_SECOND_TABLE, BigInt(REGION_THIRD_TABLE) | 0x8n | 0x0n); // next table length 0: RTX < 512
      mem.writeU64(REGION_THIRD_TABLE, BigInt(SEGMENT_TABLE) | 0x4n | 0x3n);
      return BigInt(REGION_FIRST_TABLE) | 0xcn | 0x3n;
    };
    const { cpu, mem } = datMachine('lg %r1,8(%r2)\nlg %r1,0(%r3)', asce);
    cpu.setGpr(2, 0x80000n);
    cpu.setGpr(3, 0x0000010000000000n); // RTX 512: beyond the region-third table length 0
    cpu.run(1);
    expect(cpu.getGpr(1)).toBe(0x1122334455667788n);
    cpu.run(5);
    expect(programInterruption(mem).code).toBe(0x3b);
  });

  it('EDAT-1 large segments need CR0 bit 40; without it the FC bit is ignored', () => {
    const source = 'lg %r1,8(%r2)';
    const withLarge = (edat: boolean) => {
      const m = datMachine(source);
      // Segment 2 (0x200000): with EDAT-1 a 1 MiB frame at 0, otherwise the page table's origin.
      m.mem.writeU64(SEGMENT_TABLE + 8 * 2, BigInt(PAGE_TABLE) | 0x400n);
      m.mem.writeU64(0x80008, 0xaaaan);
      m.cpu.setCr(0, edat ? 0x008000e0n : 0xe0n);
      m.cpu.setGpr(2, 0x280000n);
      m.cpu.run(1);
      return m;
    };
    expect(withLarge(true).cpu.getGpr(1)).toBe(0xaaaan);
    expect(withLarge(false).cpu.getGpr(1)).toBe(0x1122334455667788n);
  });

  it('keeps a translation in the TLB until PTLB; IPTE invalidates an entry', () => {
    const { cpu, mem } = datMachine('lg %r1,8(%r2)\nlg %r1,8(%r2)\nptlb\nlg %r1,8(%r2)\nipte %r4,%r2\nlg %r1,8(%r2)');
    cpu.setGpr(2, 0x80000n);
    cpu.setGpr(4, BigInt(PAGE_TABLE));
    mem.writeU64(0x31008, 0xabcdn);
    cpu.run(1);
    mem.writeU64(PAGE_TABLE + 8 * 0x80, 0x31000n); // remap without purging
    cpu.run(1);
    expect(cpu.getGpr(1)).toBe(0x1122334455667788n);
    cpu.run(2);
    expect(cpu.getGpr(1)).toBe(0xabcdn);
    cpu.run(10);
    expect(programInterruption(mem)).toMatchObject({ code: 0x11, oldAddr: BigInt(CODE_AT + 6 + 6 + 4 + 6 + 4) });
  });

  it('IPTE with a page-table origin beyond storage is an addressing exception', () => {
    const { cpu, mem } = datMachine('ipte %r4,%r2');
    cpu.setGpr(2, 0x80000n);
    cpu.setGpr(4, BigInt(mem.size) + 0x10000n);
    cpu.run(1);
    expect(programInterruption(mem)).toMatchObject({ code: 0x05, ilc: 4, oldAddr: BigInt(CODE_AT + 4) });
  });

  it('runs a hot loop with DAT on', () => {
    const { cpu } = datMachine('lghi %r1,500\nloop:\naghi %r2,2\nstg %r2,0(%r3)\nbrctg %r1,loop\n.short 0');
    cpu.setGpr(3, 0x80010n);
    const stop = cpu.run(100_000);
    expect(stop.kind).toBe('wait');
    expect(cpu.getGpr(2)).toBe(1000n);
  });
});
