// The storage-key-removal facility (169), as a secure guest's CPU has it (kvm-unit-tests
// s390x/skrf.c): the key instructions, PFMF setting a key, SPKA and TPROT with a non-zero key and
// LPSWE loading a non-zero key are special-operation exceptions; an interruption's new PSW with a
// key is invalid (early specification exception). Without 169 the same instructions work.
import { describe, expect, it } from 'vitest';
import { Cpu, FACILITY_BITS, GuestMemory, ManualTodClock } from '../src/index.ts';
import { LC } from '../src/state/index.ts';
import { assemble, CODE_AT, PGM_WAIT_ADDRESS, programInterruption } from './support/machine.ts';

const PAGE = 0x40000;
const SPECIAL_OPERATION = 0x13;

function machine(source: string, facilities: readonly number[] = [...FACILITY_BITS.filter((b) => ![10, 14, 66].includes(b)), 169]) {
  const mem = new GuestMemory(1 << 20);
  mem.write(CODE_AT, assemble(source));
  mem.writeU64(LC.PROGRAM_NEW_PSW, 0x0002000180000000n);
  mem.writeU64(LC.PROGRAM_NEW_PSW + 8, BigInt(PGM_WAIT_ADDRESS));
  const cpu = new Cpu(mem, { clock: new ManualTodClock(), facilities });
  cpu.setPsw({ mask: 0x0000000180000000n, addr: BigInt(CODE_AT) });
  cpu.setGpr(1, 0x30n);
  cpu.setGpr(2, BigInt(PAGE));
  return { cpu, mem };
}

describe('without storage keys (facility 169)', () => {
  for (const [what, source] of [
    ['SSKE', 'sske %r1,%r2'],
    ['ISKE', 'iske %r1,%r2'],
    ['IVSK', 'ivsk %r1,%r2'],
    ['RRBE', 'rrbe %r1,%r2'],
    ['RRBM', 'rrbm %r4,%r2'],
    ['PFMF setting a key', 'llilh %r1,0x2\npfmf %r1,%r2'],
    ['SPKA with a key', 'spka 0xf0(%r0)'],
    ['TPROT with a key', 'tprot 0(%r2),0xf0'],
    ['LPSWE loading a key', 'larl %r3,psw\nlpswe 0(%r3)\n.balign 8\npsw: .quad 0x00f0000180000000, 0x2100'],
  ] as const) {
    it(`${what} is a special-operation exception`, () => {
      const { cpu, mem } = machine(source);
      cpu.run(3);
      expect(programInterruption(mem).code).toBe(SPECIAL_OPERATION);
      expect(cpu.getPsw().addr).toBe(BigInt(PGM_WAIT_ADDRESS));
      expect(mem.getStorageKey(PAGE / 4096)).toBe(0x06);
    });
  }

  it('SPKA and TPROT with key 0 and PFMF clearing without a key still work', () => {
    const { cpu, mem } = machine('spka 0(%r0)\ntprot 0(%r2),0\nipm %r5\nllilh %r1,0x1\npfmf %r1,%r2');
    mem.write(PAGE, Uint8Array.of(0xaa));
    cpu.run(5);
    expect(cpu.getPsw().addr).toBe(BigInt(CODE_AT + 4 + 6 + 4 + 4 + 4));
    expect((cpu.getGpr(5) >> 28n) & 3n).toBe(0n);
    expect(mem.read(PAGE, 1)[0]).toBe(0);
  });

  it("an interruption's new PSW with a key is an early specification exception", () => {
    const { cpu, mem } = machine('svc 1');
    mem.writeU64(LC.SVC_NEW_PSW, 0x0010000180000000n);
    mem.writeU64(LC.SVC_NEW_PSW + 8, 0x3000n);
    cpu.run(2);
    const pgm = programInterruption(mem);
    expect(pgm.code).toBe(0x06);
    expect(pgm.oldMask).toBe(0x0010000180000000n);
    expect(pgm.oldAddr).toBe(0x3000n);
  });

  it('the same instructions work with storage keys', () => {
    const { cpu, mem } = machine('sske %r1,%r2\nspka 0xf0(%r0)', FACILITY_BITS);
    cpu.run(2);
    expect(mem.getStorageKey(PAGE / 4096)).toBe(0x30);
    expect(cpu.getPsw().mask >> 52n).toBe(0xfn);
  });
});
