// Control and privileged instructions: control/access registers, prefix, CPU identity,
// facilities, PSW instructions, addressing modes, TOD clock, clock comparator, CPU timer with
// external interruptions, TOD programmable register, FP and vector state instructions.
import { describe, expect, it } from 'vitest';
import { Cpu, FACILITY_BITS, GuestMemory, ManualTodClock, TOD_UNIX_EPOCH } from '../src/index.ts';
import { facilityListBytes } from '../src/core/facilities.ts';
import { LC } from '../src/state/index.ts';
import { CODE_AT, machine, programInterruption } from './support/machine.ts';

describe('control registers, access registers, prefix', () => {
  it('LCTLG / STCTG over a wrapping range, LCTL / STCTL the low halves', () => {
    const { cpu, mem } = machine('lctlg %c15,%c1,0(%r1)\nstctg %c0,%c15,0(%r2)\nlctl %c3,%c3,0(%r3)\nstctl %c3,%c3,4(%r3)');
    cpu.setGpr(1, 0x4000n);
    cpu.setGpr(2, 0x5000n);
    cpu.setGpr(3, 0x6000n);
    mem.writeU64(0x4000, 0xf0f0f0f0f0f0f0f0n);
    mem.writeU64(0x4008, 0x00000000000600e0n);
    mem.writeU64(0x4010, 0x1111111111111111n);
    mem.writeU32(0x6000, 0xabcdef01);
    cpu.setCr(3, 0x7777777700000000n);
    expect(cpu.run(4).kind).toBe('budget');
    expect(cpu.getCr(15)).toBe(0xf0f0f0f0f0f0f0f0n);
    expect(cpu.getCr(0)).toBe(0x600e0n);
    expect(cpu.getCr(1)).toBe(0x1111111111111111n);
    expect(mem.readU64(0x5000)).toBe(0x600e0n);
    expect(mem.readU64(0x5000 + 14 * 8)).toBe(0xc2000000n);
    expect(cpu.getCr(3)).toBe(0x77777777abcdef01n);
    expect(mem.readU32(0x6004)).toBe(0xabcdef01);
  });
  it('LAM / STAM / SAR / EAR', () => {
    const { cpu, mem } = machine('lam %a14,%a1,0(%r1)\nsar %a5,%r2\near %r3,%a15\nstamy %a0,%a15,0(%r4)');
    cpu.setGpr(1, 0x4000n);
    cpu.setGpr(2, 0xffffffff12345678n);
    cpu.setGpr(3, 0xaaaaaaaa00000000n);
    cpu.setGpr(4, 0x5000n);
    for (let i = 0; i < 4; i++) mem.writeU32(0x4000 + 4 * i, 0x10 + i);
    cpu.run(4);
    expect(cpu.snapshot().acrs.slice(0, 2)).toEqual([0x12, 0x13]);
    expect(cpu.snapshot().acrs[14]).toBe(0x10);
    expect(cpu.snapshot().acrs[5]).toBe(0x12345678);
    expect(cpu.getGpr(3)).toBe(0xaaaaaaaa00000011n);
    expect(mem.readU32(0x5000 + 4 * 5)).toBe(0x12345678);
  });
  it('SPX moves the lowcore; STPX, STAP, STIDP', () => {
    const { cpu, mem } = machine('spx 0(%r1)\nstpx 0x100(%r0)\nstap 0x108(%r0)\nstidp 0x110(%r0)');
    cpu.setGpr(1, 0x4000n);
    mem.writeU32(0x4000, 0x00021fff);
    cpu.run(4);
    expect(cpu.prefix).toBe(0x20000);
    // Real 0x100 is absolute 0x20100 now.
    expect(mem.readU32(0x20100)).toBe(0x20000);
    expect(mem.readU16(0x20108)).toBe(0);
    expect(mem.readU64(0x20110)).toBe(0x0000000029648000n);
    expect(mem.readU32(0x100)).toBe(0);
  });
  it('real addresses in the prefix area reach absolute 0-0x1FFF', () => {
    const { cpu, mem } = machine('spx 0(%r1)\nmvi 0(%r2),0x5a');
    cpu.setGpr(1, 0x4000n);
    cpu.setGpr(2, 0x20010n);
    mem.writeU32(0x4000, 0x20000);
    cpu.run(2);
    expect(mem.bytes[0x10]).toBe(0x5a);
  });
  it('SPX beyond guest memory is an addressing exception', () => {
    const { cpu, mem } = machine('spx 0(%r1)');
    cpu.setGpr(1, 0x4000n);
    mem.writeU32(0x4000, 0x7fffe000);
    cpu.run(3);
    expect(programInterruption(mem).code).toBe(5);
  });
  it('STFLE stores the facility list, sets GR0 and CC', () => {
    const { cpu, mem } = machine('stfle 0(%r1)\nstfle 0x100(%r1)');
    cpu.setGpr(1, 0x4000n);
    cpu.run(1);
    expect(cpu.cc).toBe(3);
    expect(cpu.getGpr(0) & 0xffn).toBe(2n);
    // Bits 0, 1, 2, 3, 4, 7 set: N3, z/Architecture installed and active, DAT enhancement, IDTE clearing, STFLE.
    expect(mem.bytes[0x4000]).toBe(0xf9);
    expect(mem.readU64(0x4008)).toBe(0n); // only one doubleword stored
    cpu.run(1);
    expect(cpu.cc).toBe(0);
    expect(mem.bytes[0x4100 + 16]).toBe(0x65); // bits 129 (vector), 130 (IEP), 133 (guarded storage), 135 (vector-enhancements 1)
    expect(mem.bytes[0x4100 + 18]).toBe(0x08); // bit 148 (vector-enhancements 2)
  });
  it('STFLE and STFL report the facilities the host gives (a CPU model with 161, the unpack facility)', () => {
    const { mem } = machine('stfle 0(%r1)\nstfl 0');
    const cpu = new Cpu(mem, { clock: new ManualTodClock(), facilities: [...FACILITY_BITS, 161] });
    cpu.setPsw({ mask: 0x0000000180000000n, addr: BigInt(CODE_AT) });
    cpu.setGpr(0, 2n);
    cpu.setGpr(1, 0x4000n);
    cpu.run(2);
    expect(cpu.cc).toBe(0);
    expect(mem.bytes[0x4000 + (161 >> 3)]).toBe(0x80 >>> (161 & 7));
    expect(mem.bytes[0x4100 + 16]).toBe(0); // the first machine's list is its own
    expect(mem.readU32(0xc8)).toBe(new DataView(facilityListBytes([...FACILITY_BITS, 161]).buffer).getUint32(0)); // STFL: the first word of the same list
    expect(() => new Cpu(mem, { facilities: [192] })).toThrow(/facility 192/);
  });
});

