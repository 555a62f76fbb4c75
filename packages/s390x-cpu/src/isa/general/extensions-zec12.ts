// The zEC12 problem-state additions of facility 49 (PoO chapter 7): the load-and-trap facility
// (LAT, LGAT, LFHAT, LLGFAT, LLGTAT: the load completes, then a zero value raises a data exception
// with DXC 0xFF, as compare-and-trap does), the execution-hint facility (BPP, BPRP: branch
// prediction preloads, no effect here) and the processor-assist facility's PPA (a hint, no
// effect here; NIAI is in `interlocked.ts`). The miscellaneous-instruction-extensions part of
// facility 49 (CLT, CLGT, RISBGN) is in `compare-branch.ts` and `shift-rotate.ts`. Also the
// load-and-zero-rightmost-byte instructions of facility 53 (z13: LZRF, LZRG, LLZRGF).

import type { CpuCore } from '../../core/cpu-core.js';
import { PGM_DATA } from '../../core/exceptions.js';
import { fR1 } from '../fields.js';
import type { InstructionDef } from '../types.js';
import { def, eaRXY, OUT_HI, OUT_LO, read64 } from './alu.js';

/** The DXC of a trap (compare-and-trap and load-and-trap). */
const DXC_TRAP = 0xff;

function trapIfZero(cpu: CpuCore, value: number): void {
  if (value === 0) cpu.programException(PGM_DATA, DXC_TRAP);
}

export const zec12ExtensionInstructions: InstructionDef[] = [
  def('lat', 0xe39f, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    const v = cpu.readU32(eaRXY(cpu, a, b));
    cpu.r[2 * fR1(a) + 1] = v;
    trapIfZero(cpu, v);
  }),
  def('lgat', 0xe385, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    read64(cpu, eaRXY(cpu, a, b));
    const i = 2 * fR1(a);
    cpu.r[i] = OUT_HI;
    cpu.r[i + 1] = OUT_LO;
    trapIfZero(cpu, OUT_HI | OUT_LO);
  }),
  def('lfhat', 0xe3c8, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    const v = cpu.readU32(eaRXY(cpu, a, b));
    cpu.r[2 * fR1(a)] = v;
    trapIfZero(cpu, v);
  }),
  def('llgfat', 0xe39d, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    const v = cpu.readU32(eaRXY(cpu, a, b));
    const i = 2 * fR1(a);
    cpu.r[i] = 0;
    cpu.r[i + 1] = v;
    trapIfZero(cpu, v);
  }),
  def('llgtat', 0xe39c, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    const v = cpu.readU32(eaRXY(cpu, a, b)) & 0x7fffffff;
    const i = 2 * fR1(a);
    cpu.r[i] = 0;
    cpu.r[i + 1] = v;
    trapIfZero(cpu, v);
  }),
  // Branch prediction preload (relative and relative-relative): hints only.
  def('bpp', 0xc7, 'SMI', 'm:M1,rel:RI2,db:3', () => undefined),
  def('bprp', 0xc5, 'MII', 'm:M1,rel:RI2,rel:RI3', () => undefined),
  // PERFORM PROCESSOR ASSIST: every function code is a hint here.
  def('ppa', 0xb2e8, 'RRF-c', 'r:R1,r:R2,m:M3', () => undefined),
  // Load and zero rightmost byte.
  def('lzrf', 0xe33b, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    cpu.r[2 * fR1(a) + 1] = (cpu.readU32(eaRXY(cpu, a, b)) & 0xffffff00) >>> 0;
  }),
  def('lzrg', 0xe32a, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    read64(cpu, eaRXY(cpu, a, b));
    const i = 2 * fR1(a);
    cpu.r[i] = OUT_HI;
    cpu.r[i + 1] = (OUT_LO & 0xffffff00) >>> 0;
  }),
  def('llzrgf', 0xe33a, 'RXY-a', 'r:R1,dxb:2', (cpu, a, b) => {
    const i = 2 * fR1(a);
    const v = cpu.readU32(eaRXY(cpu, a, b));
    cpu.r[i] = 0;
    cpu.r[i + 1] = (v & 0xffffff00) >>> 0;
  }),
];
