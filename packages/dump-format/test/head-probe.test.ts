/**
 * `probeDumpHead`: whether a dump is a PV dump, told from its first bytes (headers and notes),
 * against the real PV fixture and the real QEMU 7.2 dump; and a written dump is mode 0600.
 */
import { readFileSync, statSync } from 'node:fs';
import { gunzipFixture, tempPath } from '@pvdump/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import { emptyCpuState, openDump, probeDumpHead, writeDump } from '../src/index.ts';

let pv: Buffer;
let plain: Buffer;
let zgetdump: Buffer;
beforeAll(async () => {
  pv = readFileSync(await gunzipFixture('pv-zgetdump/pv-dump.elf.gz'));
  plain = readFileSync(await gunzipFixture('qemu-7.2-crash/dump.elf.gz'));
  zgetdump = readFileSync(await gunzipFixture('pv-zgetdump/zgetdump-out.elf.gz'));
});

/** Feeds growing prefixes as a stream would, until the probe answers. */
function probeAsStream(file: Buffer): { answer: ReturnType<typeof probeDumpHead>; bytesUsed: number } {
  let have = 0;
  for (;;) {
    const answer = probeDumpHead(file.subarray(0, have));
    if (!('needBytes' in answer)) return { answer, bytesUsed: have };
    expect(answer.needBytes).toBeGreaterThan(have);
    have = Math.min(answer.needBytes, file.length);
  }
}

describe('probeDumpHead', () => {
  it('tells the PV fixture from its headers and notes alone, as the full reader does from its sections', async () => {
    const { answer, bytesUsed } = probeAsStream(pv);
    expect(answer).toEqual({ pv: true });
    const reader = await openDump(await gunzipFixture('pv-zgetdump/pv-dump.elf.gz'));
    try {
      expect(reader.isPv).toBe(true);
      // Only the head: everything up to the end of the notes, far less than the memory behind them.
      const notes = reader.programHeaders[0]!;
      expect(bytesUsed).toBe(Number(notes.offset + notes.filesz));
      expect(bytesUsed).toBeLessThan(pv.length / 100);
    } finally {
      await reader.close();
    }
  });

  it('says "not PV" for the QEMU 7.2 dump and for zgetdump\'s decrypted output', () => {
    expect(probeAsStream(plain).answer).toEqual({ pv: false });
    expect(probeAsStream(zgetdump).answer).toEqual({ pv: false });
  });

  it('asks for the ELF header first, then exactly the program headers, then the notes', () => {
    expect(probeDumpHead(pv.subarray(0, 10))).toEqual({ needBytes: 64 });
    const phdrsEnd = probeDumpHead(pv.subarray(0, 64));
    expect('needBytes' in phdrsEnd && phdrsEnd.needBytes).toBe(0x140 + 2 * 56);
  });

  it('leaves what is not an s390x core, or a damaged note, to the full reader', () => {
    expect(probeDumpHead(Buffer.alloc(64))).toEqual({ unknown: true });
    const damaged = Buffer.from(pv.subarray(0, 0x1b0 + 0x29d8));
    damaged.writeUInt32BE(0xffffff, 0x1b0 + 4); // descsz of the first note runs past the segment
    expect(probeDumpHead(damaged)).toEqual({ unknown: true });
  });
});

describe('writing to a path', () => {
  it('creates the dump readable by its owner only (guest memory is confidential)', async () => {
    const out = tempPath('mode.elf');
    await writeDump(out, { cpus: [emptyCpuState(1)], memory: [{ start: 0n, size: 1n << 20n }] }, [new Uint8Array(1 << 20)]);
    expect(statSync(out).mode & 0o777).toBe(0o600);
  });
});
