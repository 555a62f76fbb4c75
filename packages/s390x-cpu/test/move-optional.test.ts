// MOVE WITH OPTIONAL SPECIFICATIONS: moves in the primary space with CC 0 / CC 3 past 4096
// bytes, the secondary space through CR7's tables, keys from the OACs (protection), the
// privileged- and special-operation exceptions, storage-key removal (kvm-unit-tests skrf's
// keyed MVCOS), and the disassembly against objdump.
import { writeFileSync } from 'node:fs';
import { run, tempPath } from '@pvdump/test-support';
import { describe, expect, it } from 'vitest';
import { Cpu, FACILITY_BITS, GuestMemory, ManualTodClock } from '../src/index.ts';
import { disassemble } from '../src/isa/index.ts';
import { LC } from '../src/state/index.ts';
import { objdump } from './differential/objdump.ts';
import { assemble, CODE_AT, PGM_WAIT_ADDRESS, programInterruption } from './support/machine.ts';

const DAT_PSW = 0x0400000180000000n;
const PROBLEM_STATE = 0x0001000000000000n;
const PRIMARY_SEGMENTS = 0x10000;
const PRIMARY_PAGES = 0x14000;
const SECONDARY_SEGMENTS = 0x18000;
const SECONDARY_PAGES = 0x1c000;
const SRC = 0x60000;
const DEST = 0x70000;
const PRIVILEGED = 0x02;
const PROTECTION = 0x04;
const SPECIAL_OPERATION = 0x13;

/** An ASCE whose segment table at `segments` maps the first 1 MiB through the page table at `pages`, page p to `frame(p)`. */
function space(mem: GuestMemory, segments: number, pages: number, frame: (p: number) => number): bigint {
  for (let i = 0; i < 2048; i++) mem.writeU64(segments + 8 * i, 0x20n);
  mem.writeU64(segments, BigInt(pages));
  for (let p = 0; p < 256; p++) mem.writeU64(pages + 8 * p, BigInt(frame(p) * 4096));
  return BigInt(segments) | 0x3n;
}

interface Run {
  gr0: bigint;
  length: bigint;
  mask?: bigint;
  cr0?: bigint;
  pskm?: bigint;
  facilities?: readonly number[];
  setup?: (mem: GuestMemory) => void;
}

function mvcos({ gr0, length, mask = DAT_PSW, cr0 = 0xe0n, pskm = 0n, facilities = FACILITY_BITS, setup }: Run) {
  const mem = new GuestMemory(1 << 20);
  mem.write(CODE_AT, assemble('mvcos 0(%r4),0(%r6),%r8\nipm %r7'));
  mem.writeU64(LC.PROGRAM_NEW_PSW, 0x0002000180000000n);
  mem.writeU64(LC.PROGRAM_NEW_PSW + 8, BigInt(PGM_WAIT_ADDRESS));
  for (let i = 0; i < 3 * 4096; i++) mem.bytes[SRC + i] = (i * 7 + 1) & 0xff;
  // The secondary space sees page 0x60 + n at frame 0x90 + n.
  for (let i = 0; i < 4096; i++) mem.bytes[0x90000 + i] = 0xa5;
  setup?.(mem);
  const cpu = new Cpu(mem, { clock: new ManualTodClock(), facilities });
  cpu.setCr(0, cr0);
  cpu.setCr(
    1,
    space(mem, PRIMARY_SEGMENTS, PRIMARY_PAGES, (p) => p),
  );
  cpu.setCr(3, pskm << 16n);
  cpu.setCr(
    7,
    space(mem, SECONDARY_SEGMENTS, SECONDARY_PAGES, (p) => (p >= 0x60 && p < 0x70 ? p + 0x30 : p)),
  );
  cpu.setCr(13, cpu.getCr(1));
  cpu.setPsw({ mask, addr: BigInt(CODE_AT) });
  cpu.setGpr(0, gr0);
  cpu.setGpr(4, BigInt(DEST));
  cpu.setGpr(6, BigInt(SRC));
  cpu.setGpr(8, length);
  cpu.run(2);
  return { mem, cc: Number((cpu.getGpr(7) >> 28n) & 3n), code: programInterruption(mem).code, length: cpu.getGpr(8) };
}

/** Gives the destination frame storage key `key`. */
const destKey =
  (key: number) =>
  (mem: GuestMemory): void =>
    mem.setStorageKey(DEST / 4096, key);

const same = (mem: GuestMemory, a: number, b: number, n: number): boolean => Buffer.compare(mem.read(a, n), mem.read(b, n)) === 0;

