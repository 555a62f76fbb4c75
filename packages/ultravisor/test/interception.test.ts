// What an instruction interception shows the host: the registers and operand address are derived
// from the intercepted instruction by the Ultravisor's table, and that table covers exactly the
// instructions the CPU stops for.
import { CONFIGURATION_TOPOLOGY_FACILITY, Cpu, FACILITY_BITS, GuestMemory } from '@pvdump/s390x-cpu';
import { INSTRUCTIONS, FORMAT_FIELDS } from '@pvdump/s390x-cpu/isa';
import { initialCpuSnapshot, type CpuSnapshot } from '@pvdump/s390x-cpu/state';
import { describe, expect, it } from 'vitest';
import { SecureCpuError } from '../src/errors.ts';
import { instructionInterceptionReport } from '../src/interception.ts';

/** A 64-bit supervisor-state CPU whose GPR i holds 0x100 * i + i. */
function registers(): CpuSnapshot {
  const s = initialCpuSnapshot();
  s.psw = { mask: 0x0000000180000000n, addr: 0x10000n };
  s.gprs = s.gprs.map((_, i) => 0x100n * BigInt(i) + BigInt(i));
  return s;
}

describe('instruction interception reports', () => {
  it('SIGP exposes R1, the parameter register R1+1, R3 and the base register, and its order code address', () => {
    const r = instructionInterceptionReport(registers(), Uint8Array.from([0xae, 0x45, 0x20, 0x03]), 0); // sigp %r4,%r5,3(%r2)
    expect(r.mnemonic).toBe('sigp');
    if (r.mnemonic !== 'sigp') return;
    expect(r.fields).toEqual({ R1: 4, R3: 5, M3: 5, B2: 2, D2: 3 });
    expect([...r.registers.keys()]).toEqual([2, 4, 5]);
    expect(r.registers.get(4)).toBe(0x404n);
    expect(r.operandAddress).toBe(0x202n + 3n);
  });

  it('STSI exposes GPR 0 and 1, the base and its operand address; SSCH GPR 1; TPI only its address', () => {
    const stsi = instructionInterceptionReport(registers(), Uint8Array.from([0xb2, 0x7d, 0x30, 0x10]), 0);
    expect([stsi.mnemonic, [...stsi.registers.keys()], stsi.operandAddress]).toEqual(['stsi', [0, 1, 3], 0x303n + 0x10n]);
    const ssch = instructionInterceptionReport(registers(), Uint8Array.from([0xb2, 0x33, 0x00, 0x40]), 0);
    expect([ssch.mnemonic, [...ssch.registers], ssch.operandAddress]).toEqual(['ssch', [[1, 0x101n]], 0x40n]);
    const tpi = instructionInterceptionReport(registers(), Uint8Array.from([0xb2, 0x36, 0x00, 0x00]), 0);
    expect([tpi.mnemonic, tpi.registers.size, tpi.operandAddress]).toEqual(['tpi', 0, 0n]);
  });

  it('wraps the operand address to the addressing mode', () => {
    const s = registers();
    s.psw = { mask: 0x0000000080000000n, addr: 0x10000n }; // 31-bit
    s.gprs[2] = 0xffffffff_fffffff0n;
    const r = instructionInterceptionReport(s, Uint8Array.from([0x83, 0x13, 0x20, 0x20]), 0); // diag %r1,%r3,32(%r2)
    expect(r.operandAddress).toBe(0x10n);
  });

  it('refuses an instruction the host does not complete', () => {
    expect(() => instructionInterceptionReport(registers(), Uint8Array.from([0x18, 0x12]), 3)).toThrow(SecureCpuError);
    expect(() => instructionInterceptionReport(registers(), Uint8Array.from([0x0a, 0x01]), 3)).toThrow(/secure CPU 3 stopped for instruction 0a01/); // svc 1
  });

  it('covers exactly the instructions the CPU stops for', () => {
    const stopsFor: string[] = [];
    const covered: string[] = [];
    const mem = new GuestMemory(1 << 20);
    for (const entry of INSTRUCTIONS) {
      const { length } = FORMAT_FIELDS[entry.format];
      const bytes = new Uint8Array(length);
      const opcode = entry.opcode < 0x100 ? entry.opcode << 8 : entry.opcode < 0x1000 ? ((entry.opcode >> 4) << 8) | (entry.opcode & 15) : entry.opcode;
      bytes[0] = opcode >> 8;
      if (length === 6 && [0xe3, 0xe6, 0xe7, 0xeb, 0xec, 0xed].includes(bytes[0])) bytes[5] = opcode & 0xff;
      else if (entry.opcode >= 0x1000 || (entry.opcode >= 0x100 && bytes[0] === 0x01)) bytes[1] = opcode & 0xff;
      else if (entry.opcode >= 0x100) bytes[1] = opcode & 15;
      mem.write(0x10000, bytes);
      // With the topology facility, so that PTF stops too.
      const cpu = new Cpu(mem, { snapshot: registers(), facilities: [...FACILITY_BITS, CONFIGURATION_TOPOLOGY_FACILITY] });
      cpu.useBlocks = false;
      const stop = cpu.run(1);
      if (stop.kind === 'interception') stopsFor.push(entry.mnemonic);
      try {
        covered.push(instructionInterceptionReport(registers(), bytes, 0).mnemonic);
      } catch (e) {
        if (!(e instanceof SecureCpuError)) throw e;
      }
    }
    expect(stopsFor.length).toBe(22);
    expect(covered.sort()).toEqual(stopsFor.sort());
  });
});
