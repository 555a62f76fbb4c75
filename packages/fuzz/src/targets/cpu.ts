/**
 * The instruction decoder, disassembler and interpreter (`@pvdump/s390x-cpu`, spec
 * s390x-cpu.md) on random instruction streams (random bytes, and real code from the fixture
 * guest with bytes flipped) under random PSWs, registers and new PSWs. Architected outcomes only:
 * `run` returns (a wait, an interception, the budget — program interruptions are delivered
 * through the lowcore on the way), the disassembler returns a 2-, 4- or 6-byte instruction;
 * nothing throws.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { Cpu, GuestMemory, ManualTodClock } from '@pvdump/s390x-cpu';
import { PT_LOAD, readElfImage } from '@pvdump/s390x-cpu/baremetal';
import { disassemble, disassembleBlock, instructionLength } from '@pvdump/s390x-cpu/isa';
import { LC } from '@pvdump/s390x-cpu/state';
import { fixturePath } from '@pvdump/test-support';
import { describeError } from '../outcome.js';
import { defineTarget, FuzzFailure } from '../target.js';

const MEMORY = 1 << 20;
const CODE_AT = 0x10000;
const hex64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((v) => `0x${v.toString(16)}`);
/** PSW masks: architected ones (64-bit, 31-bit, 24-bit; DAT off; wait), and any value. */
const MASKS = ['0x0000000180000000', '0x0000000080000000', '0x0', '0x0002000180000000', '0x0400000180000000', '0x0706000180000000', '0x0001000180000000', '0x0000000100000000'];

interface Input {
  code: string;
  pswMask: string;
  /** Offset of the PSW address from the code (odd offsets, too), or an absolute address. */
  pswAddr: { offset: number } | { absolute: string };
  newPsws: { at: number; mask: string; addr: string }[];
  gprs: [number, string][];
  crs: [number, string][];
  budget: number;
}

interface Context {
  realCode: Uint8Array;
}

export const target = defineTarget<Input, Context>({
  name: 'cpu',
  summary: 'decoder, disassembler and interpreter on random and mutated real instruction streams with random PSWs: a wait, an interception or the budget, never an exception',
  level: 'library',
  memoryBoundMiB: 300,
  hangMs: 10_000,
  ciRuns: 400,
  async prepare() {
    const path = fixturePath('qemu-7.2-crash/guest.elf');
    const seg = readElfImage(path).segments.find((s) => s.type === PT_LOAD && s.filesz > 0);
    const file = new Uint8Array(readFileSync(path));
    return { realCode: seg === undefined ? new Uint8Array(0) : file.subarray(seg.offset, seg.offset + seg.filesz) };
  },
  inputs(ctx) {
    const random = fc.uint8Array({ minLength: 2, maxLength: 96 });
    const real =
      ctx.realCode.length < 8
        ? random
        : fc.tuple(fc.integer({ min: 0, max: ctx.realCode.length - 2 }), fc.integer({ min: 2, max: 96 }), fc.array(fc.tuple(fc.nat(95), fc.integer({ min: 1, max: 255 })), { maxLength: 4 })).map(([at, n, flips]) => {
            const b = new Uint8Array(ctx.realCode.subarray(at, at + n));
            for (const [i, x] of flips) if (i < b.length) b[i]! ^= x;
            return b;
          });
    const newPswAt = fc.constantFrom(LC.RESTART_NEW_PSW, LC.EXTERNAL_NEW_PSW, LC.SVC_NEW_PSW, LC.PROGRAM_NEW_PSW, LC.MCHECK_NEW_PSW, LC.IO_NEW_PSW);
    return fc.record({
      code: fc.oneof(random, real).map((b) => Buffer.from(b).toString('hex')),
      pswMask: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...MASKS) }, { weight: 1, arbitrary: hex64 }),
      pswAddr: fc.oneof({ weight: 6, arbitrary: fc.record({ offset: fc.integer({ min: 0, max: 8 }) }) }, { weight: 1, arbitrary: fc.record({ absolute: hex64 }) }),
      newPsws: fc.array(
        fc.record({
          at: newPswAt,
          mask: fc.oneof(fc.constantFrom(...MASKS, '0x0002000180000000'), hex64),
          addr: fc.oneof(fc.constantFrom(`0x${CODE_AT.toString(16)}`, '0xdead', '0x0', `0x${(MEMORY - 2).toString(16)}`, `0x${MEMORY.toString(16)}`), hex64),
        }),
        { maxLength: 6 },
      ),
      gprs: fc.array(fc.tuple(fc.integer({ min: 0, max: 15 }), fc.oneof(fc.constantFrom('0x0', `0x${CODE_AT.toString(16)}`, '0xfffff', '0xffffffffffffffff', '0x7fffffff', '0x80000000'), hex64)), { maxLength: 8 }),
      crs: fc.array(fc.tuple(fc.integer({ min: 0, max: 15 }), hex64), { maxLength: 3 }),
      budget: fc.integer({ min: 1, max: 2000 }),
    });
  },
  async execute(input) {
    const code = new Uint8Array(Buffer.from(input.code, 'hex'));
    try {
      // disassemble() takes at least one whole instruction (its documented precondition).
      for (let off = 0; off < code.length && off + instructionLength(code[off]!) <= code.length;) {
        const d = disassemble(code.subarray(off), BigInt(CODE_AT + off));
        if (![2, 4, 6].includes(d.length)) throw new FuzzFailure(`disassemble returned length ${d.length} at offset ${off}`);
        off += d.length;
      }
      disassembleBlock(code, BigInt(CODE_AT));
    } catch (err) {
      if (err instanceof FuzzFailure) throw err;
      throw new FuzzFailure(`the disassembler threw on ${input.code}:\n${describeError(err)}`);
    }
    const memory = new GuestMemory(MEMORY);
    memory.write(CODE_AT, code);
    // Every new PSW starts as a disabled wait, so an interruption ends the run unless the input says otherwise.
    const view = new DataView(new ArrayBuffer(16));
    view.setBigUint64(0, 0x0002000180000000n);
    view.setBigUint64(8, 0xdeadn);
    for (const at of [LC.RESTART_NEW_PSW, LC.EXTERNAL_NEW_PSW, LC.SVC_NEW_PSW, LC.PROGRAM_NEW_PSW, LC.MCHECK_NEW_PSW, LC.IO_NEW_PSW]) memory.write(at, new Uint8Array(view.buffer));
    for (const p of input.newPsws) {
      view.setBigUint64(0, BigInt(p.mask));
      view.setBigUint64(8, BigInt(p.addr));
      memory.write(p.at, new Uint8Array(view.buffer));
    }
    const cpu = new Cpu(memory, { clock: new ManualTodClock() });
    try {
      for (const [i, v] of input.gprs) cpu.setGpr(i, BigInt(v));
      for (const [i, v] of input.crs) cpu.setCr(i, BigInt(v));
      const addr = 'offset' in input.pswAddr ? BigInt(CODE_AT + input.pswAddr.offset) : BigInt(input.pswAddr.absolute);
      cpu.setPsw({ mask: BigInt(input.pswMask), addr });
      const stop = cpu.run(input.budget);
      if (stop.executed > input.budget) throw new FuzzFailure(`run(${input.budget}) executed ${stop.executed} instructions`);
    } catch (err) {
      if (err instanceof FuzzFailure) throw err;
      throw new FuzzFailure(`the interpreter threw instead of an architected outcome:\n${describeError(err)}`);
    }
  },
});
