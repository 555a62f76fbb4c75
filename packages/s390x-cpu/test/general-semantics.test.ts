// Architected behaviour the differential test cannot check because qemu-s390x 7.2 differs from
// the Principles of Operation (STMH, fixed-point-overflow interruptions), plus program
// interruptions of the general instructions delivered through the lowcore: snippets assembled
// with s390x-linux-gnu-as run on a bare CPU at 0x10000.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { requireTool, run, tempPath } from '@pvdump/test-support';
import { Cpu, GuestMemory } from '../src/index.ts';
import { LC, PSW_MASK_DISABLED_WAIT_64, PSW_MASK_64 } from '../src/state/index.ts';

const CODE = 0x10000;
const DATA = 0x20000;

/** Assembles `source` (z15) into raw bytes. */
function assemble(source: string): Uint8Array {
  requireTool('s390x-linux-gnu-as');
  const src = tempPath('snippet.s');
  const obj = tempPath('snippet.o');
  const bin = tempPath('snippet.bin');
  writeFileSync(src, '.text\n' + source + '\n');
  run('s390x-linux-gnu-as', ['-march=z15', src, '-o', obj]);
  run('s390x-linux-gnu-objcopy', ['-O', 'binary', '-j', '.text', obj, bin]);
  return new Uint8Array(readFileSync(bin));
}

/** A CPU in 64-bit supervisor state with the snippet at CODE, ending in a disabled wait. */
function machine(source: string): Cpu {
  const memory = new GuestMemory(1 << 20);
  const code = assemble(source + '\n lpswe 0x300');
  memory.write(CODE, code);
  memory.writeU64(0x300, PSW_MASK_DISABLED_WAIT_64);
  memory.writeU64(0x308, 0xfffn);
  // Program interruptions also end in a (different) disabled wait.
  memory.writeU64(LC.PROGRAM_NEW_PSW, PSW_MASK_DISABLED_WAIT_64);
  memory.writeU64(LC.PROGRAM_NEW_PSW + 8, 0xdeadn);
  const cpu = new Cpu(memory);
  cpu.setPsw({ mask: PSW_MASK_64, addr: BigInt(CODE) });
  return cpu;
}

