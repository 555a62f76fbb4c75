// The three UV dump outputs (docs/pv-dump-crypto.md §2–§4) against the spec's known answers
// (test/data/spec-known-answers.json): the 288-byte completion data byte for byte, the CPU
// note's AAD and GCM tag; and round trips of the register model through the confidential area.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { zeroCpuRegisters, type CpuRegisters } from '@pvdump/s390x-arch';
import {
  CpuConfidentialAreaV1,
  CpuDumpV1,
  CompletionDataV1,
  DUMP_FLAG_HAS_OSII,
  SpecialFlag,
  completionSeed,
  decodeCpuConfidentialArea,
  deriveDumpKey,
  encodeCpuConfidentialArea,
  isSpecialTweakComponent,
  openCompletionData,
  openCpuDump,
  pageTweak,
  sealCompletionData,
  sealCpuDump,
  specialTweakComponent,
} from '../src/index.ts';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const spec = JSON.parse(readFileSync(new URL('./data/spec-known-answers.json', import.meta.url), 'utf8')) as {
  cck: string;
  seed: string;
  completion: { iv: string; nonce: string; key: string; pvCompl: string };
  page: { component: string; tweak: string };
  cpuNote: { iv: string; aad: string; tag: string };
};
const dumpKey = (): Uint8Array => deriveDumpKey(hex(spec.cck), hex(spec.seed));

/** The registers of the spec's CPU note: GPR i = i × 0101010101010101, the PSW, prefix 0x2000. */
function specRegisters(): CpuRegisters {
  const r = zeroCpuRegisters();
  r.gprs = Array.from({ length: 16 }, (_, i) => BigInt(i) * 0x0101010101010101n);
  r.psw = { mask: 0x0705000180000000n, addr: 0x10000n };
  r.prefix = 0x2000;
  return r;
}

const u64 = fc.bigInt({ min: 0n, max: 0xffffffffffffffffn });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const registers: fc.Arbitrary<CpuRegisters> = fc.record({
  psw: fc.record({ mask: u64, addr: u64 }),
  gprs: fc.array(u64, { minLength: 16, maxLength: 16 }),
  acrs: fc.array(u32, { minLength: 16, maxLength: 16 }),
  crs: fc.array(u64, { minLength: 16, maxLength: 16 }),
  fpc: u32,
  vrs: fc.array(fc.uint8Array({ minLength: 16, maxLength: 16 }), { minLength: 32, maxLength: 32 }),
  prefix: u32,
  cpuTimer: u64,
  clockComparator: u64,
  todProgrammable: u32,
  gsCb: fc.record({ reserved: fc.constant(0n), gsd: u64, gssm: u64, gsepla: u64 }),
});

describe('completion data v1', () => {
  it('builds the known completion data byte for byte and opens it again', () => {
    const key = dumpKey();
    const secrets = { nonce: hex(spec.completion.nonce), key: hex(spec.completion.key) };
    const compl = sealCompletionData(key, hex(spec.seed), hex(spec.completion.iv), secrets);
    expect(toHex(compl)).toBe(spec.completion.pvCompl);
    expect(toHex(completionSeed(compl))).toBe(spec.seed);
    expect(openCompletionData(key, compl)).toEqual(secrets);
  });
  it('does not open with a flipped byte anywhere in the 288 bytes', () => {
    const key = dumpKey();
    const compl = hex(spec.completion.pvCompl);
    for (const at of [CompletionDataV1.len, CompletionDataV1.res0x8, CompletionDataV1.seed + 3, CompletionDataV1.iv, CompletionDataV1.res0x92 + 3, CompletionDataV1.key2, CompletionDataV1.tag + 15]) {
      compl[at] = compl[at]! ^ 0x40;
      expect(openCompletionData(key, compl), `byte ${at}`).toBeUndefined();
      compl[at] = compl[at] ^ 0x40;
    }
  });
});

