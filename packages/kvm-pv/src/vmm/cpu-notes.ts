// A CPU's registers as the ELF dump's per-CPU notes carry them (docs/elf-core-format.md §5,
// docs/s390x-cpu.md §10): the adapter from the one register model (@pvdump/s390x-arch) to the
// dump model (@pvdump/dump-format's CpuState), used for the hypervisor's notes of a dump and for
// showing a CPU's state.
import { copyCpuRegisters, type CpuRegisters } from '@pvdump/s390x-arch';
import type { CpuState } from '@pvdump/dump-format';

/**
 * The notes' view of `registers`, as the thread with id `pid` (QEMU: CPU index + 1): the dump
 * model is the register model with `pid` and no further notes, so this is a copy (of the
 * registers only: a snapshot's BEAR has no note).
 */
export function cpuStateOfRegisters(registers: CpuRegisters, pid: number): CpuState {
  return { pid, ...copyCpuRegisters(registers), otherNotes: [] };
}
