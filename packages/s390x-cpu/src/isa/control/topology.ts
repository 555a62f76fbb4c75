// PERFORM TOPOLOGY FUNCTION (PoO "PERFORM TOPOLOGY FUNCTION"; configuration-topology facility 11):
// B9A2, RRE with only R1 (`ptf %r1`), privileged. Without facility 11 in the CPU's list it is an
// operation exception; otherwise the hypervisor completes it (spec s390x-cpu.md: intercepted
// instructions): the function code in R1 bits 56-63 (0 horizontal, 1 vertical polarization, 2
// check the topology-change report), the condition code and the reason code in R1 bits 48-55
// are the configuration's, which only the hypervisor knows.

import { defPriv } from '../define.js';
import type { CpuCore } from '../../core/cpu-core.js';
import type { InsnA, InsnB } from '../fields.js';
import type { InstructionDef } from '../types.js';
import { PGM_OPERATION, ProgramException } from '../../core/exceptions.js';
import { CONFIGURATION_TOPOLOGY_FACILITY } from '../../core/facilities.js';

function performTopologyFunction(cpu: CpuCore, a: InsnA<'RRE'>, b: InsnB<'RRE'>): void {
  if (!cpu.hasFacility(CONFIGURATION_TOPOLOGY_FACILITY)) throw new ProgramException(PGM_OPERATION);
  cpu.intercept('ptf', 'RRE', a, b);
}

export const topologyInstructions: InstructionDef[] = [defPriv('ptf', 0xb9a2, 'RRE', 'r:R1', performTopologyFunction)];
