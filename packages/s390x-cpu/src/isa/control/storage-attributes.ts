// EXTRACT AND SET STORAGE ATTRIBUTES (ESSA, B9AB, RRF-c: R1, R2, M3), the instruction of the
// collaborative memory management assist (CMMA; docs/s390x-cpu.md §8). The block usage and
// content states it reads and sets are the hypervisor's record of guest storage (KVM keeps them
// in its page tables), so the CPU recognises the privileged-operation exception and hands the
// instruction on: the host checks whether the configuration has CMMA (else an operation
// exception), the operation request code in M3 (else a specification exception) and the block
// R2 designates, sets the state and puts the old one in R1. binutils has no mnemonic for it
// (objdump prints `.long`); the table gives the architecture's name and operand order.

import { defPriv } from '../define.js';
import type { InstructionDef } from '../types.js';

export const storageAttributeInstructions: InstructionDef[] = [defPriv('essa', 0xb9ab, 'RRF-c', 'r:R1,r:R2,m:M3', (cpu, a, b) => cpu.intercept('essa', 'RRF-c', a, b))];
