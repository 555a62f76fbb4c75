// The message-security assist (PoO chapter 7; facilities 17, 57, 76, 77): the query function of
// every CPACF instruction, and the exceptions recognised before it: operation (facility not
// installed), privileged operation (PCKMO), specification (register fields, modifier bit,
// function code), addressing and protection of the parameter block.
import { describe, expect, it } from 'vitest';
import { Cpu, FACILITY_BITS, GuestMemory, ManualTodClock } from '../src/index.ts';
import { LC } from '../src/state/index.ts';
import { CODE_AT, PGM_WAIT_ADDRESS, programInterruption } from './support/machine.ts';

const PARAM_AT = 0x4000n;
const PGM_OPERATION = 1;
const PGM_PRIVILEGED = 2;
const PGM_PROTECTION = 4;
const PGM_ADDRESSING = 5;
const PGM_SPECIFICATION = 6;

interface Cpacf {
  mnemonic: string;
  opcode: number;
  facility: number;
  /** The register fields that must designate an even, nonzero register. */
  pairs: readonly ('r1' | 'r2' | 'r3')[];
  modifierAllowed: boolean;
}

const INSTRUCTIONS: readonly Cpacf[] = [
  { mnemonic: 'kmac', opcode: 0xb91e, facility: 17, pairs: ['r2'], modifierAllowed: false },
  { mnemonic: 'km', opcode: 0xb92e, facility: 17, pairs: ['r1', 'r2'], modifierAllowed: true },
  { mnemonic: 'kmc', opcode: 0xb92f, facility: 17, pairs: ['r1', 'r2'], modifierAllowed: true },
  { mnemonic: 'kimd', opcode: 0xb93e, facility: 17, pairs: ['r2'], modifierAllowed: false },
  { mnemonic: 'klmd', opcode: 0xb93f, facility: 17, pairs: ['r2'], modifierAllowed: false },
  { mnemonic: 'pckmo', opcode: 0xb928, facility: 76, pairs: [], modifierAllowed: false },
  { mnemonic: 'kmf', opcode: 0xb92a, facility: 77, pairs: ['r1', 'r2'], modifierAllowed: true },
  { mnemonic: 'kmo', opcode: 0xb92b, facility: 77, pairs: ['r1', 'r2'], modifierAllowed: true },
  { mnemonic: 'pcc', opcode: 0xb92c, facility: 77, pairs: [], modifierAllowed: false },
  { mnemonic: 'kmctr', opcode: 0xb92d, facility: 77, pairs: ['r1', 'r2', 'r3'], modifierAllowed: true },
  { mnemonic: 'prno', opcode: 0xb93c, facility: 57, pairs: ['r1', 'r2'], modifierAllowed: true },
];

/** The instruction's 4 bytes with register fields r1, r2, r3 (R3 only in KMCTR's RRF-b format). */
function insn(c: Cpacf, r1: number, r2: number, r3: number): Uint8Array {
  return Uint8Array.from([c.opcode >>> 8, c.opcode & 0xff, c.mnemonic === 'kmctr' ? r3 << 4 : 0, (r1 << 4) | r2]);
}

/** A CPU at CODE_AT with `code` loaded and a disabled-wait program-new PSW (as the assembler-based harness, without the assembler). */
function machine(code: Uint8Array, mask = 0x0000000180000000n, facilities: readonly number[] = FACILITY_BITS): { cpu: Cpu; mem: GuestMemory } {
  const mem = new GuestMemory(1 << 20);
  mem.write(CODE_AT, code);
  mem.writeU64(LC.PROGRAM_NEW_PSW, 0x0002000180000000n);
  mem.writeU64(LC.PROGRAM_NEW_PSW + 8, BigInt(PGM_WAIT_ADDRESS));
  const cpu = new Cpu(mem, { clock: new ManualTodClock(), facilities });
  cpu.setPsw({ mask, addr: BigInt(CODE_AT) });
  return { cpu, mem };
}

