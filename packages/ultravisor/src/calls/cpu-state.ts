// CPU_SET_STATE, the three CPU resets and PREPARE_RESET (spec ultravisor.md §2 [P] state values;
// effects [E]): resets follow the architecture's CPU / initial / clear reset on the secure CPU's
// private registers; operating-load starts the CPU at the SE header's PSW.
import { clearResetSnapshot, initialCpuResetSnapshot } from '@pvdump/s390x-cpu/state';
import type { UvContext, UvResult } from '../state.js';
import { CpuStateRc, PvCpuState, UvCommand, UvRc, type PvCpuStateValue } from '../uvc/codes.js';
import { CPU_SET_STATE, NODATA, type ControlBlock } from '../uvc/layout.js';
import { fail, ok } from './result.js';

const VALID_STATES: ReadonlySet<number> = new Set(Object.values(PvCpuState));

export function setCpuState(ctx: UvContext, cb: ControlBlock): UvResult {
  const cpu = ctx.cpus.get(cb.u64(CPU_SET_STATE.cpuHandle));
  if (cpu === undefined) return fail(UvRc.INV_CHANDLE);
  const state = cb.u8(CPU_SET_STATE.state);
  if (!VALID_STATES.has(state)) return fail(CpuStateRc.INVALID_STATE);
  if (state === PvCpuState.OPERATING_LOAD) {
    const secrets = cpu.config.secrets;
    if (secrets === undefined || !cpu.config.verified) return fail(CpuStateRc.NOT_VERIFIED);
    cpu.snapshot.psw = { mask: secrets.psw.mask, addr: secrets.psw.addr };
    cpu.pendingInterception = undefined;
    cpu.state = PvCpuState.OPERATING;
    return ok();
  }
  cpu.state = state as PvCpuStateValue;
  return ok();
}

/** CPU_RESET: pending interception dropped; CPU_RESET_INITIAL / _CLEAR: registers as the architecture says. */
export function resetCpu(ctx: UvContext, cb: ControlBlock): UvResult {
  const cpu = ctx.cpus.get(cb.u64(NODATA.handle));
  if (cpu === undefined) return fail(UvRc.INV_CHANDLE);
  if (cb.cmd === UvCommand.CPU_RESET_INITIAL) cpu.snapshot = initialCpuResetSnapshot(cpu.snapshot);
  else if (cb.cmd === UvCommand.CPU_RESET_CLEAR) {
    cpu.snapshot.vrs.forEach((v) => v.fill(0));
    cpu.snapshot = clearResetSnapshot();
  }
  cpu.pendingInterception = undefined;
  cpu.state = PvCpuState.STOPPED;
  return ok();
}

/** PREPARE_RESET: [E] recorded; a later reset of every CPU completes it. */
export function prepareReset(ctx: UvContext, cb: ControlBlock): UvResult {
  const config = ctx.configs.get(cb.u64(NODATA.handle));
  if (config === undefined) return fail(UvRc.INV_GHANDLE);
  config.resetPrepared = true;
  return ok();
}
