// A CPU model without the vector facility (129, QEMU's `-cpu …,vx=off`): vector instructions are
// operation exceptions there, whatever CR0 enables; with it they run (CR0 bits 45 and 46 on).
import { describe, expect, it } from 'vitest';
import { Cpu, FACILITY_BITS, GuestMemory } from '../src/index.ts';
import { initialCpuSnapshot, LC } from '../src/state/index.ts';

/** One instruction, VLR %v1, %v2, with CR0 enabling AFP and vector registers. */
function run(facilities: readonly number[]): GuestMemory {
  const mem = new GuestMemory(1 << 20);
  mem.write(0x2000, Uint8Array.from([0xe7, 0x12, 0x00, 0x00, 0x00, 0x56]));
  mem.writeU64(LC.PROGRAM_NEW_PSW, 0x0002000180000000n);
  mem.writeU64(LC.PROGRAM_NEW_PSW + 8, 0xdeadn);
  const snapshot = initialCpuSnapshot();
  snapshot.crs[0] = 0xe0n | 0x60000n;
  snapshot.vrs[2]!.fill(0x5a);
  snapshot.psw = { mask: 0x0000000180000000n, addr: 0x2000n };
  const cpu = new Cpu(mem, { facilities, snapshot });
  cpu.run(1);
  mem.writeU64(0x100, cpu.snapshot().vrs[1]![0] === 0x5a ? 1n : 0n);
  return mem;
}

describe('the vector facility in the CPU model', () => {
  it('runs a vector instruction when facility 129 is installed', () => {
    const mem = run(FACILITY_BITS);
    expect(mem.readU64(0x100)).toBe(1n);
    expect(mem.readU16(LC.PGM_CODE)).toBe(0);
  });

  it('gives an operation exception (ILC 6) without it', () => {
    const mem = run(FACILITY_BITS.filter((f) => f !== 129));
    expect(mem.readU16(LC.PGM_CODE)).toBe(1);
    expect(mem.readU16(LC.PGM_ILC)).toBe(6);
    expect(mem.readU64(0x100)).toBe(0n);
  });
});
