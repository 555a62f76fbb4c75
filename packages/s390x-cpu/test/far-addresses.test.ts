// Operands at virtual addresses anywhere in the 64-bit space (spec s390x-cpu.md §4: addresses wrap
// modulo 2^64 in the 64-bit mode, 2^31 in the 31-bit mode): register lists, storage-to-storage
// moves, control registers, PSWs, vectors, interlocked updates, the long and string instructions
// and instructions fetched near 2^64, each with operands crossing a page boundary (the next page
// maps to an unrelated frame: every page needs its own translation), the 2^52 and 2^53 boundaries
// and the wrap to address 0. Run with the plain interpreter and with compiled blocks.
import { describe, expect, it } from 'vitest';
import { Cpu, GuestMemory, ManualTodClock } from '../src/index.ts';
import { LC } from '../src/state/index.ts';
import { DAT_PSW_31, DAT_PSW_64, FarDat, PAGE_ZERO_FRAME } from './support/far-dat.ts';
import { assemble, CODE_AT, PGM_WAIT_ADDRESS, programInterruption } from './support/machine.ts';

const TOP = 0xffff_ffff_ffff_f000n;
const BELOW_TOP = 0xffff_ffff_ffff_e000n;
const TWO52 = 1n << 52n;
const TWO53 = 1n << 53n;
const TWO64 = 1n << 64n;

/** Virtual pages (besides the low 1 MiB) and their frames; neighbours map to unrelated frames. */
const PAGES: readonly [bigint, number][] = [
  [TOP, 0x300000],
  [BELOW_TOP, 0x302000],
  [TWO53 - 4096n, 0x305000],
  [TWO53, 0x303000],
  [TWO53 + 0x1000n, 0x308000],
  [TWO52 - 4096n, 0x306000],
  [TWO52, 0x304000],
  [0x7fff_f000n, 0x307000],
  [0x8000_0000n, 0x309000],
];

type Blocks = 'off' | 'always' | 'hot';

interface Far {
  cpu: Cpu;
  mem: GuestMemory;
  /** Bytes at virtual `vaddr` (wrapping at 2^64, or 2^31 when `mode31`), read through the mapping. */
  read(vaddr: bigint, len: number, mode31?: boolean): Uint8Array;
  write(vaddr: bigint, bytes: Uint8Array, mode31?: boolean): void;
}

function realOf(vaddr: bigint): number {
  const page = vaddr & ~0xfffn;
  if (page === 0n) return PAGE_ZERO_FRAME + Number(vaddr);
  if (vaddr < 0x100000n) return Number(vaddr);
  const hit = PAGES.find(([v]) => v === page);
  if (hit === undefined) throw new Error(`virtual 0x${vaddr.toString(16)} is not mapped by the test`);
  return hit[1] + Number(vaddr & 0xfffn);
}

function farMachine(source: string, psw = DAT_PSW_64): Far {
  const mem = new GuestMemory(4 << 20);
  mem.write(CODE_AT, assemble(source));
  mem.writeU64(LC.PROGRAM_NEW_PSW, 0x0002000180000000n);
  mem.writeU64(LC.PROGRAM_NEW_PSW + 8, BigInt(PGM_WAIT_ADDRESS));
  const dat = new FarDat(mem, 0x200000);
  for (const [v, real] of PAGES) dat.map(v, real);
  const cpu = new Cpu(mem, { clock: new ManualTodClock() });
  dat.install(cpu);
  cpu.setPsw({ mask: psw, addr: BigInt(CODE_AT) });
  const at = (vaddr: bigint, i: number, mode31: boolean) => realOf((vaddr + BigInt(i)) % (mode31 ? 1n << 31n : TWO64));
  return {
    cpu,
    mem,
    read: (vaddr, len, mode31 = false) => Uint8Array.from({ length: len }, (_, i) => mem.bytes[at(vaddr, i, mode31)]!),
    write: (vaddr, bytes, mode31 = false) => bytes.forEach((b, i) => (mem.bytes[at(vaddr, i, mode31)] = b)),
  };
}

