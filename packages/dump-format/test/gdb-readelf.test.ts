/**
 * External readers of our dumps: gdb-multiarch opens a written dump without an executable and
 * shows each CPU as a thread with its registers and the guest memory; readelf finds nothing wrong.
 */
import { requireTool, run, runStatus, tempPath } from '@pvdump/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeDump, type CpuState, type DumpSpec } from '../src/index.ts';
import { patternedCpu, patternMemory, toHex } from './helpers.ts';

const hex64 = (v: bigint): string => '0x' + v.toString(16);

interface GdbThread {
  regs: Map<string, bigint>;
  vrs: string[];
  fprs: bigint[];
}

/** Runs gdb-multiarch on a core and collects, per thread, `info registers`, V0–V31 and F0–F15. */
function gdbThreads(core: string, count: number): { threads: GdbThread[]; memory: string } {
  const gdb = requireTool('gdb-multiarch');
  const args = ['-nx', '-batch', '-c', core];
  for (let t = 1; t <= count; t++) {
    args.push('-ex', `thread ${t}`, '-ex', `echo ===THREAD ${t}===\\n`, '-ex', 'info registers');
    for (let v = 0; v < 32; v++) args.push('-ex', `p/x $v${v}.v2_int64`);
    for (let f = 0; f < 16; f++) args.push('-ex', `p/x $f${f}`);
  }
  args.push('-ex', 'echo ===MEMORY===\\n', '-ex', 'x/4xg 0x2000');
  const out = run(gdb, args);
  const [threadsPart, memory] = out.split('===MEMORY===');
  const threads = threadsPart!
    .split(/===THREAD \d+===/)
    .slice(1)
    .map((block) => {
      const regs = new Map<string, bigint>();
      for (const m of block.matchAll(/^(\w+)\s+(0x[0-9a-f]+)\s/gm)) regs.set(m[1]!, BigInt(m[2]!));
      const prints = [...block.matchAll(/^\$\d+ = (.*)$/gm)].map((m) => m[1]!);
      const vrs = prints.slice(0, 32).map((p) => {
        const m = /\{(0x[0-9a-f]+), (0x[0-9a-f]+)\}/.exec(p);
        if (!m) throw new Error(`unexpected gdb vector output: ${p}`);
        return BigInt(m[1]!).toString(16).padStart(16, '0') + BigInt(m[2]!).toString(16).padStart(16, '0');
      });
      const fprs = prints.slice(32, 48).map((p) => BigInt(p));
      return { regs, vrs, fprs };
    });
  return { threads, memory: memory ?? '' };
}

describe('gdb-multiarch on a written dump', () => {
  const cpus: CpuState[] = [patternedCpu(0), patternedCpu(1), patternedCpu(2)];
  const core = tempPath('gdb.elf');
  beforeAll(async () => {
    await writeDump(core, { cpus, memory: [{ start: 0n, size: 1n << 20n }], auxv: true }, patternMemory(1 << 20));
  });

  it('shows one thread per CPU with the right PSW, GPRs, ACRs, FPC, FPRs and vector registers', () => {
    const { threads } = gdbThreads(core, cpus.length);
    expect(threads).toHaveLength(cpus.length);
    for (const [i, cpu] of cpus.entries()) {
      const t = threads[i]!;
      expect(t.regs.get('pswm')).toBe(cpu.psw.mask);
      expect(t.regs.get('pswa')).toBe(cpu.psw.addr);
      for (let r = 0; r < 16; r++) {
        expect(t.regs.get(`r${r}`), `cpu ${i} r${r}`).toBe(cpu.gprs[r]);
        expect(t.regs.get(`acr${r}`), `cpu ${i} acr${r}`).toBe(BigInt(cpu.acrs[r]!));
      }
      expect(t.regs.get('fpc')).toBe(BigInt(cpu.fpc!));
      expect(t.fprs.map(hex64)).toEqual(cpu.fprs!.map(hex64));
      expect(t.vrs).toEqual(cpu.vrs!.map(toHex));
    }
  });

  it('reads guest memory at its absolute addresses', () => {
    const { memory } = gdbThreads(core, 1);
    const want = [...patternMemory(1 << 20)][0]!.subarray(0x2000, 0x2020);
    const words = [...memory.matchAll(/0x([0-9a-f]{16})/g)].map((m) => m[1]).join('');
    expect(words).toBe(toHex(want));
  });
});

describe('readelf on written dumps', () => {
  const readelf = (path: string): { status: number; stdout: string; stderr: string } => runStatus(requireTool('readelf'), ['-h', '-l', '-S', '-n', '-W', path]);

  it.each<[string, Pick<DumpSpec, 'style' | 'pv' | 'auxv'>]>([
    ['plain QEMU layout', { style: 'qemu' as const }],
    ['QEMU layout with PV sections', { style: 'qemu' as const, pv: { memMetaSize: 0x1000n, complSize: 0x1000n } }],
    ['zgetdump layout with NT_AUXV', { style: 'zgetdump' as const, auxv: true }],
  ])('%s: no warnings', async (_name, extra) => {
    const path = tempPath('readelf.elf');
    const cpus = [patternedCpu(0), patternedCpu(1)];
    if (extra.pv) for (const c of cpus) c.pvCpuData = new Uint8Array(0x1000).fill(0xa5);
    await writeDump(path, { cpus, memory: [{ start: 0n, size: 1n << 20n }], ...extra }, patternMemory(1 << 20), extra.pv ? { memMeta: new Uint8Array(0x1000), compl: new Uint8Array(0x1000) } : undefined);
    const r = readelf(path);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toMatch(/warning|error|corrupt/i);
    expect(r.stdout).toMatch(/NT_PRSTATUS/);
    if (extra.pv) expect(r.stdout).toMatch(/pv_mem_meta.*PROGBITS[\s\S]*pv_compl.*PROGBITS[\s\S]*\.shstrtab.*STRTAB/);
  });
});