describe('CPU dump data v1', () => {
  it("seals the spec's CPU note (has_osii) with its AAD and GCM tag", () => {
    const key = dumpKey();
    const area = encodeCpuConfidentialArea(specRegisters(), DUMP_FLAG_HAS_OSII);
    expect(new DataView(area.buffer).getUint16(CpuConfidentialAreaV1.dumpFlags)).toBe(0x8000);
    const note = sealCpuDump(key, hex(spec.cpuNote.iv), area);
    expect(note.length).toBe(CpuDumpV1.size);
    expect(toHex(note.subarray(0, CpuDumpV1.confidentialArea))).toBe(spec.cpuNote.aad);
    expect(toHex(note.subarray(CpuDumpV1.tag))).toBe(spec.cpuNote.tag);
    expect(openCpuDump(key, note)).toEqual(area);
    const decoded = decodeCpuConfidentialArea(area);
    expect(decoded).toEqual({ registers: specRegisters(), dumpFlags: 0x8000, hasOsii: true });
  });
  it('decodes what it encodes, for any registers and dump_flags', () => {
    fc.assert(
      fc.property(registers, fc.integer({ min: 0, max: 0xffff }), (r, flags) => {
        const d = decodeCpuConfidentialArea(encodeCpuConfidentialArea(r, flags));
        expect(d.registers).toEqual(r);
        expect(d.dumpFlags).toBe(flags);
        expect(d.hasOsii).toBe((flags & 0x8000) !== 0);
      }),
      { numRuns: 100 },
    );
  });
  it('puts FPR n in the leftmost doubleword of V n and writes the first guarded-storage word as zeros', () => {
    const r = zeroCpuRegisters();
    r.vrs[3]!.set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    r.vrs[17]!.fill(0xaa);
    r.gsCb = { reserved: 0xffn, gsd: 1n, gssm: 2n, gsepla: 3n };
    const area = encodeCpuConfidentialArea(r, 0);
    expect(toHex(area.subarray(0x180 + 3 * 16, 0x180 + 4 * 16))).toBe('0102030405060708090a0b0c0d0e0f10');
    expect(toHex(area.subarray(0x280 + 16, 0x280 + 32))).toBe('aa'.repeat(16));
    expect(toHex(area.subarray(0x580, 0x5a0))).toBe('0'.repeat(16) + '0000000000000001' + '0000000000000002' + '0000000000000003');
    expect(decodeCpuConfidentialArea(area).registers.gsCb).toEqual({ reserved: 0n, gsd: 1n, gssm: 2n, gsepla: 3n });
  });
  it('does not open with a flipped byte of the AAD, the confidential area or the tag', () => {
    const key = dumpKey();
    const note = sealCpuDump(key, hex(spec.cpuNote.iv), encodeCpuConfidentialArea(specRegisters(), 0));
    for (const at of [CpuDumpV1.len, CpuDumpV1.res0x20, CpuDumpV1.confidentialArea + 100, CpuDumpV1.tag]) {
      note[at] = note[at]! ^ 1;
      expect(openCpuDump(key, note), `byte ${at}`).toBeUndefined();
      note[at] = note[at] ^ 1;
    }
  });
});

describe('storage-state entries', () => {
  it('builds special components with the indicator and byte-15 flags', () => {
    expect(toHex(specialTweakComponent(SpecialFlag.IS_ZERO_PAGE | SpecialFlag.IS_MAPPED_PAGE))).toBe('ffffffff000000000000000000000005');
    expect(toHex(specialTweakComponent(SpecialFlag.IS_SHARED_PAGE))).toBe('ffffffff000000000000000000000002');
    expect(isSpecialTweakComponent(specialTweakComponent(0), 0)).toBe(true);
    expect(isSpecialTweakComponent(hex(spec.page.component), 0)).toBe(false);
  });
  it("forms the spec's page tweak as component OR nonce", () => {
    const entries = new Uint8Array(48);
    entries.set(hex(spec.page.component), 16);
    expect(toHex(pageTweak(entries, 16, hex(spec.completion.nonce)))).toBe(spec.page.tweak);
  });
});
