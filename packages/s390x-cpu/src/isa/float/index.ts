// Floating-point register loads, stores and moves, and the FPC instructions (PoO chapters 9 and
// 19; spec s390x-cpu.md §1, §4): FPR i is the left doubleword of vector register i. Every FPR
// operand is checked against AFP-register control (CR0 bit 45): without it only FPRs 0, 2, 4, 6
// exist and others raise a data exception with DXC 1.

import type { Cpu } from '../../cpu/cpu.js';
import { fB2, fD2, fD20, fR1, fR2, fRreR1, fRreR2 } from '../formats.js';
import type { InstructionDef } from '../types.js';

/** Byte offset of FPR i in `cpu.vr`. */
const fpr = (i: number): number => 16 * i;

/** FPC bits that must be zero (QEMU `sfpc`): 6–7, 14–15, 24, 28. */
const FPC_RESERVED = 0x03030088;

/** Checks an FPC value for SFPC/LFPC: reserved bits and BFP rounding modes 4–6 are invalid. */
function checkFpc(cpu: Cpu, v: number): void {
  const rounding = v & 7;
  cpu.requireSpec((v & FPC_RESERVED) === 0 && (rounding < 4 || rounding === 7));
}

function loadShort(cpu: Cpu, r1: number, addr: number): void {
  cpu.checkFpr(r1);
  cpu.vrView.setUint32(fpr(r1), cpu.readU32(addr));
}
function loadLong(cpu: Cpu, r1: number, addr: number): void {
  cpu.checkFpr(r1);
  cpu.probe(addr, 8, false);
  cpu.vrView.setUint32(fpr(r1), cpu.readU32(addr));
  cpu.vrView.setUint32(fpr(r1) + 4, cpu.readU32(cpu.wrap(addr + 4)));
}
function storeShort(cpu: Cpu, r1: number, addr: number): void {
  cpu.checkFpr(r1);
  cpu.writeU32(addr, cpu.vrView.getUint32(fpr(r1)));
}
function storeLong(cpu: Cpu, r1: number, addr: number): void {
  cpu.checkFpr(r1);
  cpu.writeU64(addr, cpu.vrView.getUint32(fpr(r1)), cpu.vrView.getUint32(fpr(r1) + 4));
}

/** Copies the leftmost `bytes` of FPR r2 to FPR r1. */
function move(cpu: Cpu, r1: number, r2: number, bytes: 4 | 8): void {
  cpu.checkFpr(r1);
  cpu.checkFpr(r2);
  cpu.vr.copyWithin(fpr(r1), fpr(r2), fpr(r2) + bytes);
}

/** Applies `op` to the sign bit of FPR r2 and stores the whole doubleword in FPR r1. */
function signOp(cpu: Cpu, r1: number, r2: number, op: (hi: number) => number): void {
  cpu.checkFpr(r1);
  cpu.checkFpr(r2);
  const hi = cpu.vrView.getUint32(fpr(r2));
  const lo = cpu.vrView.getUint32(fpr(r2) + 4);
  cpu.vrView.setUint32(fpr(r1), op(hi) >>> 0);
  cpu.vrView.setUint32(fpr(r1) + 4, lo);
}

const rx = (a: number): [number, number, number] => [fR1(a), fR2(a), fB2(a)];

