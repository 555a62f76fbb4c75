// Executes one UV control block (spec ultravisor.md §1-§4 [P]): requires INIT_UV before
// configuration calls (rc 3), then checks header.len against the command's size (rc 5), runs the
// handler, and writes rc/rrc into the header. Returns the condition code. The state comes before
// the length as on the machine: kvm-unit-tests' uv-host gets rc 3 before INIT_UV for every call,
// whatever length it gives.
import { createSecureConfiguration, createSecureCpu, destroySecureConfiguration, destroySecureCpu, initUv } from '../calls/lifecycle.js';
import { prepareReset, resetCpu, setCpuState } from '../calls/cpu-state.js';
import { dumpComplete, dumpCpu, dumpInit, dumpStorageState } from '../calls/dump.js';
import { setSecureConfigurationParameters, unpackImage, verifyImage } from '../calls/image.js';
import { query } from '../calls/query.js';
import { fail } from '../calls/result.js';
import { changeSharedAccess, convertFromSecure, convertToSecure, destroySecurePage, pinOrUnpinShared, setUnshareAll } from '../calls/storage.js';
import { SecureCpuError } from '../errors.js';
import type { HostOperandReader, UvContext, UvResult } from '../state.js';
import { UvCommand, UvRc } from './codes.js';
import { UVCB_HEADER, UVCB_SIZE, type ControlBlock } from './layout.js';

type HostHandler = (ctx: UvContext, cb: ControlBlock) => UvResult;

const HOST_HANDLERS: Readonly<Record<number, HostHandler>> = {
  [UvCommand.INIT_UV]: initUv,
  [UvCommand.CREATE_SEC_CONF]: createSecureConfiguration,
  [UvCommand.DESTROY_SEC_CONF]: destroySecureConfiguration,
  [UvCommand.CREATE_SEC_CPU]: createSecureCpu,
  [UvCommand.DESTROY_SEC_CPU]: destroySecureCpu,
  [UvCommand.CONV_TO_SEC_STOR]: convertToSecure,
  [UvCommand.CONV_FROM_SEC_STOR]: convertFromSecure,
  [UvCommand.DESTR_SEC_STOR]: destroySecurePage,
  [UvCommand.PIN_PAGE_SHARED]: pinOrUnpinShared,
  [UvCommand.UNPIN_PAGE_SHARED]: pinOrUnpinShared,
  [UvCommand.SET_SEC_CONF_PARAMS]: setSecureConfigurationParameters,
  [UvCommand.UNPACK_IMG]: unpackImage,
  [UvCommand.VERIFY_IMG]: verifyImage,
  [UvCommand.CPU_RESET]: resetCpu,
  [UvCommand.CPU_RESET_INITIAL]: resetCpu,
  [UvCommand.CPU_RESET_CLEAR]: resetCpu,
  [UvCommand.PREPARE_RESET]: prepareReset,
  [UvCommand.CPU_SET_STATE]: setCpuState,
  [UvCommand.SET_UNSHARE_ALL]: setUnshareAll,
  [UvCommand.DUMP_INIT]: dumpInit,
  [UvCommand.DUMP_CONF_STOR_STATE]: dumpStorageState,
  [UvCommand.DUMP_CPU]: dumpCpu,
  [UvCommand.DUMP_COMPLETE]: dumpComplete,
};

function finish(cb: ControlBlock, result: UvResult): number {
  cb.setResult(result.rc, result.rrc);
  return result.cc;
}

function lengthMatches(cb: ControlBlock): boolean {
  return cb.len === UVCB_SIZE[cb.cmd] && cb.bytes.length >= cb.len;
}

/**
 * A UVC issued by the host (hypervisor). `readOperand` reaches storage operands the control
 * block names by host virtual address (default: host absolute storage).
 */
export function executeHostCall(ctx: UvContext, cb: ControlBlock, readOperand?: HostOperandReader): number {
  if (cb.bytes.length < UVCB_HEADER.size) throw new RangeError(`UV control block of ${cb.bytes.length} bytes is shorter than its 8-byte header`);
  if (cb.cmd === UvCommand.QUERY) return finish(cb, query(cb, 'host'));
  const handler = HOST_HANDLERS[cb.cmd];
  if (handler === undefined) return finish(cb, fail(UvRc.INV_CMD));
  if (cb.cmd !== UvCommand.INIT_UV && ctx.uvStorage === undefined) return finish(cb, fail(UvRc.INV_STATE));
  if (!lengthMatches(cb)) return finish(cb, fail(UvRc.INV_LEN));
  ctx.hostOperandReader = readOperand;
  try {
    return finish(cb, handler(ctx, cb));
  } finally {
    ctx.hostOperandReader = undefined;
  }
}

/** A UVC issued by a secure guest CPU (`cpuHandle`): only the guest calls are valid. */
export function executeGuestCall(ctx: UvContext, cpuHandle: bigint, cb: ControlBlock): number {
  if (cb.bytes.length < UVCB_HEADER.size) throw new RangeError(`UV control block of ${cb.bytes.length} bytes is shorter than its 8-byte header`);
  const cpu = ctx.cpus.get(cpuHandle);
  if (cpu === undefined) throw new SecureCpuError(`guest UV call from an unknown secure CPU (handle 0x${cpuHandle.toString(16)})`);
  if (cb.cmd === UvCommand.QUERY) return finish(cb, query(cb, 'guest'));
  const shared = cb.cmd === UvCommand.SET_SHARED_ACCESS ? true : cb.cmd === UvCommand.REMOVE_SHARED_ACCESS ? false : undefined;
  if (shared === undefined) return finish(cb, fail(UvRc.INV_CMD));
  if (!lengthMatches(cb)) return finish(cb, fail(UvRc.INV_LEN));
  return finish(cb, changeSharedAccess(ctx, cpu.config, cb, shared));
}
