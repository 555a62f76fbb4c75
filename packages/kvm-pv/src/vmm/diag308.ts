// DIAGNOSE 0x308, IPL functions (QEMU 7.2 target/s390x/diag.c; docs/s390x-cpu.md §6): R1 the
// parameter-block address (even register), R3 the subcode.
// - Subcode above 0xFFFF: specification exception. A subcode with a registered handler (the
//   protected-virtualization subcodes 8-10 register theirs) goes to it.
// - 0 (reset modified clear): every CPU gets a clear reset and is stopped, then the issuing CPU
//   loads the short PSW at absolute 0 ("load normal": its bit 12 inverted) and runs.
// - 1 (reset load normal): the other CPUs get a CPU reset and are stopped, the issuing CPU an
//   initial CPU reset, then load normal as above.
// - 0 and 1 of a secure guest (QEMU's s390_pv_prepare_reset and PV load normal): the vCPUs are
//   stopped, shared pages unshared (KVM_PV_VM_UNSHARE_ALL) and the reset prepared
//   (KVM_PV_PREP_RESET) before the resets above (KVM turns them into the UV's CPU resets); the
//   issuing CPU is then set load and operating, and the UV loads the short PSW at the guest's
//   absolute 0 from its secure storage. The guest stays secure.
// - 3 (load clear, re-IPL): every CPU gets a clear reset and is stopped, the kernel image and
//   command line are loaded again and CPU 0 starts at the IPL PSW.
// - 5 (set IPL parameters), 6 (store them): R1 odd or the block not on a 4 KiB boundary →
//   specification exception; the 4 KiB block outside guest memory → addressing exception. Set
//   keeps a block whose length fits 4 KiB and whose type is CCW (≥ 200 bytes), FCP (≥ 384) or
//   QEMU SCSI (≥ 200): R1+1 = 0x0001, else 0x0402. Store writes the kept block (R1+1 = 0x0001) or,
//   with none set (a `-kernel` boot has no IPL device), answers 0x0102.
// - Anything else (2 release HSA, 4, ...): specification exception.
// Subcodes 0, 1 and 3 reset the machine: a guest acting as UV host finds its UV uninitialised,
// every page's CMMA state is reset (stable, no no-DAT bit), and the topology is horizontally
// polarized with no topology-change report.
import { PGM_ADDRESSING, PGM_SPECIFICATION } from '@pvdump/s390x-cpu';
import { Ioctl, MpState } from '../uapi/constants.js';
import type { DiagnoseCall, DiagnoseHandler, MachineStop } from './host.js';
import { RealStorage, withGuestAccess } from './guest-access.js';

/**
 * Response codes in R1+1 (QEMU's DIAG_308_RC_*), for the IPL subcodes here and the protected
 * virtualization subcodes 8-10 (pv-ipl.ts): OK, no IPL parameters set (0x0102), an invalid block
 * (0x0402), no PV block set (0x0902), the protected switch failed (0x0A02).
 */
export const Diag308Rc = { OK: 0x0001, NO_CONF: 0x0102, INVALID: 0x0402, NO_PV_CONF: 0x0902, INVALID_FOR_PV: 0x0a02 } as const;

const IPLB_SIZE = 4096;
const IPL_TYPE_MIN_LENGTH: ReadonlyMap<number, number> = new Map([
  [0x00, 384], // FCP
  [0x02, 200], // CCW
  [0xff, 200], // QEMU SCSI
]);
/** Short-PSW bit 12 and the parts of an 8-byte short PSW (load normal). */
const SHORT_PSW_BIT = 0x0008000000000000n;
const SHORT_CTRL = 0xffffffff80000000n;
const SHORT_ADDR = 0x000000007fffffffn;

export function handleDiag308(subcodes: ReadonlyMap<number, DiagnoseHandler>, call: DiagnoseCall): MachineStop | undefined {
  const { m, v, run, r3, gprs } = call;
  const subcode = gprs[r3]!;
  if (subcode > 0xffffn) return m.programInterruption(v, run, PGM_SPECIFICATION);
  const registered = subcodes.get(Number(subcode));
  if (registered !== undefined) return registered(call);
  switch (Number(subcode)) {
    case 0:
    case 1:
      resetAndLoadNormal(call, Number(subcode) === 0);
      return undefined;
    case 3:
      m.reIpl();
      return undefined;
    case 5:
    case 6:
      return parameterBlock(call, Number(subcode) === 6);
    default:
      return m.programInterruption(v, run, PGM_SPECIFICATION);
  }
}

function resetAndLoadNormal({ m, v }: DiagnoseCall, clear: boolean): void {
  m.resetGuestUltravisor();
  m.resetStorageAttributes();
  m.resetTopology();
  if (m.protected_) m.prepareProtectedReset();
  for (const c of m.vcpus) {
    const reset = clear ? Ioctl.KVM_S390_CLEAR_RESET : c.id === v.id ? Ioctl.KVM_S390_INITIAL_RESET : Ioctl.KVM_S390_NORMAL_RESET;
    m.process.ioctl(c.fd, reset);
    m.setMpState(c.id, MpState.STOPPED);
    m.halted.delete(c.id);
    m.pfaultTokens.delete(c.id);
  }
  if (m.protected_) m.setMpState(v.id, MpState.LOAD);
  else {
    const short = new DataView(m.readGuest(0, 8).buffer).getBigUint64(0);
    m.api.setInitialPsw(v.fd, { mask: (short & SHORT_CTRL) ^ SHORT_PSW_BIT, addr: short & SHORT_ADDR });
  }
  m.setMpState(v.id, MpState.OPERATING);
}

function parameterBlock({ m, v, run, r1, gprs }: DiagnoseCall, store: boolean): undefined {
  const address = gprs[r1]!;
  if ((r1 & 1) !== 0 || (address & 0xfffn) !== 0n) return m.programInterruption(v, run, PGM_SPECIFICATION);
  const real = new RealStorage(m, run);
  if (!real.valid(address, IPLB_SIZE)) return m.programInterruption(v, run, PGM_ADDRESSING);
  return withGuestAccess(m, v, run, () => {
    let rc: number;
    if (store) {
      if (m.iplParameterBlock === undefined) rc = Diag308Rc.NO_CONF;
      else {
        real.write(address, m.iplParameterBlock);
        rc = Diag308Rc.OK;
      }
    } else {
      const length = new DataView(real.read(address, 4).buffer).getUint32(0);
      const block = length <= IPLB_SIZE ? real.read(address, Math.max(length, 5)) : undefined;
      const minimum = block === undefined ? undefined : IPL_TYPE_MIN_LENGTH.get(block[4]!);
      if (block !== undefined && minimum !== undefined && length >= minimum) {
        m.iplParameterBlock = block.slice(0, length);
        rc = Diag308Rc.OK;
      } else rc = Diag308Rc.INVALID;
    }
    m.complete(v, run, m.ccOf(run), new Map([[r1 + 1, BigInt(rc)]]));
    return undefined;
  });
}