function run(m: Far, blocks: Blocks): void {
  m.cpu.useBlocks = blocks !== 'off';
  if (blocks === 'always') m.cpu.compileThreshold = 0;
  const stop = m.cpu.run(10_000);
  expect(stop.kind).toBe('wait');
}

/** Distinct test bytes. */
const pattern = (len: number, seed: number) => Uint8Array.from({ length: len }, (_, i) => (seed + 37 * i) & 0xff);
const u64s = (bytes: Uint8Array) => Array.from({ length: bytes.length / 8 }, (_, i) => new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(8 * i));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

const MODES: readonly Blocks[] = ['off', 'always', 'hot'];

/** The program ended on the `.short 0` at `label` bytes past CODE_AT (an operation exception), not elsewhere. */
function endedAt(m: Far, offset: number): void {
  const pgm = programInterruption(m.mem);
  expect(pgm.code).toBe(1);
  expect(pgm.oldAddr).toBe(BigInt(CODE_AT + offset + 2));
}

describe('register lists near 2^52, 2^53 and 2^64', () => {
  const source = `
    lghi %r1, 3
loop:
    lmg %r2, %r9, 0(%r11)
    stmg %r2, %r9, 0(%r10)
    stmh %r2, %r5, 0(%r12)
    stm %r2, %r5, 0(%r13)
    lmh %r6, %r7, 0(%r12)
    lm %r8, %r9, 4(%r13)
    brctg %r1, loop
    .short 0
`;
  for (const blocks of MODES) {
    it(`LMG, STMG, STMH, LMH, STM, LM (blocks ${blocks})`, () => {
      const m = farMachine(source);
      const data = pattern(64, 5);
      m.write(TWO53 - 24n, data);
      const p = u64s(data);
      const regs: [number, bigint][] = [
        [10, TWO64 - 32n],
        [11, TWO53 - 24n],
        [12, BELOW_TOP + 0xff8n],
        [13, TWO52 - 8n],
      ];
      for (const [r, v] of regs) m.cpu.setGpr(r, v);
      run(m, blocks);
      const hi = (v: bigint) => v >> 32n;
      const lo = (v: bigint) => v & 0xffffffffn;
      expect([2, 3, 4, 5].map((r) => m.cpu.getGpr(r))).toEqual(p.slice(0, 4));
      expect(hex(m.read(TWO64 - 32n, 64))).toBe(hex(data));
      expect(u64s(m.read(BELOW_TOP + 0xff8n, 16))).toEqual([(hi(p[0]!) << 32n) | hi(p[1]!), (hi(p[2]!) << 32n) | hi(p[3]!)]);
      expect(u64s(m.read(TWO52 - 8n, 16))).toEqual([(lo(p[0]!) << 32n) | lo(p[1]!), (lo(p[2]!) << 32n) | lo(p[3]!)]);
      expect(m.cpu.getGpr(6)).toBe((hi(p[0]!) << 32n) | lo(p[4]!));
      expect(m.cpu.getGpr(7)).toBe((hi(p[1]!) << 32n) | lo(p[5]!));
      expect(m.cpu.getGpr(8)).toBe((hi(p[6]!) << 32n) | lo(p[1]!));
      expect(m.cpu.getGpr(9)).toBe((hi(p[7]!) << 32n) | lo(p[2]!));
    });
  }
});

