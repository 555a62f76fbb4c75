/**
 * Renders a CPU's state (the `CpuState` model of @pvdump/dump-format) as the JSON object of
 * `pvdump info --json` and as text. 64-bit values are "0x" + 16 hex digits, 32-bit values 8,
 * vector registers 32; a field whose note is absent is null.
 */
import type { CpuState } from '@pvdump/dump-format';
import { fprsOf, gsCbWords } from '@pvdump/s390x-arch';

export interface CpuJson {
  pid: number;
  psw: { mask: string; addr: string };
  gprs: string[];
  acrs: string[];
  crs: string[] | null;
  fpc: string | null;
  fprs: string[] | null;
  vrs: string[] | null;
  prefix: string | null;
  timer: string | null;
  todcmp: string | null;
  todpreg: string | null;
  gsCb: string[] | null;
}

export const hex64 = (v: bigint): string => '0x' + v.toString(16).padStart(16, '0');
export const hex32 = (v: number): string => '0x' + (v >>> 0).toString(16).padStart(8, '0');
const hex128 = (b: Uint8Array): string => '0x' + Buffer.from(b).toString('hex');

export function cpuToJson(cpu: CpuState): CpuJson {
  return {
    pid: cpu.pid,
    psw: { mask: hex64(cpu.psw.mask), addr: hex64(cpu.psw.addr) },
    gprs: cpu.gprs.map(hex64),
    acrs: cpu.acrs.map(hex32),
    crs: cpu.crs?.map(hex64) ?? null,
    fpc: cpu.fpc === undefined ? null : hex32(cpu.fpc),
    fprs: (cpu.fprs ?? (cpu.vrs && fprsOf(cpu.vrs)))?.map(hex64) ?? null,
    vrs: cpu.vrs?.map(hex128) ?? null,
    prefix: cpu.prefix === undefined ? null : hex32(cpu.prefix),
    timer: cpu.cpuTimer === undefined ? null : hex64(cpu.cpuTimer),
    todcmp: cpu.clockComparator === undefined ? null : hex64(cpu.clockComparator),
    todpreg: cpu.todProgrammable === undefined ? null : hex32(cpu.todProgrammable),
    gsCb: cpu.gsCb === undefined ? null : gsCbWords(cpu.gsCb).map(hex64),
  };
}

const bare = (h: string): string => h.slice(2);

/** Four registers a line, QEMU `info registers` style. */
function grid(prefix: string, values: readonly string[], perLine: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < values.length; i += perLine) {
    lines.push(
      '  ' +
        values
          .slice(i, i + perLine)
          .map((v, j) => `${prefix}${String(i + j).padStart(2, '0')}=${bare(v)}`)
          .join(' '),
    );
  }
  return lines;
}

export function cpuToText(cpu: CpuState, title: string): string {
  const j = cpuToJson(cpu);
  const lines = [`${title} (pid ${j.pid})`, `  PSW=mask ${bare(j.psw.mask)} addr ${bare(j.psw.addr)}`];
  lines.push(...grid('R', j.gprs, 4));
  lines.push(...grid('A', j.acrs, 8));
  if (j.crs) lines.push(...grid('C', j.crs, 4));
  if (j.vrs) lines.push(...grid('V', j.vrs, 2));
  else if (j.fprs) lines.push(...grid('F', j.fprs, 4));
  const misc = [j.fpc && `FPC=${bare(j.fpc)}`, j.prefix && `prefix=${bare(j.prefix)}`, j.timer && `timer=${bare(j.timer)}`, j.todcmp && `todcmp=${bare(j.todcmp)}`, j.todpreg && `todpreg=${bare(j.todpreg)}`].filter(Boolean);
  if (misc.length) lines.push('  ' + misc.join(' '));
  return lines.join('\n');
}
