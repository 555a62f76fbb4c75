// The BFP soft-float and instructions against the architecture (PoO chapter 19) where the
// differential test cannot look: exact results against the host's binary64 arithmetic and known
// binary128 values, the rounding methods, trapped exceptions (DXC, scaled results, suppression),
// and the cases where qemu-s390x 7.2 deviates (MULTIPLY to a longer format, LOAD AND TEST of a
// signalling NaN, multiply-and-add NaN precedence, exact tiny results, SFASR).
import { describe, expect, it } from 'vitest';
import { LC } from '../src/state/index.ts';
import { add, convertFormat, divide, EXTENDED, LONG, multiply, multiplyAdd, newEnv, Rounding, SHORT, squareRoot } from '../src/isa/float/softfloat/index.ts';
import { machine, PGM_WAIT_ADDRESS } from './support/machine.ts';
import { Rng } from './differential/rng.ts';
import { bfpValue } from './differential/bfp-generator.ts';

const f64 = (x: number): bigint => {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, x);
  return v.getBigUint64(0);
};
const asF64 = (b: bigint): number => {
  const v = new DataView(new ArrayBuffer(8));
  v.setBigUint64(0, b);
  return v.getFloat64(0);
};
const f32 = (x: number): bigint => {
  const v = new DataView(new ArrayBuffer(4));
  v.setFloat32(0, x);
  return BigInt(v.getUint32(0));
};
const asF32 = (b: bigint): number => {
  const v = new DataView(new ArrayBuffer(4));
  v.setUint32(0, Number(b));
  return v.getFloat32(0);
};
/** Host results compare as patterns, except that any NaN matches the default NaN rules tested elsewhere. */
const same = (ours: bigint, host: number, pattern: (x: number) => bigint): boolean => (Number.isNaN(host) ? true : ours === pattern(host));

describe('soft-float against the host (round to nearest even)', () => {
  it('binary64 add, subtract, multiply, divide and square root are bit-exact on special and random operands', () => {
    const rng = new Rng(64);
    const env = newEnv();
    const fmt = { bits: 64 as const, exponentBits: 11 };
    for (let i = 0; i < 20000; i++) {
      const a = bfpValue(rng, fmt);
      const b = rng.chance(0.2) ? a + BigInt(rng.below(3)) - 1n : bfpValue(rng, fmt);
      const x = asF64(a);
      const y = asF64(BigInt.asUintN(64, b));
      const bb = f64(y);
      if (Number.isNaN(x) || Number.isNaN(y)) continue;
      expect(same(add(LONG, a, bb, env), x + y, f64), `${x} + ${y}`).toBe(true);
      expect(same(add(LONG, a, bb, env, true), x - y, f64), `${x} - ${y}`).toBe(true);
      expect(same(multiply(LONG, a, bb, env), x * y, f64), `${x} * ${y}`).toBe(true);
      expect(same(divide(LONG, a, bb, env), x / y, f64), `${x} / ${y}`).toBe(true);
      expect(same(squareRoot(LONG, a, env), Math.sqrt(x), f64), `sqrt ${x}`).toBe(true);
    }
  });

  it('binary32 operations equal binary64 results rounded once more (innocuous double rounding)', () => {
    const rng = new Rng(32);
    const env = newEnv();
    const fmt = { bits: 32 as const, exponentBits: 8 };
    for (let i = 0; i < 20000; i++) {
      const a = bfpValue(rng, fmt);
      const b = bfpValue(rng, fmt);
      const x = asF32(a);
      const y = asF32(b);
      if (Number.isNaN(x) || Number.isNaN(y)) continue;
      expect(same(add(SHORT, a, b, env), Math.fround(x + y), f32), `${x} + ${y}`).toBe(true);
      expect(same(multiply(SHORT, a, b, env), Math.fround(x * y), f32), `${x} * ${y}`).toBe(true);
      expect(same(divide(SHORT, a, b, env), Math.fround(x / y), f32), `${x} / ${y}`).toBe(true);
      expect(same(squareRoot(SHORT, a, env), Math.fround(Math.sqrt(x)), f32), `sqrt ${x}`).toBe(true);
      // A fused multiply-add with a zero addend is the product.
      expect(same(multiplyAdd(SHORT, a, b, 0n, env), Math.fround(x * y) === 0 ? 0 : Math.fround(x * y), f32) || Math.fround(x * y) === 0, `${x} * ${y} + 0`).toBe(true);
    }
  });
});

