// PSW-changing control instructions (PoO chapter 10; spec s390x-cpu.md §2): LPSW, LPSWE, SSM,
// STNSM, STOSM, SAM24/31/64, IPM, SPM, EPSW, SVC.

import type { Cpu } from '../../cpu/cpu.js';
import { PGM_SPECIFICATION } from '../../cpu/exceptions.js';
import { shortPswHasFormatBit, shortPswToPsw } from '../../state/psw.js';
import { fB2, fD2, fI8, fR1, fRreR1, fRreR2 } from '../formats.js';
import type { InstructionDef } from '../types.js';

/** Loads a new PSW mask while keeping the address at the next instruction (SSM/STOSM/STNSM). */
function replaceSystemMask(cpu: Cpu, systemMask: number): void {
  const psw = cpu.getPsw();
  const mask = (psw.mask & 0x00ffffffffffffffn) | (BigInt(systemMask & 0xff) << 56n);
  cpu.setPsw({ mask, addr: BigInt(cpu.nextIa) }, cpu.ilen);
  cpu.nextIa = cpu.ia;
}

export const pswInstructions: InstructionDef[] = [
  {
    mnemonic: 'lpsw',
    opcode: 0x82,
    format: 'S',
    operands: 'db:2',
    privileged: true,
    exec: (cpu, a) => {
      const addr = cpu.ea(0, fB2(a), fD2(a));
      cpu.requireSpec((addr & 7) === 0);
      cpu.probe(addr, 8, false);
      const w0 = cpu.readU32(addr);
      const w1 = cpu.readU32(cpu.wrap(addr + 4));
      if (!shortPswHasFormatBit(w0)) cpu.programException(PGM_SPECIFICATION);
      cpu.bear = cpu.ia;
      cpu.loadPswFromInstruction(shortPswToPsw(w0, w1));
    },
  },
  {
    mnemonic: 'lpswe',
    opcode: 0xb2b2,
    format: 'S',
    operands: 'db:2',
    privileged: true,
    exec: (cpu, a) => {
      const addr = cpu.ea(0, fB2(a), fD2(a));
      cpu.requireSpec((addr & 7) === 0);
      cpu.probe(addr, 16, false);
      const mask = cpu.readU64(addr);
      const target = cpu.readU64(cpu.wrap(addr + 8));
      cpu.bear = cpu.ia;
      cpu.loadPswFromInstruction({ mask, addr: target });
    },
  },
  {
    mnemonic: 'ssm',
    opcode: 0x80,
    format: 'S',
    operands: 'db:2',
    privileged: true,
    exec: (cpu, a) => {
      replaceSystemMask(cpu, cpu.readU8(cpu.ea(0, fB2(a), fD2(a))));
    },
  },
  {
    mnemonic: 'stnsm',
    opcode: 0xac,
    format: 'SI',
    operands: 'db:1,u:I2',
    privileged: true,
    exec: (cpu, a) => {
      const old = cpu.maskHi >>> 24;
      cpu.writeU8(cpu.ea(0, fB2(a), fD2(a)), old);
      replaceSystemMask(cpu, old & fI8(a));
    },
  },
  {
    mnemonic: 'stosm',
    opcode: 0xad,
    format: 'SI',
    operands: 'db:1,u:I2',
    privileged: true,
    exec: (cpu, a) => {
      const old = cpu.maskHi >>> 24;
      cpu.writeU8(cpu.ea(0, fB2(a), fD2(a)), old);
      replaceSystemMask(cpu, old | fI8(a));
    },
  },
  {
    mnemonic: 'sam24',
    opcode: 0x010c,
    format: 'E',
    operands: '',
    privileged: false,
    exec: (cpu) => {
      // The updated instruction address must fit the new mode.
      cpu.requireSpec(cpu.nextIa <= 0xffffff);
      cpu.setAddressingMode(24);
    },
  },
  {
    mnemonic: 'sam31',
    opcode: 0x010d,
    format: 'E',
    operands: '',
    privileged: false,
    exec: (cpu) => {
      cpu.requireSpec(cpu.nextIa <= 0x7fffffff);
      cpu.setAddressingMode(31);
    },
  },
  {
    mnemonic: 'sam64',
    opcode: 0x010e,
    format: 'E',
    operands: '',
    privileged: false,
    exec: (cpu) => {
      cpu.setAddressingMode(64);
    },
  },
  {
    mnemonic: 'ipm',
    opcode: 0xb222,
    format: 'RRE',
    operands: 'r:R1',
    privileged: false,
    exec: (cpu, a) => {
      const i = 2 * fRreR1(a) + 1;
      const programMask = (cpu.maskHi >>> 8) & 15;
      cpu.r[i] = ((cpu.r[i]! & 0x00ffffff) | (((cpu.cc << 4) | programMask) << 24)) >>> 0;
    },
  },
  {
    mnemonic: 'spm',
    opcode: 0x04,
    format: 'RR',
    operands: 'r:R1',
    privileged: false,
    exec: (cpu, a) => {
      const v = cpu.r[2 * fR1(a) + 1]!;
      cpu.cc = (v >>> 28) & 3;
      cpu.maskHi = ((cpu.maskHi & ~0x0f00) | (((v >>> 24) & 15) << 8)) >>> 0;
    },
  },
  {
    mnemonic: 'epsw',
    opcode: 0xb98d,
    format: 'RRE',
    operands: 'r:R1,r:R2',
    privileged: false,
    exec: (cpu, a) => {
      const r1 = fRreR1(a);
      const r2 = fRreR2(a);
      cpu.r[2 * r1 + 1] = (cpu.maskHi | (cpu.cc << 12)) >>> 0;
      if (r2 !== 0) cpu.r[2 * r2 + 1] = cpu.maskLo >>> 0;
    },
  },
  {
    mnemonic: 'svc',
    opcode: 0x0a,
    format: 'I',
    operands: 'u:I1',
    privileged: false,
    exec: (cpu, a) => {
      if (cpu.interceptSvc) cpu.intercept('svc', 'I', a, 0);
      cpu.deliverSvcInterruption(fI8(a));
    },
  },
];

