// PERFORM TOPOLOGY FUNCTION (intercepted to user space; QEMU 8.2's s390_handle_ptf): R1 from the
// instruction's RRE fields, the polarization request completed by the machine's topology
// (topology.ts). A change makes the topology-change report pending in KVM
// (KVM_S390_VM_CPU_TOPOLOGY) for the report check the SIE interprets.
import { PGM_SPECIFICATION } from '@pvdump/s390x-cpu';
import type { StructBytes } from '../uapi/structs.js';
import { VmAttr, errnoName } from '../uapi/constants.js';
import { MachineError, type HostMachine, type MachineStop, type VcpuHandle } from './host.js';

export function handlePtf(m: HostMachine, v: VcpuHandle, run: StructBytes, ipb: number): MachineStop | undefined {
  const r1 = (ipb >>> 20) & 0xf;
  const result = m.topology.performTopologyFunction(m.gprs(run)[r1]!);
  if (result.kind === 'specification') return m.programInterruption(v, run, PGM_SPECIFICATION);
  if (result.reportChanged) setTopologyChangeReport(m, true);
  m.complete(v, run, result.cc, new Map([[r1, result.r1]]));
  return undefined;
}

/** Sets or clears the VM's topology-change report (QEMU's s390_cpu_topology_set_changed). */
export function setTopologyChangeReport(m: HostMachine, pending: boolean): void {
  const r = m.api.setVmAttribute(m.vmFd, VmAttr.CPU_TOPOLOGY, pending ? 1 : 0);
  if (r < 0) throw new MachineError(`KVM_SET_DEVICE_ATTR (topology-change report) failed: ${errnoName(r)}`);
}
