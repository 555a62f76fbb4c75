// PTF (facility 11): an interception for the hypervisor with R1 when the CPU's facility list has
// 11, else an operation exception; privileged; disassembled as objdump does.
import { describe, expect, it } from 'vitest';
import { CONFIGURATION_TOPOLOGY_FACILITY, Cpu, FACILITY_BITS, GuestMemory } from '../src/index.ts';
import { disassemble } from '../src/isa/index.ts';
import { LC } from '../src/state/index.ts';

const PTF_R1 = Uint8Array.from([0xb9, 0xa2, 0x00, 0x10]);

function run(facilities: readonly number[], problemState: boolean) {
  const mem = new GuestMemory(1 << 20);
  mem.write(0x2000, PTF_R1);
  mem.writeU64(LC.PROGRAM_NEW_PSW, 0x0002000180000000n);
  mem.writeU64(LC.PROGRAM_NEW_PSW + 8, 0xdeadn);
  const cpu = new Cpu(mem, { facilities });
  cpu.setPsw({ mask: problemState ? 0x0001000180000000n : 0x0000000180000000n, addr: 0x2000n });
  return { stop: cpu.run(1), mem };
}

describe('PTF', () => {
  it('is intercepted with facility 11, naming R1', () => {
    const { stop } = run([...FACILITY_BITS, CONFIGURATION_TOPOLOGY_FACILITY], false);
    expect(stop.kind === 'interception' && stop.interception.mnemonic).toBe('ptf');
    expect(stop.kind === 'interception' && stop.interception.fields).toMatchObject({ R1: 1 });
  });

  it('is a privileged-operation exception in the problem state', () => {
    const { stop, mem } = run([...FACILITY_BITS, CONFIGURATION_TOPOLOGY_FACILITY], true);
    expect(stop.kind).toBe('wait');
    expect(mem.readU16(LC.PGM_CODE)).toBe(2);
  });

  it('is an operation exception without the facility', () => {
    const { stop, mem } = run(FACILITY_BITS, false);
    expect(stop.kind).toBe('wait');
    expect(mem.readU16(LC.PGM_CODE)).toBe(1);
  });

  it('disassembles as s390x-linux-gnu-objdump: ptf %r1', () => {
    expect(disassemble(PTF_R1).text).toBe('ptf\t%r1');
  });
});
