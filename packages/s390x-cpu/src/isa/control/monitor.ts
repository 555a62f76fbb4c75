// MONITOR CALL (PoO chapter 7, "Monitor Call"; spec s390x-cpu.md §5, program-interruption code
// 0x40): when the monitor-mask bit of the class in CR8 (bit 48 + class) is one, a monitor-event
// program interruption stores the class at real 0x94 and the monitor code (the first-operand
// address) at real 0xB0; otherwise the instruction does nothing. The interruption completes the
// instruction, so the old PSW points past it.

import type { CpuCore } from '../../core/cpu-core.js';
import { PGM_MONITOR_EVENT } from '../../core/exceptions.js';
import { def } from '../define.js';
import { fB1, fD1, fI8, type InsnA } from '../fields.js';
import type { InstructionDef } from '../types.js';

/** Real lowcore addresses of the monitor class number and monitor code (§5). */
const MONITOR_CLASS = 0x094;
const MONITOR_CODE = 0x0b0;

function monitorCall(cpu: CpuCore, a: InsnA<'SI'>): void {
  const i2 = fI8(a);
  // Bits 8–11 of the instruction must be zero; bits 12–15 are the monitor class.
  cpu.requireSpec((i2 & 0xf0) === 0);
  const monitorClass = i2 & 15;
  if ((cpu.cr[2 * 8 + 1]! & (0x8000 >>> monitorClass)) === 0) return;
  cpu.ea(0, fB1(a), fD1(a));
  cpu.writeRealU16(MONITOR_CLASS, monitorClass);
  cpu.writeRealU64(MONITOR_CODE, (BigInt(cpu.eaHi) << 32n) | BigInt(cpu.eaLo));
  cpu.programException(PGM_MONITOR_EVENT);
}

export const monitorInstructions: InstructionDef[] = [def('mc', 0xaf, 'SI', 'db:1,u:I2', monitorCall)];
