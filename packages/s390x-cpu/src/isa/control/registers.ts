// Control, access and CPU-identification register instructions (PoO chapter 10; spec
// s390x-cpu.md §1, §3, §4): LCTL, LCTLG, STCTL, STCTG, LAM(Y), STAM(Y), SAR, EAR, SPX, STPX,
// STAP, STIDP, STFL, STFLE.

import type { Cpu } from '../../cpu/cpu.js';
import { PGM_ADDRESSING } from '../../cpu/exceptions.js';
import { fB2, fD2, fD20, fR1, fR2, fRreR1, fRreR2 } from '../formats.js';
import type { InstructionDef } from '../types.js';

/**
 * [E] Facilities reported by STFL/STFLE: those this interpreter implements (bit numbers, PoO
 * "Facility indications"): 0 N3, 1 z/Architecture installed, 2 active, 7 STFLE, 18 long
 * displacement, 21 extended immediate, 25 store clock fast, 34 general-instructions extension,
 * 35 execute extensions, 45 distinct operands / high word / load-store-on-condition 1,
 * 53 load-store-on-condition 2, 129 vector.
 */
export const FACILITY_BITS: readonly number[] = [0, 1, 2, 7, 18, 21, 25, 34, 35, 45, 53, 129];
/** Doublewords of the facility list STFLE stores. */
export const FACILITY_DOUBLEWORDS = 3;

export function facilityListBytes(bits: readonly number[] = FACILITY_BITS): Uint8Array {
  const out = new Uint8Array(FACILITY_DOUBLEWORDS * 8);
  for (const bit of bits) out[bit >>> 3] = (out[bit >>> 3] ?? 0) | (0x80 >>> (bit & 7));
  return out;
}
const FACILITY_LIST = facilityListBytes();

/** [E] CPU identification stored by STIDP: version 0, CPU id = CPU address, type 0x2964 (z13), format 1. */
export function cpuIdentification(cpuAddress: number): bigint {
  return (BigInt(cpuAddress & 0xffffff) << 32n) | (0x2964n << 16n) | 0x8000n;
}

/** Registers r1, r1+1, …, r3 with wrap-around from 15 to 0. */
function registerRange(r1: number, r3: number): number {
  return ((r3 - r1) & 15) + 1;
}

function loadControl(cpu: Cpu, r1: number, r3: number, addr: number, wide: boolean): void {
  const size = wide ? 8 : 4;
  cpu.requireSpec(addr % size === 0);
  const n = registerRange(r1, r3);
  cpu.probe(addr, n * size, false);
  for (let k = 0; k < n; k++) {
    const reg = (r1 + k) & 15;
    const at = cpu.wrap(addr + k * size);
    if (wide) {
      cpu.cr[2 * reg] = cpu.readU32(at);
      cpu.cr[2 * reg + 1] = cpu.readU32(cpu.wrap(at + 4));
    } else cpu.cr[2 * reg + 1] = cpu.readU32(at);
  }
  cpu.controlRegistersChanged();
}

function storeControl(cpu: Cpu, r1: number, r3: number, addr: number, wide: boolean): void {
  const size = wide ? 8 : 4;
  cpu.requireSpec(addr % size === 0);
  const n = registerRange(r1, r3);
  cpu.probe(addr, n * size, true);
  for (let k = 0; k < n; k++) {
    const reg = (r1 + k) & 15;
    const at = cpu.wrap(addr + k * size);
    if (wide) cpu.writeU64(at, cpu.cr[2 * reg]!, cpu.cr[2 * reg + 1]!);
    else cpu.writeU32(at, cpu.cr[2 * reg + 1]!);
  }
}

function loadAccess(cpu: Cpu, r1: number, r3: number, addr: number): void {
  cpu.requireSpec((addr & 3) === 0);
  const n = registerRange(r1, r3);
  cpu.probe(addr, n * 4, false);
  for (let k = 0; k < n; k++) cpu.acr[(r1 + k) & 15] = cpu.readU32(cpu.wrap(addr + 4 * k));
}

function storeAccess(cpu: Cpu, r1: number, r3: number, addr: number): void {
  cpu.requireSpec((addr & 3) === 0);
  const n = registerRange(r1, r3);
  cpu.probe(addr, n * 4, true);
  for (let k = 0; k < n; k++) cpu.writeU32(cpu.wrap(addr + 4 * k), cpu.acr[(r1 + k) & 15]!);
}

