// The guarded-storage facility (133) from the architecture (qemu-s390x 7.2 does not implement it,
// so there is no differential reference): LGG and LLGFSG load unless guarded storage is enabled
// (CR2 bit 59) and the intermediate result falls in a guarded section, which branches to the
// event handler with the parameter list filled; LGSC/STGSC move the control block and are
// special-operation exceptions while guarded storage is off; all four are operation exceptions
// without facility 133, and problem-state instructions.
import { describe, expect, it } from 'vitest';
import { Cpu, FACILITY_BITS, GuestMemory } from '../src/index.ts';
import { LC } from '../src/state/index.ts';

const CODE = 0x2000;
const POINTER = 0x3000;
const EPL = 0x4000;
const HANDLER = 0x5000;
const GSCB = 0x6000;
/** Guarded region 0x2000000–0x3FFFFFF (GSC 25: 64 sections of 512 KiB). */
const GSD = 0x2000000n | 25n;
const ALL_SECTIONS = 0xffffffffffffffffn;
const PSW_64 = 0x0000000180000000n;
const PSW_PROBLEM = 0x0001000180000000n;
const WAIT_PSW = 0x0002000180000000n;

/** RXY-a instruction bytes: opcode 0xe3 .. `op`, R1, X2, B2, 20-bit displacement. */
function rxy(op: number, r1: number, x2: number, b2: number, d2 = 0): number[] {
  return [0xe3, (r1 << 4) | x2, (b2 << 4) | ((d2 >>> 8) & 0xf), d2 & 0xff, (d2 >>> 12) & 0xff, op];
}
const LGG = 0x4c;
const LLGFSG = 0x48;
const LGSC = 0x4d;
const STGSC = 0x49;

interface Setup {
  facilities?: readonly number[];
  enabled?: boolean;
  problemState?: boolean;
  gsd?: bigint;
  gssm?: bigint;
  mask?: bigint;
}

function machine(code: number[], setup: Setup = {}): { cpu: Cpu; mem: GuestMemory } {
  const mem = new GuestMemory(1 << 20);
  mem.write(CODE, Uint8Array.from(code));
  mem.writeU64(LC.PROGRAM_NEW_PSW, WAIT_PSW);
  mem.writeU64(LC.PROGRAM_NEW_PSW + 8, 0xdeadn);
  mem.writeU64(EPL + 8, BigInt(HANDLER));
  const cpu = new Cpu(mem, setup.facilities === undefined ? {} : { facilities: setup.facilities });
  cpu.setPsw({ mask: setup.mask ?? (setup.problemState === true ? PSW_PROBLEM : PSW_64), addr: BigInt(CODE) });
  if (setup.enabled !== false) cpu.setCr(2, 0x10n);
  cpu.gsCb = { reserved: 0n, gsd: setup.gsd ?? GSD, gssm: setup.gssm ?? ALL_SECTIONS, gsepla: BigInt(EPL) };
  cpu.setGpr(2, BigInt(POINTER));
  cpu.setGpr(1, 0x1111n);
  return { cpu, mem };
}

const programCode = (cpu: Cpu, mem: GuestMemory): number | undefined => (cpu.getPsw().addr === 0xdeadn ? mem.readU16(LC.PGM_CODE) : undefined);

