// Vector floating point (PoO chapter 24) and DIVIDE TO INTEGER (chapter 19) against the
// architecture where the differential test cannot look: enabled IEEE exceptions (the
// vector-processing exception with the element index and exception type in the VXC, suppression),
// the element layout of the single-element forms, specification and vector-enablement checks,
// DIEBR/DIDBR (qemu-s390x 7.2 does not have them), and the cases where qemu 7.2 deviates: XxC
// setting the inexact flag, invalid conversions without inexact, NEGATIVE MULTIPLY AND ADD
// negating before rounding, multiply-and-add NaN precedence, and the trap itself (qemu aborts).
import { describe, expect, it } from 'vitest';
import { LC } from '../src/state/index.ts';
import { LONG, multiply, newEnv, Rounding } from '../src/isa/float/softfloat/index.ts';
import { assemble, CODE_AT, machine, PGM_WAIT_ADDRESS } from './support/machine.ts';
import { Cpu, FACILITY_BITS, GuestMemory, ManualTodClock } from '../src/index.ts';

type TestCpu = ReturnType<typeof machine>['cpu'];

const f64 = (x: number): bigint => {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, x);
  return v.getBigUint64(0);
};
const f32 = (x: number): bigint => {
  const v = new DataView(new ArrayBuffer(4));
  v.setFloat32(0, x);
  return BigInt(v.getUint32(0));
};
const asF64 = (b: bigint): number => {
  const v = new DataView(new ArrayBuffer(8));
  v.setBigUint64(0, b);
  return v.getFloat64(0);
};

/** A 16-byte register from two doublewords or four words. */
const dw = (hi: bigint, lo: bigint): bigint => (hi << 64n) | lo;
const words = (a: bigint, b: bigint, c: bigint, d: bigint): bigint => (a << 96n) | (b << 64n) | (c << 32n) | d;

function setV(cpu: TestCpu, values: Record<number, bigint>, fpc = 0): void {
  const s = cpu.snapshot();
  const vrs = s.vrs.map((v) => Uint8Array.from(v));
  for (const [r, value] of Object.entries(values)) {
    const view = new DataView(vrs[Number(r)]!.buffer);
    view.setBigUint64(0, value >> 64n);
    view.setBigUint64(8, BigInt.asUintN(64, value));
  }
  cpu.restore({ ...s, vrs, fpc });
}
const getV = (cpu: TestCpu, r: number): bigint => {
  const view = new DataView(cpu.snapshot().vrs[r]!.buffer);
  return (view.getBigUint64(0) << 64n) | view.getBigUint64(8);
};

/** Runs one instruction (z15 syntax) with vector enablement on (or off); the CPU and any program interruption. */
function runVector(source: string, values: Record<number, bigint>, fpc = 0, enabled = true) {
  const m = machine(`.machine "z15"\n${source}`);
  m.cpu.setCr(0, enabled ? 0x00000000000600e0n : 0x00000000000400e0n);
  setV(m.cpu, values, fpc);
  m.cpu.run(1);
  const interrupted = m.cpu.getPsw().addr === BigInt(PGM_WAIT_ADDRESS);
  return { cpu: m.cpu, code: interrupted ? m.mem.readU16(LC.PGM_CODE) : 0, vxc: interrupted ? m.mem.readU32(LC.DATA_EXC_CODE) : 0 };
}

const MAX = f64(Number.MAX_VALUE);