describe('storage-to-storage instructions across pages and the wrap', () => {
  const source = `
    lghi %r1, 3
loop:
    mvc 0(32,%r3), 0(%r4)
    xc 0(8,%r5), 0(%r5)
    oc 0(8,%r5), 0(%r4)
    nc 0(8,%r5), 8(%r4)
    clc 0(32,%r3), 0(%r4)
    jne bad
    tr 0(4,%r6), 0(%r7)
    lg %r8, 4(%r3)
    stg %r8, 0(%r9)
    ly %r10, 0(%r9)
    brctg %r1, loop
    .short 0
bad:
    .short 0
`;
  for (const blocks of MODES) {
    it(`MVC, XC, OC, NC, CLC, TR, LG, STG, LY (blocks ${blocks})`, () => {
      const m = farMachine(source);
      const src = pattern(32, 11);
      m.write(TWO53 - 16n, src);
      // TR: table at BELOW_TOP + 0xf80, its upper half in the next page; T[x] = x | 0x80 (idempotent).
      m.write(
        BELOW_TOP + 0xf80n,
        Uint8Array.from({ length: 256 }, (_, x) => x | 0x80),
      );
      m.write(0x7ffffffen, Uint8Array.of(1, 2, 3, 4));
      const regs: [number, bigint][] = [
        [3, TWO64 - 16n],
        [4, TWO53 - 16n],
        [5, TWO52 - 4n],
        [6, 0x7ffffffen],
        [7, BELOW_TOP + 0xf80n],
        [9, TWO53 + 0xffcn],
      ];
      for (const [r, v] of regs) m.cpu.setGpr(r, v);
      run(m, blocks);
      endedAt(m, 66);
      expect(hex(m.read(TWO64 - 16n, 32))).toBe(hex(src));
      expect(hex(m.read(TWO52 - 4n, 8))).toBe(hex(src.slice(0, 8).map((b, i) => b & src[8 + i]!)));
      expect(hex(m.read(0x7ffffffen, 4))).toBe('81828384');
      const word = new DataView(src.buffer).getBigUint64(4);
      expect(m.cpu.getGpr(8)).toBe(word);
      expect(u64s(m.read(TWO53 + 0xffcn, 8))).toEqual([word]);
      expect(m.cpu.getGpr(10) & 0xffffffffn).toBe(word >> 32n);
    });
  }
});

describe('control registers, access registers and the PSW', () => {
  const source = `
    stctg %c0, %c15, 0(%r3)
    lctlg %c0, %c15, 0(%r3)
    stam %a0, %a15, 0(%r6)
    lam %a0, %a15, 0(%r7)
    lpswe 0(%r4)
after:
    .short 0
`;
  for (const blocks of MODES) {
    it(`STCTG, LCTLG, STAM, LAM, LPSWE (blocks ${blocks})`, () => {
      const m = farMachine(source);
      const crs = Array.from({ length: 16 }, (_, i) => m.cpu.getCr(i));
      for (let i = 0; i < 16; i++) m.cpu.acr[i] = 0x1000 + i;
      const acrs = pattern(64, 3);
      m.write(TWO53 - 32n, acrs);
      const psw = new DataView(new ArrayBuffer(16));
      psw.setBigUint64(0, DAT_PSW_64);
      psw.setBigUint64(8, BigInt(CODE_AT + 24));
      m.write(TWO64 - 8n, new Uint8Array(psw.buffer));
      m.cpu.setGpr(3, BELOW_TOP + 0xfc0n);
      m.cpu.setGpr(4, TWO64 - 8n);
      m.cpu.setGpr(6, TWO52 - 32n);
      m.cpu.setGpr(7, TWO53 - 32n);
      run(m, blocks);
      endedAt(m, 24);
      expect(u64s(m.read(BELOW_TOP + 0xfc0n, 128))).toEqual(crs);
      expect(Array.from({ length: 16 }, (_, i) => m.cpu.getCr(i))).toEqual(crs);
      expect(hex(m.read(TWO52 - 32n, 64))).toBe(Array.from({ length: 16 }, (_, i) => (0x1000 + i).toString(16).padStart(8, '0')).join(''));
      expect(Array.from(m.cpu.acr)).toEqual(Array.from({ length: 16 }, (_, i) => new DataView(acrs.buffer).getUint32(4 * i)));
      expect(programInterruption(m.mem).oldMask).toBe(DAT_PSW_64);
    });
  }
});

