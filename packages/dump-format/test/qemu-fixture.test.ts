/**
 * The real QEMU 7.2 dump of a crashed bare-metal guest (fixtures/qemu-7.2-crash): every
 * register QEMU itself reported, the guest's memory, the lowcore, and the little-endian-host quirks.
 */
import { readFileSync } from 'node:fs';
import { fixturePath, gunzipFixture, requireTool, run, tempPath } from '@pvdump/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDump, writeDump, type DumpReader } from '../src/index.ts';
import { parseInfoRegisters, toHex } from './helpers.ts';

let dumpPath: string;
let dump: DumpReader;

beforeAll(async () => {
  dumpPath = await gunzipFixture('qemu-7.2-crash/dump.elf.gz');
  dump = await openDump(dumpPath);
});
afterAll(() => dump.close());

describe('reading the QEMU 7.2 fixture', () => {
  const expected = parseInfoRegisters(readFileSync(fixturePath('qemu-7.2-crash/qemu-info-registers.txt'), 'utf8'));

  it('finds both CPUs and one 16 MiB memory segment, and is not a PV dump', () => {
    expect(expected).toHaveLength(2);
    expect(dump.cpus).toHaveLength(2);
    expect(dump.isPv).toBe(false);
    expect(dump.memory).toEqual([{ start: 0n, size: 16n << 20n, fileSize: 16n << 20n, fileOffset: 0xae0n }]);
  });

  it('decodes every register QEMU reported, for both CPUs', () => {
    for (const [i, want] of expected.entries()) {
      const cpu = dump.cpus[i]!;
      expect(cpu.psw).toEqual(want.psw);
      expect(cpu.gprs).toEqual(want.gprs);
      expect(cpu.crs).toEqual(want.crs);
      expect(cpu.vrs!.map(toHex)).toEqual(want.vrs);
      // FPR i is the left half of V i.
      expect(cpu.fprs!.map((f) => f.toString(16).padStart(16, '0'))).toEqual(want.vrs.slice(0, 16).map((v) => v.slice(0, 16)));
      expect(cpu.pid).toBe(i + 1);
    }
  });

  it('reads the secret text the guest copied to 0x10000', async () => {
    const text = new TextDecoder().decode(await dump.readMemory(0x10000n, 32));
    expect(text).toBe('OWNER-SECRET: guest crashed!!...');
  });

  it('reads the program interruption in the lowcore: data exception after LD %f15', async () => {
    // The instruction that faulted, from the guest's own disassembly.
    requireTool('s390x-linux-gnu-objdump');
    const asm = run('s390x-linux-gnu-objdump', ['-d', fixturePath('qemu-7.2-crash/guest.elf')]);
    const ld = /^\s*([0-9a-f]+):\s+68 f0 10 08\s+ld\s+%f15/m.exec(asm);
    expect(ld).not.toBeNull();
    const lowcore = await dump.readMemory(0n, 0x200);
    const v = new DataView(lowcore.buffer);
    expect(v.getUint16(0x8c)).toBe(4); // ILC: LD is 4 bytes
    expect(v.getUint16(0x8e)).toBe(0x07); // data exception
    expect(v.getUint32(0x90)).toBe(0x01); // DXC 1: AFP register
    expect(v.getBigUint64(0x150)).toBe(0x0000000180000000n); // program-old PSW mask: 31-bit mode
    expect(v.getBigUint64(0x158)).toBe(BigInt('0x' + ld![1]!) + 4n); // suppression: the next instruction
    expect(v.getBigUint64(0x1d0)).toBe(dump.cpus[0]!.psw.mask); // program-new PSW = the final PSW
    expect(v.getBigUint64(0x1d8)).toBe(dump.cpus[0]!.psw.addr);
  });

  it('reports the three QEMU little-endian-host quirks as warnings, not failures', () => {
    const codes = dump.warnings.map((w) => w.code).sort();
    expect(codes).toEqual(['ehsize', 'pid-byte-order', 'pid-byte-order', 'section-header-byte-order']);
    expect(dump.sections.map((s) => s.name)).toEqual(['', '.shstrtab']);
    for (const w of dump.warnings) expect(w.offset).toBeGreaterThan(0);
  });
});

describe('writing the QEMU fixture back', () => {
  async function rewrite(qemuQuirks: boolean): Promise<string> {
    const out = tempPath(`qemu-rewrite-${qemuQuirks}.elf`);
    await writeDump(
      out,
      { cpus: dump.cpus, memory: dump.memory.map((m) => ({ start: m.start, size: m.size })), notes: dump.globalNotes, qemuQuirks },
      (async function* () {
        for await (const c of dump.memoryChunks()) yield c.data;
      })(),
    );
    return out;
  }

  it('with qemuQuirks reproduces the file byte for byte', async () => {
    const out = await rewrite(true);
    expect(Buffer.compare(readFileSync(out), readFileSync(dumpPath))).toBe(0);
  });

  it('by default differs only in the documented quirk fields, and reads back to the same model', async () => {
    const out = await rewrite(false);
    const a = readFileSync(dumpPath);
    const b = readFileSync(out);
    expect(b.length).toBe(a.length);
    const diff: number[] = [];
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff.push(i);
    // e_ehsize (52..53); .shstrtab header sh_name (128..131), sh_type (132..135), sh_offset (152..159),
    // sh_size (160..167); pr_pid of each CPU (note at 0x130 and the next CPU's at 0x130 + 1240).
    const quirkFields = [
      [52, 54],
      [128, 136],
      [152, 168],
      [0x130 + 20 + 32, 0x130 + 20 + 36],
      [0x130 + 1240 + 20 + 32, 0x130 + 1240 + 20 + 36],
    ];
    for (const i of diff)
      expect(
        quirkFields.some(([lo, hi]) => i >= lo! && i < hi!),
        `byte ${i} differs`,
      ).toBe(true);
    expect(diff.length).toBeGreaterThan(0);

    const again = await openDump(out);
    try {
      expect(again.warnings).toEqual([]);
      expect(again.cpus).toEqual(dump.cpus.map((c) => ({ ...c, otherNotes: [] })));
      expect(again.memory).toEqual(dump.memory);
      expect(again.sections.map((s) => s.name)).toEqual(['', '.shstrtab']);
    } finally {
      await again.close();
    }
  });
});
