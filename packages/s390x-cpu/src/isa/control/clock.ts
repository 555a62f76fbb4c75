// TOD clock, clock comparator, CPU timer and TOD programmable register instructions (spec
// s390x-cpu.md §7): STCK, STCKF, STCKE, SCK, SCKC, STCKC, SPT, STPT, SCKPF.

import type { CpuCore } from '../../core/cpu-core.js';
import { fB2, fD2, type InsnA } from '../fields.js';
import { def, defPriv } from '../define.js';
import type { InstructionDef } from '../types.js';

function operand(cpu: CpuCore, a: InsnA<'S'>): number {
  return cpu.ea(0, fB2(a), fD2(a));
}

function store64(cpu: CpuCore, addr: number, v: bigint): void {
  cpu.writeU64(addr, Number(v >> 32n), Number(v & 0xffffffffn));
}

/** Doubleword-aligned operand (SCK, SCKC, STCKC, SPT, STPT). */
function aligned8(cpu: CpuCore, a: InsnA<'S'>): number {
  const addr = operand(cpu, a);
  cpu.requireSpec((addr & 7) === 0);
  return addr;
}

const storeClock = (cpu: CpuCore, a: InsnA<'S'>): void => {
  store64(cpu, operand(cpu, a), cpu.clock.read());
  cpu.cc = 0;
};

/** STCKE: byte 0 epoch index, bytes 1–8 TOD bits 0–63, 9–13 zero, 14–15 TOD programmable field. */
function storeClockExtended(cpu: CpuCore, a: InsnA<'S'>): void {
  const addr = operand(cpu, a);
  cpu.probe(addr, 16, true);
  const { epochIndex, tod } = cpu.clock.readExtended();
  cpu.writeU8(addr, epochIndex);
  for (let i = 0; i < 8; i++) cpu.writeU8(cpu.step(addr, 1 + i), Number((tod >> BigInt(56 - 8 * i)) & 0xffn));
  for (let i = 9; i < 14; i++) cpu.writeU8(cpu.step(addr, i), 0);
  cpu.writeU8(cpu.step(addr, 14), (cpu.todProgrammable >>> 8) & 0xff);
  cpu.writeU8(cpu.step(addr, 15), cpu.todProgrammable & 0xff);
  cpu.cc = 0;
}

function setClock(cpu: CpuCore, a: InsnA<'S'>): void {
  cpu.clock.set(cpu.readU64(aligned8(cpu, a)));
  cpu.cc = 0;
}

/** SCKPF: GR0 bits 32–47 must be zero; bits 48–63 become the TOD programmable field. */
function setClockProgrammableField(cpu: CpuCore): void {
  const low = cpu.r[1]!;
  cpu.requireSpec((low & 0xffff0000) === 0);
  cpu.todProgrammable = low & 0xffff;
}

export const clockInstructions: InstructionDef[] = [
  def('stck', 0xb205, 'S', 'db:2', storeClock),
  def('stckf', 0xb27c, 'S', 'db:2', storeClock),
  def('stcke', 0xb278, 'S', 'db:2', storeClockExtended),
  defPriv('sck', 0xb204, 'S', 'db:2', setClock),
  defPriv('sckc', 0xb206, 'S', 'db:2', (cpu, a) => {
    cpu.clockComparator = cpu.readU64(aligned8(cpu, a));
  }),
  defPriv('stckc', 0xb207, 'S', 'db:2', (cpu, a) => store64(cpu, aligned8(cpu, a), cpu.clockComparator)),
  defPriv('spt', 0xb208, 'S', 'db:2', (cpu, a) => cpu.startCpuTimer(cpu.readU64(aligned8(cpu, a)))),
  defPriv('stpt', 0xb209, 'S', 'db:2', (cpu, a) => store64(cpu, aligned8(cpu, a), cpu.getCpuTimer())),
  defPriv('sckpf', 0x0107, 'E', '', setClockProgrammableField),
];
