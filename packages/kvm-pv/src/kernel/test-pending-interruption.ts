// TEST PENDING INTERRUPTION in the kernel, as KVM's handle_tpi does it (PoO 14 "TEST PENDING
// INTERRUPTION"): the oldest floating I/O interruption of a subclass CR6 enables is taken off the
// queue, whatever the PSW's I/O mask; its code goes to the second operand (subsystem-identification
// word and interruption parameter) or, for operand address 0, into the lowcore at real 184 (with
// the interruption-identification word), cc 1; nothing pending: cc 0. An access exception on the
// operand puts the interruption back and is presented instead. The CPU has checked the word
// alignment (specification exception) before it intercepted.
import { ProgramException, type Cpu, type InstructionInterception } from '@pvdump/s390x-cpu';
import type { VcpuVm } from './kvm-objects.js';

const LOWCORE_SUBSYSTEM_ID = 0xb8;

/** Completes an intercepted TPI on a plain vCPU; true (the CPU runs on). */
export function testPendingInterruption(cpu: Cpu, vm: VcpuVm, interception: InstructionInterception): boolean {
  const address = Number(interception.operandAddress ?? 0n);
  const io = vm.takeIo(cpu.getCr(6));
  cpu.completeInterception();
  if (io === undefined) {
    cpu.cc = 0;
    return true;
  }
  if (address === 0) {
    cpu.writeRealU32(LOWCORE_SUBSYSTEM_ID, io.subsystemId);
    cpu.writeRealU32(LOWCORE_SUBSYSTEM_ID + 4, io.parameter);
    cpu.writeRealU32(LOWCORE_SUBSYSTEM_ID + 8, io.identification);
    cpu.cc = 1;
    return true;
  }
  try {
    // Stored with the PSW key as the guest's own store; both words are checked first (they may cross a page).
    cpu.probe(address, 8, true);
    cpu.writeU32(address, io.subsystemId);
    cpu.writeU32(address + 4, io.parameter);
    cpu.cc = 1;
  } catch (e) {
    if (!(e instanceof ProgramException)) throw e;
    vm.returnIo(io);
    // As KVM injects it for the intercepted instruction: the PSW rewound to it, its length as the ILC.
    const psw = cpu.getPsw();
    cpu.setPsw({ mask: psw.mask, addr: psw.addr - BigInt(interception.length) });
    cpu.deliverProgramInterruption(e.code, interception.length, 0, e.teid);
  }
  return true;
}