describe('soft-float: binary128 and the rounding methods', () => {
  const one = convertFormat(LONG, EXTENDED, f64(1), newEnv());
  const three = convertFormat(LONG, EXTENDED, f64(3), newEnv());
  const two = convertFormat(LONG, EXTENDED, f64(2), newEnv());

  it('1/3 and √2 in binary128', () => {
    const env = newEnv();
    expect(divide(EXTENDED, one, three, env).toString(16)).toBe('3ffd5555555555555555555555555555');
    expect(env.exceptions).toBe(0x08);
    expect(env.incremented).toBe(false);
    expect(squareRoot(EXTENDED, two, newEnv()).toString(16)).toBe('3fff6a09e667f3bcc908b2fb1366ea95');
  });

  it('every method rounds 1/3 and the tie 1 + 2^-24 as the PoO defines', () => {
    const third = (mode: Rounding): string => divide(LONG, f64(1), f64(3), newEnv(mode)).toString(16);
    expect(third(Rounding.NearestEven)).toBe('3fd5555555555555');
    expect(third(Rounding.TowardPositive)).toBe('3fd5555555555556');
    expect(third(Rounding.TowardNegative)).toBe('3fd5555555555555');
    expect(third(Rounding.PrepareShorter)).toBe('3fd5555555555555');
    const tie = (mode: Rounding): number => asF32(convertFormat(LONG, SHORT, f64(1 + 2 ** -24), newEnv(mode)));
    expect(tie(Rounding.NearestEven)).toBe(1);
    expect(tie(Rounding.NearestAway)).toBe(1 + 2 ** -23);
    expect(tie(Rounding.TowardZero)).toBe(1);
    expect(tie(Rounding.TowardPositive)).toBe(1 + 2 ** -23);
    expect(tie(Rounding.PrepareShorter)).toBe(1 + 2 ** -23);
    // Prepare for shorter precision sets the last bit only when inexact.
    expect(asF32(convertFormat(LONG, SHORT, f64(1.5), newEnv(Rounding.PrepareShorter)))).toBe(1.5);
  });

  it('overflow gives ∞ or the largest number by method; x − x is −0 only when rounding toward −∞', () => {
    const max = f64(Number.MAX_VALUE);
    expect(asF64(add(LONG, max, max, newEnv(Rounding.NearestEven)))).toBe(Infinity);
    expect(asF64(add(LONG, max, max, newEnv(Rounding.TowardZero)))).toBe(Number.MAX_VALUE);
    expect(asF64(add(LONG, max, max, newEnv(Rounding.PrepareShorter)))).toBe(Number.MAX_VALUE);
    expect(add(LONG, f64(1), f64(1), newEnv(Rounding.TowardNegative), true)).toBe(f64(-0));
    expect(add(LONG, f64(1), f64(1), newEnv(Rounding.TowardPositive), true)).toBe(0n);
  });

  it('default NaN, signalling NaNs quieted, first operand first', () => {
    const env = newEnv();
    expect(add(LONG, f64(Infinity), f64(-Infinity), env)).toBe(0x7ff8000000000000n);
    expect(env.exceptions).toBe(0x80);
    expect(squareRoot(SHORT, f32(-1), newEnv())).toBe(0x7fc00000n);
    expect(squareRoot(EXTENDED, (1n << 127n) | (1n << 112n), newEnv())).toBe(0x7fff8000000000000000000000000000n);
    const e2 = newEnv();
    expect(add(LONG, 0x7ff0000000000001n, 0x7ff8000000000002n, e2)).toBe(0x7ff8000000000001n);
    expect(e2.exceptions).toBe(0x80);
    expect(add(LONG, 0x7ff8000000000003n, 0x7ff0000000000002n, newEnv())).toBe(0x7ff8000000000002n);
    expect(multiply(LONG, 0x7ff8000000000003n, 0xfff8000000000004n, newEnv())).toBe(0x7ff8000000000003n);
  });
});

