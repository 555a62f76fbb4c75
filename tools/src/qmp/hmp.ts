/**
 * `human-monitor-command`: the HMP commands the monitor answers, with QEMU 7.2's s390x text
 * (`s390_cpu_dump_state`, as in the fixture `qemu-7.2-crash/qemu-info-registers.txt`):
 *
 *   info registers      the monitor's current CPU (CPU 0, or `cpu-index` of the request)
 *   info registers -a   every CPU
 *
 * Each CPU block is "\nCPU#n\n", the PSW with its condition code, R00–R15 four per line, V00–V31
 * two per line (the vector facility is present), C00–C15 four per line, then an empty line. HMP
 * output reaches QMP with CR LF line ends. Anything else is "unknown command: '...'".
 */
import type { RegisterView } from './machine.js';

const hex = (v: bigint | number, digits: number): string => v.toString(16).padStart(digits, '0');

function rows(items: string[], perLine: number): string {
  let out = '';
  for (let i = 0; i < items.length; i += perLine) out += items.slice(i, i + perLine).join(' ') + '\n';
  return out;
}

/** One CPU's block of `info registers`. */
export function formatCpuRegisters(index: number, cpu: RegisterView): string {
  const cc = Number((cpu.psw.mask >> 44n) & 3n);
  let out = `\nCPU#${index}\nPSW=mask ${hex(cpu.psw.mask, 16)} addr ${hex(cpu.psw.addr, 16)} cc ${hex(cc, 2)}\n`;
  out += rows(
    cpu.gprs.map((r, i) => `R${String(i).padStart(2, '0')}=${hex(r, 16)}`),
    4,
  );
  out += rows(
    cpu.vrs.map((v, i) => `V${String(i).padStart(2, '0')}=${Buffer.from(v).toString('hex')}`),
    2,
  );
  out += rows(
    cpu.crs.map((r, i) => `C${String(i).padStart(2, '0')}=${hex(r, 16)}`),
    4,
  );
  return out + '\n';
}

/** Runs one HMP command line; returns its output as QMP carries it (CR LF line ends). */
export function runHmpCommand(commandLine: string, cpuStates: () => RegisterView[], currentCpu = 0): string {
  const words = commandLine.trim().split(/\s+/);
  let out: string;
  if (words[0] === 'info' && words[1] === 'registers' && (words.length === 2 || (words.length === 3 && words[2] === '-a'))) {
    const cpus = cpuStates();
    if (words[2] === '-a') out = cpus.map((cpu, i) => formatCpuRegisters(i, cpu)).join('');
    else out = cpus[currentCpu] === undefined ? '' : formatCpuRegisters(currentCpu, cpus[currentCpu]);
  } else {
    out = `unknown command: '${commandLine.trim()}'\n`;
  }
  return out.replace(/\n/g, '\r\n');
}