describe('vector FP: enabled IEEE exceptions', () => {
  it('an overflow in element 1 is a vector-processing exception with VXC 0x13; V1 and the flags are unchanged', () => {
    const before = dw(0x1111n, 0x2222n);
    const { cpu, code, vxc } = runVector('vfadb %v1,%v2,%v3', { 1: before, 2: dw(f64(1), MAX), 3: dw(f64(2), MAX) }, 0x20000000);
    expect([code, vxc]).toEqual([0x1b, 0x13]);
    expect(getV(cpu, 1)).toBe(before);
    expect(cpu.fpc).toBe(0x20001300);
  });

  it('each exception type has its code: invalid 1, divide 2, underflow 4, inexact 5 (element index in bits 0–3)', () => {
    expect(runVector('vfsqdb %v1,%v2', { 2: dw(f64(-1), f64(4)) }, 0x80000000).vxc).toBe(0x01);
    expect(runVector('vfdsb %v1,%v2,%v3', { 2: words(f32(1), f32(1), f32(1), f32(1)), 3: words(f32(1), f32(2), f32(4), 0n) }, 0x40000000).vxc).toBe(0x32);
    expect(runVector('wfmdb %v1,%v2,%v3', { 2: dw(f64(2 ** -1000), 0n), 3: dw(f64(2 ** -70), 0n) }, 0x10000000).vxc).toBe(0x04);
    expect(runVector('vfddb %v1,%v2,%v3', { 2: dw(f64(1), f64(1)), 3: dw(f64(1), f64(3)) }, 0x08000000).vxc).toBe(0x15);
  });

  it('invalid outranks inexact in one element, and the first trapping element stops the instruction', () => {
    const { vxc, cpu } = runVector('vfadb %v1,%v2,%v3', { 2: dw(f64(0.1), 0x7ff0000000000001n), 3: dw(f64(0.2), f64(1)) }, 0x88000000);
    expect(vxc).toBe(0x05);
    expect(cpu.fpc >>> 16).toBe(0x8800);
  });

  it('an exact tiny result is an underflow when its mask is one (qemu 7.2 only counts inexact ones)', () => {
    const { code, vxc } = runVector('wfsdb %v1,%v2,%v3', { 2: dw(f64(2 ** -1022), 0n), 3: dw(f64(2 ** -1022 + 2 ** -1074), 0n) }, 0x10000000);
    expect([code, vxc]).toEqual([0x1b, 0x04]);
  });

  it('without enabled masks the flags of all elements are ORed into the FPC', () => {
    const { cpu, code } = runVector('vfadb %v1,%v2,%v3', { 2: dw(f64(0.1), MAX), 3: dw(f64(0.2), MAX) });
    expect(code).toBe(0);
    expect(cpu.fpc >>> 16).toBe(0x28);
    expect(getV(cpu, 1)).toBe(dw(f64(0.1 + 0.2), f64(Infinity)));
  });
});

describe('vector FP: where qemu-s390x 7.2 deviates', () => {
  it('XxC suppresses the inexact exception: neither flag nor trap (qemu sets the flag)', () => {
    const quiet = runVector('vfidb %v1,%v2,4,5', { 2: dw(f64(2.5), f64(-0.5)) });
    expect(getV(quiet.cpu, 1)).toBe(dw(f64(2), f64(-0)));
    expect(quiet.cpu.fpc >>> 16).toBe(0);
    const trapped = runVector('vfidb %v1,%v2,4,5', { 2: dw(f64(2.5), f64(-0.5)) }, 0x08000000);
    expect(trapped.code).toBe(0);
    const flagged = runVector('vfidb %v1,%v2,0,5', { 2: dw(f64(2.5), f64(-0.5)) });
    expect(flagged.cpu.fpc >>> 16).toBe(0x08);
  });

  it('CONVERT TO FIXED of a NaN gives the most negative integer with invalid and inexact', () => {
    const { cpu } = runVector('vcgdb %v1,%v2,0,5', { 2: dw(0x7ff8000000000000n, f64(-3.5)) });
    expect(getV(cpu, 1)).toBe(dw(0x8000000000000000n, 0xfffffffffffffffdn));
    expect(cpu.fpc >>> 16).toBe(0x88);
    const logical = runVector('vclfeb %v1,%v2,0,5', { 2: words(f32(-2), f32(4e9), f32(7.9), f32(5e9)) });
    expect(getV(logical.cpu, 1)).toBe(words(0n, 4000000000n, 7n, 0xffffffffn));
  });

  it('VFNMADB rounds, then inverts the sign (qemu negates first: the directed modes round the other way)', () => {
    const a = f64(0.1);
    const up = multiply(LONG, a, a, newEnv(Rounding.TowardPositive));
    const down = multiply(LONG, a, a, newEnv(Rounding.TowardNegative));
    expect(up).not.toBe(down);
    const { cpu } = runVector('wfnmadb %v1,%v2,%v3,%v4', { 2: dw(a, 0n), 3: dw(a, 0n), 4: 0n }, 2);
    expect(getV(cpu, 1) >> 64n).toBe(up | (1n << 63n));
    const s = runVector('vfnmsdb %v1,%v2,%v3,%v4', { 2: dw(0x7ff8000000000001n, f64(1)), 3: dw(f64(1), f64(2)), 4: dw(0n, f64(3)) });
    expect(getV(s.cpu, 1)).toBe(dw(0x7ff8000000000001n, f64(1)));
  });

  it('VFMA takes a signalling NaN first, then V2, V3, V4; ∞ × 0 gives the default NaN', () => {
    const s = runVector('vfmadb %v1,%v2,%v3,%v4', { 2: dw(f64(1), f64(Infinity)), 3: dw(0x7ff8000000000003n, f64(0)), 4: dw(0x7ff0000000000004n, 0xfff8000000000005n) });
    expect(getV(s.cpu, 1)).toBe(dw(0x7ff8000000000004n, 0x7ff8000000000000n));
    expect(s.cpu.fpc >>> 16).toBe(0x80);
    // ∞ × 0 is invalid even with a quiet-NaN addend (qemu returns the addend, no flag).
    const imz = runVector('wfmadb %v1,%v2,%v3,%v4', { 2: dw(f64(Infinity), 0n), 3: dw(f64(0), 0n), 4: dw(0x7fffffffffffffffn, 0n) });
    expect(getV(imz.cpu, 1)).toBe(dw(0x7ff8000000000000n, 0n));
    expect(imz.cpu.fpc >>> 16).toBe(0x80);
  });

  it('qemu-s390x 7.2 aborts on the trap; our Linux runner delivers SIGFPE (signal mapping of program interruption 0x1B)', async () => {
    const { signalForProgramInterruption } = await import('../src/linux/index.ts');
    expect(signalForProgramInterruption(0x1b)).toBe(8);
  });
});

