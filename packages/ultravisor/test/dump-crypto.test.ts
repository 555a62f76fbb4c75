// Dump outputs against the spec's known-answer values (pv-dump-crypto.md §11): HKDF dump key,
// the 288-byte completion data and the CPU note's GCM tag.
import { describe, expect, it } from 'vitest';
import { initialCpuSnapshot } from '@pvdump/s390x-cpu';
import { deriveDumpKey, gcmOpen } from '../src/crypto/dump-crypto.ts';
import { sealCompletionData } from '../src/dump/completion.ts';
import { CpuConfidentialOffset, cpuConfidentialArea, sealCpuDump } from '../src/dump/cpu-data.ts';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const seq = (start: number, n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => start + i);

const CCK = seq(0, 32);
const SEED = seq(0x80, 64);
const PV_COMPL = `
00000001000001200000000000000000808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f
a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfa0a1a2a3a4a5a6a7a8a9aaab00000000
b809e5b191c857f94836dd918388522805e974cc726ea1bedc9ca958de90400aedacacef72651f0f843114e69a7415ff
d090d5e66f0818eab559cbf9b8f72d3eb3215678dfc055dfa4dd2ba10e88b7da45c75a91f6f704711f56e9273b6980ca
51bce73563577ed7db0b1b1cd77e237d7fd54855cacff1d78f6f3086b787eb0ef2472858dfe0671d307f5447af57a113
a7bf1cf8eefc73378f5e4b856ebfdc0a3ce261afa4648a4c4dd9e68b7e3b05b6086eb4a4131f284dfe4f89c7dd552442`;

describe('dump cryptography', () => {
  it('derives the known dump key with HKDF-SHA512 and the info string', () => {
    expect(toHex(deriveDumpKey(CCK, SEED))).toBe('43c68681bf961cabcb7f316df23983e2879e156ba6d5099c9a25fc97c389dd61');
  });

  it('builds the known completion data byte for byte', () => {
    const key = deriveDumpKey(CCK, SEED);
    const nonce = hex('11223344000000000000000000000000');
    const xtsKey = seq(0x20, 64);
    const compl = sealCompletionData(key, SEED, seq(0xa0, 12), nonce, xtsKey);
    expect(toHex(compl)).toBe(toHex(hex(PV_COMPL)));
  });

  it("seals the known CPU note (GPR i = i * 0x0101..., PSW, prefix 0x2000, has_osii) with the spec's tag", () => {
    const cpu = initialCpuSnapshot();
    cpu.gprs = Array.from({ length: 16 }, (_, i) => BigInt(i) * 0x0101010101010101n);
    cpu.psw = { mask: 0x0705000180000000n, addr: 0x10000n };
    cpu.prefix = 0x2000;
    cpu.crs = new Array<bigint>(16).fill(0n); // the vector has every other field zero
    cpu.bear = 0n;
    const area = cpuConfidentialArea(cpu, true);
    expect(new DataView(area.buffer).getUint16(CpuConfidentialOffset.dumpFlags)).toBe(0x8000);
    const key = deriveDumpKey(CCK, SEED);
    const note = sealCpuDump(key, seq(0xc0, 12), area);
    expect(note.length).toBe(1568);
    expect(toHex(note.subarray(0, 32))).toBe('0000000100000620c0c1c2c3c4c5c6c7c8c9cacb000000000000000000000000');
    expect(toHex(note.subarray(1552))).toBe('1c76d7f80ce064c5a93ab5f95b50a988');
    expect(gcmOpen(key, note.subarray(8, 20), note.subarray(0, 32), note.subarray(32))).toEqual(area);
  });
});
