// DIAGNOSE (intercepted; privileged, so only supervisor state gets here) dispatched by function
// code, the second-operand address's low 16 bits (PoO "DIAGNOSE"; docs/s390x-cpu.md §6). R1 and
// R3 come from the instruction (RS: ipa bits 4-7 and 0-3). Handlers register per code, and
// DIAGNOSE 0x308 dispatches again per subcode (diag308.ts), so other subcodes (the protected-
// virtualization ones) can be added from their own file with `registerDiag308Subcode`.
// Codes here, as the s390-ccw machine on KVM answers them:
// - 0x10 release pages (R1 start, R3 end page, real): not page aligned, end before start, or
//   touching the first two pages: specification exception; else the pages are discarded (read as
//   zero afterwards, as discarded anonymous memory does).
// - 0x44 time-slice end, 0x9C directed yield: the vCPU's turn ends.
// - 0x258 page-reference services (pfault handshake, diag258.ts).
// - 0x288 watchdog (diag288.ts, only with the watchdog device).
// - 0x318 (control-program name and version): not offered (SCLP read info byte 134 bit 0 is
//   off), so a specification exception, as QEMU's emulated CPU gives.
// - 0x500 virtio hypercall: completes with cc unchanged (notifications need no work here).
// - Anything else: specification exception.
import { PGM_SPECIFICATION } from '@pvdump/s390x-cpu';
import type { StructBytes } from '../uapi/structs.js';
import { RealStorage, withGuestAccess } from './guest-access.js';
import { handleDiag258 } from './diag258.js';
import { handleDiag308 } from './diag308.js';
import type { DiagnoseCall, DiagnoseHandler, HostMachine, MachineStop, VcpuHandle } from './host.js';
import type { Watchdog } from './diag288.js';

const PAGE = 0x1000;

export class DiagnoseDispatcher {
  private readonly codes = new Map<number, DiagnoseHandler>();
  /** DIAGNOSE 0x308 subcodes (R3's value) with their handlers. */
  readonly diag308Subcodes = new Map<number, DiagnoseHandler>();

  constructor(
    private readonly m: HostMachine,
    watchdog: Watchdog | undefined,
  ) {
    this.register(0x10, releasePages);
    this.register(0x44, yieldTurn);
    this.register(0x9c, yieldTurn);
    this.register(0x258, handleDiag258);
    this.register(0x308, (call) => handleDiag308(this.diag308Subcodes, call));
    if (watchdog !== undefined) this.register(0x288, (call) => watchdog.diagnose(call));
    this.register(0x500, (call) => (call.m.complete(call.v, call.run, call.m.ccOf(call.run)), undefined));
  }

  /** Serves DIAGNOSE `code` with `handler` (replacing any earlier one). */
  register(code: number, handler: DiagnoseHandler): void {
    this.codes.set(code, handler);
  }

  /** Serves DIAGNOSE 0x308 subcode `subcode` with `handler`. */
  registerDiag308Subcode(subcode: number, handler: DiagnoseHandler): void {
    this.diag308Subcodes.set(subcode, handler);
  }

  dispatch(v: VcpuHandle, run: StructBytes, ipa: number, ipb: number): MachineStop | undefined {
    const m = this.m;
    const code = Number(m.operandAddress(run, ipb) & 0xffffn);
    const handler = this.codes.get(code);
    if (handler === undefined) return m.programInterruption(v, run, PGM_SPECIFICATION);
    return handler({ m, v, run, code, r1: (ipa >> 4) & 0xf, r3: ipa & 0xf, gprs: m.gprs(run) });
  }
}

function yieldTurn({ m, v, run }: DiagnoseCall): undefined {
  m.complete(v, run, m.ccOf(run));
  m.yieldTurn(v);
  return undefined;
}

function releasePages({ m, v, run, r1, r3, gprs }: DiagnoseCall): undefined {
  const start = gprs[r1]!;
  const end = gprs[r3]! + BigInt(PAGE);
  if ((start & 0xfffn) !== 0n || (end & 0xfffn) !== 0n || start >= end || start < 2n * BigInt(PAGE)) return m.programInterruption(v, run, PGM_SPECIFICATION);
  return withGuestAccess(m, v, run, () => {
    const real = new RealStorage(m, run);
    const zero = new Uint8Array(PAGE);
    const last = end < BigInt(m.memorySize) ? end : BigInt(m.memorySize);
    for (let page = start; page < last; page += BigInt(PAGE)) real.write(page, zero);
    m.complete(v, run, m.ccOf(run));
    return undefined;
  });
}
