// Vector support loads and stores of PoO chapter 21 ("Vector Support Instructions") beyond the
// state-saving ones: load logical element and zero, load to block boundary, load count to block
// boundary, gather/scatter element, load/store with length, and the byte- and element-reversed
// loads and stores of the vector-enhancements facility 2 (VLBR, VLER, VSTBR, VSTER, VLEBR*,
// VSTEBR*, VLLEBRZ, VLBRREP). Every operand is probed before anything changes; a reserved M
// value is a specification exception.

import type { CpuCore } from '../../core/cpu-core.js';
import { fB2, fD2, fM3InB, fR1, fR3, fV1, fV2, fX2, type InsnA, type InsnB } from '../fields.js';
import { eaRS } from '../general/alu.js';
import type { InstructionDef } from '../types.js';
import { commit, count, elementSize, getBig, hasEnhancements1, readBytes, scratch, sized, startFrom, vdef, writeBytes, type VectorFacility } from './elements.js';

const eaVrx = (cpu: CpuCore, a: InsnA<'VRX'>): number => cpu.ea(fX2(a), fB2(a), fD2(a));

/** The operand as it is in storage, before its bytes or elements are reordered. */
const raw = new Uint8Array(16);

/** Bytes from `addr` up to the next boundary of 64 << m bytes, at most 16 (LCBB, VLBB). */
function toBoundary(addr: number, m: number): number {
  const block = 64 << m;
  return Math.min(16, block - (addr % block));
}

/** VLLEZ / VLLEBRZ: zero V1, then one element into the rightmost element of doubleword 0 (M3 6: word 0). */
function loadLogicalElementAndZero(facility: VectorFacility, mnemonic: string, opcode: number, reversed: boolean): InstructionDef {
  const sizes = reversed ? [1, 2, 3, 6] : [0, 1, 2, 3, 6];
  const aliases = reversed
    ? [...sized(mnemonic, 'M3', 'v:V1,dxb:2', [1, 2]), { mnemonic: 'ldrv', when: { M3: 3 }, operands: 'v:V1,dxb:2' }, { mnemonic: 'lerv', when: { M3: 6 }, operands: 'v:V1,dxb:2' }]
    : [...sized(mnemonic, 'M3', 'v:V1,dxb:2', [0, 1, 2, 3]), { mnemonic: 'vllezlf', when: { M3: 6 }, operands: 'v:V1,dxb:2' }];
  return vdef(
    facility,
    mnemonic,
    opcode,
    'VRX',
    'v:V1,dxb:2,m:M3',
    (cpu, a, b) => {
      const m = elementSize(cpu, fM3InB(b), sizes);
      // The left-aligned word (VLLEZLF) came with vector-enhancements facility 1.
      cpu.requireSpec(m !== 6 || reversed || hasEnhancements1(cpu));
      const es = m === 6 ? 2 : m;
      const bytes = 1 << es;
      const at = m === 6 ? 0 : 8 - bytes;
      scratch.fill(0);
      readBytes(cpu, eaVrx(cpu, a), bytes, scratch, at);
      if (reversed) scratch.subarray(at, at + bytes).reverse();
      commit(cpu, fV1(a, b));
    },
    aliases,
  );
}

/** VLBR / VLER / VSTBR / VSTER: all elements, bytes reversed within each element or elements in reverse order. */
function reversedWhole(mnemonic: string, opcode: number, store: boolean, what: 'bytes' | 'elements'): InstructionDef {
  const sizes = what === 'bytes' ? [1, 2, 3, 4] : [1, 2, 3];
  return vdef(
    'vector-enhancements-2',
    mnemonic,
    opcode,
    'VRX',
    'v:V1,dxb:2,m:M3',
    (cpu, a, b) => {
      const es = elementSize(cpu, fM3InB(b), sizes);
      const addr = eaVrx(cpu, a);
      const v1 = fV1(a, b);
      const bytes = 1 << es;
      const n = count(es);
      // Either way the permutation is an involution: the same for loads and stores.
      const permute = (from: Uint8Array, at: number): void => {
        for (let i = 0; i < n; i++) {
          for (let k = 0; k < bytes; k++) {
            const src = what === 'bytes' ? i * bytes + (bytes - 1 - k) : (n - 1 - i) * bytes + k;
            scratch[i * bytes + k] = from[at + src]!;
          }
        }
      };
      if (store) {
        permute(cpu.vr, 16 * v1);
        writeBytes(cpu, addr, 16, scratch, 0);
      } else {
        readBytes(cpu, addr, 16, raw, 0);
        permute(raw, 0);
        commit(cpu, v1);
      }
    },
    sized(mnemonic, 'M3', 'v:V1,dxb:2', sizes),
  );
}

/** VLEBRH/F/G and VSTEBRH/F/G: one byte-reversed element at index M3. */
function reversedElement(mnemonic: string, opcode: number, es: number, store: boolean, alias?: string): InstructionDef {
  return vdef(
    'vector-enhancements-2',
    mnemonic,
    opcode,
    'VRX',
    'v:V1,dxb:2,m:M3',
    (cpu, a, b) => {
      cpu.checkVector();
      const index = fM3InB(b);
      cpu.requireSpec(index < count(es));
      const addr = eaVrx(cpu, a);
      const v1 = fV1(a, b);
      const bytes = 1 << es;
      const at = index * bytes;
      startFrom(cpu, v1);
      if (store) {
        for (let k = 0; k < bytes; k++) raw[k] = scratch[at + bytes - 1 - k]!;
        writeBytes(cpu, addr, bytes, raw, 0);
      } else {
        readBytes(cpu, addr, bytes, scratch, at);
        scratch.subarray(at, at + bytes).reverse();
        commit(cpu, v1);
      }
    },
    alias === undefined ? undefined : [{ mnemonic: alias, when: { M3: 0 }, operands: 'v:V1,dxb:2' }],
  );
}

