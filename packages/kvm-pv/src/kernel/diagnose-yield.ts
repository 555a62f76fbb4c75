// DIAGNOSE 0x44 (time-slice end) and 0x9C (directed yield) in the kernel, as KVM serves them
// (Linux v6.0 arch/s390/kvm/diag.c, __diag_time_slice_end and __diag_time_slice_end_directed):
// neither leaves KVM_RUN, neither changes a register or the condition code. 0x44 gives the host
// CPU to another vCPU of the VM that can run (kvm_vcpu_on_spin); 0x9C to the vCPU whose CPU
// address is in R1, when that is another vCPU that can run and is not running (kvm_vcpu_yield_to),
// else it does nothing. [E] One host thread runs every vCPU here, so another vCPU that can run is
// never running at the same time: a yield ends this vCPU's time slice (KVM_RUN returns as after
// a signal) and the VMM's next round runs the others first.
import type { Cpu, InstructionInterception } from '@pvdump/s390x-cpu';

const TIME_SLICE_END = 0x44;
const DIRECTED_YIELD = 0x9c;

/** The other vCPUs of the VM, as the yield sees them. */
export interface YieldTargets {
  /** Whether some vCPU other than this one could run now (operating, not waiting, not asleep). */
  anotherCanRun(): boolean;
  /** Whether the vCPU with `cpuAddress` is another vCPU that could run now. */
  canRun(cpuAddress: number): boolean;
}

/**
 * Completes an intercepted DIAGNOSE 0x44 or 0x9C (the code is the operand address's low 16
 * bits): 'run-on' when the vCPU keeps its time slice, 'yield' when it ends it; undefined for
 * any other instruction or code (user space's).
 */
export function diagnoseYield(cpu: Cpu, targets: YieldTargets, interception: InstructionInterception): 'run-on' | 'yield' | undefined {
  if (interception.mnemonic !== 'diag' || interception.operandAddress === undefined) return undefined;
  const code = Number(interception.operandAddress & 0xffffn);
  let yields: boolean;
  if (code === TIME_SLICE_END) yields = targets.anotherCanRun();
  else if (code === DIRECTED_YIELD) yields = targets.canRun(Number(cpu.getGpr(interception.fields.R1 ?? 0) & 0xffffffffn));
  else return undefined;
  cpu.completeInterception();
  return yields ? 'yield' : 'run-on';
}