describe('vector FP: element layout of the forms', () => {
  it('W forms compute element 0 and zero the rest; V forms every element', () => {
    const w = runVector('wfasb %v1,%v2,%v3', { 1: -1n & ((1n << 128n) - 1n), 2: words(f32(1), f32(2), f32(3), f32(4)), 3: words(f32(1), f32(1), f32(1), f32(1)) });
    expect(getV(w.cpu, 1)).toBe(words(f32(2), 0n, 0n, 0n));
    const v = runVector('vfasb %v1,%v2,%v3', { 2: words(f32(1), f32(2), f32(3), f32(4)), 3: words(f32(1), f32(1), f32(1), f32(1)) });
    expect(getV(v.cpu, 1)).toBe(words(f32(2), f32(3), f32(4), f32(5)));
  });

  it('extended operands are one element whatever the single-element control says', () => {
    const one = 0x3fff0000000000000000000000000000n;
    const two = 0x40000000000000000000000000000000n;
    expect(getV(runVector('wfaxb %v1,%v2,%v3', { 2: one, 3: one }).cpu, 1)).toBe(two);
    expect(getV(runVector('vfa %v1,%v2,%v3,4,0', { 2: one, 3: one }).cpu, 1)).toBe(two);
  });

  it('VFLL lengthens the even short elements; VFLR rounds into the even ones and zeroes the odd', () => {
    const ll = runVector('vflls %v1,%v2', { 2: words(f32(1.5), f32(9), f32(-2), f32(9)) });
    expect(getV(ll.cpu, 1)).toBe(dw(f64(1.5), f64(-2)));
    const lr = runVector('vflrd %v1,%v2,0,0', { 2: dw(f64(0.1), f64(-3)) });
    expect(getV(lr.cpu, 1)).toBe(words(f32(0.1), 0n, f32(-3), 0n));
    const x = runVector('wflrx %v1,%v2,0,0', { 1: dw(5n, 6n), 2: 0x3fff8000000000000000000000000000n });
    expect(getV(x.cpu, 1)).toBe(dw(f64(1.5), 6n));
    const lx = runVector('wflld %v1,%v2', { 2: dw(f64(1.5), 7n) });
    expect(getV(lx.cpu, 1)).toBe(0x3fff8000000000000000000000000000n);
  });

  it('compares give all-ones elements and the CC; VFTCI keeps the rest of V1 in its W form', () => {
    const c = runVector('vfchdbs %v1,%v2,%v3', { 2: dw(f64(2), f64(1)), 3: dw(f64(1), f64(1)) });
    expect(getV(c.cpu, 1)).toBe(dw(0xffffffffffffffffn, 0n));
    expect(c.cpu.cc).toBe(1);
    const k = runVector('wfc %v1,%v2,3,0', { 1: dw(f64(1), 0n), 2: dw(f64(2), 0n) });
    expect(k.cpu.cc).toBe(1);
    const t = runVector('wftcidb %v1,%v2,0x800', { 1: dw(9n, 9n), 2: dw(0n, f64(1)) });
    expect(getV(t.cpu, 1)).toBe(dw(0xffffffffffffffffn, 9n));
    expect(t.cpu.cc).toBe(0);
  });

  it('VFMAX/VFMIN: IEEE, Java, C macro, C++ and fmax modes on zeros and NaNs', () => {
    const qnan = 0x7ff8000000000001n;
    const pz = f64(0);
    const nz = f64(-0);
    const max = (m6: number, a: bigint, b: bigint) => getV(runVector(`wfmaxdb %v1,%v2,%v3,${m6}`, { 2: dw(a, 0n), 3: dw(b, 0n) }).cpu, 1) >> 64n;
    expect(max(0, qnan, f64(3))).toBe(f64(3));
    expect(max(0, nz, pz)).toBe(pz);
    expect(max(1, f64(3), qnan)).toBe(qnan);
    expect(max(1, nz, pz)).toBe(pz);
    expect(max(2, nz, pz)).toBe(pz);
    expect(max(2, pz, nz)).toBe(nz);
    expect(max(3, nz, pz)).toBe(nz);
    expect(max(4, qnan, f64(3))).toBe(f64(3));
    expect(max(9, f64(-5), f64(3))).toBe(f64(5));
    expect(max(8, f64(-5), f64(3))).toBe(f64(-5));
  });

  it('VFPSO complements, sets and clears sign bits; the W form changes element 0 only', () => {
    expect(getV(runVector('vflcdb %v1,%v2', { 2: dw(f64(1), f64(-2)) }).cpu, 1)).toBe(dw(f64(-1), f64(2)));
    expect(getV(runVector('wflpsb %v1,%v2', { 1: dw(0n, 7n), 2: words(f32(-1), f32(-2), 0n, 0n) }).cpu, 1)).toBe(words(f32(1), f32(-2), 0n, 7n));
  });
});