describe('general instructions: architected behaviour', () => {
  it('STMH stores bits 0-31 of each register (qemu 7.2 stores zeros)', () => {
    const cpu = machine(` llihf %r3,0x12345678\n llihf %r4,0x9abcdef0\n lgfi %r1,${DATA}\n stmh %r3,%r4,0(%r1)`);
    const stop = cpu.run(100);
    expect(stop.kind).toBe('wait');
    expect(cpu.mem.view.getUint32(DATA)).toBe(0x12345678);
    expect(cpu.mem.view.getUint32(DATA + 4)).toBe(0x9abcdef0);
  });

  it('AR with the fixed-point-overflow mask set stores the sum, then interrupts with code 8 (completion)', () => {
    const cpu = machine(' llilf %r1,0x7fffffff\n lhi %r2,1\n llilh %r3,0x0800\n spm %r3\n ar %r1,%r2\n lhi %r5,5');
    const stop = cpu.run(100);
    expect(stop.kind).toBe('wait');
    expect(Number(cpu.getPsw().addr)).toBe(0xdead);
    expect(cpu.readRealU16(LC.PGM_CODE)).toBe(0x08);
    expect(cpu.readRealU16(LC.PGM_ILC)).toBe(2);
    expect(cpu.getGpr(1) & 0xffffffffn).toBe(0x80000000n);
    // Completion: the old PSW points after AR, at LHI, which did not run; CC 3 in the old PSW.
    const oldMask = cpu.readRealU64(LC.PROGRAM_OLD_PSW);
    expect((oldMask >> 44n) & 3n).toBe(3n);
    expect(cpu.getGpr(5)).toBe(0n);
  });

  it('AR without the mask sets CC 3 and continues', () => {
    const cpu = machine(' llilf %r1,0x7fffffff\n lhi %r2,1\n ar %r1,%r2\n ipm %r4');
    expect(cpu.run(100).kind).toBe('wait');
    expect((cpu.getGpr(4) >> 28n) & 3n).toBe(3n);
    expect(Number(cpu.getPsw().addr)).toBe(0xfff);
  });

  it('DSGR by zero is a fixed-point-divide exception (code 9) leaving the registers unchanged', () => {
    const cpu = machine(' lghi %r2,0\n lghi %r4,7\n lghi %r5,100\n dsgr %r4,%r2');
    cpu.run(100);
    expect(cpu.readRealU16(LC.PGM_CODE)).toBe(0x09);
    expect(cpu.readRealU16(LC.PGM_ILC)).toBe(4);
    expect(cpu.getGpr(4)).toBe(7n);
    expect(cpu.getGpr(5)).toBe(100n);
  });

  it('DLGR quotient too large is a fixed-point-divide exception', () => {
    const cpu = machine(' lghi %r2,1\n lghi %r4,2\n lghi %r5,0\n dlgr %r4,%r2');
    cpu.run(100);
    expect(cpu.readRealU16(LC.PGM_CODE)).toBe(0x09);
  });

  it('an odd register pair is a specification exception (code 6)', () => {
    const cpu = machine(' .byte 0xb9,0x87,0x00,0x32');
    cpu.run(100);
    expect(cpu.readRealU16(LC.PGM_CODE)).toBe(0x06);
  });

  it('TR leaves the condition code unchanged (qemu 7.2 does not)', () => {
    const cpu = machine(` lgfi %r1,${DATA}\n mvi 0(%r1),3\n lgfi %r2,${DATA + 0x100}\n mvi 3(%r2),0x41\n cr %r1,%r2\n tr 0(1,%r1),0(%r2)\n ipm %r4`);
    cpu.run(100);
    expect(cpu.mem.bytes[DATA]).toBe(0x41);
    expect((cpu.getGpr(4) >> 28n) & 3n).toBe(1n);
  });

  it('EXECUTE of EXECUTE is an execute exception (code 3); EXRL ORs the length into MVC', () => {
    const a = machine(' larl %r1,0f\n ex 0,0(%r1)\n j 1f\n0: ex 0,0(%r1)\n1:');
    a.run(100);
    expect(a.readRealU16(LC.PGM_CODE)).toBe(0x03);
    const b = machine(` lgfi %r1,${DATA}\n iilf %r3,0x11223344\n st %r3,16(%r1)\n lghi %r2,3\n exrl %r2,0f\n j 1f\n0: mvc 0(1,%r1),16(%r1)\n1:`);
    b.run(100);
    expect(b.mem.view.getUint32(DATA)).toBe(0x11223344);
  });

  it('MVCLE stops at the end of a page with CC 3 and finishes when re-executed', () => {
    const cpu = machine(` lgfi %r2,${DATA}\n lghi %r3,6000\n lghi %r4,0\n lghi %r5,0\n mvcle %r2,%r4,0x5a\n ipm %r6\n mvcle %r2,%r4,0x5a\n ipm %r7`);
    cpu.run(100);
    expect((cpu.getGpr(6) >> 28n) & 3n).toBe(3n);
    expect((cpu.getGpr(7) >> 28n) & 3n).toBe(2n);
    expect(cpu.getGpr(3)).toBe(0n);
    expect(cpu.mem.bytes[DATA + 5999]).toBe(0x5a);
    expect(cpu.mem.bytes[DATA + 6000]).toBe(0);
  });

  it('LA and LARL results follow the addressing mode (24/31-bit: high word kept, address bits only)', () => {
    const cpu = machine(' lghi %r2,-1\n lghi %r3,-1\n lghi %r4,-1\n sam31\n la %r3,0(%r2)\n sam24\n la %r4,0(%r2)\n sam64\n la %r5,0(%r2)');
    cpu.run(100);
    expect(cpu.getGpr(3)).toBe(0xffffffff7fffffffn);
    expect(cpu.getGpr(4)).toBe(0xffffffff00ffffffn);
    expect(cpu.getGpr(5)).toBe(0xffffffffffffffffn);
  });

  it('BASR link information: 64-bit address, 31-bit with bit 32 set, 24-bit with bits 32-39 zero', () => {
    const cpu = machine(' lghi %r6,-1\n lghi %r7,-1\n larl %r2,0f\n basr %r5,%r2\n0: sam31\n larl %r2,1f\n basr %r6,%r2\n1: sam24\n larl %r2,2f\n basr %r7,%r2\n2: sam64');
    cpu.run(100);
    const after = (reg: bigint): bigint => reg & 0xffffffn;
    expect(cpu.getGpr(5) >> 32n).toBe(0n);
    expect(cpu.getGpr(6) >> 32n).toBe(0xffffffffn);
    expect((cpu.getGpr(6) >> 31n) & 1n).toBe(1n);
    expect(cpu.getGpr(7) & 0xff000000n).toBe(0n);
    expect(cpu.getGpr(7) >> 32n).toBe(0xffffffffn);
    expect(after(cpu.getGpr(6))).toBeGreaterThan(after(cpu.getGpr(5)));
  });

  it('DSGR and DLGR agree with exact bigint division on 4000 operands around 2^52', () => {
    const cpu = machine(' dsgr %r2,%r4\n dlgr %r6,%r8');
    let seed = 12345;
    const rnd = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed;
    };
    const near = (): bigint => {
      const bits = 1 + (rnd() % 55);
      const v = ((BigInt(rnd()) << 32n) | BigInt(rnd())) & ((1n << BigInt(bits)) - 1n);
      return v === 0n ? 1n : v;
    };
    for (let i = 0; i < 2000; i++) {
      const x = rnd() & 1 ? -near() : near();
      const d = rnd() & 1 ? -near() : near();
      const ux = near();
      const ud = near();
      cpu.setGpr(3, x);
      cpu.setGpr(4, d);
      cpu.setGpr(6, 0n);
      cpu.setGpr(7, ux);
      cpu.setGpr(8, ud);
      cpu.setPsw({ mask: PSW_MASK_64, addr: BigInt(CODE) });
      cpu.run(2);
      expect([cpu.getGpr(2), cpu.getGpr(3)]).toEqual([BigInt.asUintN(64, x % d), BigInt.asUintN(64, x / d)]);
      expect([cpu.getGpr(6), cpu.getGpr(7)]).toEqual([ux % ud, ux / ud]);
    }
  });

  it('MLGR and MR agree with exact bigint products on 2000 random operands', () => {
    const cpu = machine(' mlgr %r2,%r4\n mr %r6,%r8');
    let seed = 777;
    const rnd = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed;
    };
    const u64 = (): bigint => (BigInt(rnd()) << 32n) | BigInt(rnd() >>> (rnd() % 32));
    for (let i = 0; i < 2000; i++) {
      const x = u64();
      const y = u64();
      const p = BigInt.asIntN(32, BigInt(rnd()));
      const q = BigInt.asIntN(32, BigInt(rnd() >> (rnd() % 31)));
      cpu.setGpr(3, x);
      cpu.setGpr(4, y);
      cpu.setGpr(7, p);
      cpu.setGpr(8, q);
      cpu.setPsw({ mask: PSW_MASK_64, addr: BigInt(CODE) });
      cpu.run(2);
      expect([cpu.getGpr(2), cpu.getGpr(3)]).toEqual([(x * y) >> 64n, BigInt.asUintN(64, x * y)]);
      const pq = BigInt.asUintN(64, p * q);
      expect([cpu.getGpr(6) & 0xffffffffn, cpu.getGpr(7) & 0xffffffffn]).toEqual([pq >> 32n, pq & 0xffffffffn]);
    }
  });

  it('MVCLE and SRST in 31-bit mode use only bits 32-63 of lengths and 33-63 of addresses, keeping the high halves', () => {
    const cpu = machine(
      ` iihf %r2,0x11111111\n iilf %r2,${DATA}\n iihf %r3,0x22222222\n iilf %r3,40\n iihf %r4,0x33333333\n iilf %r4,${DATA + 0x100}\n iihf %r5,0x44444444\n iilf %r5,8\n sam31\n mvcle %r2,%r4,0x2e\n ipm %r6\n lghi %r0,0x2e\n iihf %r8,0x55555555\n iilf %r8,${DATA + 64}\n iihf %r9,0x66666666\n iilf %r9,${DATA}\n srst %r8,%r9\n ipm %r7\n sam64`,
    );
    cpu.mem.bytes.fill(0x41, DATA + 0x100, DATA + 0x108);
    expect(cpu.run(100).kind).toBe('wait');
    expect((cpu.getGpr(6) >> 28n) & 3n).toBe(2n);
    expect(cpu.getGpr(2)).toBe(0x1111111100000000n | BigInt(DATA + 40));
    expect(cpu.getGpr(3)).toBe(0x2222222200000000n);
    expect(cpu.getGpr(4)).toBe(0x3333333300000000n | BigInt(DATA + 0x108));
    expect(cpu.getGpr(5)).toBe(0x4444444400000000n);
    expect(Buffer.from(cpu.mem.bytes.subarray(DATA, DATA + 40)).toString()).toBe('AAAAAAAA' + '.'.repeat(32));
    // SRST finds the first pad byte '.' at DATA + 8.
    expect((cpu.getGpr(7) >> 28n) & 3n).toBe(1n);
    expect(cpu.getGpr(8)).toBe(0x5555555500000000n | BigInt(DATA + 8));
    expect(cpu.getGpr(9)).toBe(0x6666666600000000n | BigInt(DATA));
  });

  it('MVCRL moves GR0 bits 56-63 + 1 bytes and ignores bits 32-55 (qemu 7.2 takes all of GR0 as the length)', () => {
    const cpu = machine(` lgfi %r1,${DATA}\n mvc 0(8,%r1),0x300\n iilf %r0,0x12345603\n mvcrl 1(%r1),0(%r1)`);
    const wait = cpu.mem.bytes.slice(0x300, 0x308);
    expect(cpu.run(100).kind).toBe('wait');
    expect(Number(cpu.getPsw().addr)).toBe(0xfff);
    // Four bytes moved one to the right, rightmost first: no propagation of the first byte.
    expect(Array.from(cpu.mem.bytes.subarray(DATA, DATA + 8))).toEqual([wait[0], wait[0], wait[1], wait[2], wait[3], wait[5], wait[6], wait[7]]);
  });

  it('MSRKC and MSGRKC overflow sets CC 3 and, with the mask, interrupts with code 8 after storing the low bits', () => {
    const plain = machine(' llilf %r2,0x10000\n msrkc %r1,%r2,%r2\n ipm %r4\n llihf %r3,1\n msgrkc %r5,%r3,%r3\n ipm %r6');
    expect(plain.run(100).kind).toBe('wait');
    expect(Number(plain.getPsw().addr)).toBe(0xfff);
    expect(plain.getGpr(1) & 0xffffffffn).toBe(0n);
    expect((plain.getGpr(4) >> 28n) & 3n).toBe(3n);
    expect(plain.getGpr(5)).toBe(0n);
    expect((plain.getGpr(6) >> 28n) & 3n).toBe(3n);
    const masked = machine(' llilf %r2,0x10001\n llilh %r3,0x0800\n spm %r3\n msrkc %r1,%r2,%r2\n lhi %r5,5');
    masked.run(100);
    expect(Number(masked.getPsw().addr)).toBe(0xdead);
    expect(masked.readRealU16(LC.PGM_CODE)).toBe(0x08);
    expect(masked.getGpr(1) & 0xffffffffn).toBe(0x20001n);
    expect(masked.getGpr(5)).toBe(0n);
  });

  it('MGRK and MG with an odd first register are specification exceptions', () => {
    // mgrk %r3,%r4,%r5 and mg %r3,0(%r1) as bytes: the assembler refuses odd pairs.
    for (const source of [' .byte 0xb9,0xec,0x50,0x34', ` lgfi %r1,${DATA}\n .byte 0xe3,0x30,0x10,0x00,0x00,0x84`]) {
      const cpu = machine(source);
      cpu.run(100);
      expect(cpu.readRealU16(LC.PGM_CODE)).toBe(0x06);
    }
  });

  it('LAT, LGAT, LFHAT, LLGFAT and LLGTAT load, then trap on zero with a data exception (code 7, DXC 0xFF, completed)', () => {
    // Operands of zero (LLGTAT: bit 0 only, which it drops); R2 starts as 0x1111111122222222.
    const expected: [string, bigint][] = [
      ['lat', 0x1111111100000000n],
      ['lgat', 0n],
      ['lfhat', 0x0000000022222222n],
      ['llgfat', 0n],
      ['llgtat', 0n],
    ];
    for (const [mnemonic, r2] of expected) {
      const cpu = machine(` lgfi %r1,${DATA}\n mvi 0(%r1),0x80\n llihf %r2,0x11111111\n oilf %r2,0x22222222\n ${mnemonic} %r2,${mnemonic === 'llgtat' ? 0 : 8}(%r1)\n lhi %r5,5`);
      cpu.run(100);
      expect(Number(cpu.getPsw().addr), mnemonic).toBe(0xdead);
      expect(cpu.readRealU16(LC.PGM_CODE)).toBe(0x07);
      expect(cpu.readRealU32(LC.DATA_EXC_CODE)).toBe(0xff);
      expect(cpu.getGpr(5)).toBe(0n);
      expect(cpu.getGpr(2), mnemonic).toBe(r2);
    }
  });
});
