// The fixture guest (fixtures/qemu-7.2-crash/guest.elf) run bare-metal must end in the
// state QEMU 7.2 left it in: compared with QEMU's `info registers` and with QEMU's dump of it
// (registers from the notes, lowcore bytes from the memory), read with @pvdump/dump-format.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDump, type CpuState } from '@pvdump/dump-format';
import { fixturePath, gunzipFixture } from '@pvdump/test-support';
import { type StopReason } from '../src/index.ts';
import { LC } from '../src/state/index.ts';
import { runBareMetal, type BareMetalMachine } from '../src/baremetal/index.ts';

interface QemuRegisters {
  psw: { mask: bigint; addr: bigint };
  gprs: bigint[];
  vrs: bigint[];
  crs: bigint[];
}

/** Parses CPU `n` of QEMU's `info registers -a` output. */
function parseInfoRegisters(text: string, n: number): QemuRegisters {
  const block = text.split(/^CPU#/m).find((b) => b.startsWith(`${n}\n`));
  if (block === undefined) throw new Error(`CPU#${n} not in info registers`);
  const psw = /PSW=mask ([0-9a-f]{16}) addr ([0-9a-f]{16})/.exec(block);
  if (!psw) throw new Error('no PSW line');
  const regs = (prefix: string, count: number): bigint[] =>
    Array.from({ length: count }, (_, i) => {
      const m = new RegExp(`${prefix}${String(i).padStart(2, '0')}=([0-9a-f]+)`).exec(block);
      if (!m) throw new Error(`${prefix}${i} missing`);
      return BigInt('0x' + m[1]!);
    });
  return { psw: { mask: BigInt('0x' + psw[1]!), addr: BigInt('0x' + psw[2]!) }, gprs: regs('R', 16), vrs: regs('V', 32), crs: regs('C', 16) };
}

const vrValue = (v: Uint8Array): bigint => BigInt('0x' + Buffer.from(v).toString('hex'));

describe('fixture guest bare-metal', () => {
  let machine: BareMetalMachine;
  let stop: StopReason;
  let qemu: QemuRegisters;
  let dumpCpu: CpuState;
  let dumpCpu1: CpuState;
  let dumpLowcore: Uint8Array;

  beforeAll(async () => {
    ({ machine, stop } = runBareMetal(fixturePath('qemu-7.2-crash/guest.elf'), { memorySize: 16 << 20, budget: 10_000 }));
    qemu = parseInfoRegisters(readFileSync(fixturePath('qemu-7.2-crash/qemu-info-registers.txt'), 'utf8'), 0);
    const dump = await openDump(await gunzipFixture('qemu-7.2-crash/dump.elf.gz'));
    try {
      dumpCpu = dump.cpus[0]!;
      dumpCpu1 = dump.cpus[1]!;
      dumpLowcore = await dump.readMemory(0n, 0x200);
    } finally {
      await dump.close();
    }
  });

  it('stops in the disabled wait of the program-new PSW', () => {
    expect(stop.kind).toBe('wait');
    if (stop.kind === 'wait') expect(stop.disabled).toBe(true);
  });

  it('matches QEMU info registers: PSW, GPRs, vector/FP and control registers', () => {
    const s = machine.cpus[0]!.snapshot();
    expect(s.psw).toEqual(qemu.psw);
    expect(s.gprs).toEqual(qemu.gprs);
    expect(s.vrs.map(vrValue)).toEqual(qemu.vrs);
    expect(s.crs).toEqual(qemu.crs);
  });

  it("matches QEMU's dump notes: PSW, GPRs, FPRs, CRs, prefix, FPC", () => {
    const s = machine.cpus[0]!.snapshot();
    expect(s.psw).toEqual(dumpCpu.psw);
    expect(s.gprs).toEqual(dumpCpu.gprs);
    expect(s.acrs).toEqual(dumpCpu.acrs);
    expect(s.crs).toEqual(dumpCpu.crs);
    expect(dumpCpu.fprs).toBeDefined();
    expect(s.vrs.slice(0, 16).map((v) => vrValue(v.subarray(0, 8)))).toEqual(dumpCpu.fprs);
    expect(s.fpc).toBe(dumpCpu.fpc);
    expect(s.prefix).toBe(dumpCpu.prefix);
  });

  it("matches the dump's lowcore: program-interruption code, ILC, DXC, BEAR, old PSW", () => {
    const ours = machine.memory.read(0, 0x200);
    const dv = new DataView(dumpLowcore.buffer, dumpLowcore.byteOffset);
    expect(dv.getUint16(LC.PGM_CODE)).toBe(0x0007);
    expect(dv.getUint16(LC.PGM_ILC)).toBe(4);
    const slice = (buf: Uint8Array, at: number, n: number): string => Buffer.from(buf.subarray(at, at + n)).toString('hex');
    for (const [what, at, n] of [
      ['ILC and code', LC.PGM_ILC, 4],
      ['data-exception code', LC.DATA_EXC_CODE, 4],
      ['BEAR', LC.BEAR, 8],
      ['program old PSW', LC.PROGRAM_OLD_PSW, 16],
    ] as const) {
      expect(slice(ours, at, n), what).toBe(slice(dumpLowcore, at, n));
    }
    // The whole architected part of the lowcore is identical too.
    expect(slice(ours, 0, 0x200)).toBe(slice(dumpLowcore, 0, 0x200));
  });

  it('the second CPU, never started, has the reset state QEMU shows', () => {
    const two = runBareMetal(fixturePath('qemu-7.2-crash/guest.elf'), { memorySize: 16 << 20, budget: 10_000, cpuCount: 2 });
    const s = two.machine.cpus[1]!.snapshot();
    const qemu1 = parseInfoRegisters(readFileSync(fixturePath('qemu-7.2-crash/qemu-info-registers.txt'), 'utf8'), 1);
    expect(s.psw).toEqual(qemu1.psw);
    expect(s.gprs).toEqual(qemu1.gprs);
    expect(s.vrs.map(vrValue)).toEqual(qemu1.vrs);
    expect(s.crs).toEqual(qemu1.crs);
    expect(s.crs).toEqual(dumpCpu1.crs);
    expect(s.prefix).toBe(dumpCpu1.prefix);
    expect(two.machine.cpus[0]!.snapshot().gprs).toEqual(qemu.gprs);
  });

  it('copied the secret to 0x10000 as in the dump', () => {
    expect(Buffer.from(machine.memory.read(0x10000, 32)).toString('latin1')).toBe('OWNER-SECRET: guest crashed!!...');
  });
});
