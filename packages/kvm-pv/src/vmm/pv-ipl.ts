// DIAGNOSE 0x308 for Secure Execution boot (QEMU 7.2's handle_diag_308 and its S390_RESET_PV
// reset; fixtures/genprotimg-2.35/README.md "Boot path"): R1 holds the parameter block's address,
// R3 the subcode, the response code goes to R1+1.
// - 8 (PV set): reads the PV IPL parameter block (@pvdump/ultravisor/protected-image) from guest
//   absolute R1, checks it as QEMU does and keeps it: 0x0001, or 0x0402 for any bad block.
// - 9 (PV store): writes the kept block back to R1: 0x0001, or 0x0102 when there is none.
// - 10 (PV start): 0x0902 without a block; otherwise the protected switch (machine.ts `protect`)
//   with the SE header the block points to and one UNPACK per component (tweak[0] = its tweak
//   prefix, the size rounded up to a page), the calling vCPU starting at the header's PSW. A
//   failed switch is reported (the VMM's log), undone with KVM_PV_DISABLE, and the guest goes on
//   after the DIAGNOSE with 0x0A02 in R1+1 (s390_pv_inject_reset_error).
// `keepPvIplBlock` (subcode 8's checks) and `switchToProtected` (subcode 10's VMM steps) are also
// what the machine's direct boot of an image runs, so both boots share one unpack sequence.
// Program interruptions as QEMU: a subcode beyond 16 bits, or 8-10 without the unpack facility
// (161), or for 8/9 an odd R1 or an R1 not 4 KiB-aligned: specification; a 4 KiB block beyond
// guest memory: addressing. [E] For a protected guest subcodes 8 and 9 read and write through
// the host path, like the SCLP console (the secure instruction data area is not modelled).
import { PGM_ADDRESSING, PGM_SPECIFICATION } from '@pvdump/s390x-cpu';
import { IPL_BLOCK_MAX_LENGTH, PvIplBlockError, decodePvIplBlock, pvIplBlockLength } from '@pvdump/ultravisor/protected-image';
import { UNPACK_FACILITY } from '../kernel/host-kernel.js';
import { MpState } from '../uapi/constants.js';
import type { DiagnoseDispatcher } from './diag.js';
import { Diag308Rc } from './diag308.js';
import { MachineError, type DiagnoseCall, type HostMachine, type MachineStop, type VcpuHandle } from './host.js';

export const Diag308Subcode = { PV_SET: 8, PV_STORE: 9, PV_START: 10 } as const;

/** One image component the protected switch unpacks: KVM_PV_UNPACK's {addr, size, tweak}. */
export interface UnpackComponent {
  address: bigint;
  size: bigint;
  tweak: bigint;
}

/** What the PV IPL needs of the machine beyond the host services' view. */
export interface PvIplMachine extends HostMachine {
  pvIplBlock: Uint8Array | undefined;
  /** The facilities the guest sees (the unpack facility decides whether subcodes 8-10 exist). */
  readonly options: { kernel: { guestFacilities: readonly number[] } };
  protect(seHeader: Uint8Array, components: readonly UnpackComponent[], bootCpu: VcpuHandle): void;
  unprotect(): void;
  report(line: string): void;
}

const PAGE_SIZE = 4096n;

/** Serves subcodes 8, 9 and 10 of DIAGNOSE 0x308 on `m`. */
export function registerPvIpl(dispatcher: DiagnoseDispatcher, m: PvIplMachine): void {
  for (const subcode of Object.values(Diag308Subcode)) dispatcher.registerDiag308Subcode(subcode, (call) => handlePvSubcode(m, call, subcode));
}

