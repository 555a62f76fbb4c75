// The multiple-epoch facility (139) and the TOD-clock-steering facility (28) it implies: the TOD
// epoch index stepped by the carry out of bit 0 and kept by SCK, STCKE's byte 0, the SIE epoch
// extension (with carry) and SCK in the guest, clock-comparator sign control (CR0 bit 10), and
// PTFF's installed queries.
import { describe, expect, it } from 'vitest';
import { Cpu, FACILITY_BITS, GuestMemory, ManualTodClock } from '../src/index.ts';
import { machine, programInterruption } from './support/machine.ts';

const TWO64 = 1n << 64n;
const US = 4096n;

describe('TOD epoch index', () => {
  it('STFLE reports facilities 28 and 139', () => {
    expect(FACILITY_BITS).toContain(28);
    expect(FACILITY_BITS).toContain(139);
    const m = machine(`
    lghi %r0, 2
    stfle 0x600
    .short 0
`);
    m.cpu.run(10);
    const word2 = m.mem.readU64(0x610);
    expect((m.mem.readU64(0x600) >> (63n - 28n)) & 1n).toBe(1n);
    expect((word2 >> (63n - (139n - 128n))) & 1n).toBe(1n);
  });

  it('STCKE stores the epoch index the carry out of bit 0 stepped; SCK keeps it', () => {
    const m = machine(`
    stcke 0x600
    sck 0x700
    stcke 0x610
    .short 0
`);
    m.mem.writeU64(0x700, 0x1234_5678_0000_0000n);
    m.clock.set(TWO64 - US);
    m.cpu.run(10);
    // The next read is 2^64: epoch index 1, TOD 0.
    expect(m.mem.read(0x600, 1)[0]).toBe(1);
    expect(m.mem.readU64(0x601)).toBe(0n);
    expect(m.mem.read(0x610, 1)[0]).toBe(1);
    expect(m.mem.readU64(0x611)).toBe(0x1234_5678_0000_0000n + US);
  });
});

describe('clock-comparator sign control (CR0 bit 10)', () => {
  const cases = [
    { tod: 0x8000_0000_0000_0000n, ckc: 0x7fff_ffff_ffff_0000n, unsigned: true, signed: false },
    { tod: 0x0000_0000_0000_1000n, ckc: 0xffff_ffff_ffff_ffffn, unsigned: false, signed: true },
  ];
  for (const { tod, ckc, unsigned, signed } of cases) {
    it(`TOD 0x${tod.toString(16)} against CKC 0x${ckc.toString(16)}: unsigned ${unsigned}, signed ${signed}`, () => {
      for (const [signControl, facilities, pending] of [
        [false, FACILITY_BITS, unsigned],
        [true, FACILITY_BITS, signed],
        // Without the multiple-epoch facility bit 10 has no effect.
        [true, FACILITY_BITS.filter((f) => f !== 139), unsigned],
      ] as const) {
        const clock = new ManualTodClock(tod - US);
        const cpu = new Cpu(new GuestMemory(1 << 20), { clock, facilities });
        cpu.setCr(0, (signControl ? 1n << (63n - 10n) : 0n) | (1n << (63n - 52n)));
        cpu.clockComparator = ckc;
        cpu.setPsw({ mask: 0x0102000180000000n, addr: 0x2000n });
        expect(cpu.pendingTimerInterruption() === 0x1004).toBe(pending);
        // Not yet due: due one unit past the comparator, except unsigned at the largest value (never).
        const never = !(signControl && facilities.includes(139)) && ckc === TWO64 - 1n;
        if (!pending) expect(cpu.timerDeadline()).toBe(never ? undefined : BigInt.asUintN(64, ckc + 1n));
      }
    });
  }
});