/** Runs one instruction with GR0 = `gr0`, GR1 = `gr1`; returns the program-interruption code (0: none), CC and the parameter block. */
function runOne(code: Uint8Array, gr0: bigint, gr1: bigint, setup?: (cpu: Cpu) => void): { code: number; cc: number; block: Uint8Array } {
  const { cpu, mem } = machine(code);
  mem.write(Number(PARAM_AT), new Uint8Array(16).fill(0xee));
  cpu.setGpr(0, gr0);
  cpu.setGpr(1, gr1);
  setup?.(cpu);
  cpu.run(1);
  const interrupted = cpu.getPsw().addr === BigInt(PGM_WAIT_ADDRESS);
  return { code: interrupted ? programInterruption(mem).code : 0, cc: cpu.cc, block: mem.bytes.slice(Number(PARAM_AT), Number(PARAM_AT) + 16) };
}

describe('message-security assist: query and its exceptions', () => {
  it('reports facilities 17, 57, 76 and 77 by default', () => {
    for (const bit of [17, 57, 76, 77]) expect(FACILITY_BITS).toContain(bit);
  });

  for (const c of INSTRUCTIONS) {
    describe(c.mnemonic, () => {
      it('query stores the mask of installed functions (only query) and sets CC 0', () => {
        const r = runOne(insn(c, 2, 4, 6), 0n, PARAM_AT);
        expect(r.code).toBe(0);
        expect(r.cc).toBe(0);
        expect([...r.block]).toEqual([0x80, ...new Array<number>(15).fill(0)]);
      });
      for (const field of c.pairs) {
        it(`${field} odd or zero is a specification exception, before anything is stored`, () => {
          for (const value of [0, 3]) {
            const regs = { r1: 2, r2: 4, r3: 6, [field]: value };
            const r = runOne(insn(c, regs.r1, regs.r2, regs.r3), 0n, PARAM_AT);
            expect(r.code).toBe(PGM_SPECIFICATION);
            expect(r.block[0]).toBe(0xee);
          }
        });
      }
      it(c.modifierAllowed ? 'the modifier bit is allowed with query' : 'the modifier bit (GR0 bit 56) is a specification exception', () => {
        expect(runOne(insn(c, 2, 4, 6), 0x80n, PARAM_AT).code).toBe(c.modifierAllowed ? 0 : PGM_SPECIFICATION);
      });
      it('a function code that is not installed is a specification exception', () => {
        for (const fc of [1, 3, 127]) expect(runOne(insn(c, 2, 4, 6), BigInt(fc), PARAM_AT).code).toBe(PGM_SPECIFICATION);
      });
      it('a parameter block past the end of storage is an addressing exception', () => {
        expect(runOne(insn(c, 2, 4, 6), 0n, 0xffffffffffffffffn).code).toBe(PGM_ADDRESSING);
      });
      it('a parameter block under low-address protection is a protection exception', () => {
        const r = runOne(insn(c, 2, 4, 6), 0n, 8n, (cpu) => cpu.setCr(0, cpu.getCr(0) | (1n << 28n)));
        expect(r.code).toBe(PGM_PROTECTION);
      });
      it('without its facility it is an operation exception', () => {
        const { cpu, mem } = machine(
          insn(c, 2, 4, 6),
          undefined,
          FACILITY_BITS.filter((b) => b !== c.facility),
        );
        cpu.setGpr(1, PARAM_AT);
        cpu.run(1);
        expect(programInterruption(mem).code).toBe(PGM_OPERATION);
      });
    });
  }

  it('PCKMO is privileged; the others run in the problem state', () => {
    for (const c of INSTRUCTIONS) {
      const { cpu, mem } = machine(insn(c, 2, 4, 6), 0x0001000180000000n);
      cpu.setGpr(1, PARAM_AT);
      cpu.run(1);
      const interrupted = cpu.getPsw().addr === BigInt(PGM_WAIT_ADDRESS);
      expect(interrupted ? programInterruption(mem).code : 0, c.mnemonic).toBe(c.mnemonic === 'pckmo' ? PGM_PRIVILEGED : 0);
    }
  });
});