describe('PSW instructions', () => {
  it('LPSW loads an 8-byte PSW (bit 12 required)', () => {
    const { cpu, mem } = machine('lpsw 0(%r1)');
    cpu.setGpr(1, 0x4000n);
    mem.writeU32(0x4000, 0x00080000);
    mem.writeU32(0x4004, 0x80003000);
    cpu.run(1);
    expect(cpu.getPsw()).toEqual({ mask: 0x0000000080000000n, addr: 0x3000n });
    expect(cpu.bear).toBe(CODE_AT);
  });
  it('a PSW loaded by LPSWE governs the next instruction of the same run (problem state: SSKE is privileged)', () => {
    const { cpu, mem } = machine('lpswe 0(%r1)\nsske %r2,%r3');
    cpu.setGpr(1, 0x4000n);
    mem.writeU64(0x4000, 0x0001000180000000n);
    mem.writeU64(0x4008, BigInt(CODE_AT + 4));
    cpu.run(3);
    expect(programInterruption(mem)).toMatchObject({ code: 2, ilc: 4, oldAddr: BigInt(CODE_AT + 8) });
  });
  it('LPSW without bit 12 is a specification exception', () => {
    const { cpu, mem } = machine('lpsw 0(%r1)');
    cpu.setGpr(1, 0x4000n);
    mem.writeU32(0x4004, 0x80003000);
    cpu.run(3);
    expect(programInterruption(mem)).toMatchObject({ code: 6, ilc: 4, oldAddr: BigInt(CODE_AT + 4) });
  });
  it('SSM, STOSM, STNSM', () => {
    const { cpu, mem } = machine('stosm 0x100(%r0),0x03\nstnsm 0x101(%r0),0xfe\nssm 0(%r1)');
    cpu.setGpr(1, 0x4000n);
    mem.bytes[0x4000] = 0x04;
    cpu.run(1);
    expect(cpu.getPsw().mask).toBe(0x0300000180000000n);
    expect(mem.bytes[0x100]).toBe(0);
    cpu.run(1);
    expect(cpu.getPsw().mask).toBe(0x0200000180000000n);
    expect(mem.bytes[0x101]).toBe(3);
    cpu.run(1);
    expect(cpu.getPsw().mask).toBe(0x0400000180000000n);
  });
  it('SAM31 and SAM24 wrap addresses; SAM64 restores 64-bit', () => {
    const { cpu } = machine('sam31\nla %r1,0(%r2)\nsam24\nla %r3,0(%r2)\nsam64\nla %r4,0(%r2)');
    cpu.setGpr(2, 0x12345678abcdef12n);
    cpu.run(6);
    expect(cpu.getGpr(1)).toBe(0x2bcdef12n);
    expect(cpu.getGpr(3)).toBe(0xcdef12n);
    expect(cpu.getGpr(4)).toBe(0x12345678abcdef12n);
    expect(cpu.getPsw().mask).toBe(0x0000000180000000n);
  });
  it('24-bit operands wrap at 16 MiB even when memory is larger', () => {
    const { cpu, mem } = machine('sam24\nl %r1,0(%r2)');
    const big = new GuestMemory(32 << 20);
    big.write(0x2000, mem.read(0x2000, 16));
    big.write(0xfffffe, Uint8Array.from([0x11, 0x22]));
    big.write(0x1000000, Uint8Array.from([0x99, 0x99]));
    big.write(0, Uint8Array.from([0x33, 0x44]));
    const cpu24 = new Cpu(big);
    cpu24.setPsw({ mask: 0x0000000180000000n, addr: BigInt(CODE_AT) });
    cpu24.setGpr(2, 0xfffffen);
    cpu24.run(2);
    expect(cpu24.getGpr(1)).toBe(0x11223344n);
    expect(cpu.getGpr(1)).toBe(0n);
  });
  it('IPM, SPM, EPSW', () => {
    const { cpu } = machine('spm %r1\nipm %r2\nepsw %r3,%r4');
    cpu.setGpr(1, 0x2d000000n); // CC 2, program mask 0xD
    cpu.setGpr(2, 0xffffffffffffffffn);
    cpu.run(3);
    expect(cpu.cc).toBe(2);
    expect(cpu.getGpr(2)).toBe(0xffffffff2dffffffn);
    expect(cpu.getGpr(3)).toBe(0x00002d01n);
    expect(cpu.getGpr(4)).toBe(0x80000000n);
  });
});

