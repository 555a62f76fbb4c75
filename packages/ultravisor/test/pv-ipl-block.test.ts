// The PV IPL parameter block against the blocks in genprotimg 2.35's images and every refusal.
import { readFileSync } from 'node:fs';
import { fixturePath } from '@pvdump/test-support';
import { describe, expect, it } from 'vitest';
import { IPL_BLOCK_MAX_LENGTH, PV_IPL_MAX_COMPONENTS, PvIplBlockError, PvIplBlockOffset, decodePvIplBlock, encodePvIplBlock, pvIplBlockLength, pvIplBlockSize, type PvIplBlockErrorReason } from '../src/protected-image.ts';

/** genprotimg puts the block on the page after stage3a (fixtures/genprotimg-2.35/README.md). */
const IPIB_OFFSET = 0x13000;
const image = new Uint8Array(readFileSync(fixturePath('genprotimg-2.35/se.img')));
const fixtureBlock = image.slice(IPIB_OFFSET, IPIB_OFFSET + 4096);

function refusal(bytes: Uint8Array, options?: { guestMemorySize?: number }): PvIplBlockErrorReason {
  try {
    decodePvIplBlock(bytes, options);
  } catch (e) {
    expect(e).toBeInstanceOf(PvIplBlockError);
    return (e as PvIplBlockError).reason;
  }
  throw new Error('the block was accepted');
}

function patched(edit: (view: DataView, bytes: Uint8Array) => void): Uint8Array {
  const bytes = fixtureBlock.slice();
  edit(new DataView(bytes.buffer), bytes);
  return bytes;
}

describe('PV IPL parameter block', () => {
  it('decodes the block genprotimg wrote: one page, three components, header address left for stage3a', () => {
    const block = decodePvIplBlock(fixtureBlock, { guestMemorySize: 16 << 20 });
    expect(block.length).toBe(4096);
    expect(block.version).toBe(1);
    expect(block.blockLength).toBe(128 + 3 * 24);
    expect(block.pvVersion).toBe(0);
    expect(block.seHeaderAddress).toBe(0n);
    expect(block.seHeaderLength).toBe(0x280n);
    expect(block.components.map((c) => [c.address, c.length])).toEqual([
      [0x15000n, 0x11000n],
      [0x26000n, 0x1000n],
      [0x27000n, 0x2000n],
    ]);
    // The top u16 of each tweak prefix is the component type: kernel 0, parmline 1, stage3b 3.
    expect(block.components.map((c) => Number(c.tweakPrefix >> 48n))).toEqual([0, 1, 3]);
    // The SE header on the next page has the length the block gives.
    const sehs = new DataView(image.buffer, image.byteOffset + IPIB_OFFSET + 0x1000).getUint32(12);
    expect(BigInt(sehs)).toBe(block.seHeaderLength);
  });

  it('encodes byte for byte what genprotimg wrote', () => {
    const block = decodePvIplBlock(fixtureBlock);
    expect(encodePvIplBlock(block)).toEqual(fixtureBlock);
    expect(encodePvIplBlock({ components: block.components, seHeaderAddress: 0n, seHeaderLength: 0x280n })).toEqual(fixtureBlock);
    expect(pvIplBlockSize(3)).toBe(4096);
    expect(pvIplBlockSize(PV_IPL_MAX_COMPONENTS)).toBe(0x88 + 165 * 24);
    expect(pvIplBlockLength(fixtureBlock)).toBe(4096);
  });

  it('round-trips a block with a set header address, flags and the most components', () => {
    const components = Array.from({ length: PV_IPL_MAX_COMPONENTS }, (_, i) => ({ tweakPrefix: BigInt(i) << 48n, address: BigInt(0x100000 + i * 0x1000), length: 0x1000n }));
    const bytes = encodePvIplBlock({ components, seHeaderAddress: 0x14000n, seHeaderLength: 0x2000n, flags: 0x80, loadParameter: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]) });
    expect(bytes.length).toBe(IPL_BLOCK_MAX_LENGTH - ((IPL_BLOCK_MAX_LENGTH - 0x88) % 24));
    const back = decodePvIplBlock(bytes, { guestMemorySize: 16 << 20 });
    expect(back.components).toEqual(components);
    expect(back.seHeaderAddress).toBe(0x14000n);
    expect(back.flags).toBe(0x80);
    expect([...back.loadParameter]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('refuses what QEMU refuses, and components past the lengths', () => {
    expect(refusal(patched((v) => v.setUint32(0, 4097)))).toBe('too-long');
    expect(refusal(fixtureBlock.subarray(0, 100))).toBe('truncated');
    expect(refusal(patched((_, b) => (b[PvIplBlockOffset.blockType] = 2)))).toBe('not-pv');
    expect(refusal(patched((v) => v.setUint32(0, 147)))).toBe('too-short');
    // 148 bytes pass QEMU's minimum but cannot hold three components.
    expect(refusal(patched((v) => v.setUint32(0, 148)))).toBe('components-beyond-length');
    expect(refusal(patched((v) => v.setUint32(PvIplBlockOffset.blockLength, 128 + 2 * 24)))).toBe('components-beyond-length');
    expect(refusal(patched((v) => v.setUint32(PvIplBlockOffset.componentCount, 0xffffffff)))).toBe('components-beyond-length');
    expect(refusal(patched((v) => v.setUint32(PvIplBlockOffset.componentCount, 0)))).toBe('no-components');
    expect(refusal(patched((v) => v.setBigUint64(PvIplBlockOffset.seHeaderLength, 8193n)))).toBe('se-header-too-long');
    expect(
      refusal(
        patched((v) => v.setBigUint64(PvIplBlockOffset.seHeaderAddress, 0xfffe00n)),
        { guestMemorySize: 16 << 20 },
      ),
    ).toBe('se-header-outside-memory');
    expect(refusal(patched((v) => v.setBigUint64(PvIplBlockOffset.components + 24 + 8, 0x26800n)))).toBe('component-unaligned');
    expect(refusal(patched((v) => v.setBigUint64(PvIplBlockOffset.components + 24, 0x0003_ffff_ffff_ffffn)))).toBe('tweak-order');
  });

  it('refuses to encode what it would not decode', () => {
    const c = { tweakPrefix: 1n, address: 0x10000n, length: 0x1000n };
    expect(() => encodePvIplBlock({ components: [], seHeaderAddress: 0n, seHeaderLength: 0x280n })).toThrow(PvIplBlockError);
    expect(() => encodePvIplBlock({ components: [c, c], seHeaderAddress: 0n, seHeaderLength: 0x280n })).toThrow(/tweak prefix/);
    expect(() => encodePvIplBlock({ components: [c], seHeaderAddress: 0n, seHeaderLength: 0x280n, length: 100 })).toThrow(/length 100/);
    expect(() => encodePvIplBlock({ components: [c], seHeaderAddress: 0n, seHeaderLength: 0x280n, loadParameter: new Uint8Array(3) })).toThrow(/load parameter/);
    const many = Array.from({ length: PV_IPL_MAX_COMPONENTS + 1 }, (_, i) => ({ ...c, tweakPrefix: BigInt(i) }));
    expect(() => encodePvIplBlock({ components: many, seHeaderAddress: 0n, seHeaderLength: 0x280n })).toThrow(/do not fit/);
  });
});