describe('MVCOS', () => {
  it('is reported as facility 27', () => {
    expect(FACILITY_BITS).toContain(27);
  });

  it('moves the whole length in the primary space (CC 0)', () => {
    const r = mvcos({ gr0: 0n, length: 100n });
    expect(r.code).toBe(0);
    expect(r.cc).toBe(0);
    expect(same(r.mem, DEST, SRC, 100)).toBe(true);
    expect(r.mem.bytes[DEST + 100]).toBe(0);
  });

  it('moves 4096 bytes of a longer length and sets CC 3, leaving R3 alone', () => {
    const r = mvcos({ gr0: 0n, length: 0x100000000n + 10n });
    expect(r.code).toBe(0);
    expect(r.cc).toBe(3);
    expect(same(r.mem, DEST, SRC, 4096)).toBe(true);
    expect(r.mem.bytes[DEST + 4096]).toBe(0);
    expect(r.length).toBe(0x100000000n + 10n);
    expect(mvcos({ gr0: 0n, length: 4096n }).cc).toBe(0);
    expect(mvcos({ gr0: 0n, length: 0n }).cc).toBe(0);
  });

  it('fetches the second operand from the secondary space when OAC2 says so (CR0 secondary-space control on)', () => {
    // OAC2: AS 10 (secondary), A bit.
    const r = mvcos({ gr0: 0x0081n, length: 64n, cr0: 0x040000e0n });
    expect(r.code).toBe(0);
    expect(r.mem.read(DEST, 64).every((b) => b === 0xa5)).toBe(true);
    expect(mvcos({ gr0: 0x0081n, length: 64n }).code).toBe(SPECIAL_OPERATION);
  });

  it('stores with the OAC1 key: a mismatching frame key is a protection exception', () => {
    expect(mvcos({ gr0: 0x40020000n, length: 8n, setup: destKey(0x36) }).code).toBe(PROTECTION);
    const r = mvcos({ gr0: 0x30020000n, length: 8n, setup: destKey(0x36) });
    expect(r.code).toBe(0);
    expect(same(r.mem, DEST, SRC, 8)).toBe(true);
  });

  it('is a special-operation exception with DAT off', () => {
    expect(mvcos({ gr0: 0n, length: 8n, mask: 0x0000000180000000n }).code).toBe(SPECIAL_OPERATION);
  });

  it('in the problem state needs the key in the PSW-key mask and refuses the home space', () => {
    const problem = DAT_PSW | PROBLEM_STATE;
    expect(mvcos({ gr0: 0n, length: 8n, mask: problem }).code).toBe(0);
    expect(mvcos({ gr0: 0x90020000n, length: 8n, mask: problem }).code).toBe(PRIVILEGED);
    expect(mvcos({ gr0: 0x90020000n, length: 8n, mask: problem, pskm: 0x0040n, setup: destKey(0x96) }).code).toBe(0);
    expect(mvcos({ gr0: 0x00c1n, length: 8n, mask: problem }).code).toBe(PRIVILEGED);
    expect(mvcos({ gr0: 0x00c1n, length: 8n }).code).toBe(0);
  });

  it('with storage keys removed (facility 169) a specified key is a special-operation exception, as skrf expects', () => {
    const skrf = [...FACILITY_BITS.filter((b) => ![10, 14, 66].includes(b)), 169];
    expect(mvcos({ gr0: 0xf002f002n, length: 64n, facilities: skrf }).code).toBe(SPECIAL_OPERATION);
    expect(mvcos({ gr0: 0x00020002n, length: 64n, facilities: skrf }).code).toBe(0);
    expect(mvcos({ gr0: 0xf002f002n, length: 64n, setup: destKey(0xf6) }).code).toBe(0);
  });

  it('disassembles as objdump does', () => {
    const src = tempPath('mvcos.s');
    const obj = tempPath('mvcos.o');
    writeFileSync(src, '.text\nmvcos 16(%r1),32(%r2),%r3\nmvcos 0(%r15),4095,%r0\nmvcos 4095(%r0),0(%r9),%r15\n');
    run('s390x-linux-gnu-as', ['-march=z13', src, '-o', obj]);
    const lines = objdump(obj).filter((l) => l.text.startsWith('mvcos'));
    expect(lines.map((l) => l.text.split('\t')[0])).toEqual(['mvcos', 'mvcos', 'mvcos']);
    for (const line of lines) expect(disassemble(line.bytes, line.address).text).toBe(line.text);
  });
});