describe('vector FP: checks', () => {
  it('a bad format, reserved M bits, rounding 2 or min/max mode 5 are specification exceptions', () => {
    expect(runVector('vfa %v1,%v2,%v3,1,0', {}).code).toBe(6);
    expect(runVector('vfa %v1,%v2,%v3,3,4', {}).code).toBe(6);
    expect(runVector('vfi %v1,%v2,3,0,2', {}).code).toBe(6);
    expect(runVector('vfmax %v1,%v2,%v3,3,0,5', {}).code).toBe(6);
    expect(runVector('vcdg %v1,%v2,4,0,0', {}).code).toBe(6);
  });

  it('a z13 CPU model (no facilities 135, 148): long only, the z14 opcodes are operation exceptions', () => {
    const z13 = (source: string): number => {
      const mem = new GuestMemory(1 << 20);
      mem.write(CODE_AT, assemble(`.machine "z15"\n${source}`));
      mem.writeU64(LC.PROGRAM_NEW_PSW, 0x0002000180000000n);
      mem.writeU64(LC.PROGRAM_NEW_PSW + 8, BigInt(PGM_WAIT_ADDRESS));
      const cpu = new Cpu(mem, { clock: new ManualTodClock(), facilities: FACILITY_BITS.filter((b) => b !== 135 && b !== 148) });
      cpu.setCr(0, 0x00000000000600e0n);
      cpu.setPsw({ mask: 0x0000000180000000n, addr: BigInt(CODE_AT) });
      cpu.run(1);
      return cpu.getPsw().addr === BigInt(PGM_WAIT_ADDRESS) ? mem.readU16(LC.PGM_CODE) : 0;
    };
    expect(z13('vfadb %v1,%v2,%v3')).toBe(0);
    expect(z13('vfasb %v1,%v2,%v3')).toBe(6);
    expect(z13('wfaxb %v1,%v2,%v3')).toBe(6);
    expect(z13('vfkedb %v1,%v2,%v3')).toBe(6);
    expect(z13('vcdgb %v1,%v2,0,0')).toBe(0);
    expect(z13('vcefb %v1,%v2,0,0')).toBe(6);
    expect(z13('wflld %v1,%v2')).toBe(6);
    expect(z13('vfnmadb %v1,%v2,%v3,%v4')).toBe(1);
    expect(z13('vfmaxdb %v1,%v2,%v3,0')).toBe(1);
  });

  it('without vector enablement (CR0 bit 46) it is a data exception with DXC 0xFE', () => {
    const { code, vxc } = runVector('vfadb %v1,%v2,%v3', {}, 0, false);
    expect([code, vxc]).toEqual([7, 0xfe]);
  });
});

