// PERFORM TOPOLOGY FUNCTION in the SIE (KVM with the configuration-topology facility, Linux
// v6.0 arch/s390/kvm: ECB_PTF, the SCA's modified-topology-change report): function code 2 with
// no reserved bit is interpreted — cc 1 when the VM's topology-change report is pending (which
// clears it), else cc 0. Every other PTF (polarization requests, reserved bits, undefined
// codes) goes to user space as an instruction interception; the VMM sets and clears the report
// with the KVM_S390_VM_CPU_TOPOLOGY attribute.
import type { Cpu, InstructionInterception } from '@pvdump/s390x-cpu';
import type { VcpuVm } from './kvm-objects.js';

const FC_CHECK_REPORT = 2n;

/** Completes an intercepted PTF (plain or secure vCPU) when the SIE interprets it; false hands it to user space. */
export function performTopologyFunction(cpu: Cpu, vm: VcpuVm, interception: InstructionInterception): boolean {
  if (cpu.getGpr(interception.fields.R1 ?? 0) !== FC_CHECK_REPORT) return false;
  cpu.completeInterception();
  cpu.cc = vm.topologyChangeReport ? 1 : 0;
  vm.topologyChangeReport = false;
  return true;
}
