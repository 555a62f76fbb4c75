// STHYI (facility 74): an interception for the hypervisor when the CPU's facility list has 74,
// else an operation exception; not privileged.
import { describe, expect, it } from 'vitest';
import { Cpu, FACILITY_BITS, GuestMemory } from '../src/index.ts';
import { LC } from '../src/state/index.ts';

function run(facilities: readonly number[], problemState: boolean) {
  const mem = new GuestMemory(1 << 20);
  mem.write(0x2000, Uint8Array.from([0xb2, 0x56, 0x00, 0x02]));
  mem.writeU64(LC.PROGRAM_NEW_PSW, 0x0002000180000000n);
  mem.writeU64(LC.PROGRAM_NEW_PSW + 8, 0xdeadn);
  const cpu = new Cpu(mem, { facilities });
  cpu.setPsw({ mask: problemState ? 0x0001000180000000n : 0x0000000180000000n, addr: 0x2000n });
  return { stop: cpu.run(1), mem };
}

describe('STHYI', () => {
  it('is intercepted with facility 74, in problem state too', () => {
    const { stop } = run([...FACILITY_BITS, 74], true);
    expect(stop.kind === 'interception' && stop.interception.mnemonic).toBe('sthyi');
    expect(stop.kind === 'interception' && stop.interception.fields).toMatchObject({ R1: 0, R2: 2 });
  });

  it('is an operation exception without it', () => {
    const { stop, mem } = run(FACILITY_BITS, false);
    expect(stop.kind).toBe('wait');
    expect(mem.readU16(LC.PGM_CODE)).toBe(1);
  });
});
