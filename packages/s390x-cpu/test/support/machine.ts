// Test harness for the core tests: assembles s390x code with s390x-linux-gnu-as, loads it at
// 0x2000 of a fresh 1 MiB guest with a disabled-wait program-new PSW, and runs it.
import { readFileSync, writeFileSync } from 'node:fs';
import { requireTool, run, tempPath } from '@pvdump/test-support';
import { Cpu, GuestMemory, ManualTodClock } from '../../src/index.ts';
import { LC } from '../../src/state/index.ts';

export const CODE_AT = 0x2000;
/** Address of the program-new PSW's disabled wait. */
export const PGM_WAIT_ADDRESS = 0xdead;

/** Assembles `source` (GNU as syntax, -march=z13) and returns the .text bytes. */
export function assemble(source: string): Uint8Array {
  requireTool('s390x-linux-gnu-as');
  requireTool('s390x-linux-gnu-objcopy');
  const src = tempPath('t.s');
  const obj = tempPath('t.o');
  const bin = tempPath('t.bin');
  writeFileSync(src, '.text\n' + source + '\n');
  run('s390x-linux-gnu-as', ['-march=z13', src, '-o', obj]);
  run('s390x-linux-gnu-objcopy', ['-O', 'binary', '-j', '.text', obj, bin]);
  return Uint8Array.from(readFileSync(bin));
}

export interface TestMachine {
  cpu: Cpu;
  mem: GuestMemory;
  clock: ManualTodClock;
}

/** A CPU in 64-bit supervisor state at CODE_AT with the assembled `source` loaded. */
export function machine(source: string, mask = 0x0000000180000000n): TestMachine {
  const mem = new GuestMemory(1 << 20);
  mem.write(CODE_AT, assemble(source));
  mem.writeU64(LC.PROGRAM_NEW_PSW, 0x0002000180000000n);
  mem.writeU64(LC.PROGRAM_NEW_PSW + 8, BigInt(PGM_WAIT_ADDRESS));
  const clock = new ManualTodClock();
  const cpu = new Cpu(mem, { clock });
  cpu.setPsw({ mask, addr: BigInt(CODE_AT) });
  return { cpu, mem, clock };
}

/** The program interruption the lowcore records: code, ILC, old PSW, DXC, BEAR. */
export function programInterruption(mem: GuestMemory): { code: number; ilc: number; oldMask: bigint; oldAddr: bigint; dxc: number; bear: bigint } {
  return {
    code: mem.readU16(LC.PGM_CODE),
    ilc: mem.readU16(LC.PGM_ILC),
    oldMask: mem.readU64(LC.PROGRAM_OLD_PSW),
    oldAddr: mem.readU64(LC.PROGRAM_OLD_PSW + 8),
    dxc: mem.readU32(LC.DATA_EXC_CODE),
    bear: mem.readU64(LC.BEAR),
  };
}
