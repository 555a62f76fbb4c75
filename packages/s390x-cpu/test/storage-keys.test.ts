// Storage keys and protection: SSKE / ISKE / RRBE / RRBM with reference and change recording,
// SSKE's conditional and multiple-block forms, key-controlled protection (store, fetch, the
// fetch- and storage-protection overrides) with its TEID, SPKA / IPK / IVSK, TPROT's condition
// codes and addressing exception, low-address protection, and the fast path left unchecked.
import { describe, expect, it } from 'vitest';
import { LC } from '../src/state/index.ts';
import { CODE_AT, machine, PGM_WAIT_ADDRESS, programInterruption } from './support/machine.ts';

const PAGE = 0x40000;

describe('storage keys', () => {
  it('SSKE sets and ISKE reads the key; a store sets the change bit, a fetch the reference bit', () => {
    const { cpu, mem } = machine('sske %r1,%r2\niske %r3,%r2\nl %r0,0(%r2)\niske %r4,%r2\nmvi 0(%r2),1\niske %r5,%r2');
    cpu.setGpr(1, 0x30n);
    cpu.setGpr(2, BigInt(PAGE + 0x123));
    cpu.setGpr(3, 0xffffffffffffffffn);
    expect(mem.getStorageKey(PAGE / 4096)).toBe(0x06);
    cpu.run(6);
    expect(cpu.getGpr(3)).toBe(0xffffffffffffff30n);
    expect(cpu.getGpr(4) & 0xffn).toBe(0x34n);
    expect(cpu.getGpr(5) & 0xffn).toBe(0x36n);
    expect(mem.checkedFrameCount).toBe(0);
  });

  it('RRBE returns R and C in the condition code and resets R; RRBM returns a bitmap', () => {
    const { cpu, mem } = machine('rrbe %r0,%r2\nipm %r6\nrrbe %r0,%r2\nipm %r7\nrrbm %r8,%r2');
    cpu.setGpr(2, BigInt(PAGE));
    mem.setStorageKey(PAGE / 4096 + 1, 0x02);
    cpu.run(5);
    expect((cpu.getGpr(6) >> 28n) & 3n).toBe(3n);
    expect((cpu.getGpr(7) >> 28n) & 3n).toBe(1n);
    // Frame 0 of the block was reset by RRBE, frame 1 had R off; the other 62 had R on.
    expect(cpu.getGpr(8)).toBe(0x3fffffffffffffffn);
    expect(mem.getStorageKey(PAGE / 4096 + 5)).toBe(0x02);
  });

  it('conditional SSKE leaves a matching key alone (CC 0) and returns the old key in R1 bits 48-55', () => {
    const { cpu, mem } = machine('sske %r1,%r2,6\nipm %r6\nsske %r3,%r2,6\nipm %r7');
    mem.setStorageKey(PAGE / 4096, 0x16);
    cpu.setGpr(1, 0x10n);
    cpu.setGpr(2, BigInt(PAGE));
    cpu.setGpr(3, 0x20n);
    cpu.run(4);
    expect((cpu.getGpr(6) >> 28n) & 3n).toBe(0n);
    expect(cpu.getGpr(1)).toBe(0x1610n);
    expect((cpu.getGpr(7) >> 28n) & 3n).toBe(1n);
    expect(mem.getStorageKey(PAGE / 4096)).toBe(0x26);
  });

  it('multiple-block SSKE sets every frame up to the next 1 MiB boundary and updates R2', () => {
    const { cpu, mem } = machine('sske %r1,%r2,1');
    cpu.setGpr(1, 0x30n);
    cpu.setGpr(2, 0xfe123n);
    cpu.run(1);
    expect(cpu.getGpr(2)).toBe(0x100000n);
    expect(mem.getStorageKey(0xfe)).toBe(0x30);
    expect(mem.getStorageKey(0xff)).toBe(0x30);
    expect(mem.getStorageKey(0xfd)).toBe(0x06);
  });

  it('SSKE, ISKE and RRBE beyond memory are addressing exceptions; in the problem state privileged', () => {
    for (const op of ['sske %r1,%r2', 'iske %r1,%r2', 'rrbe %r1,%r2']) {
      const { cpu, mem } = machine(op);
      cpu.setGpr(2, 0xffffffffffffffffn);
      cpu.run(3);
      expect(programInterruption(mem).code).toBe(0x05);
      const p = machine(op, 0x0001000180000000n);
      p.cpu.run(3);
      expect(programInterruption(p.mem).code).toBe(0x02);
    }
  });
});

