/**
 * The PV dump fixture (QEMU layout, big-endian host) and IBM zgetdump's decrypted output of it
 * (fixtures/pv-zgetdump): PV notes and sections as byte ranges, and both layouts rewritten.
 */
import { readFileSync } from 'node:fs';
import { fixturePath, gunzipFixture, tempPath } from '@pvdump/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notes, openDump, writeDump, type DumpReader } from '../src/index.ts';

interface Expected {
  layout: { shoff: number; phoff: number; noteOff: number; noteSize: number; memOff: number; metaOff: number; complOff: number; strOff: number; fileSize: number };
  cpus: { gprs: string[]; psw: string[]; prefix: number; fpc: number; todpreg: number; timer: string; todcmp: string; acrs: number[]; ctrs: string[] }[];
}
const expected = JSON.parse(readFileSync(fixturePath('pv-zgetdump/expected.json'), 'utf8')) as Expected;

let pvPath: string;
let zgPath: string;
let pv: DumpReader;
let zg: DumpReader;
beforeAll(async () => {
  pvPath = await gunzipFixture('pv-zgetdump/pv-dump.elf.gz');
  zgPath = await gunzipFixture('pv-zgetdump/zgetdump-out.elf.gz');
  pv = await openDump(pvPath);
  zg = await openDump(zgPath);
});
afterAll(async () => {
  await pv.close();
  await zg.close();
});

describe('PV dump in QEMU layout', () => {
  it('is a PV dump whose regions sit where expected.json says', () => {
    const L = expected.layout;
    expect(pv.isPv).toBe(true);
    expect(pv.fileSize).toBe(L.fileSize);
    expect(pv.header.shoff).toBe(BigInt(L.shoff));
    expect(pv.header.phoff).toBe(BigInt(L.phoff));
    expect(pv.programHeaders[0]).toMatchObject({ type: 4, offset: BigInt(L.noteOff), filesz: BigInt(L.noteSize) });
    expect(pv.memory).toEqual([{ start: 0n, size: 2n << 20n, fileSize: 2n << 20n, fileOffset: BigInt(L.memOff) }]);
    expect(pv.pvMemMeta).toEqual({ offset: BigInt(L.metaOff), size: 0x2000n });
    expect(pv.pvCompl).toEqual({ offset: BigInt(L.complOff), size: 288n });
    expect(pv.section('.shstrtab')!.header.offset).toBe(BigInt(L.strOff));
  });

  it('attaches a 1568-byte NT_S390_PV_CPU_DATA to each CPU, after its ten hypervisor notes', () => {
    expect(pv.cpus).toHaveLength(2);
    for (const cpu of pv.cpus) {
      expect(cpu.pvCpuData).toHaveLength(1568);
      expect(cpu.otherNotes).toEqual([]);
    }
    expect(pv.notes.map((n) => n.type).slice(0, 11)).toEqual([1, 2, 0x305, 0x304, 0x301, 0x302, 0x303, 0x309, 0x30a, 0x30b, notes.NT_S390_PV_CPU_DATA]);
    // The hypervisor view holds decoy bytes, not the confidential state.
    expect(pv.cpus[0]!.gprs[0]).toBe(0xdedededededededen);
  });

  it('rewrites to the same memory, PV sections and model', async () => {
    const out = tempPath('pv-rewrite.elf');
    await writeDump(
      out,
      { cpus: pv.cpus, memory: pv.memory.map((m) => ({ start: m.start, size: m.size })), pv: { memMetaSize: pv.pvMemMeta!.size, complSize: pv.pvCompl!.size } },
      (async function* () {
        for await (const c of pv.memoryChunks()) yield c.data;
      })(),
      { memMeta: await pv.readSection('pv_mem_meta'), compl: await pv.readSection('pv_compl') },
    );
    const a = readFileSync(pvPath);
    const b = readFileSync(out);
    expect(b.length).toBe(a.length);
    const L = expected.layout;
    // Everything from memory on (memory, pv_mem_meta, pv_compl, .shstrtab) and all headers are identical;
    // only the unused decoy bytes of NT_PRSTATUS (siginfo, times) are written as zeros.
    expect(Buffer.compare(b.subarray(L.memOff), a.subarray(L.memOff))).toBe(0);
    expect(Buffer.compare(b.subarray(0, L.noteOff), a.subarray(0, L.noteOff))).toBe(0);
    const again = await openDump(out);
    try {
      expect(again.cpus).toEqual(pv.cpus);
      expect(again.sections.map((s) => [s.name, s.header.offset, s.header.size])).toEqual(pv.sections.map((s) => [s.name, s.header.offset, s.header.size]));
    } finally {
      await again.close();
    }
  });
});

describe("zgetdump's decrypted output", () => {
  it('reads the decrypted registers of both CPUs', () => {
    expect(zg.isPv).toBe(false);
    expect(zg.globalNotes.map((n) => n.type)).toEqual([notes.NT_PRPSINFO]);
    for (const [i, want] of expected.cpus.entries()) {
      const cpu = zg.cpus[i]!;
      expect(cpu.pid).toBe(i + 1);
      expect(cpu.gprs).toEqual(want.gprs.map(BigInt));
      expect([cpu.psw.mask, cpu.psw.addr]).toEqual(want.psw.map(BigInt));
      expect(cpu.acrs).toEqual(want.acrs);
      expect(cpu.crs).toEqual(want.ctrs.map(BigInt));
      expect(cpu.prefix).toBe(want.prefix);
      expect(cpu.fpc).toBe(want.fpc);
      expect(cpu.todProgrammable).toBe(want.todpreg);
      expect(cpu.cpuTimer).toBe(BigInt(want.timer));
      expect(cpu.clockComparator).toBe(BigInt(want.todcmp));
    }
  });

  it('is reproduced byte for byte by the zgetdump layout of the writer', async () => {
    const out = tempPath('zgetdump-rewrite.elf');
    const layout = await writeDump(
      out,
      { cpus: zg.cpus, memory: zg.memory.map((m) => ({ start: m.start, size: m.size })), style: 'zgetdump' },
      (async function* () {
        for await (const c of zg.memoryChunks()) yield c.data;
      })(),
    );
    expect(layout.noteSize).toBe(156n + 2n * 1240n);
    expect(Buffer.compare(readFileSync(out), readFileSync(zgPath))).toBe(0);
  });
});
