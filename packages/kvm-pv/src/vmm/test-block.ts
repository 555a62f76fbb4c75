// TEST BLOCK (privileged, intercepted; served by the host as KVM's handle_test_block does): the
// 4 KiB block at the real address in R2 (page-aligned, after wrapping to the addressing mode) is
// cleared, cc 0 (usable) and GR0 = 0. Low-address protection (CR0 bit 35) on block 0 or 1's
// first 512 bytes: protection exception; the block outside guest memory: addressing exception.
import { PGM_ADDRESSING, PGM_PROTECTION } from '@pvdump/s390x-cpu';
import { RunOffset, type StructBytes } from '../uapi/structs.js';
import { RealStorage, withGuestAccess } from './guest-access.js';
import type { HostMachine, MachineStop, VcpuHandle } from './host.js';

const BLOCK = 0x1000;
const CR0_LOW_ADDRESS_PROTECTION = 1n << 28n;
const PSW_EA = 0x0000000100000000n;
const PSW_BA = 0x0000000080000000n;

export function handleTestBlock(m: HostMachine, v: VcpuHandle, run: StructBytes, ipb: number): MachineStop | undefined {
  const r2 = (ipb >>> 16) & 0xf;
  const mask = run.u64(RunOffset.pswMask);
  const wrap = (mask & PSW_EA) !== 0n ? 0xffffffffffffffffn : (mask & PSW_BA) !== 0n ? 0x7fffffffn : 0xffffffn;
  const address = m.gprs(run)[r2]! & wrap & ~BigInt(BLOCK - 1);
  const lap = (run.u64(RunOffset.syncCrs) & CR0_LOW_ADDRESS_PROTECTION) !== 0n;
  if (lap && (address === 0n || address === BigInt(BLOCK))) return m.programInterruption(v, run, PGM_PROTECTION);
  const real = new RealStorage(m, run);
  if (!real.valid(address, BLOCK)) return m.programInterruption(v, run, PGM_ADDRESSING);
  return withGuestAccess(m, v, run, () => {
    real.write(address, new Uint8Array(BLOCK));
    m.complete(v, run, 0, new Map([[0, 0n]]));
    return undefined;
  });
}