describe('key-controlled protection', () => {
  /** Runs `spka 0x10` (PSW key 1) then `body` against PAGE with the given storage key. */
  function withKey1(body: string, storageKey: number, cr0 = 0xe0n) {
    const m = machine(`spka 0x10\n${body}`);
    m.mem.setStorageKey(PAGE / 4096, storageKey);
    m.mem.writeU32(PAGE, 0xbeef);
    m.cpu.setGpr(2, BigInt(PAGE));
    m.cpu.setCr(0, cr0);
    m.cpu.run(3);
    return m;
  }

  it('a store with a mismatching key is a protection exception: nothing stored, TEID with the key code', () => {
    const { mem, cpu } = withKey1('mvi 0(%r2),1', 0x20);
    expect(programInterruption(mem)).toMatchObject({ code: 0x04, ilc: 4, oldAddr: BigInt(CODE_AT + 8) });
    expect(mem.readU32(PAGE)).toBe(0xbeef);
    // Page, store access (bit 53), key-controlled protection code (bit 60).
    expect(mem.readU64(LC.TRANS_EXC_ID)).toBe(BigInt(PAGE + 0x400 + 0x8));
    expect(cpu.getPsw().addr).toBe(BigInt(PGM_WAIT_ADDRESS));
    expect((mem.readU64(LC.PROGRAM_OLD_PSW) >> 52n) & 15n).toBe(1n);
  });

  it('a matching key stores; key 0 storage without fetch protection can be fetched', () => {
    expect(withKey1('mvi 0(%r2),1', 0x10).mem.read(PAGE, 1)[0]).toBe(1);
    const m = withKey1('l %r3,0(%r2)', 0x20);
    expect(m.cpu.getGpr(3)).toBe(0xbeefn);
  });

  it('fetch protection stops a fetch with a mismatching key; TEID says fetch', () => {
    const { mem } = withKey1('l %r3,0(%r2)', 0x28);
    expect(programInterruption(mem).code).toBe(0x04);
    expect(mem.readU64(LC.TRANS_EXC_ID)).toBe(BigInt(PAGE + 0x800 + 0x8));
  });

  it('storage-protection override (CR0 bit 39) opens key-9 storage', () => {
    expect(withKey1('mvi 0(%r2),1', 0x90, 0x010000e0n).mem.read(PAGE, 1)[0]).toBe(1);
    expect(programInterruption(withKey1('mvi 0(%r2),1', 0x90).mem).code).toBe(0x04);
  });

  it('fetch-protection override (CR0 bit 38) applies to effective addresses 0-2047 only', () => {
    const run = (addr: number, cr0: bigint) => {
      const m = machine('spka 0x10\nl %r3,0(%r2)\nspka 0');
      m.mem.setStorageKey(0, 0x28);
      m.mem.writeU32(addr, 0x1234);
      m.cpu.setGpr(2, BigInt(addr));
      m.cpu.setCr(0, cr0);
      m.cpu.run(3);
      return m;
    };
    expect(run(0x400, 0x020000e0n).cpu.getGpr(3)).toBe(0x1234n);
    expect(programInterruption(run(0x800, 0x020000e0n).mem).code).toBe(0x04);
    expect(programInterruption(run(0x400, 0xe0n).mem).code).toBe(0x04);
  });

  it('protects the CPU-completed instructions: STAP stores nothing, SPX fetches nothing', () => {
    const stap = withKey1('stap 0(%r2)', 0x20);
    expect(programInterruption(stap.mem).code).toBe(0x04);
    expect(stap.mem.readU32(PAGE)).toBe(0xbeef);
    const spx = withKey1('spx 0(%r2)', 0x28);
    expect(programInterruption(spx.mem).code).toBe(0x04);
    expect(spx.cpu.prefix).toBe(0);
  });

  it('MSCH, STSCH and CHSC operands are checked before the host sees the instruction', () => {
    const msch = withKey1('msch 0(%r2)', 0x28);
    expect(programInterruption(msch.mem).code).toBe(0x04);
    const chsc = withKey1('.insn rre,0xb25f0000,%r2,%r0', 0x20);
    expect(programInterruption(chsc.mem).code).toBe(0x04);
    expect(chsc.mem.readU64(LC.TRANS_EXC_ID)).toBe(BigInt(PAGE + 0x400 + 0x8));
    const stsch = machine('spka 0x10\nstsch 2(%r2)');
    stsch.cpu.setGpr(2, BigInt(PAGE));
    stsch.cpu.run(3);
    expect(programInterruption(stsch.mem).code).toBe(0x06);
    const ok = withKey1('msch 0(%r2)', 0x20);
    expect(ok.cpu.pendingInterception).toMatchObject({ mnemonic: 'msch', operandAddress: BigInt(PAGE) });
  });

  it('instruction fetches are fetch protected', () => {
    const { cpu, mem } = machine('spka 0x10\nbr %r2');
    mem.setStorageKey(PAGE / 4096, 0x28);
    mem.write(PAGE, Uint8Array.from([0x07, 0x07]));
    cpu.setGpr(2, BigInt(PAGE));
    cpu.run(3);
    expect(programInterruption(mem).code).toBe(0x04);
    expect(mem.readU64(LC.TRANS_EXC_ID)).toBe(BigInt(PAGE + 0x800 + 0x8));
  });

  it('SPKA in the problem state needs the key in the PSW-key mask; IPK and IVSK read keys', () => {
    const p = machine('spka 0x30', 0x0001000180000000n);
    p.cpu.setCr(3, 0x80000000n);
    p.cpu.run(2);
    expect(programInterruption(p.mem).code).toBe(0x02);
    const q = machine('spka 0x30\nipk\nivsk %r3,%r4', 0x0001000180000000n);
    q.cpu.setCr(3, 0x10000000n);
    q.cpu.setCr(0, 0x080000e0n);
    q.cpu.setGpr(4, BigInt(PAGE));
    q.mem.setStorageKey(PAGE / 4096, 0x3e);
    q.cpu.run(3);
    expect(q.cpu.getGpr(2) & 0xffn).toBe(0x30n);
    expect(q.cpu.getGpr(3) & 0xffn).toBe(0x38n);
  });

  it('low-address protection (CR0 bit 35) stops stores to 0-511 and 4096-4607', () => {
    const store = (addr: number) => {
      const m = machine('mvi 0(%r2),1');
      m.cpu.setGpr(2, BigInt(addr));
      m.cpu.setCr(0, 0x100000e0n);
      m.cpu.run(2);
      return m;
    };
    expect(programInterruption(store(0x1ff).mem).code).toBe(0x04);
    expect(store(0x1ff).mem.readU64(LC.TRANS_EXC_ID)).toBe(0x480n);
    expect(programInterruption(store(0x1100).mem).code).toBe(0x04);
    expect(store(0x200).mem.read(0x200, 1)[0]).toBe(1);
  });
});