describe('LOAD GUARDED', () => {
  it('loads a pointer outside the guarded region', () => {
    const { cpu, mem } = machine(rxy(LGG, 1, 0, 2));
    mem.writeU64(POINTER, 0x4000000n);
    cpu.run(1);
    expect(cpu.getGpr(1)).toBe(0x4000000n);
    expect(cpu.getPsw().addr).toBe(BigInt(CODE + 6));
  });

  it('branches to the handler for a pointer into a guarded section, the parameter list filled', () => {
    const { cpu, mem } = machine(rxy(LGG, 1, 0, 2, 8), { problemState: true });
    mem.writeU64(POINTER + 8, 0x2123456n);
    const cc = cpu.cc;
    cpu.run(1);
    expect(cpu.getPsw().addr).toBe(BigInt(HANDLER));
    expect(cpu.getGpr(1)).toBe(0x1111n);
    expect(cpu.cc).toBe(cc);
    expect(cpu.snapshot().bear).toBe(BigInt(CODE));
    expect([...mem.read(EPL + 1, 3)]).toEqual([3, 0, 0]); // 64-bit mode, LGG, DAT off and primary space
    expect([EPL + 16, EPL + 24, EPL + 32, EPL + 40].map((a) => mem.readU64(a))).toEqual([BigInt(CODE), BigInt(POINTER + 8), 0x2123456n, BigInt(CODE)]);
  });

  it('guards only the sections whose GSSM bit is one', () => {
    // 0x2280000 is in section 5 (512 KiB sections from 0x2000000).
    for (const [gssm, guarded] of [
      [1n << 58n, true],
      [1n << 59n, false],
      [ALL_SECTIONS ^ (1n << 58n), false],
    ] as const) {
      const { cpu, mem } = machine(rxy(LGG, 1, 0, 2), { gssm });
      mem.writeU64(POINTER, 0x2280000n);
      cpu.run(1);
      expect(cpu.getPsw().addr).toBe(guarded ? BigInt(HANDLER) : BigInt(CODE + 6));
    }
  });

  it('is a plain load while guarded storage is not enabled, or for an invalid characteristic', () => {
    for (const setup of [{ enabled: false }, { gsd: 0x2000000n | 24n }, { gsd: 0x2000000n | 57n }]) {
      const { cpu, mem } = machine(rxy(LGG, 1, 0, 2), setup);
      mem.writeU64(POINTER, 0x2000000n);
      cpu.run(1);
      expect(cpu.getGpr(1)).toBe(0x2000000n);
    }
  });

  it('names the EXECUTE in GSEIA and GSERA and the 31-bit mode in GSEAM', () => {
    // ex %r0,0x100(%r5) at CODE runs lgg %r1,0(%r2) at CODE + 0x100, in 31-bit mode.
    const { cpu, mem } = machine([0x44, 0x00, 0x51, 0x00], { mask: 0x0000000080000000n });
    mem.write(CODE + 0x100, Uint8Array.from(rxy(LGG, 1, 0, 2)));
    cpu.setGpr(5, BigInt(CODE));
    mem.writeU64(POINTER, 0x2000000n);
    cpu.run(1);
    expect(cpu.getPsw().addr).toBe(BigInt(HANDLER));
    expect(mem.read(EPL + 1, 1)[0]).toBe(1);
    expect([mem.readU64(EPL + 16), mem.readU64(EPL + 40)]).toEqual([BigInt(CODE), BigInt(CODE)]);
  });

  it('takes every event of a loop run as a compiled block, the handler returning past the load', () => {
    // CODE: lgg %r1,0(%r2); brct %r3,CODE. HANDLER: aghi %r4,1; brcl 15,CODE+6.
    const { cpu, mem } = machine([...rxy(LGG, 1, 0, 2), 0xa7, 0x36, 0xff, 0xfd]);
    const back = ((CODE + 6 - (HANDLER + 4)) / 2) >>> 0;
    mem.write(HANDLER, Uint8Array.of(0xa7, 0x4b, 0x00, 0x01, 0xc0, 0xf4, back >>> 24, (back >>> 16) & 0xff, (back >>> 8) & 0xff, back & 0xff));
    mem.writeU64(POINTER, 0x2000000n);
    cpu.setGpr(3, 100n);
    cpu.setGpr(4, 0n);
    cpu.run(400);
    expect([cpu.getGpr(3), cpu.getGpr(4), cpu.getGpr(1)]).toEqual([0n, 100n, 0x1111n]);
    expect(cpu.getPsw().addr).toBe(BigInt(CODE + 10));
  });

  it('needs a doubleword-aligned operand (specification exception)', () => {
    const { cpu, mem } = machine(rxy(LGG, 1, 0, 2, 4));
    cpu.run(1);
    expect(programCode(cpu, mem)).toBe(0x06);
    expect(cpu.getGpr(1)).toBe(0x1111n);
  });

  it('takes an access exception for the parameter list with R1 and the list unchanged', () => {
    const { cpu, mem } = machine(rxy(LGG, 1, 0, 2));
    // The list's last doubleword (GSERA) lies outside storage: nothing of it is stored.
    cpu.gsCb = { ...cpu.gsCb, gsepla: BigInt((1 << 20) - 40) };
    mem.writeU64(POINTER, 0x2000000n);
    cpu.run(1);
    expect(programCode(cpu, mem)).toBe(0x05);
    expect(cpu.getGpr(1)).toBe(0x1111n);
    expect(mem.readU64((1 << 20) - 40 + 16)).toBe(0n);
  });
});

