// SIGP SENSE RUNNING STATUS (order 0x15) in the kernel. KVM serves the sense orders in the kernel
// even when user space handles SIGP (KVM_CAP_S390_USER_SIGP keeps SENSE, EXTERNAL CALL, the
// emergency signals and SENSE RUNNING STATUS there; Linux v6.0 arch/s390/kvm/sigp.c), so the
// hot one of them does not leave KVM_RUN: a CPU address with no vCPU → cc 3; a vCPU that is
// running → cc 0 (order accepted); else the "not running" status (0x400) in R1's low word, cc 1.
// [E] A vCPU runs when it is operating and neither waits nor sleeps in an enabled wait (KVM: it is
// loaded on a host CPU), the same test the VMM's SENSE RUNNING STATUS makes.
import type { Cpu, InstructionInterception } from '@pvdump/s390x-cpu';

const ORDER_SENSE_RUNNING = 0x15;
const STATUS_NOT_RUNNING = 0x400n;

/** Whether the vCPU with `cpuAddress` runs, or undefined when the VM has no such vCPU. */
export type RunningProbe = (cpuAddress: number) => boolean | undefined;

/** Completes an intercepted SIGP SENSE RUNNING STATUS of a plain vCPU; false hands any other order to user space. */
export function senseRunningStatus(cpu: Cpu, running: RunningProbe, interception: InstructionInterception): boolean {
  if (interception.operandAddress === undefined || Number(interception.operandAddress & 0xffn) !== ORDER_SENSE_RUNNING) return false;
  const r1 = interception.fields.R1 ?? 0;
  const r3 = interception.fields.R3 ?? 0;
  const state = running(Number(cpu.getGpr(r3) & 0xffffn));
  cpu.completeInterception();
  if (state === undefined) cpu.cc = 3;
  else if (state) cpu.cc = 0;
  else {
    cpu.setGpr(r1, (cpu.getGpr(r1) & 0xffffffff00000000n) | STATUS_NOT_RUNNING);
    cpu.cc = 1;
  }
  return true;
}