describe('TEST PROTECTION', () => {
  function tprot(storageKey: number, accessKey: number, cr0 = 0xe0n, addr = PAGE): { cc: number; code: number } {
    const m = machine('tprot 0(%r2),0(%r3)\nipm %r4');
    if (addr < m.mem.size) m.mem.setStorageKey(Math.floor(addr / 4096), storageKey);
    m.mem.writeU16(LC.PGM_CODE, 0);
    m.cpu.setGpr(2, BigInt(addr));
    m.cpu.setGpr(3, BigInt(accessKey << 4));
    m.cpu.setCr(0, cr0);
    m.cpu.run(2);
    return { cc: Number((m.cpu.getGpr(4) >> 28n) & 3n), code: programInterruption(m.mem).code };
  }

  it('gives CC 0 (fetch and store), 1 (fetch only) and 2 (neither)', () => {
    expect(tprot(0x10, 0).cc).toBe(0);
    expect(tprot(0x10, 1).cc).toBe(0);
    expect(tprot(0x10, 2).cc).toBe(1);
    expect(tprot(0x18, 2).cc).toBe(2);
    expect(tprot(0x18, 2, 0x020000e0n, 0).cc).toBe(1);
    expect(tprot(0x18, 2, 0x020000e0n, 2048).cc).toBe(2);
    expect(tprot(0x90, 2, 0x010000e0n).cc).toBe(0);
  });

  it('counts low-address protection as store protection: CC 1 for 0–511 and 4096–4607', () => {
    const lap = 0x100000e0n; // CR0 bit 35
    expect(tprot(0, 0, lap, 0).cc).toBe(1);
    expect(tprot(0, 0, lap, 0x1ff).cc).toBe(1);
    expect(tprot(0, 0, lap, 0x1100).cc).toBe(1);
    expect(tprot(0, 0, lap, 0x200).cc).toBe(0);
    expect(tprot(0, 0, lap, 0x1200).cc).toBe(0);
    expect(tprot(0, 0, 0xe0n, 0).cc).toBe(0);
  });

  it('an address beyond memory is an addressing exception', () => {
    expect(tprot(0, 0, 0xe0n, 0x100000).code).toBe(0x05);
  });

  it('does not record a reference', () => {
    const m = machine('tprot 0(%r2),0');
    m.mem.setStorageKey(PAGE / 4096, 0x10);
    m.cpu.setGpr(2, BigInt(PAGE));
    m.cpu.run(1);
    expect(m.mem.getStorageKey(PAGE / 4096)).toBe(0x10);
  });
});
