// Whole-frame instructions: MVPG (copy, key selection errors, addressing, DAT protection and
// page-translation exceptions with the operand-access id, the condition-code option) and PFMF
// (set key, clear 4 KiB and 1 MiB frames, low-address protection, reserved bits), TEST BLOCK.
import { describe, expect, it } from 'vitest';
import { type GuestMemory } from '../src/index.ts';
import { CODE_AT, machine, programInterruption } from './support/machine.ts';

const DAT_PSW = 0x0400000180000000n;
const SEGMENT_TABLE = 0x10000;
const PAGE_TABLE = 0x14000;

/** Identity-maps the first 1 MiB; page 0x81 invalid, page 0x82 DAT protected. */
function datTables(mem: GuestMemory): bigint {
  for (let i = 0; i < 2048; i++) mem.writeU64(SEGMENT_TABLE + 8 * i, 0x20n);
  mem.writeU64(SEGMENT_TABLE, BigInt(PAGE_TABLE));
  for (let p = 0; p < 256; p++) mem.writeU64(PAGE_TABLE + 8 * p, BigInt(p * 4096));
  mem.writeU64(PAGE_TABLE + 8 * 0x81, 0x81000n | 0x400n);
  mem.writeU64(PAGE_TABLE + 8 * 0x82, 0x82000n | 0x200n);
  return BigInt(SEGMENT_TABLE) | 0x3n;
}

function mvpg(gr0: bigint, dest: number, src: number, dat = false) {
  const m = machine('mvpg %r4,%r6\nipm %r7', dat ? DAT_PSW : undefined);
  if (dat) m.cpu.setCr(1, datTables(m.mem));
  m.cpu.setGpr(0, gr0);
  m.cpu.setGpr(4, BigInt(dest));
  m.cpu.setGpr(6, BigInt(src));
  for (let i = 0; i < 4096; i++) m.mem.bytes[0x60000 + i] = (i + 42) & 0xff;
  m.mem.writeU16(0x8e, 0);
  m.cpu.run(2);
  return { ...m, cc: Number((m.cpu.getGpr(7) >> 28n) & 3n), code: programInterruption(m.mem).code };
}

describe('MOVE PAGE', () => {
  it('copies a page (CC 0)', () => {
    const { mem, cc, code } = mvpg(0n, 0x70000, 0x60000);
    expect(code).toBe(0);
    expect(cc).toBe(0);
    expect(Buffer.compare(mem.read(0x70000, 4096), mem.read(0x60000, 4096))).toBe(0);
  });

  it('both key selections or reserved GR0 bits are a specification exception; outside memory is addressing', () => {
    expect(mvpg(0xc00n, 0x70000, 0x60000).code).toBe(0x06);
    expect(mvpg(0x1000n, 0x70000, 0x60000).code).toBe(0x06);
    expect(mvpg(0n, 0x70000, 0xfffff000).code).toBe(0x05);
    expect(mvpg(0n, 0xfffff000, 0x60000).code).toBe(0x05);
  });

  it('a DAT-protected destination is a protection exception, even with the condition-code option', () => {
    expect(mvpg(0n, 0x82000, 0x60000, true).code).toBe(0x04);
    expect(mvpg(0x100n, 0x82000, 0x60000, true).code).toBe(0x04);
    expect(mvpg(0n, 0x70000, 0x82000, true).code).toBe(0);
  });

  it('an invalid page is a page-translation exception naming the operands at 0xA2; with CCO CC 1 / 2', () => {
    const dest = mvpg(0n, 0x81000, 0x60000, true);
    expect(programInterruption(dest.mem)).toMatchObject({ code: 0x11, oldAddr: BigInt(CODE_AT) });
    expect(dest.mem.bytes[0xa2]).toBe(0x46);
    expect(mvpg(0x100n, 0x81000, 0x60000, true).cc).toBe(1);
    expect(mvpg(0x100n, 0x70000, 0x81000, true).cc).toBe(2);
    expect(mvpg(0x100n, 0x81000, 0x81000, true).cc).toBe(2);
  });
});

describe('TEST BLOCK', () => {
  it('clears the block (CC 0); low-address protection and addressing apply', () => {
    const m = machine('tb %r0,%r2\nipm %r7');
    m.mem.bytes.fill(0xaa, 0x40000, 0x42000);
    m.cpu.setGpr(2, 0x40123n);
    m.cpu.run(2);
    expect((m.cpu.getGpr(7) >> 28n) & 3n).toBe(0n);
    expect(m.mem.bytes[0x40000]).toBe(0);
    expect(m.mem.bytes[0x40fff]).toBe(0);
    expect(m.mem.bytes[0x41000]).toBe(0xaa);
    const lap = machine('tb %r0,%r2');
    lap.cpu.setGpr(2, 0x1000n);
    lap.cpu.setCr(0, 0x100000e0n);
    lap.cpu.run(1);
    expect(programInterruption(lap.mem).code).toBe(0x04);
    const far = machine('tb %r0,%r2');
    far.cpu.setGpr(2, 0xfffffffffffff000n);
    far.cpu.run(1);
    expect(programInterruption(far.mem).code).toBe(0x05);
  });
});

describe('PERFORM FRAME MANAGEMENT FUNCTION', () => {
  function pfmf(r1: bigint, addr: number, cr0 = 0x008000e0n) {
    const m = machine('pfmf %r2,%r4');
    m.cpu.setGpr(2, r1);
    m.cpu.setGpr(4, BigInt(addr));
    m.cpu.setCr(0, cr0);
    m.mem.bytes.fill(42, 0x40000, 0x60000);
    m.cpu.run(1);
    return { ...m, code: programInterruption(m.mem).code };
  }

  it('sets the key of a 4 KiB frame and clears it', () => {
    const { mem, code } = pfmf(0x30000n | 0x30n, 0x40123);
    expect(code).toBe(0);
    expect(mem.getStorageKey(0x40)).toBe(0x30);
    expect(mem.bytes[0x40000]).toBe(0);
    expect(mem.bytes[0x41000]).toBe(42);
  });

  it('1 MiB frame size: every frame to the boundary, R2 advanced', () => {
    const { mem, cpu } = pfmf(0x21000n | 0x30n, 0x5e000);
    expect(mem.getStorageKey(0x5e)).toBe(0x30);
    expect(mem.getStorageKey(0xff)).toBe(0x30);
    expect(mem.getStorageKey(0x5d)).toBe(0x06);
    expect(cpu.getGpr(4)).toBe(0x100000n);
  });

  it('clearing frame 0 or 1 under low-address protection is a protection exception; reserved bits a specification exception', () => {
    expect(pfmf(0x10000n, 0x1000, 0x108000e0n).code).toBe(0x04);
    expect(pfmf(0x10000n, 0, 0x108000e0n).code).toBe(0x04);
    expect(pfmf(0x10800n, 0x40000).code).toBe(0x06);
    expect(pfmf(0x13000n, 0x40000).code).toBe(0x06);
  });

  it('is privileged', () => {
    const m = machine('pfmf %r2,%r4', 0x0001000180000000n);
    m.cpu.run(2);
    expect(programInterruption(m.mem).code).toBe(0x02);
  });
});
