// CPU state helpers: resets and the store-status / additional-status images (spec §6, §7).
import { describe, expect, it } from 'vitest';
import { Cpu, GuestMemory } from '../src/index.ts';
import { decodeStoreStatus, encodeAdditionalStatus, encodeStoreStatus, initialCpuSnapshot, STORE_STATUS, validateCpuSnapshot, type CpuSnapshot } from '../src/state/index.ts';

function sample(): CpuSnapshot {
  const s = initialCpuSnapshot();
  s.psw = { mask: 0x0704200180000000n, addr: 0x123456n };
  s.gprs = s.gprs.map((_, i) => 0x1111111111111111n * BigInt(i));
  s.acrs = s.acrs.map((_, i) => 0x01010101 * i);
  s.crs = s.crs.map((_, i) => 0x0100000000000000n + BigInt(i));
  s.vrs.forEach((v, i) => v.fill(i));
  s.fpc = 0x00080000;
  s.prefix = 0x6000;
  s.cpuTimer = 0xfffffffffffff000n;
  s.clockComparator = 0x00d5a5a5a5a5a5ffn;
  s.todProgrammable = 0xbeef;
  s.gsCb = { reserved: 0n, gsd: 0x11n, gssm: 0x22n, gsepla: 0x33n };
  return s;
}

describe('store status', () => {
  it('places every field at its save-area offset', () => {
    const area = encodeStoreStatus(sample());
    const dv = new DataView(area.buffer);
    expect(area).toHaveLength(512);
    expect(dv.getBigUint64(STORE_STATUS.FPRS + 8 * 3)).toBe(0x0303030303030303n);
    expect(dv.getBigUint64(STORE_STATUS.GPRS + 8 * 15)).toBe(0xffffffffffffffffn);
    expect(dv.getBigUint64(0x100)).toBe(0x0704200180000000n);
    expect(dv.getBigUint64(0x108)).toBe(0x123456n);
    expect(dv.getUint32(0x118)).toBe(0x6000);
    expect(dv.getUint32(0x11c)).toBe(0x00080000);
    expect(dv.getUint32(0x124)).toBe(0xbeef);
    expect(dv.getBigUint64(0x128)).toBe(0xfffffffffffff000n);
    // CKC bits 0–55 in bytes 0x131–0x137.
    expect(Buffer.from(area.subarray(0x130, 0x138)).toString('hex')).toBe('0000d5a5a5a5a5a5');
    expect(dv.getUint32(0x140 + 4 * 2)).toBe(0x02020202);
    expect(dv.getBigUint64(0x180 + 8 * 14)).toBe(0x010000000000000en);
  });
  it('decodes what it encodes (CKC loses its low byte)', () => {
    const s = sample();
    const back = decodeStoreStatus(encodeStoreStatus(s));
    expect(back.gprs).toEqual(s.gprs);
    expect(back.crs).toEqual(s.crs);
    expect(back.psw).toEqual(s.psw);
    expect(back.clockComparator).toBe(0x00d5a5a5a5a5a500n);
  });
  it('additional status: V0–V31, then the GS block at +0x400', () => {
    const a = encodeAdditionalStatus(sample(), true);
    expect(a).toHaveLength(0x800);
    expect(a[16 * 31]).toBe(31);
    expect(new DataView(a.buffer).getBigUint64(0x408)).toBe(0x11n);
    expect(encodeAdditionalStatus(sample(), false)).toHaveLength(0x200);
  });
});

describe('resets', () => {
  it('initial CPU reset keeps GPRs, ACRs and vector registers', () => {
    const cpu = new Cpu(new GuestMemory(1 << 16), { snapshot: sample() });
    cpu.initialCpuReset();
    const s = cpu.snapshot();
    expect(s.gprs).toEqual(sample().gprs);
    expect(s.acrs).toEqual(sample().acrs);
    expect(s.vrs).toEqual(sample().vrs);
    expect(s.psw).toEqual({ mask: 0n, addr: 0n });
    expect(s.crs[0]).toBe(0xe0n);
    expect(s.crs[14]).toBe(0xc2000000n);
    expect(s.crs[1]).toBe(0n);
    expect(s.prefix).toBe(0);
    expect(s.fpc).toBe(0);
    expect(s.bear).toBe(1n);
    expect(s.cpuTimer).toBe(0n);
  });
  it('clear reset zeroes everything else too', () => {
    const cpu = new Cpu(new GuestMemory(1 << 16), { snapshot: sample() });
    cpu.clearReset();
    expect(cpu.snapshot()).toEqual(initialCpuSnapshot());
  });
  it('rejects malformed snapshots naming the field', () => {
    const s = sample();
    s.gprs[3] = -1n;
    expect(() => validateCpuSnapshot(s)).toThrow(/gprs\[3\]/);
    const t = sample();
    t.vrs = t.vrs.slice(0, 31);
    expect(() => new Cpu(new GuestMemory(1 << 16), { snapshot: t })).toThrow(/vrs has 31 entries/);
  });
});

describe('Cpu.storeStatus', () => {
  it('writes the save area at absolute 0x1200 (not prefixed) and the mode id at 0xA3', () => {
    const mem = new GuestMemory(1 << 20);
    const cpu = new Cpu(mem, { snapshot: sample() });
    cpu.storeStatus();
    expect(Buffer.from(mem.read(0x1200, 512)).equals(Buffer.from(encodeStoreStatus(cpu.snapshot())))).toBe(true);
    expect(mem.bytes[0xa3]).toBe(1);
    expect(mem.readU32(0x1200 + 0x118)).toBe(0x6000);
    cpu.storeStatus(0x8000);
    expect(mem.readU64(0x8000 + 0x108)).toBe(0x123456n);
    expect(() => cpu.storeStatus(0x8100)).toThrow(/512-byte aligned/);
  });
  it('stores the additional status (vector registers, GS block)', () => {
    const mem = new GuestMemory(1 << 20);
    const cpu = new Cpu(mem, { snapshot: sample() });
    cpu.storeAdditionalStatus(0x9000, true);
    expect(mem.bytes[0x9000 + 16 * 7]).toBe(7);
    expect(mem.readU64(0x9000 + 0x410)).toBe(0x22n);
  });
});