export const floatInstructions: InstructionDef[] = [
  {
    mnemonic: 'le',
    opcode: 0x78,
    format: 'RX-a',
    operands: 'f:R1,dxb:2',
    privileged: false,
    exec: (cpu, a) => {
      const [r1, x2, b2] = rx(a);
      loadShort(cpu, r1, cpu.ea(x2, b2, fD2(a)));
    },
  },
  {
    mnemonic: 'ld',
    opcode: 0x68,
    format: 'RX-a',
    operands: 'f:R1,dxb:2',
    privileged: false,
    exec: (cpu, a) => {
      const [r1, x2, b2] = rx(a);
      loadLong(cpu, r1, cpu.ea(x2, b2, fD2(a)));
    },
  },
  {
    mnemonic: 'ley',
    opcode: 0xed64,
    format: 'RXY-a',
    operands: 'f:R1,dxb:2',
    privileged: false,
    exec: (cpu, a, b) => loadShort(cpu, fR1(a), cpu.ea(fR2(a), fB2(a), fD20(a, b))),
  },
  {
    mnemonic: 'ldy',
    opcode: 0xed65,
    format: 'RXY-a',
    operands: 'f:R1,dxb:2',
    privileged: false,
    exec: (cpu, a, b) => loadLong(cpu, fR1(a), cpu.ea(fR2(a), fB2(a), fD20(a, b))),
  },
  {
    mnemonic: 'ste',
    opcode: 0x70,
    format: 'RX-a',
    operands: 'f:R1,dxb:2',
    privileged: false,
    exec: (cpu, a) => {
      const [r1, x2, b2] = rx(a);
      storeShort(cpu, r1, cpu.ea(x2, b2, fD2(a)));
    },
  },
  {
    mnemonic: 'std',
    opcode: 0x60,
    format: 'RX-a',
    operands: 'f:R1,dxb:2',
    privileged: false,
    exec: (cpu, a) => {
      const [r1, x2, b2] = rx(a);
      storeLong(cpu, r1, cpu.ea(x2, b2, fD2(a)));
    },
  },
  {
    mnemonic: 'stey',
    opcode: 0xed66,
    format: 'RXY-a',
    operands: 'f:R1,dxb:2',
    privileged: false,
    exec: (cpu, a, b) => storeShort(cpu, fR1(a), cpu.ea(fR2(a), fB2(a), fD20(a, b))),
  },
  {
    mnemonic: 'stdy',
    opcode: 0xed67,
    format: 'RXY-a',
    operands: 'f:R1,dxb:2',
    privileged: false,
    exec: (cpu, a, b) => storeLong(cpu, fR1(a), cpu.ea(fR2(a), fB2(a), fD20(a, b))),
  },
  {
    mnemonic: 'ler',
    opcode: 0x38,
    format: 'RR',
    operands: 'f:R1,f:R2',
    privileged: false,
    exec: (cpu, a) => move(cpu, fR1(a), fR2(a), 4),
  },
  {
    mnemonic: 'ldr',
    opcode: 0x28,
    format: 'RR',
    operands: 'f:R1,f:R2',
    privileged: false,
    exec: (cpu, a) => move(cpu, fR1(a), fR2(a), 8),
  },
  {
    mnemonic: 'lxr',
    opcode: 0xb365,
    format: 'RRE',
    operands: 'f:R1,f:R2',
    privileged: false,
    exec: (cpu, a) => {
      const r1 = fRreR1(a);
      const r2 = fRreR2(a);
      // Extended operands are register pairs n, n+2 with n in 0,1,4,5,8,9,12,13.
      cpu.requireSpec((r1 & 2) === 0 && (r2 & 2) === 0);
      for (const r of [r1, r1 + 2, r2, r2 + 2]) cpu.checkFpr(r);
      const high = cpu.getFprBits(r2);
      const low = cpu.getFprBits(r2 + 2);
      cpu.setFprBits(r1, high);
      cpu.setFprBits(r1 + 2, low);
    },
  },
  {
    mnemonic: 'lzer',
    opcode: 0xb374,
    format: 'RRE',
    operands: 'f:R1',
    privileged: false,
    exec: (cpu, a) => {
      const r1 = fRreR1(a);
      cpu.checkFpr(r1);
      cpu.vrView.setUint32(fpr(r1), 0);
    },
  },
  {
    mnemonic: 'lzdr',
    opcode: 0xb375,
    format: 'RRE',
    operands: 'f:R1',
    privileged: false,
    exec: (cpu, a) => {
      const r1 = fRreR1(a);
      cpu.checkFpr(r1);
      cpu.vr.fill(0, fpr(r1), fpr(r1) + 8);
    },
  },
  {
    mnemonic: 'lzxr',
    opcode: 0xb376,
    format: 'RRE',
    operands: 'f:R1',
    privileged: false,
    exec: (cpu, a) => {
      const r1 = fRreR1(a);
      cpu.requireSpec((r1 & 2) === 0);
      cpu.checkFpr(r1);
      cpu.checkFpr(r1 + 2);
      cpu.vr.fill(0, fpr(r1), fpr(r1) + 8);
      cpu.vr.fill(0, fpr(r1 + 2), fpr(r1 + 2) + 8);
    },
  },
  {
    mnemonic: 'ldgr',
    opcode: 0xb3c1,
    format: 'RRE',
    operands: 'f:R1,r:R2',
    privileged: false,
    exec: (cpu, a) => {
      const r1 = fRreR1(a);
      const r2 = fRreR2(a);
      cpu.checkFpr(r1);
      cpu.vrView.setUint32(fpr(r1), cpu.r[2 * r2]!);
      cpu.vrView.setUint32(fpr(r1) + 4, cpu.r[2 * r2 + 1]!);
    },
  },
  {
    mnemonic: 'lgdr',
    opcode: 0xb3cd,
    format: 'RRE',
    operands: 'r:R1,f:R2',
    privileged: false,
    exec: (cpu, a) => {
      const r1 = fRreR1(a);
      const r2 = fRreR2(a);
      cpu.checkFpr(r2);
      cpu.r[2 * r1] = cpu.vrView.getUint32(fpr(r2));
      cpu.r[2 * r1 + 1] = cpu.vrView.getUint32(fpr(r2) + 4);
    },
  },
  {
    mnemonic: 'lpdfr',
    opcode: 0xb370,
    format: 'RRE',
    operands: 'f:R1,f:R2',
    privileged: false,
    exec: (cpu, a) => signOp(cpu, fRreR1(a), fRreR2(a), (hi) => hi & 0x7fffffff),
  },
  {
    mnemonic: 'lndfr',
    opcode: 0xb371,
    format: 'RRE',
    operands: 'f:R1,f:R2',
    privileged: false,
    exec: (cpu, a) => signOp(cpu, fRreR1(a), fRreR2(a), (hi) => hi | 0x80000000),
  },
  {
    mnemonic: 'lcdfr',
    opcode: 0xb373,
    format: 'RRE',
    operands: 'f:R1,f:R2',
    privileged: false,
    exec: (cpu, a) => signOp(cpu, fRreR1(a), fRreR2(a), (hi) => hi ^ 0x80000000),
  },
  {
    mnemonic: 'cpsdr',
    opcode: 0xb372,
    format: 'RRF-b',
    operands: 'f:R1,f:R3,f:R2',
    privileged: false,
    exec: (cpu, a) => {
      const r3 = fB2(a);
      cpu.checkFpr(r3);
      const sign = cpu.vrView.getUint32(fpr(r3)) & 0x80000000;
      signOp(cpu, fRreR1(a), fRreR2(a), (hi) => (hi & 0x7fffffff) | sign);
    },
  },
  {
    mnemonic: 'sfpc',
    opcode: 0xb384,
    format: 'RRE',
    operands: 'r:R1',
    privileged: false,
    exec: (cpu, a) => {
      const v = cpu.r[2 * fRreR1(a) + 1]!;
      checkFpc(cpu, v);
      cpu.fpc = v >>> 0;
    },
  },
  {
    mnemonic: 'efpc',
    opcode: 0xb38c,
    format: 'RRE',
    operands: 'r:R1',
    privileged: false,
    exec: (cpu, a) => {
      cpu.r[2 * fRreR1(a) + 1] = cpu.fpc >>> 0;
    },
  },
  {
    mnemonic: 'lfpc',
    opcode: 0xb29d,
    format: 'S',
    operands: 'db:2',
    privileged: false,
    exec: (cpu, a) => {
      const addr = cpu.ea(0, fB2(a), fD2(a));
      cpu.requireSpec((addr & 3) === 0);
      const v = cpu.readU32(addr);
      checkFpc(cpu, v);
      cpu.fpc = v >>> 0;
    },
  },
  {
    mnemonic: 'stfpc',
    opcode: 0xb29c,
    format: 'S',
    operands: 'db:2',
    privileged: false,
    exec: (cpu, a) => {
      const addr = cpu.ea(0, fB2(a), fD2(a));
      cpu.requireSpec((addr & 3) === 0);
      cpu.writeU32(addr, cpu.fpc >>> 0);
    },
  },
  {
    mnemonic: 'srnm',
    opcode: 0xb299,
    format: 'S',
    operands: 'db:2',
    privileged: false,
    exec: (cpu, a) => {
      // Bits 62–63 of the second-operand address become the BFP rounding mode.
      const mode = cpu.ea(0, fB2(a), fD2(a)) & 3;
      cpu.fpc = ((cpu.fpc & ~7) | mode) >>> 0;
    },
  },
];

