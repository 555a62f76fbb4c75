// START INTERPRETIVE EXECUTION (SIE, B214, S format; the SIE architecture as Linux KVM and
// kvm-unit-tests use it, docs/s390x-cpu.md): the second-operand address designates the state
// description of the guest CPU to run. The run-loop layer (`cpu/sie/`) runs the guest until an
// interception or a host event and stores the guest state back; without it SIE is an operation
// exception (no SIEF2).

import { defPriv } from '../define.js';
import { fB2, fD2 } from '../fields.js';
import type { InstructionDef } from '../types.js';
import { PGM_OPERATION, ProgramException } from '../../core/exceptions.js';

export const interpretiveInstructions: InstructionDef[] = [
  defPriv('sie', 0xb214, 'S', 'db:2', (cpu, a) => {
    const run = cpu.interpretiveExecution;
    if (run === undefined) throw new ProgramException(PGM_OPERATION);
    run(cpu.ea(0, fB2(a), fD2(a)));
  }),
];