/** VGEF/VGEG and VSCEF/VSCEG: element M3 of V2 plus D2(B2) addresses element M3 of V1. */
function gatherScatter(mnemonic: string, opcode: number, es: number, store: boolean): InstructionDef {
  return vdef('vector', mnemonic, opcode, 'VRV', 'v:V1,dvb:2,m:M3', (cpu, a, b) => {
    cpu.checkVector();
    const index = fM3InB(b);
    cpu.requireSpec(index < count(es));
    const offset = getBig(cpu, fV2(a, b), es, index);
    const base = fB2(a);
    const baseValue = base === 0 ? 0n : (BigInt(cpu.r[2 * base]!) << 32n) | BigInt(cpu.r[2 * base + 1]!);
    const sum = BigInt.asUintN(64, offset + baseValue + BigInt(fD2(a)));
    const addr = cpu.addressOf(Number(sum >> 32n), Number(sum & 0xffffffffn));
    const v1 = fV1(a, b);
    const bytes = 1 << es;
    if (store) writeBytes(cpu, addr, bytes, cpu.vr, 16 * v1 + index * bytes);
    else {
      startFrom(cpu, v1);
      readBytes(cpu, addr, bytes, scratch, index * bytes);
      commit(cpu, v1);
    }
  });
}

/** VLL / VSTL: bytes 0 to min(R3, 15); VLL zeroes the bytes it does not load [E: QEMU's choice for the unpredictable bytes]. */
function withLength(cpu: CpuCore, a: InsnA<'VRS-b'>, b: InsnB<'VRS-b'>, store: boolean): void {
  cpu.checkVector();
  const r3 = fR3(a);
  const highest = cpu.r[2 * r3 + 1]!;
  const length = Math.min(highest, 15) + 1;
  const addr = eaRS(cpu, a);
  const v1 = fV1(a, b);
  if (store) writeBytes(cpu, addr, length, cpu.vr, 16 * v1);
  else {
    scratch.fill(0);
    readBytes(cpu, addr, length, scratch, 0);
    commit(cpu, v1);
  }
}

export const vectorLoadStoreInstructions: InstructionDef[] = [
  loadLogicalElementAndZero('vector', 'vllez', 0xe704, false),
  vdef('vector', 'vlbb', 0xe707, 'VRX', 'v:V1,dxb:2,m:M3', (cpu, a, b) => {
    cpu.checkVector();
    const m = fM3InB(b);
    cpu.requireSpec(m <= 6);
    const addr = eaVrx(cpu, a);
    scratch.fill(0);
    readBytes(cpu, addr, toBoundary(addr, m), scratch, 0);
    commit(cpu, fV1(a, b));
  }),
  vdef('vector', 'lcbb', 0xe727, 'RXE', 'r:R1,dxb:2,m:M3', (cpu, a, b) => {
    const m = fM3InB(b);
    cpu.requireSpec(m <= 6);
    const n = toBoundary(cpu.ea(fX2(a), fB2(a), fD2(a)), m);
    cpu.r[2 * fR1(a) + 1] = n;
    cpu.cc = n === 16 ? 0 : 3;
  }),
  gatherScatter('vgef', 0xe713, 2, false),
  gatherScatter('vgeg', 0xe712, 3, false),
  gatherScatter('vscef', 0xe71b, 2, true),
  gatherScatter('vsceg', 0xe71a, 3, true),
  vdef('vector', 'vll', 0xe737, 'VRS-b', 'v:V1,r:R3,db:2', (cpu, a, b) => withLength(cpu, a, b, false)),
  vdef('vector', 'vstl', 0xe73f, 'VRS-b', 'v:V1,r:R3,db:2', (cpu, a, b) => withLength(cpu, a, b, true)),
  reversedWhole('vlbr', 0xe606, false, 'bytes'),
  reversedWhole('vler', 0xe607, false, 'elements'),
  reversedWhole('vstbr', 0xe60e, true, 'bytes'),
  reversedWhole('vster', 0xe60f, true, 'elements'),
  reversedElement('vlebrh', 0xe601, 1, false),
  reversedElement('vlebrf', 0xe603, 2, false),
  reversedElement('vlebrg', 0xe602, 3, false),
  reversedElement('vstebrh', 0xe609, 1, true),
  reversedElement('vstebrf', 0xe60b, 2, true, 'sterv'),
  reversedElement('vstebrg', 0xe60a, 3, true, 'stdrv'),
  loadLogicalElementAndZero('vector-enhancements-2', 'vllebrz', 0xe604, true),
  vdef(
    'vector-enhancements-2',
    'vlbrrep',
    0xe605,
    'VRX',
    'v:V1,dxb:2,m:M3',
    (cpu, a, b) => {
      const es = elementSize(cpu, fM3InB(b), [1, 2, 3]);
      const bytes = 1 << es;
      readBytes(cpu, eaVrx(cpu, a), bytes, scratch, 0);
      scratch.subarray(0, bytes).reverse();
      for (let i = 1; i < count(es); i++) scratch.copyWithin(i * bytes, 0, bytes);
      commit(cpu, fV1(a, b));
    },
    sized('vlbrrep', 'M3', 'v:V1,dxb:2', [1, 2, 3]),
  ),
];