describe('clocks and timers', () => {
  it('STCK is unique and increasing; STCKE has the epoch index and TOD programmable field', () => {
    const { cpu, mem } = machine('stck 0(%r1)\nstckf 8(%r1)\nsckpf\nstcke 16(%r1)');
    cpu.setGpr(1, 0x4000n);
    cpu.setGpr(0, 0xabcdn);
    cpu.run(4);
    const a = mem.readU64(0x4000);
    const b = mem.readU64(0x4008);
    expect(a > TOD_UNIX_EPOCH).toBe(true);
    expect(b > a).toBe(true);
    expect(mem.bytes[0x4010]).toBe(0);
    expect(mem.readU64(0x4011) > b).toBe(true);
    expect(mem.readU16(0x401e)).toBe(0xabcd);
    expect(cpu.todProgrammable).toBe(0xabcd);
  });
  it('SCKPF with bits 32-47 of GR0 set is a specification exception', () => {
    const { cpu, mem } = machine('sckpf');
    cpu.setGpr(0, 0x10000n);
    cpu.run(3);
    expect(programInterruption(mem)).toMatchObject({ code: 6, ilc: 2 });
  });
  it('SCK sets the clock; SCKC / STCKC; SPT / STPT decrements', () => {
    const { cpu, mem, clock } = machine('sck 0(%r1)\nstck 8(%r1)\nsckc 16(%r1)\nstckc 24(%r1)\nspt 32(%r1)\nstpt 40(%r1)');
    cpu.setGpr(1, 0x4000n);
    mem.writeU64(0x4000, 0x1000000000000000n);
    mem.writeU64(0x4010, 0xd0000000000000ffn);
    mem.writeU64(0x4020, 0x100000n);
    cpu.run(5);
    clock.advance(0x1000n);
    cpu.run(1);
    expect(mem.readU64(0x4008) > 0x1000000000000000n).toBe(true);
    expect(mem.readU64(0x4008) < 0x1000000001000000n).toBe(true);
    expect(mem.readU64(0x4018)).toBe(0xd0000000000000ffn);
    const timer = mem.readU64(0x4028);
    expect(timer < 0x100000n - 0x1000n).toBe(true);
    expect(timer > 0x100000n - 0x10000n).toBe(true);
  });
  it('an enabled wait for the clock comparator ends with external interruption 0x1004', () => {
    const source = ['stck 0(%r1)', 'lg %r2,0(%r1)', 'aghi %r2,4096', 'stg %r2,8(%r1)', 'sckc 8(%r1)', 'lctlg %c0,%c0,16(%r1)', 'lpswe 24(%r1)'].join('\n');
    const { cpu, mem } = machine(source);
    cpu.setGpr(1, 0x4000n);
    mem.writeU64(0x4010, 0x800n); // CR0: clock-comparator submask
    mem.writeU64(0x4018, 0x0102000180000000n); // enabled wait, external on
    mem.writeU64(0x4020, 0x7000n);
    mem.writeU64(LC.EXTERNAL_NEW_PSW, 0x0002000180000000n);
    mem.writeU64(LC.EXTERNAL_NEW_PSW + 8, 0xe00n);
    const stop = cpu.run(100);
    expect(stop).toMatchObject({ kind: 'wait', psw: { mask: 0x0002000180000000n, addr: 0xe00n }, disabled: true });
    expect(mem.readU16(LC.EXT_INT_CODE)).toBe(0x1004);
    expect(mem.readU64(LC.EXTERNAL_OLD_PSW)).toBe(0x0102000180000000n);
    expect(mem.readU64(LC.EXTERNAL_OLD_PSW + 8)).toBe(0x7000n);
  });
  it('a CPU timer going negative while running raises external interruption 0x1005', () => {
    // A tight loop with the CPU timer enabled; the timer expires after ~1 µs of TOD time.
    const { cpu, mem, clock } = machine('spt 0(%r1)\nstosm 8(%r1),0x01\nj .');
    cpu.setGpr(1, 0x4000n);
    mem.writeU64(0x4000, 0x1000n);
    cpu.setCr(0, 0x4e0n);
    mem.writeU64(LC.EXTERNAL_NEW_PSW, 0x0002000180000000n);
    mem.writeU64(LC.EXTERNAL_NEW_PSW + 8, 0xe00n);
    cpu.run(2);
    clock.advance(0x2000n);
    const stop = cpu.run(100000);
    expect(stop.kind).toBe('wait');
    expect(mem.readU16(LC.EXT_INT_CODE)).toBe(0x1005);
    expect(mem.readU64(LC.EXTERNAL_OLD_PSW + 8)).toBe(BigInt(CODE_AT + 8));
  });
});