function handlePvSubcode(m: PvIplMachine, call: DiagnoseCall, sub: number): MachineStop | undefined {
  const { v, run, r1, gprs } = call;
  const address = gprs[r1]!;
  // [E] R1 = 15 puts the response code in GPR 0 (QEMU writes past its register array).
  const rcRegister = (r1 + 1) & 0xf;
  const respond = (rc: number): undefined => {
    m.complete(v, run, 0, new Map([[rcRegister, BigInt(rc)]]));
    return undefined;
  };
  if (!m.options.kernel.guestFacilities.includes(UNPACK_FACILITY)) return m.programInterruption(v, run, PGM_SPECIFICATION);
  if (sub === Diag308Subcode.PV_SET || sub === Diag308Subcode.PV_STORE) {
    if (!m.protected_ && ((r1 & 1) !== 0 || address % PAGE_SIZE !== 0n)) return m.programInterruption(v, run, PGM_SPECIFICATION);
    if (address + BigInt(IPL_BLOCK_MAX_LENGTH) > BigInt(m.memorySize)) return m.programInterruption(v, run, PGM_ADDRESSING);
    return respond(sub === Diag308Subcode.PV_SET ? setBlock(m, Number(address)) : storeBlock(m, Number(address)));
  }
  if (m.pvIplBlock === undefined) return respond(Diag308Rc.NO_PV_CONF);
  return startProtected(m, v, run, rcRegister);
}
/** Subcode 8: the block's length first, then that many bytes, then QEMU's checks. */
function setBlock(m: PvIplMachine, address: number): number {
  const length = pvIplBlockLength(m.readGuest(address, 4));
  if (length > IPL_BLOCK_MAX_LENGTH) return Diag308Rc.INVALID;
  return keepPvIplBlock(m, m.readGuest(address, length));
}

/**
 * Subcode 8's checks on a block of at most 4 KiB (in a zeroed page, as QEMU reads it): a valid
 * block is kept as `pvIplBlock` (0x0001), anything else answers 0x0402.
 */
export function keepPvIplBlock(m: PvIplMachine, block: Uint8Array): number {
  if (block.length > IPL_BLOCK_MAX_LENGTH) return Diag308Rc.INVALID;
  const page = new Uint8Array(IPL_BLOCK_MAX_LENGTH);
  page.set(block);
  try {
    decodePvIplBlock(page, { guestMemorySize: m.memorySize });
  } catch (e) {
    if (e instanceof PvIplBlockError) return Diag308Rc.INVALID;
    throw e;
  }
  m.pvIplBlock = page.slice(0, block.length);
  return Diag308Rc.OK;
}

/** Subcode 9: the kept block, `length` bytes, back into guest memory. */
function storeBlock(m: PvIplMachine, address: number): number {
  if (m.pvIplBlock === undefined) return Diag308Rc.NO_CONF;
  m.writeGuest(address, m.pvIplBlock);
  return Diag308Rc.OK;
}

/**
 * Subcode 10's VMM steps from the kept block (QEMU's s390_machine_protect): the SE header it
 * points to, one UNPACK per component (tweak[0] = its tweak prefix, the size rounded up to a
 * page), `bootCpu` loading the header's PSW and the others stopped. Throws `MachineError` naming
 * the failed step; the VM may then be half protected (`unprotect` undoes it).
 */
export function switchToProtected(m: PvIplMachine, bootCpu: VcpuHandle): void {
  if (m.pvIplBlock === undefined) throw new MachineError('no PV IPL parameter block is set (DIAGNOSE 0x308 subcode 8)');
  const page = new Uint8Array(IPL_BLOCK_MAX_LENGTH);
  page.set(m.pvIplBlock);
  const block = decodePvIplBlock(page);
  const components: UnpackComponent[] = block.components.map((c) => ({
    address: c.address,
    size: (c.length + PAGE_SIZE - 1n) & ~(PAGE_SIZE - 1n),
    tweak: c.tweakPrefix,
  }));
  const seHeader = m.readGuest(Number(block.seHeaderAddress), Number(block.seHeaderLength));
  m.protect(seHeader, components, bootCpu);
}

/** Subcode 10: the other vCPUs stop, the protected switch runs, and the calling vCPU boots the secure image. */
function startProtected(m: PvIplMachine, v: VcpuHandle, run: DiagnoseCall['run'], rcRegister: number): MachineStop | undefined {
  try {
    switchToProtected(m, v);
    return undefined;
  } catch (e) {
    if (!(e instanceof MachineError)) throw e;
    m.report(e.message);
    m.unprotect();
    // The guest goes on after the DIAGNOSE and learns that the switch failed.
    m.complete(v, run, 0, new Map([[rcRegister, BigInt(Diag308Rc.INVALID_FOR_PV)]]));
    for (const other of m.vcpus) if (other !== v) m.setMpState(other.id, MpState.STOPPED);
    m.setMpState(v.id, MpState.OPERATING);
    return undefined;
  }
}