/** Runs `count` instructions of `source` with AFP on and the given FPC; returns the CPU and any program interruption. */
function runBfp(source: string, count: number, setup: (cpu: ReturnType<typeof machine>['cpu']) => void, afp = true) {
  const m = machine(source);
  if (afp) m.cpu.setCr(0, 0x00000000000600e0n);
  setup(m.cpu);
  m.cpu.run(count);
  const interrupted = m.cpu.getPsw().addr === BigInt(PGM_WAIT_ADDRESS);
  return {
    cpu: m.cpu,
    code: interrupted ? m.mem.readU16(LC.PGM_CODE) : 0,
    dxc: interrupted ? m.mem.readU32(LC.DATA_EXC_CODE) : 0,
  };
}
const setFpc =
  (value: number) =>
  (cpu: ReturnType<typeof machine>['cpu']): void => {
    cpu.restore({ ...cpu.snapshot(), fpc: value });
  };
const fprs =
  (values: Record<number, bigint>, fpc = 0) =>
  (cpu: ReturnType<typeof machine>['cpu']): void => {
    setFpc(fpc)(cpu);
    for (const [r, v] of Object.entries(values)) cpu.setFprBits(Number(r), v);
  };

describe('BFP instructions: traps and the FPC', () => {
  it('a trapped overflow stores the result scaled by 2^-1536 and interrupts with DXC 0x20 (exact)', () => {
    const { cpu, code, dxc } = runBfp('adbr %f0,%f2', 1, fprs({ 0: f64(Number.MAX_VALUE), 2: f64(Number.MAX_VALUE) }, 0x20000000));
    expect([code, dxc]).toEqual([7, 0x20]);
    expect(asF64(cpu.getFprBits(0))).toBe(Number.MAX_VALUE * 2 ** -512 * 2 ** -1023);
    expect((cpu.fpc >>> 8) & 0xff).toBe(0x20);
    expect((cpu.fpc >>> 16) & 0xff).toBe(0);
  });

  it('a trapped underflow stores the result scaled by 2^1536 (DXC 0x10 even when exact)', () => {
    const { cpu, code, dxc } = runBfp('mdbr %f0,%f2', 1, fprs({ 0: f64(2 ** -1022), 2: f64(0.5) }, 0x10000000));
    expect([code, dxc]).toEqual([7, 0x10]);
    expect(asF64(cpu.getFprBits(0))).toBe(2 ** 513);
  });

  it('an inexact trap completes the instruction: DXC 0x0C when incremented, 0x08 when truncated', () => {
    const up = runBfp('ddbr %f0,%f2', 1, fprs({ 0: f64(1), 2: f64(3) }, 0x08000002));
    expect([up.code, up.dxc]).toEqual([7, 0x0c]);
    expect(up.cpu.getFprBits(0)).toBe(0x3fd5555555555556n);
    const down = runBfp('ddbr %f0,%f2', 1, fprs({ 0: f64(1), 2: f64(3) }, 0x08000000));
    expect([down.code, down.dxc]).toEqual([7, 0x08]);
  });

  it('a trapped invalid operation suppresses: the target and CC are unchanged', () => {
    const { cpu, code, dxc } = runBfp('sqdbr %f4,%f2', 1, fprs({ 4: f64(7), 2: f64(-1) }, 0x80000000));
    expect([code, dxc]).toEqual([7, 0x80]);
    expect(asF64(cpu.getFprBits(4))).toBe(7);
    const z = runBfp('ddbr %f4,%f2', 1, fprs({ 4: f64(7), 2: f64(0) }, 0x40000000));
    expect([z.code, z.dxc]).toEqual([7, 0x40]);
    expect(asF64(z.cpu.getFprBits(4))).toBe(7);
  });

  it('untrapped exceptions set flags; XxC (M4 bit 1) suppresses inexact', () => {
    const a = runBfp('ledbra %f0,0,%f2,0', 1, fprs({ 2: f64(0.1) }));
    expect(a.code).toBe(0);
    expect(a.cpu.fpc >>> 16).toBe(0x08);
    const b = runBfp('ledbra %f0,0,%f2,4', 1, fprs({ 2: f64(0.1) }, 0x08000000));
    expect(b.code).toBe(0);
    expect(b.cpu.fpc >>> 16).toBe(0x0800);
    expect(asF32(b.cpu.getFprBits(0) >> 32n)).toBe(Math.fround(0.1));
  });

  it('an exact tiny result with the underflow trap enabled interrupts (qemu 7.2 does not)', () => {
    const { code, dxc, cpu } = runBfp('sdbr %f0,%f2', 1, fprs({ 0: f64(2 ** -1022), 2: f64(2 ** -1022 + 2 ** -1074) }, 0x10000000));
    expect([code, dxc]).toEqual([7, 0x10]);
    expect(asF64(cpu.getFprBits(0))).toBe(-(2 ** 462));
  });

  it('CONVERT TO FIXED of a NaN gives the most negative number, CC 3, invalid and inexact flags', () => {
    const { cpu } = runBfp('cfdbr %r1,0,%f2', 1, fprs({ 2: 0x7ff8000000000000n }));
    expect(cpu.getGpr(1) & 0xffffffffn).toBe(0x80000000n);
    expect(cpu.cc).toBe(3);
    expect(cpu.fpc >>> 16).toBe(0x88);
    const u = runBfp('clfdbr %r1,5,%f2,0', 1, fprs({ 2: f64(-1.5) }));
    expect(u.cpu.getGpr(1) & 0xffffffffn).toBe(0n);
    expect(u.cpu.cc).toBe(3);
    const ok = runBfp('cgdbr %r1,5,%f2', 1, fprs({ 2: f64(-2.75) }));
    expect(ok.cpu.getGpr(1)).toBe(0xfffffffffffffffen);
    expect(ok.cpu.cc).toBe(1);
  });

  it('SFASR ORs the old flags in and signals an enabled one (DXC with 3)', () => {
    const { cpu, code, dxc } = runBfp('sfasr %r1', 1, (c) => {
      setFpc(0x00080000)(c);
      c.setGpr(1, 0x08000000n);
    });
    expect([code, dxc]).toEqual([7, 0x0b]);
    expect(cpu.fpc & 0xffff00ff).toBe(0x08080000);
  });

  it('reserved modifiers and invalid register pairs are specification exceptions; AFP off is DXC 2', () => {
    expect(runBfp('.long 0xb3992012', 1, fprs({})).code).toBe(6); // cfdbr with M3 = 2
    expect(runBfp('.long 0xb34a0020', 1, fprs({})).code).toBe(6); // axbr %f2,%f0
    expect(runBfp('.long 0xb3450031', 1, fprs({})).code).toBe(6); // ldxbr %f3,%f1
    const off = runBfp('adbr %f0,%f2', 1, fprs({}), false);
    expect([off.code, off.dxc]).toEqual([7, 2]);
  });
});