describe('floating-point state instructions', () => {
  it('loads, stores and moves FPRs with AFP on; FPC instructions', () => {
    const source = ['ld %f9,0(%r1)', 'ldr %f10,%f9', 'lcdfr %f11,%f10', 'std %f11,8(%r1)', 'le %f12,0(%r1)', 'ste %f12,16(%r1)', 'lgdr %r5,%f11', 'ldgr %f13,%r1', 'lzdr %f9', 'sfpc %r2', 'stfpc 20(%r1)', 'efpc %r6', 'lfpc 24(%r1)'].join(
      '\n',
    );
    const { cpu, mem } = machine(source);
    cpu.setCr(0, 0x400e0n);
    cpu.setGpr(1, 0x4000n);
    cpu.setGpr(2, 0x00000003n);
    mem.writeU64(0x4000, 0x400921fb54442d18n);
    mem.writeU32(0x4018, 0x88000001);
    cpu.run(13);
    expect(mem.readU64(0x4008)).toBe(0xc00921fb54442d18n);
    expect(mem.readU32(0x4010)).toBe(0x400921fb);
    expect(cpu.getGpr(5)).toBe(0xc00921fb54442d18n);
    expect(cpu.getFprBits(13)).toBe(0x4000n);
    expect(cpu.getFprBits(9)).toBe(0n);
    expect(mem.readU32(0x4014)).toBe(3);
    expect(cpu.getGpr(6)).toBe(3n);
    expect(cpu.fpc).toBe(0x88000001);
  });
  it('SFPC with reserved bits or an invalid rounding mode is a specification exception', () => {
    for (const value of [0x00000080n, 0x00000004n]) {
      const { cpu, mem } = machine('sfpc %r2');
      cpu.setGpr(2, value);
      cpu.run(3);
      expect(programInterruption(mem)).toMatchObject({ code: 6, ilc: 4 });
    }
  });
});