describe('START INTERPRETIVE EXECUTION with the epoch extension (ECD_MEF)', () => {
  const HOST_CODE = 0x2000;
  const SD = 0x3000;
  const GUEST_AT = 0x100000;
  const HOST_START = TWO64 - (1n << 40n);

  function sie(guestCode: number[], epoch: bigint, epdx: number, mef: boolean, setup: (mem: GuestMemory) => void = () => undefined) {
    const mem = new GuestMemory(4 << 20);
    mem.write(HOST_CODE, Uint8Array.from([0xb2, 0x14, 0xe0, 0x00]));
    mem.write(GUEST_AT + 0x2000, Uint8Array.from(guestCode));
    mem.writeU64(SD + 0x80, BigInt(GUEST_AT)); // MSO
    mem.writeU64(SD + 0x88, BigInt(GUEST_AT)); // MSL
    mem.writeU64(SD + 0x90, 0x0000000180000000n);
    mem.writeU64(SD + 0x98, 0x2000n);
    mem.writeU64(SD + 0x38, epoch);
    mem.write(SD + 0x69, Uint8Array.of(epdx));
    if (mef) mem.writeU32(SD + 0x1c8, 0x08000000);
    setup(mem);
    // The host clock's epoch index is 2 (two carries out of bit 0), its TOD just below 2^64.
    const clock = new ManualTodClock(HOST_START - US, 2);
    const cpu = new Cpu(mem, { clock });
    cpu.setCr(1, 0x20n);
    cpu.setGpr(14, BigInt(SD));
    cpu.setPsw({ mask: 0x0400000180000000n, addr: BigInt(HOST_CODE) });
    cpu.run(1);
    return { mem, clock };
  }
  // stcke 0x600; sck 0x700; stcke 0x610; diag 0,0,0x44
  const code = [0xb2, 0x78, 0x06, 0x00, 0xb2, 0x04, 0x07, 0x00, 0xb2, 0x78, 0x06, 0x10, 0x83, 0x00, 0x00, 0x44];

  it('the guest epoch index is the host index plus the extension plus the carry of TOD + epoch', () => {
    const epoch = 1n << 41n;
    const { mem } = sie([0xb2, 0x78, 0x06, 0x00, 0x83, 0x00, 0x00, 0x44], epoch, 0x47, true);
    expect(mem.read(SD + 0x50, 1)[0]).toBe(0x04);
    expect(mem.read(GUEST_AT + 0x600, 1)[0]).toBe(2 + 0x47 + 1);
    expect(mem.readU64(GUEST_AT + 0x601)).toBe(BigInt.asUintN(64, HOST_START + epoch));
  });

  it('SCK in the guest sets a new epoch difference and keeps the guest epoch index through the extension', () => {
    const value = 0xffff_ffff_ffff_0000n;
    const { mem: m } = sie(code, 1n << 41n, 0x47, true, (mem) => mem.writeU64(GUEST_AT + 0x700, value));
    expect(m.read(SD + 0x50, 1)[0]).toBe(0x04);
    expect(m.read(GUEST_AT + 0x600, 1)[0]).toBe(0x4a);
    expect(m.read(GUEST_AT + 0x610, 1)[0]).toBe(0x4a);
    const after = m.readU64(GUEST_AT + 0x611);
    expect(after > value && after - value < 100n * US).toBe(true);
    // The new epoch no longer carries (value is above the host TOD): the extension grew by one.
    expect(m.read(SD + 0x69, 1)[0]).toBe(0x48);
    expect(m.readU64(SD + 0x38) < 1n << 40n).toBe(true);
  });

  it('without ECD_MEF the extension is ignored and left alone', () => {
    const { mem } = sie([0xb2, 0x78, 0x06, 0x00, 0x83, 0x00, 0x00, 0x44], 0n, 0x47, false);
    expect(mem.read(GUEST_AT + 0x600, 1)[0]).toBe(2);
    expect(mem.read(SD + 0x69, 1)[0]).toBe(0x47);
  });
});

describe('PERFORM TIMING FACILITY FUNCTION', () => {
  const source = `
    lghi %r0, 0
    lghi %r1, 0x600
    ptff
    ipm %r2
    lghi %r0, 1
    lghi %r1, 0x700
    ptff
    ipm %r3
    lghi %r0, 3
    lghi %r1, 0x800
    ptff
    ipm %r4
    lghi %r0, 2
    ptff
    ipm %r5
    lghi %r0, 0x41
    ptff
    ipm %r6
    .short 0
`;
  it('installs PTFF-QAF, QTO and QPT; other functions are condition code 3', () => {
    const m = machine(source);
    m.clock.set(0x1000_0000_0000_0000n);
    m.cpu.run(100);
    const cc = (r: number) => Number((m.cpu.getGpr(r) >> 28n) & 3n);
    expect([2, 3, 4, 5, 6].map(cc)).toEqual([0, 0, 0, 3, 3]);
    expect(m.mem.readU64(0x600)).toBe(0xd000_0000_0000_0000n);
    expect(m.mem.readU64(0x608)).toBe(0n);
    const [physical, offset, logicalOffset, difference] = [0, 8, 16, 24].map((o) => m.mem.readU64(0x700 + o));
    expect(offset).toBe(logicalOffset);
    expect(difference).toBe(0n);
    // The logical clock at the query is physical + offset: just past the value SCK-like set() gave it.
    const logical = BigInt.asUintN(64, physical! + offset!);
    expect(logical > 0x1000_0000_0000_0000n && logical < 0x1000_0000_0000_0000n + 100n * US).toBe(true);
    expect(m.mem.readU64(0x800) > physical!).toBe(true);
  });

  it('a control function in problem state is a privileged-operation exception; without facility 28 PTFF is an operation exception', () => {
    const m = machine(`
    lghi %r0, 0x40
    ptff
    .short 0
`);
    m.cpu.setPsw({ mask: 0x0001000180000000n, addr: 0x2000n });
    m.cpu.run(10);
    expect(programInterruption(m.mem).code).toBe(0x02);

    const mem = new GuestMemory(1 << 20);
    mem.write(0x2000, Uint8Array.of(0x01, 0x04));
    mem.writeU64(0x1d0, 0x0002000180000000n);
    mem.writeU64(0x1d8, 0xdeadn);
    const cpu = new Cpu(mem, { clock: new ManualTodClock(), facilities: FACILITY_BITS.filter((f) => f !== 28) });
    cpu.setPsw({ mask: 0x0000000180000000n, addr: 0x2000n });
    cpu.run(10);
    expect(programInterruption(mem).code).toBe(0x01);
  });
});
