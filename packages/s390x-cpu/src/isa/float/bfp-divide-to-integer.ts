// DIVIDE TO INTEGER (PoO chapter 19, DIEBR/DIDBR; RRF-b: R1, R3, R2, M4): FPR R1 (the dividend)
// divided by FPR R2 gives an integer quotient in FPR R3, rounded by the M4 method (0 the FPC's), and
// the remainder in FPR R1 (see `softfloat/divide-to-integer.ts` for complete and partial results and
// the condition code). R1, R2 and R3 must be three different registers, else a specification
// exception. A trapped invalid operation suppresses the instruction; a tiny remainder with the
// underflow mask one is stored scaled and then interrupts.

import { def } from '../define.js';
import { fRreR1, fRreR2, fRrfM4, fRrfR3 } from '../fields.js';
import type { InstructionDef, Semantics } from '../types.js';
import { begin, checkModifier, checkOperand, complete, env, readFpr, requireBfp, suppressIfTrapped, writeFpr } from './bfp-operands.js';
import { divideToInteger, LONG, SHORT, type BfpFormat } from './softfloat/index.js';

function divideToIntegerOf(f: BfpFormat): Semantics<'RRF-b'> {
  return (cpu, a) => {
    requireBfp(cpu);
    const r1 = fRreR1(a);
    const r2 = fRreR2(a);
    const r3 = fRrfR3(a);
    const m4 = fRrfM4(a);
    checkModifier(cpu, m4);
    cpu.requireSpec(r1 !== r2 && r2 !== r3 && r1 !== r3);
    checkOperand(cpu, f, r1);
    checkOperand(cpu, f, r2);
    checkOperand(cpu, f, r3);
    // The quotient's method, then the FPC's for the remainder.
    begin(cpu, m4);
    const quotientRounding = env.rounding;
    begin(cpu);
    const { remainder, quotient, cc } = divideToInteger(f, readFpr(cpu, f, r1), readFpr(cpu, f, r2), quotientRounding, env);
    suppressIfTrapped(cpu);
    writeFpr(cpu, f, r1, remainder);
    writeFpr(cpu, f, r3, quotient);
    cpu.cc = cc;
    complete(cpu);
  };
}

export const bfpDivideToIntegerInstructions: InstructionDef[] = [def('diebr', 0xb353, 'RRF-b', 'f:R1,f:R3,f:R2,m:M4', divideToIntegerOf(SHORT)), def('didbr', 0xb35b, 'RRF-b', 'f:R1,f:R3,f:R2,m:M4', divideToIntegerOf(LONG))];
