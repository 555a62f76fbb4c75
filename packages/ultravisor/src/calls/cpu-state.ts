// CPU_SET_STATE, the three CPU resets and PREPARE_RESET (spec ultravisor.md §2 [P] state values;
// effects [E]): resets follow the architecture's CPU / initial / clear reset on the secure CPU's
// private registers; operating-load starts the CPU at the SE header's PSW the first time and,
// after that (a load-normal reset of the guest), at the short PSW at guest absolute 0.
import { clearResetSnapshot, initialCpuResetSnapshot } from '@pvdump/s390x-cpu/state';
import type { SecureConfiguration, UvContext, UvResult } from '../state.js';
import { CpuStateRc, PvCpuState, UvCommand, UvRc, type PvCpuStateValue } from '../uvc/codes.js';
import { CPU_SET_STATE, NODATA, type ControlBlock } from '../uvc/layout.js';
import { PAGE_SIZE } from '../storage/host-storage.js';
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
    if (!cpu.config.started) cpu.snapshot.psw = { mask: secrets.psw.mask, addr: secrets.psw.addr };
    else {
      const psw = loadNormalPsw(ctx, cpu.config);
      if (psw === undefined) return fail(CpuStateRc.NO_SECURE_PSW);
      cpu.snapshot.psw = psw;
    }
    cpu.config.started = true;
    cpu.pendingInterception = undefined;
    cpu.pendingStatusStore = undefined;
    cpu.state = PvCpuState.OPERATING;
    return ok();
  }
  cpu.state = state as PvCpuStateValue;
  return ok();
}

const SHORT_PSW_BIT = 0x0008000000000000n;
const SHORT_CTRL = 0xffffffff80000000n;
const SHORT_ADDR = 0x000000007fffffffn;

/**
 * [E] The load-normal PSW of a secure guest reset by DIAGNOSE 0x308 subcode 0 or 1 (QEMU leaves
 * it to the firmware for a PV guest): the short PSW at guest absolute 0, read from its secure
 * page, bit 12 inverted so that a PSW without it is a specification exception when run.
 */
function loadNormalPsw(ctx: UvContext, config: SecureConfiguration): { mask: bigint; addr: bigint } | undefined {
  const hostPage = config.securePages.get(0);
  if (hostPage === undefined) return undefined;
  const bytes = ctx.storage.read(hostPage * PAGE_SIZE, 8);
  const short = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0);
  return { mask: (short & SHORT_CTRL) ^ SHORT_PSW_BIT, addr: short & SHORT_ADDR };
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
  cpu.pendingStatusStore = undefined;
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