describe('vector state instructions', () => {
  const enable = (cpu: { setCr(i: number, v: bigint): void }): void => cpu.setCr(0, 0x600e0n);
  it('VL, VST, VLR, VLM, VSTM', () => {
    const { cpu, mem } = machine('vl %v17,0(%r1)\nvlr %v2,%v17\nvst %v2,128(%r1)\nvlm %v20,%v22,0(%r1)\nvstm %v20,%v22,64(%r1)');
    enable(cpu);
    cpu.setGpr(1, 0x4000n);
    for (let i = 0; i < 48; i++) mem.bytes[0x4000 + i] = i + 1;
    cpu.run(5);
    expect(Array.from(mem.read(0x4080, 16))).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(Array.from(mem.read(0x4040, 48))).toEqual(Array.from({ length: 48 }, (_, i) => i + 1));
    expect(cpu.snapshot().vrs[21]![0]).toBe(17);
  });
  it('VLM with V3 < V1 is a specification exception', () => {
    const { cpu, mem } = machine('vlm %v5,%v4,0(%r1)');
    enable(cpu);
    cpu.run(3);
    expect(programInterruption(mem).code).toBe(6);
  });
  it('VLVG / VLGV in every element size, VREPI, VGBM / VZERO', () => {
    const source = ['vzero %v1', 'vlvgg %v1,%r2,1', 'vlvgf %v1,%r3,0', 'vlvgb %v1,%r3,5(%r4)', 'vlgvh %r5,%v1,1', 'vlgvg %r6,%v1,1', 'vrepih %v7,-2', 'vgbm %v8,0x8001', 'vlgvb %r7,%v1,4'].join('\n');
    const { cpu } = machine(source);
    enable(cpu);
    cpu.setGpr(2, 0x1122334455667788n);
    cpu.setGpr(3, 0xaabbccddn);
    cpu.setGpr(4, 16n); // index 5 + 16, wrapped to 5
    cpu.run(9);
    const vrs = cpu.snapshot().vrs;
    expect(Buffer.from(vrs[1]!).toString('hex')).toBe('aabbccdd00dd00001122334455667788');
    expect(cpu.getGpr(5)).toBe(0xccddn);
    expect(cpu.getGpr(6)).toBe(0x1122334455667788n);
    expect(cpu.getGpr(7)).toBe(0n);
    expect(Buffer.from(vrs[7]!).toString('hex')).toBe('fffe'.repeat(8));
    expect(Buffer.from(vrs[8]!).toString('hex')).toBe('ff' + '00'.repeat(14) + 'ff');
  });
  it('FPR i is the left half of V i', () => {
    const { cpu } = machine('vl %v3,0(%r1)\nlgdr %r2,%f3');
    enable(cpu);
    cpu.setGpr(1, 0x4000n);
    cpu.run(2);
    expect(cpu.getGpr(2)).toBe(0n);
  });
});
