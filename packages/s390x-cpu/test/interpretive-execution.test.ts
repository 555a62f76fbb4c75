// START INTERPRETIVE EXECUTION: the guest of a state description runs in host storage (MSO/MSL,
// host DAT) until an interception; its state is stored back into the state description and the
// host's GPRs 0–13. The host here uses a real-space ASCE in CR1 (host virtual = host real).
import { describe, expect, it } from 'vitest';
import { Cpu, GuestMemory, ManualTodClock } from '../src/index.ts';

const HOST_CODE = 0x2000;
const SD_AT = 0x3000;
const FACILITY_LIST_AT = 0x4000;
const GUEST_AT = 0x100000;
const GUEST_CODE = 0x2000;
const ICTL_OPEREXC = 0x80000000;
const ICTL_PINT = 0x20000000;

/** A host about to run `sie 0(%r14)` on a 1 MiB guest at 0x100000 whose code is `guestCode`. */
function host(guestCode: number[], options: { ictl?: number; gg14?: bigint } = {}): { cpu: Cpu; mem: GuestMemory } {
  const mem = new GuestMemory(4 << 20);
  mem.write(HOST_CODE, Uint8Array.from([0xb2, 0x14, 0xe0, 0x00]));
  mem.write(GUEST_AT + GUEST_CODE, Uint8Array.from(guestCode));
  mem.writeU64(SD_AT + 0x80, BigInt(GUEST_AT)); // MSO
  mem.writeU64(SD_AT + 0x88, BigInt(GUEST_AT)); // MSL: one 1 MiB block
  mem.writeU64(SD_AT + 0x90, 0x0000000180000000n); // guest PSW: 64-bit, DAT off
  mem.writeU64(SD_AT + 0x98, BigInt(GUEST_CODE));
  mem.writeU64(SD_AT + 0xa0, options.gg14 ?? 0n);
  mem.writeU32(SD_AT + 0x48, options.ictl ?? 0);
  const cpu = new Cpu(mem, { clock: new ManualTodClock() });
  cpu.setCr(1, 0x20n); // real-space ASCE
  cpu.setGpr(14, BigInt(SD_AT));
  cpu.setPsw({ mask: 0x0400000180000000n, addr: BigInt(HOST_CODE) });
  return { cpu, mem };
}

function interception(mem: GuestMemory): { code: number; ipa: number; ipb: number; pswAddr: bigint } {
  return { code: mem.read(SD_AT + 0x50, 1)[0]!, ipa: mem.readU16(SD_AT + 0x56), ipb: mem.readU32(SD_AT + 0x58), pswAddr: mem.readU64(SD_AT + 0x98) };
}

