// ESSA (B9AB): privileged, then handed to the host with its register and M3 fields; the
// disassembler names it as the architecture does (binutils has no mnemonic for it).
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { requireTool, run as runTool, tempPath } from '@pvdump/test-support';
import { Cpu, GuestMemory } from '../src/index.ts';
import { decodeInstruction, disassemble } from '../src/isa/index.ts';
import { LC } from '../src/state/index.ts';

const ESSA_R1_R12_ORC7 = Uint8Array.from([0xb9, 0xab, 0x70, 0x1c]);

function run(problemState: boolean) {
  const mem = new GuestMemory(1 << 20);
  mem.write(0x2000, ESSA_R1_R12_ORC7);
  mem.writeU64(LC.PROGRAM_NEW_PSW, 0x0002000180000000n);
  mem.writeU64(LC.PROGRAM_NEW_PSW + 8, 0xdeadn);
  const cpu = new Cpu(mem);
  cpu.setPsw({ mask: problemState ? 0x0001000180000000n : 0x0000000180000000n, addr: 0x2000n });
  return { cpu, stop: cpu.run(1), mem };
}

describe('ESSA', () => {
  it('is intercepted in supervisor state with R1, R2 and the operation request code', () => {
    const { cpu, stop } = run(false);
    expect(stop.kind).toBe('interception');
    if (stop.kind !== 'interception') return;
    expect(stop.interception.mnemonic).toBe('essa');
    expect(stop.interception.length).toBe(4);
    expect(stop.interception.fields).toMatchObject({ R1: 1, R2: 12, M3: 7 });
    expect(cpu.getPsw().addr).toBe(0x2004n);
  });

  it('is a privileged-operation exception in problem state', () => {
    const { stop, mem } = run(true);
    expect(stop.kind).toBe('wait');
    expect(mem.readU16(LC.PGM_CODE)).toBe(2);
    expect(mem.readU64(LC.PROGRAM_OLD_PSW + 8)).toBe(0x2004n);
  });

  it('decodes and disassembles as essa R1,R2,M3', () => {
    expect(disassemble(ESSA_R1_R12_ORC7, 0n).text).toBe('essa\t%r1,%r12,7');
    expect(disassemble(Uint8Array.from([0xb9, 0xab, 0x00, 0x2c]), 0n).text).toBe('essa\t%r2,%r12,0');
    const decoded = decodeInstruction(ESSA_R1_R12_ORC7);
    expect(decoded?.fields).toMatchObject({ R1: 1, R2: 12, M3: 7 });
    expect(decoded?.entry.mnemonic).toBe('essa');
    expect(decoded?.entry.privileged).toBe(true);
  });

  it('is an opcode binutils does not name (objdump prints .long), so the disassembler test skips it', () => {
    requireTool('s390x-linux-gnu-objdump');
    const bin = tempPath('essa.bin');
    writeFileSync(bin, ESSA_R1_R12_ORC7);
    const out = runTool('s390x-linux-gnu-objdump', ['-D', '-b', 'binary', '-m', 's390:64-bit', bin]);
    expect(out).toMatch(/0:\tb9 ab 70 1c\s+\t\.long\t0xb9ab701c/);
  });
});
