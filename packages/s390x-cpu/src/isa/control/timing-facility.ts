// PERFORM TIMING FACILITY FUNCTION (PoO chapter 10; TOD-clock-steering facility 28): 0104, E
// format. GR0 bits 57–63 hold the function code, GR1 the address of the parameter block. The
// query functions (0–63) run in any state; the control functions (64–127) are privileged.
//
// [E] The TOD clock is not steered, so the installed functions are the queries that describe it:
// PTFF-QAF (0: a 16-byte mask of the installed functions), PTFF-QTO (1: physical clock, TOD
// offset, logical-TOD offset and TOD epoch difference of this level of interpretation) and
// PTFF-QPT (3: the physical clock). Every other function, the steering queries and the control
// functions (adjust or set the TOD offset, set a steering rate) among them, is not installed:
// condition code 3, as KVM answers its guests' PTFF interceptions.

import type { CpuCore } from '../../core/cpu-core.js';
import { PGM_OPERATION, PGM_PRIVILEGED, ProgramException } from '../../core/exceptions.js';
import { TOD_CLOCK_STEERING_FACILITY } from '../../core/facilities.js';
import { def } from '../define.js';
import type { InstructionDef } from '../types.js';

const QUERY_AVAILABLE_FUNCTIONS = 0;
const QUERY_TOD_OFFSET = 1;
const QUERY_PHYSICAL_CLOCK = 3;
const INSTALLED = [QUERY_AVAILABLE_FUNCTIONS, QUERY_TOD_OFFSET, QUERY_PHYSICAL_CLOCK];
/** Function codes from here on are control functions (privileged). */
const FIRST_CONTROL_FUNCTION = 64;

/** Stores the doublewords `words` at `addr` (the whole block checked for access first). */
function storeDoublewords(cpu: CpuCore, addr: number, words: readonly bigint[]): void {
  cpu.probe(addr, 8 * words.length, true);
  words.forEach((w, i) => cpu.writeU64(cpu.step(addr, 8 * i), Number(w >> 32n), Number(w & 0xffffffffn)));
}

function performTimingFacilityFunction(cpu: CpuCore): void {
  if (!cpu.hasFacility(TOD_CLOCK_STEERING_FACILITY)) throw new ProgramException(PGM_OPERATION);
  const fc = cpu.r[1]! & 0x7f;
  if (fc >= FIRST_CONTROL_FUNCTION && cpu.problemState) throw new ProgramException(PGM_PRIVILEGED);
  const block = cpu.gprAddress(1);
  const clock = cpu.clock;
  switch (fc) {
    case QUERY_AVAILABLE_FUNCTIONS: {
      let mask = 0n;
      for (const f of INSTALLED) mask |= 1n << BigInt(127 - f);
      storeDoublewords(cpu, block, [mask >> 64n, BigInt.asUintN(64, mask)]);
      break;
    }
    case QUERY_TOD_OFFSET: {
      const logical = clock.read();
      const offset = clock.offset;
      const difference = clock.epochDifference;
      // The physical clock and the TOD offset of the basic machine; the logical-TOD offset adds
      // this level's epoch difference to it.
      const basicOffset = BigInt.asUintN(64, offset - difference);
      storeDoublewords(cpu, block, [BigInt.asUintN(64, logical - offset), basicOffset, offset, difference]);
      break;
    }
    case QUERY_PHYSICAL_CLOCK:
      storeDoublewords(cpu, block, [BigInt.asUintN(64, clock.read() - clock.offset)]);
      break;
    default:
      cpu.cc = 3;
      return;
  }
  cpu.cc = 0;
}

export const timingFacilityInstructions: InstructionDef[] = [def('ptff', 0x0104, 'E', '', performTimingFacilityFunction)];