describe('LOAD LOGICAL AND SHIFT GUARDED', () => {
  it('shifts the word left by the guarded-load shift (GSD bits 53–55) and loads it', () => {
    const { cpu, mem } = machine(rxy(LLGFSG, 1, 0, 2), { gsd: GSD | (3n << 8n) });
    mem.writeU32(POINTER, 0x90000000);
    cpu.run(1);
    expect(cpu.getGpr(1)).toBe(0x480000000n);
  });

  it('branches on a shifted pointer into a guarded section, with GSECI bit 7 set', () => {
    const { cpu, mem } = machine(rxy(LLGFSG, 1, 0, 2), { gsd: GSD | (3n << 8n) });
    mem.writeU32(POINTER, 0x400001);
    cpu.run(1);
    expect(cpu.getPsw().addr).toBe(BigInt(HANDLER));
    expect(mem.read(EPL + 2, 1)[0]).toBe(1);
    expect(mem.readU64(EPL + 32)).toBe(0x2000008n);
  });

  it('needs a word-aligned operand', () => {
    const { cpu, mem } = machine(rxy(LLGFSG, 1, 0, 2, 2));
    cpu.run(1);
    expect(programCode(cpu, mem)).toBe(0x06);
  });
});

describe('LOAD / STORE GUARDED STORAGE CONTROLS', () => {
  it('load and store the 32-byte control block, in problem state too', () => {
    const { cpu, mem } = machine([...rxy(LGSC, 0, 0, 3), ...rxy(STGSC, 0, 0, 4)], { problemState: true });
    cpu.setGpr(3, BigInt(GSCB));
    cpu.setGpr(4, BigInt(GSCB + 0x100));
    const words = [0x1234n, 0x2000000n | 25n, 0xfeedc0ffen, 0x7000n];
    words.forEach((w, i) => mem.writeU64(GSCB + 8 * i, w));
    cpu.run(2);
    expect(cpu.gsCb).toEqual({ reserved: 0x1234n, gsd: 0x2000019n, gssm: 0xfeedc0ffen, gsepla: 0x7000n });
    expect([0, 8, 16, 24].map((o) => mem.readU64(GSCB + 0x100 + o))).toEqual(words);
  });

  it('are special-operation exceptions while CR2 bit 59 is off', () => {
    for (const op of [LGSC, STGSC]) {
      const { cpu, mem } = machine(rxy(op, 0, 0, 3), { enabled: false });
      cpu.setGpr(3, BigInt(GSCB));
      cpu.run(1);
      expect(programCode(cpu, mem)).toBe(0x13);
    }
  });

  it('need a doubleword-aligned operand', () => {
    const { cpu, mem } = machine(rxy(STGSC, 0, 0, 3, 4));
    cpu.setGpr(3, BigInt(GSCB));
    cpu.run(1);
    expect(programCode(cpu, mem)).toBe(0x06);
    expect(mem.readU64(GSCB + 4)).toBe(0n);
  });
});

describe('facility 133', () => {
  it('is reported by default', () => {
    expect(FACILITY_BITS).toContain(133);
  });

  it('makes the four instructions operation exceptions when the CPU model lacks it', () => {
    for (const op of [LGG, LLGFSG, LGSC, STGSC]) {
      const { cpu, mem } = machine(rxy(op, 1, 0, 2), { facilities: FACILITY_BITS.filter((bit) => bit !== 133) });
      cpu.run(1);
      expect(programCode(cpu, mem)).toBe(0x01);
    }
  });
});