describe('SIE (B214)', () => {
  it('intercepts DIAGNOSE with IPA/IPB and the PSW past it; the host continues after SIE', () => {
    const { cpu, mem } = host([0x83, 0x02, 0x00, 0x9c]);
    expect(cpu.run(1).kind).toBe('budget');
    expect(interception(mem)).toEqual({ code: 0x04, ipa: 0x8302, ipb: 0x009c0000, pswAddr: BigInt(GUEST_CODE + 4) });
    expect(cpu.getPsw().addr).toBe(BigInt(HOST_CODE + 4));
  });

  it('runs the guest on the host GPRs 0–13 and GPRs 14–15 of the state description, in storage at MSO', () => {
    // la %r1,5(%r1); aghi %r14,7; stg %r1,0x500; diag 0,0,0x44
    const { cpu, mem } = host([0x41, 0x10, 0x10, 0x05, 0xa7, 0xeb, 0x00, 0x07, 0xe3, 0x10, 0x05, 0x00, 0x00, 0x24, 0x83, 0x00, 0x00, 0x44], { gg14: 100n });
    cpu.setGpr(1, 10n);
    cpu.run(1);
    expect(interception(mem).code).toBe(0x04);
    expect(cpu.getGpr(1)).toBe(15n);
    expect(mem.readU64(SD_AT + 0xa0)).toBe(107n);
    expect(mem.readU64(GUEST_AT + 0x500)).toBe(15n);
    expect(cpu.getGpr(14)).toBe(BigInt(SD_AT));
  });

  it('intercepts an operation exception (ICTL_OPEREXC) with its bytes', () => {
    const { cpu, mem } = host([0x00, 0x00], { ictl: ICTL_OPEREXC });
    cpu.run(1);
    expect(interception(mem)).toMatchObject({ code: 0x2c, ipa: 0x0000 });
  });

  it('intercepts program interruptions with ICTL_PINT: code, ILC and the old PSW', () => {
    // lpswe 1 (specification exception: odd operand address)
    const { cpu, mem } = host([0xb2, 0xb2, 0x00, 0x01], { ictl: ICTL_PINT });
    cpu.run(1);
    expect(interception(mem)).toMatchObject({ code: 0x08, pswAddr: BigInt(GUEST_CODE + 4) });
    expect(mem.readU16(SD_AT + 0xce)).toBe(0x06);
    expect(mem.readU16(SD_AT + 0xcc)).toBe(4);
  });

  it('delivers other program interruptions into the guest lowcore at its prefix', () => {
    // divide by zero: dr %r2,%r3 with r3 = 0; program-new PSW in the guest lowcore: diag 0x44
    const { cpu, mem } = host([0x1d, 0x23]);
    mem.writeU64(GUEST_AT + 0x1d0, 0x0000000180000000n);
    mem.writeU64(GUEST_AT + 0x1d8, 0x3000n);
    mem.write(GUEST_AT + 0x3000, Uint8Array.from([0x83, 0x00, 0x00, 0x44]));
    cpu.setGpr(3, 0n);
    cpu.run(1);
    expect(interception(mem)).toMatchObject({ code: 0x04, ipb: 0x00440000, pswAddr: 0x3004n });
    expect(mem.readU16(GUEST_AT + 0x8e)).toBe(0x09);
  });

  it('stores the facility list the state description designates; other formats are a validity interception', () => {
    // stfle 0x600 with r0 = 2 (three doublewords); diag 0x44
    const { cpu, mem } = host([0xb2, 0xb0, 0x06, 0x00, 0x83, 0x00, 0x00, 0x44]);
    mem.writeU64(FACILITY_LIST_AT, 0xc000000000000001n);
    mem.writeU32(SD_AT + 0x1a0, FACILITY_LIST_AT);
    cpu.setGpr(0, 2n);
    cpu.run(1);
    expect(interception(mem).code).toBe(0x04);
    expect(mem.readU64(GUEST_AT + 0x600)).toBe(0xc000000000000001n);
    const other = host([0x83, 0x00, 0x00, 0x44]);
    other.mem.writeU32(SD_AT + 0x1a0, FACILITY_LIST_AT | 1);
    other.cpu.run(1);
    expect(interception(other.mem)).toMatchObject({ code: 0x20, ipb: 0x13300000 });
  });

  it('makes a host translation exception of guest storage the host has not mapped', () => {
    // Host DAT: a segment table with only segment 0 (host virtual 0–1 MiB) valid, page table at 0x6000.
    const { cpu, mem } = host([0x83, 0x00, 0x00, 0x44]);
    mem.writeU64(SD_AT + 0x80, 0x100000n);
    for (let i = 0; i < 2048; i++) mem.writeU64(0x8000 + 8 * i, 0x20n);
    mem.writeU64(0x8000, 0x6000n);
    for (let i = 0; i < 256; i++) mem.writeU64(0x6000 + 8 * i, BigInt(i * 4096));
    cpu.setCr(1, 0x8000n | 0x3n);
    mem.writeU64(0x1d0, 0x0002000180000000n);
    mem.writeU64(0x1d8, 0xdeadn);
    cpu.run(5);
    expect(mem.readU16(0x8e)).toBe(0x10);
    expect(mem.readU64(0xa8) & ~0xfffn).toBe(0x100000n);
    expect(mem.readU64(0x150 + 8)).toBe(BigInt(HOST_CODE));
  });

  it('MVPG with ECA_MVPGI on a page the host invalidated: partial execution with both page-table-entry addresses', () => {
    // mvpg %r1,%r2 (destination guest page 5, source page 6); diag 0x44
    const { cpu, mem } = host([0xb2, 0x54, 0x00, 0x12, 0x83, 0x00, 0x00, 0x44], { ictl: ICTL_PINT });
    mem.writeU32(SD_AT + 0x4c, 0x01000000); // ECA_MVPGI
    // Host DAT: segment 1 (host virtual 1–2 MiB, the guest) through the page table at 0x6000, 1:1.
    for (let i = 0; i < 2048; i++) mem.writeU64(0x8000 + 8 * i, 0x20n);
    mem.writeU64(0x8000, 0x7000n);
    mem.writeU64(0x8008, 0x6000n);
    for (let i = 0; i < 256; i++) {
      mem.writeU64(0x7000 + 8 * i, BigInt(i * 4096));
      mem.writeU64(0x6000 + 8 * i, BigInt(GUEST_AT + i * 4096));
    }
    mem.writeU64(0x6000 + 8 * 6, BigInt(GUEST_AT + 6 * 4096) | 0x400n); // source page invalid
    cpu.setCr(1, 0x8000n | 0x3n);
    cpu.setGpr(1, 0x5000n);
    cpu.setGpr(2, 0x6000n);
    mem.write(GUEST_AT + 0x5000, new Uint8Array(4096).fill(0x11));
    mem.write(GUEST_AT + 0x6000, new Uint8Array(4096).fill(0x22));
    cpu.run(1);
    expect(interception(mem)).toEqual({ code: 0x38, ipa: 0xb254, ipb: 0x00120000, pswAddr: BigInt(GUEST_CODE + 4) });
    expect(mem.readU64(SD_AT + 0xc0)).toBe(0x6000n + 8n * 5n);
    expect(mem.readU64(SD_AT + 0xc8)).toBe(0x6000n + 8n * 6n);
    expect(mem.read(GUEST_AT + 0x5000, 1)[0]).toBe(0x11);
  });
});