describe('vector loads and stores', () => {
  const source = `
    vl %v1, 0(%r3)
    vst %v1, 0(%r4)
    vlm %v2, %v4, 0(%r5)
    vstm %v2, %v4, 0(%r6)
    .short 0
`;
  for (const blocks of MODES) {
    it(`VL, VST, VLM, VSTM (blocks ${blocks})`, () => {
      const m = farMachine(source);
      const v = pattern(16, 99);
      const three = pattern(48, 7);
      m.write(TWO64 - 8n, v);
      m.write(BELOW_TOP + 0xff0n, three);
      m.cpu.setGpr(3, TWO64 - 8n);
      m.cpu.setGpr(4, TWO53 - 8n);
      m.cpu.setGpr(5, BELOW_TOP + 0xff0n);
      m.cpu.setGpr(6, TWO52 - 16n);
      run(m, blocks);
      endedAt(m, 24);
      expect(hex(m.read(TWO53 - 8n, 16))).toBe(hex(v));
      expect(hex(m.read(TWO52 - 16n, 48))).toBe(hex(three));
    });
  }
});

describe('interlocked updates at far addresses', () => {
  const source = `
    csg %r2, %r3, 0(%r4)
    cdsg %r6, %r8, 0(%r5)
    cds %r10, %r12, 0(%r13)
    ipm %r1
    .short 0
`;
  for (const blocks of MODES) {
    it(`CSG, CDSG, CDS (blocks ${blocks})`, () => {
      const m = farMachine(source);
      const q = pattern(16, 21);
      const [q0, q1] = u64s(q);
      m.write(TWO64 - 8n, q.slice(8, 16));
      m.write(TOP + 0xfe0n, q);
      m.write(TWO53 - 8n, q.slice(0, 8));
      m.cpu.setGpr(2, q1!);
      m.cpu.setGpr(3, 0x1111_2222_3333_4444n);
      m.cpu.setGpr(4, TWO64 - 8n);
      m.cpu.setGpr(5, TOP + 0xfe0n);
      m.cpu.setGpr(6, q0!);
      m.cpu.setGpr(7, q1!);
      m.cpu.setGpr(8, 0x5555n);
      m.cpu.setGpr(9, 0x6666n);
      m.cpu.setGpr(10, q0! >> 32n);
      m.cpu.setGpr(11, q0! & 0xffffffffn);
      m.cpu.setGpr(12, 0x77n);
      m.cpu.setGpr(13, TWO53 - 8n);
      run(m, blocks);
      expect(u64s(m.read(TWO64 - 8n, 8))).toEqual([0x1111_2222_3333_4444n]);
      expect(u64s(m.read(TOP + 0xfe0n, 16))).toEqual([0x5555n, 0x6666n]);
      expect(m.cpu.getGpr(1) >> 28n).toBe(0n);
      expect(hex(m.read(TWO53 - 8n, 8))).toBe('00000077fffffff8');
    });
  }
});

