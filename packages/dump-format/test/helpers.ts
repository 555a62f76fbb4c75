/** Shared helpers for the dump-format tests: QEMU's `info registers` parser and sample dumps. */
import type { CpuState } from '../src/index.ts';
import { emptyCpuState } from '../src/index.ts';

export interface QemuCpuRegisters {
  psw: { mask: bigint; addr: bigint };
  gprs: bigint[];
  vrs: string[];
  crs: bigint[];
}

/** Parses QEMU's `info registers -a` text (PSW=, Rnn=, Vnn=, Cnn= fields) per CPU. */
export function parseInfoRegisters(text: string): QemuCpuRegisters[] {
  return text
    .split(/^CPU#\d+$/m)
    .slice(1)
    .map((block) => {
      const field = (re: RegExp): string[] => [...block.matchAll(re)].map((m) => m[1]!);
      const psw = /PSW=mask ([0-9a-f]{16}) addr ([0-9a-f]{16})/.exec(block);
      if (!psw) throw new Error('no PSW line in info registers block');
      return {
        psw: { mask: BigInt('0x' + psw[1]!), addr: BigInt('0x' + psw[2]!) },
        gprs: field(/R\d\d=([0-9a-f]{16})/g).map((h) => BigInt('0x' + h)),
        vrs: field(/V\d\d=([0-9a-f]{32})/g),
        crs: field(/C\d\d=([0-9a-f]{16})/g).map((h) => BigInt('0x' + h)),
      };
    });
}

export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** A CPU whose every register has a distinct recognisable value (n = CPU number). */
export function patternedCpu(n: number, withVectors = true): CpuState {
  const cpu = emptyCpuState(n + 1);
  const k = BigInt(n);
  cpu.psw = { mask: 0x0705000180000000n, addr: 0x10000n + k * 0x100n };
  cpu.gprs = Array.from({ length: 16 }, (_, i) => 0x1000_0000_0000_0000n + (k << 32n) + BigInt(i) * 0x0101n);
  cpu.acrs = Array.from({ length: 16 }, (_, i) => 0xa0000000 + n * 0x100 + i);
  cpu.crs = Array.from({ length: 16 }, (_, i) => 0xc000_0000_0000_0000n + (k << 16n) + BigInt(i));
  cpu.fpc = 0x80 + n;
  cpu.fprs = Array.from({ length: 16 }, (_, i) => 0x4000_0000_0000_0000n + (k << 24n) + BigInt(i));
  if (withVectors) {
    cpu.vrs = Array.from({ length: 32 }, (_, i) => {
      const r = new Uint8Array(16);
      const v = new DataView(r.buffer);
      v.setBigUint64(0, i < 16 ? cpu.fprs![i]! : 0x5100_0000_0000_0000n + (k << 24n) + BigInt(i));
      v.setBigUint64(8, 0x0e0e_0000_0000_0000n + (k << 32n) + BigInt(i));
      return r;
    });
  }
  cpu.prefix = 0x1e000 + n * 0x2000;
  cpu.cpuTimer = 0x7fff_0000_1111_0000n + k;
  cpu.clockComparator = 0x00d5_a5a5_c0ff_ee00n + k;
  cpu.todProgrammable = 0x1234 + n;
  cpu.gsCb = { reserved: 0n, gsd: 0x6d00_0000_0000_0001n + k, gssm: 0x6e00_0000_0000_0002n + k, gsepla: 0x6f00_0000_0000_0003n + k };
  return cpu;
}

/** Deterministic pseudo-random memory: byte i of the guest is a function of i. */
export function* patternMemory(size: number, chunk = 1 << 16): Generator<Uint8Array> {
  for (let off = 0; off < size; off += chunk) {
    const n = Math.min(chunk, size - off);
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = ((off + i) * 2654435761) >>> 24;
    yield b;
  }
}

/** Collects an async iterable of chunks into one buffer (for small test dumps only). */
export async function collect(chunks: AsyncIterable<{ data: Uint8Array }>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(c.data);
  return Buffer.concat(parts);
}
