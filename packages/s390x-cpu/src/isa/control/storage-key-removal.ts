// The storage-key-removal facility (169), which the Ultravisor gives secure guests (kvm-unit-tests
// s390x/skrf.c checks it): the CPU has no storage keys. SSKE, ISKE, IVSK, RRBE and RRBM are
// special-operation exceptions, and so are PFMF asking to set a key, SPKA and TPROT with a
// non-zero key, and LPSW/LPSWE loading a non-zero PSW key (the PSW stays as it was). A PSW with a
// non-zero key that an interruption loads is invalid (cpu-core's setPsw: the early specification
// exception of any PSW format error). The facilities built on storage keys (10 conditional SSKE,
// 14 non-quiescing key setting, 66 RRBM, 145 ISKE's reference bits multiple, 149 move page and set
// key) are then absent from the facility list (the CPU model's business, not checked here).

import type { CpuCore } from '../../core/cpu-core.js';
import { PGM_SPECIAL_OPERATION, ProgramException } from '../../core/exceptions.js';

export const STORAGE_KEY_REMOVAL_FACILITY = 169;

/** Special-operation exception when the CPU has removed storage keys. */
export function requireStorageKeys(cpu: CpuCore): void {
  if (cpu.hasFacility(STORAGE_KEY_REMOVAL_FACILITY)) throw new ProgramException(PGM_SPECIAL_OPERATION);
}

/** Special-operation exception when the CPU has removed storage keys and `key` is not zero. */
export function requireKeyZeroWithoutStorageKeys(cpu: CpuCore, key: number): void {
  if (key !== 0) requireStorageKeys(cpu);
}

/** `semantics` of a storage-key instruction: a special-operation exception when the CPU has removed storage keys. */
export function storageKeyInstruction<A extends unknown[]>(semantics: (cpu: CpuCore, ...operands: A) => void): (cpu: CpuCore, ...operands: A) => void {
  return (cpu, ...operands) => {
    requireStorageKeys(cpu);
    semantics(cpu, ...operands);
  };
}