describe('long and string instructions advance their registers exactly', () => {
  const source = `
again:
    mvcle %r2, %r4, 0
    jo again
    lghi %r0, 0
    srst %r6, %r7
    jo bad
    mvst %r8, %r9
    jo bad
    clst %r10, %r11
    lghi %r0, 0x7a
    srst %r12, %r13
    ipm %r1
    .short 0
bad:
    .short 0
`;
  for (const blocks of MODES) {
    it(`MVCLE, SRST, MVST, CLST, SRST to an end address (blocks ${blocks})`, () => {
      const m = farMachine(source);
      const src = pattern(32, 77);
      m.write(TWO53 - 8n, src);
      const text = new TextEncoder().encode('abcdefg\0');
      m.write(TWO52 - 4n, text);
      m.write(BELOW_TOP + 0xffcn, new TextEncoder().encode('abcdeXg\0'));
      const regs: [number, bigint][] = [
        [2, TWO64 - 16n],
        [3, 32n],
        [4, TWO53 - 8n],
        [5, 32n],
        [6, 0n],
        [7, TWO52 - 4n],
        [8, TWO53 + 0xffcn],
        [9, TWO52 - 4n],
        [10, BELOW_TOP + 0xffcn],
        [11, TWO52 - 4n],
        [12, TWO53 + 2n],
        [13, TWO53 - 4n],
      ];
      for (const [r, v] of regs) m.cpu.setGpr(r, v);
      run(m, blocks);
      endedAt(m, 44);
      expect(hex(m.read(TWO64 - 16n, 32))).toBe(hex(src));
      expect([2, 3, 4, 5].map((r) => m.cpu.getGpr(r))).toEqual([16n, 0n, TWO53 + 24n, 0n]);
      // SRST: the address of the terminator; MVST: R1 at the copied terminator (in the next page).
      expect(m.cpu.getGpr(6)).toBe(TWO52 + 3n);
      expect(m.cpu.getGpr(8)).toBe(TWO53 + 0x1003n);
      expect(hex(m.read(TWO53 + 0xffcn, 8))).toBe(hex(text));
      // CLST: first difference at byte 5, registers there, CC 1 ('X' < 'f' is false: 'X' = 0x58 < 'f').
      expect(m.cpu.getGpr(10)).toBe(BELOW_TOP + 0x1001n);
      expect(m.cpu.getGpr(11)).toBe(TWO52 + 1n);
      // SRST from 2^53 - 4 without a match up to its end address 2^53 + 2 (in the next page): CC 2.
      expect((m.cpu.getGpr(1) >> 28n) & 3n).toBe(2n);
      expect([m.cpu.getGpr(12), m.cpu.getGpr(13)]).toEqual([TWO53 + 2n, TWO53 - 4n]);
    });
  }
});

describe('instructions fetched near 2^64', () => {
  for (const blocks of MODES) {
    it(`a branch to 2^64 - 8, an instruction crossing the wrap and the old PSW after it (blocks ${blocks})`, () => {
      const m = farMachine(`
    br %r7
`);
      // lghi %r5,7 ; larl %r6,. (crosses the wrap) ; .short 0 at virtual 2
      m.write(TWO64 - 8n, Uint8Array.of(0xa7, 0x59, 0x00, 0x07, 0xc0, 0x60, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00));
      m.cpu.setGpr(7, TWO64 - 8n);
      run(m, blocks);
      expect(m.cpu.getGpr(5)).toBe(7n);
      expect(m.cpu.getGpr(6)).toBe(TWO64 - 4n);
      const pgm = programInterruption(m.mem);
      expect(pgm).toMatchObject({ code: 1, ilc: 2, oldAddr: 4n, bear: BigInt(CODE_AT) });
    });
  }
});

describe('31-bit addresses wrap at 2^31', () => {
  const source = `
    stm %r2, %r5, 0(%r3)
    mvc 0(16,%r6), 0(%r3)
    .short 0
`;
  for (const blocks of MODES) {
    it(`STM and MVC operands wrap to 0 (blocks ${blocks})`, () => {
      const m = farMachine(source, DAT_PSW_31);
      for (let r = 2; r <= 5; r++) m.cpu.setGpr(r, BigInt(0x1010101 * r));
      m.cpu.setGpr(3, 0x7ffffff8n);
      m.cpu.setGpr(6, 0x10000n);
      run(m, blocks);
      const words = [0x2020202, 0x7ffffff8, 0x4040404, 0x5050505].map((w) => w.toString(16).padStart(8, '0')).join('');
      expect(hex(m.read(0x7ffffff8n, 16, true))).toBe(words);
      expect(hex(m.read(0x10000n, 16, true))).toBe(words);
    });
  }
});