export const registerInstructions: InstructionDef[] = [
  {
    mnemonic: 'lctl',
    opcode: 0xb7,
    format: 'RS-a',
    operands: 'c:R1,c:R3,db:2',
    privileged: true,
    exec: (cpu, a) => loadControl(cpu, fR1(a), fR2(a), cpu.ea(0, fB2(a), fD2(a)), false),
  },
  {
    mnemonic: 'lctlg',
    opcode: 0xeb2f,
    format: 'RSY-a',
    operands: 'c:R1,c:R3,db:2',
    privileged: true,
    exec: (cpu, a, b) => loadControl(cpu, fR1(a), fR2(a), cpu.ea(0, fB2(a), fD20(a, b)), true),
  },
  {
    mnemonic: 'stctl',
    opcode: 0xb6,
    format: 'RS-a',
    operands: 'c:R1,c:R3,db:2',
    privileged: true,
    exec: (cpu, a) => storeControl(cpu, fR1(a), fR2(a), cpu.ea(0, fB2(a), fD2(a)), false),
  },
  {
    mnemonic: 'stctg',
    opcode: 0xeb25,
    format: 'RSY-a',
    operands: 'c:R1,c:R3,db:2',
    privileged: true,
    exec: (cpu, a, b) => storeControl(cpu, fR1(a), fR2(a), cpu.ea(0, fB2(a), fD20(a, b)), true),
  },
  {
    mnemonic: 'lam',
    opcode: 0x9a,
    format: 'RS-a',
    operands: 'a:R1,a:R3,db:2',
    privileged: false,
    exec: (cpu, a) => loadAccess(cpu, fR1(a), fR2(a), cpu.ea(0, fB2(a), fD2(a))),
  },
  {
    mnemonic: 'lamy',
    opcode: 0xeb9a,
    format: 'RSY-a',
    operands: 'a:R1,a:R3,db:2',
    privileged: false,
    exec: (cpu, a, b) => loadAccess(cpu, fR1(a), fR2(a), cpu.ea(0, fB2(a), fD20(a, b))),
  },
  {
    mnemonic: 'stam',
    opcode: 0x9b,
    format: 'RS-a',
    operands: 'a:R1,a:R3,db:2',
    privileged: false,
    exec: (cpu, a) => storeAccess(cpu, fR1(a), fR2(a), cpu.ea(0, fB2(a), fD2(a))),
  },
  {
    mnemonic: 'stamy',
    opcode: 0xeb9b,
    format: 'RSY-a',
    operands: 'a:R1,a:R3,db:2',
    privileged: false,
    exec: (cpu, a, b) => storeAccess(cpu, fR1(a), fR2(a), cpu.ea(0, fB2(a), fD20(a, b))),
  },
  {
    mnemonic: 'sar',
    opcode: 0xb24e,
    format: 'RRE',
    operands: 'a:R1,r:R2',
    privileged: false,
    exec: (cpu, a) => {
      cpu.acr[fRreR1(a)] = cpu.r[2 * fRreR2(a) + 1]!;
    },
  },
  {
    mnemonic: 'ear',
    opcode: 0xb24f,
    format: 'RRE',
    operands: 'r:R1,a:R2',
    privileged: false,
    exec: (cpu, a) => {
      cpu.r[2 * fRreR1(a) + 1] = cpu.acr[fRreR2(a)]!;
    },
  },
  {
    mnemonic: 'spx',
    opcode: 0xb210,
    format: 'S',
    operands: 'db:2',
    privileged: true,
    exec: (cpu, a) => {
      const addr = cpu.ea(0, fB2(a), fD2(a));
      cpu.requireSpec((addr & 3) === 0);
      const prefix = cpu.readU32(addr) & 0x7fffe000;
      // The new prefix area must exist in absolute storage.
      if (prefix + 0x2000 > cpu.mem.size) cpu.programException(PGM_ADDRESSING);
      cpu.setPrefix(prefix);
    },
  },
  {
    mnemonic: 'stpx',
    opcode: 0xb211,
    format: 'S',
    operands: 'db:2',
    privileged: true,
    exec: (cpu, a) => {
      const addr = cpu.ea(0, fB2(a), fD2(a));
      cpu.requireSpec((addr & 3) === 0);
      cpu.writeU32(addr, cpu.prefix);
    },
  },
  {
    mnemonic: 'stap',
    opcode: 0xb212,
    format: 'S',
    operands: 'db:2',
    privileged: true,
    exec: (cpu, a) => {
      const addr = cpu.ea(0, fB2(a), fD2(a));
      cpu.requireSpec((addr & 1) === 0);
      cpu.writeU16(addr, cpu.cpuAddress);
    },
  },
  {
    mnemonic: 'stidp',
    opcode: 0xb202,
    format: 'S',
    operands: 'db:2',
    privileged: true,
    exec: (cpu, a) => {
      const addr = cpu.ea(0, fB2(a), fD2(a));
      cpu.requireSpec((addr & 7) === 0);
      const id = cpuIdentification(cpu.cpuAddress);
      cpu.writeU64(addr, Number(id >> 32n), Number(id & 0xffffffffn));
    },
  },
  {
    mnemonic: 'stfl',
    opcode: 0xb2b1,
    format: 'S',
    operands: 'db:2',
    privileged: true,
    exec: (cpu) => {
      // Stores the first 4 bytes of the list at real address 0xC8 of the lowcore.
      const first = ((FACILITY_LIST[0]! << 24) | (FACILITY_LIST[1]! << 16) | (FACILITY_LIST[2]! << 8) | FACILITY_LIST[3]!) >>> 0;
      cpu.writeRealU32(0xc8, first);
    },
  },
  {
    mnemonic: 'stfle',
    opcode: 0xb2b0,
    format: 'S',
    operands: 'db:2',
    privileged: false,
    exec: (cpu, a) => {
      const addr = cpu.ea(0, fB2(a), fD2(a));
      cpu.requireSpec((addr & 7) === 0);
      const asked = (cpu.r[1]! & 0xff) + 1;
      const count = Math.min(asked, FACILITY_DOUBLEWORDS);
      cpu.probe(addr, count * 8, true);
      for (let i = 0; i < count * 8; i++) cpu.writeU8(cpu.wrap(addr + i), FACILITY_LIST[i]!);
      cpu.r[1] = ((cpu.r[1]! & 0xffffff00) | (FACILITY_DOUBLEWORDS - 1)) >>> 0;
      cpu.cc = asked >= FACILITY_DOUBLEWORDS ? 0 : 3;
    },
  },
];