describe('BFP instructions: where qemu-s390x 7.2 deviates', () => {
  it('MDEBR multiplies the left 32 bits of FPR R1; MXDBR the long in FPR R1', () => {
    const a = runBfp('mdebr %f0,%f2', 1, fprs({ 0: (f32(3) << 32n) | 0x12345678n, 2: f32(1.5) << 32n }));
    expect(asF64(a.cpu.getFprBits(0))).toBe(4.5);
    const b = runBfp('mxdbr %f4,%f8', 1, fprs({ 4: f64(1.5), 6: 0x123456789n, 8: f64(3) }));
    expect((b.cpu.getFprBits(4) << 64n) | b.cpu.getFprBits(6)).toBe(convertFormat(LONG, EXTENDED, f64(4.5), newEnv()));
  });

  it('LOAD AND TEST quiets a signalling NaN with the invalid flag', () => {
    const { cpu } = runBfp('ltdbr %f0,%f2', 1, fprs({ 2: 0x7ff0000000000001n }));
    expect(cpu.getFprBits(0)).toBe(0x7ff8000000000001n);
    expect(cpu.cc).toBe(3);
    expect(cpu.fpc >>> 16).toBe(0x80);
  });

  it('MULTIPLY AND ADD takes the NaN of op3, then op2, then op1', () => {
    const { cpu } = runBfp('madbr %f0,%f4,%f2', 1, fprs({ 0: 0x7ff8000000000001n, 2: 0x7ff8000000000002n, 4: 0x7ff8000000000004n }));
    expect(cpu.getFprBits(0)).toBe(0x7ff8000000000004n);
    const s = runBfp('madbr %f0,%f4,%f2', 1, fprs({ 0: 0x7ff0000000000001n, 2: 0x7ff8000000000002n, 4: 0x7ff8000000000004n }));
    expect(s.cpu.getFprBits(0)).toBe(0x7ff8000000000001n);
    const imz = runBfp('madbr %f0,%f4,%f2', 1, fprs({ 0: 0x7ff8000000000001n, 2: f64(0), 4: f64(Infinity) }));
    expect(imz.cpu.getFprBits(0)).toBe(0x7ff8000000000000n);
  });
});
