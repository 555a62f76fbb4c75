// The representation of addresses at or above 2^52 (src/core/far-addresses.ts): exact halves back
// from the number, the byte offset in its low bits, a plain `+` within the stride crossing into
// the next page (and past 2^64 to address 0), one number per page, fresh numbers for old pages,
// and numbers of pages the table dropped recognised as such.
import { describe, expect, it } from 'vitest';
import { FAR_ADDRESS, FAR_STRIDE, FarAddresses } from '../src/core/far-addresses.ts';

function exact(t: FarAddresses, a: number): bigint | undefined {
  return t.decode(a) ? (BigInt(t.hi) << 32n) | BigInt(t.lo) : undefined;
}

describe('far address numbers', () => {
  it('decode to the exact address and keep the page offset in their low bits', () => {
    const t = new FarAddresses();
    const a = t.represent(0xffc00000, 0x00031abc);
    expect(a >= FAR_ADDRESS && a < 2 * FAR_ADDRESS).toBe(true);
    expect(exact(t, a)).toBe(0xffc0000000031abcn);
    expect(a % 4096).toBe(0xabc);
    expect(a & 7).toBe(4);
    expect(t.page(a)).toBe(0xffc00000 * 1048576 + 0x31);
  });

  it('a plain + within the stride reaches the next page, carrying into the high word and past 2^64', () => {
    const t = new FarAddresses();
    const a = t.represent(0x12345, 0xfffffff8);
    expect(exact(t, a + 8)).toBe(0x0001234600000000n);
    expect(t.page(a + 8)).toBe(0x12346 * 1048576);
    const top = t.represent(0xffffffff, 0xfffffffc);
    expect(exact(t, top + 4)).toBe(0n);
    expect(exact(t, top + FAR_STRIDE - 0xffc - 1)).toBe(0xfffn);
  });

  it('gives one number per page, a fresh one once the page is half a table old, and refuses dropped pages', () => {
    const t = new FarAddresses();
    const first = t.represent(0x100000, 0x1000);
    expect(t.represent(0x100000, 0x1008)).toBe(first + 8);
    for (let i = 0; i < 2100; i++) t.represent(0x200000, i * 4096);
    const again = t.represent(0x100000, 0x1000);
    expect(again).not.toBe(first);
    // The old number still names the page until its slot is reused.
    expect(exact(t, first)).toBe(0x0010000000001000n);
    for (let i = 0; i < 4096; i++) t.represent(0x300000, i * 4096);
    expect(exact(t, first)).toBeUndefined();
    expect(t.page(first)).toBe(-1);
    // Not a number of the table at all.
    expect(t.decode(FAR_ADDRESS * 2 + 8)).toBe(false);
    expect(t.decode(FAR_ADDRESS - 8)).toBe(false);
  });
});