/** Runs DIEBR/DIDBR with FPRs set; the CPU. */
function runBfp(source: string, fprs: Record<number, bigint>, fpc = 0) {
  const m = machine(source);
  m.cpu.setCr(0, 0x00000000000600e0n);
  m.cpu.restore({ ...m.cpu.snapshot(), fpc });
  for (const [r, v] of Object.entries(fprs)) m.cpu.setFprBits(Number(r), v);
  m.cpu.run(1);
  const interrupted = m.cpu.getPsw().addr === BigInt(PGM_WAIT_ADDRESS);
  return { cpu: m.cpu, code: interrupted ? m.mem.readU16(LC.PGM_CODE) : 0 };
}
const didbr = (a: number | bigint, b: number | bigint, m4 = 0) => {
  const { cpu, code } = runBfp(`didbr %f1,%f3,%f2,${m4}`, { 1: typeof a === 'bigint' ? a : f64(a), 2: typeof b === 'bigint' ? b : f64(b) });
  return { r: asF64(cpu.getFprBits(1)), q: asF64(cpu.getFprBits(3)), rBits: cpu.getFprBits(1), qBits: cpu.getFprBits(3), cc: cpu.cc, fpc: cpu.fpc, code };
};

describe('DIVIDE TO INTEGER (DIEBR, DIDBR)', () => {
  it('complete results: quotient rounded by M4, exact remainder, CC 0', () => {
    expect(didbr(10, 3)).toMatchObject({ q: 3, r: 1, cc: 0 });
    expect(didbr(11, 2)).toMatchObject({ q: 6, r: -1, cc: 0 });
    expect(didbr(11, 2, 5)).toMatchObject({ q: 5, r: 1, cc: 0 });
    expect(didbr(-7, 2, 1)).toMatchObject({ q: -4, r: 1, cc: 0 });
    expect(didbr(7.5, 0.5)).toMatchObject({ q: 15, r: 0, cc: 0 });
    expect(Object.is(didbr(-6, 3).r, -0)).toBe(true);
    const s = runBfp('diebr %f1,%f3,%f2,6', { 1: f32(7) << 32n, 2: f32(2) << 32n });
    expect([s.cpu.getFprBits(1) >> 32n, s.cpu.getFprBits(3) >> 32n, s.cpu.cc]).toEqual([f32(-1), f32(4), 0]);
  });

  it('a quotient wider than the precision gives a partial result (CC 2) with a = b × q + r', () => {
    const a = 2 ** 80;
    const res = didbr(a, 3);
    expect(res.cc).toBe(2);
    expect(Number.isInteger(res.q)).toBe(true);
    expect(BigInt(res.q) * 3n + BigInt(res.r)).toBe(BigInt(a));
    // Quotient overflow: the quotient scaled by 2^-1536, CC 1 with a zero remainder, else 3.
    const over = didbr(Number.MAX_VALUE, 2 ** -1074);
    expect([over.cc, over.q]).toEqual([1, Number.MAX_VALUE * 2 ** -462]);
    expect(didbr(Number.MAX_VALUE, 3 * 2 ** -1074).cc).toBe(3);
  });

  it('special operands: NaNs (CC 1), invalid ones the default NaN, zero dividends and infinite divisors', () => {
    expect(didbr(0x7ff0000000000001n, 3)).toMatchObject({ rBits: 0x7ff8000000000001n, qBits: 0x7ff8000000000001n, cc: 1, fpc: 0x00800000 });
    expect(didbr(Infinity, 3)).toMatchObject({ rBits: 0x7ff8000000000000n, cc: 1, fpc: 0x00800000 });
    expect(didbr(5, 0)).toMatchObject({ rBits: 0x7ff8000000000000n, cc: 1 });
    expect(didbr(5, -Infinity)).toMatchObject({ r: 5, cc: 0 });
    expect(Object.is(didbr(5, -Infinity).q, -0)).toBe(true);
    expect(didbr(0, 7)).toMatchObject({ r: 0, q: 0, cc: 0 });
  });

  it('R1, R2 and R3 must differ; M4 2 is invalid; a trapped invalid suppresses', () => {
    expect(runBfp('didbr %f1,%f1,%f2,0', {}).code).toBe(6);
    expect(runBfp('didbr %f1,%f3,%f2,2', {}).code).toBe(6);
    const t = runBfp('didbr %f1,%f3,%f2,0', { 1: f64(1), 2: f64(0), 3: f64(9) }, 0x80000000);
    expect(t.code).toBe(7);
    expect([asF64(t.cpu.getFprBits(1)), asF64(t.cpu.getFprBits(3))]).toEqual([1, 9]);
  });
});
