/**
 * The emulated Ultravisor's UV calls (spec ultravisor.md §1–§4, §6) with arbitrary control
 * blocks: any command code, header length, handle and address, issued with UVC at any host
 * address (aligned or not, inside storage or not, secure or not), as a block in memory, or by
 * the secure guest CPU. The machine starts booted from a real SE header (dumping allowed), so
 * calls reach the configuration, storage and dump paths. Architected outcomes only: a condition
 * code 0–3 with rc/rrc, a program exception (UvcProgramException, SecureStorageAccessError) or
 * another of the package's user errors.
 */
import fc from 'fast-check';
import { PvCpuState, SparseHostStorage, UVCB_SIZE, UvCommand, Ultravisor, deterministicRandom } from '@pvdump/ultravisor';
import { describeError, isUserError } from '../outcome.js';
import { loadSeededContext, type SeededContext } from '../seeded.js';
import { generatedHostKey } from '../seeds/generated.js';
import { defineTarget, FuzzFailure } from '../target.js';

const MIB = 0x100000n;
const HOST_SIZE = 32 * 0x100000;
/** Host layout [test choice]: UV storage, configuration storage, SCA, CPU storage, header, guest. */
const L = { uv: 0x100000n, confBase: 0x200000n, confVar: 0x300000n, sca: 0x400000n, cpu: 0x500000n, state: 0x510000n, header: 0x600000n, uvcb: 0x700000n, dumpArea: 0x800000n, guest: 0x1000000n } as const;
const GUEST_SIZE = MIB;

/** Interesting 64-bit values for handles, addresses and lengths. */
const VALUE_POOL = [
  'config',
  'cpu',
  '0x0',
  '0x1',
  '0xfff',
  '0x1000',
  '0x7fffffff',
  '0xffffffff',
  '0x100000000',
  '0xffffffffffffffff',
  '0x8000000000000000',
  `0x${HOST_SIZE.toString(16)}`,
  `0x${(HOST_SIZE - 8).toString(16)}`,
  ...Object.values(L).map((v) => `0x${v.toString(16)}`),
  '0x1000000',
  '0x1001000',
  '0xfffff',
] as const;

interface Call {
  cmd: number;
  /** header.len: the command's own size, a neighbour of it, or any value. */
  len: number;
  /** u64 words of the body: `[offset/8, value]` (value from the pool or any hex). */
  words: [number, string][];
  how: 'uvc' | 'execute' | 'guest';
  /** For `uvc`: the block address (from the pool, or the regular UVCB address). */
  at: string;
}

interface Context extends SeededContext {
  header: Uint8Array;
}

const COMMANDS = Object.values(UvCommand) as number[];

function callArbitrary(): fc.Arbitrary<Call> {
  const cmd = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...COMMANDS) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }) });
  return cmd.chain((c) => {
    const size = UVCB_SIZE[c] ?? 0x100;
    return fc.record({
      cmd: fc.constant(c),
      len: fc.oneof({ weight: 5, arbitrary: fc.constant(size) }, { weight: 2, arbitrary: fc.constantFrom(0, 1, 7, 8, size - 8, size + 8, 0xa8, 0x100, 0x1000, 0xffff) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }) }),
      words: fc.array(
        fc.tuple(
          fc.integer({ min: 1, max: 31 }),
          fc.oneof(
            fc.constantFrom(...VALUE_POOL),
            fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((v) => `0x${v.toString(16)}`),
          ),
        ),
        { maxLength: 8 },
      ),
      how: fc.constantFrom('uvc', 'uvc', 'execute', 'guest'),
      at: fc.oneof({ weight: 4, arbitrary: fc.constant(`0x${L.uvcb.toString(16)}`) }, { weight: 1, arbitrary: fc.constantFrom(...VALUE_POOL, '0x700004', '0x1fffff8') }),
    });
  });
}

interface Machine {
  uv: Ultravisor;
  config: bigint;
  cpu: bigint;
}

function bootMachine(header: Uint8Array): Machine {
  const storage = new SparseHostStorage(HOST_SIZE);
  const uv = new Ultravisor({ storage, hostKeys: [generatedHostKey()], random: deterministicRandom('pvdump fuzz uv') });
  const ok = (r: { cc: number; rc: number }, what: string): void => {
    if (r.cc !== 0 || r.rc !== 1) throw new Error(`booting the fuzz machine: ${what} gave cc ${r.cc} rc 0x${r.rc.toString(16)}`);
  };
  ok(uv.initialize(L.uv, 0x10000n), 'INIT_UV');
  const conf = uv.createSecureConfiguration({ guestStorageLength: GUEST_SIZE, guestAsce: L.guest | 0x100n, baseStorageOrigin: L.confBase, variableStorageOrigin: L.confVar, sca: L.sca });
  ok(conf, 'CREATE_SEC_CONF');
  const cpu = uv.createSecureCpu({ configHandle: conf.handle, cpuNumber: 0, storageOrigin: L.cpu, stateOrigin: L.state });
  ok(cpu, 'CREATE_SEC_CPU');
  uv.hostStorage.write(Number(L.header), header);
  ok(uv.setSecureConfigurationParameters(conf.handle, L.header, header.length), 'SET_SEC_CONF_PARAMS');
  ok(uv.verify(conf.handle), 'VERIFY_IMG');
  ok(uv.setCpuState(cpu.handle, PvCpuState.OPERATING), 'CPU_SET_STATE');
  return { uv, config: conf.handle, cpu: cpu.handle };
}

function value(v: string, m: Machine): bigint {
  return v === 'config' ? m.config : v === 'cpu' ? m.cpu : BigInt(v);
}

function blockOf(call: Call, m: Machine): Uint8Array {
  const block = new Uint8Array(Math.max(8, Math.min(call.len, 0x1000), ...call.words.map(([w]) => w * 8 + 8)));
  const v = new DataView(block.buffer);
  v.setUint16(0, call.len);
  v.setUint16(2, call.cmd);
  for (const [w, x] of call.words) if (w * 8 + 8 <= block.length) v.setBigUint64(w * 8, value(x, m) & 0xffffffffffffffffn);
  return block;
}

export const target = defineTarget<Call[], Context>({
  name: 'uv-calls',
  summary: 'UV calls with arbitrary control blocks (command, length, handles, addresses; UVC, execute, guest) on a booted machine: cc/rc or a program exception',
  level: 'library',
  memoryBoundMiB: 300,
  hangMs: 10_000,
  ciRuns: 140,
  async prepare() {
    const seeds = await loadSeededContext(['openable-se-header']);
    return { ...seeds, header: seeds.seeds.get('openable-se-header')!.bytes };
  },
  inputs: () => fc.array(callArbitrary(), { minLength: 1, maxLength: 12 }),
  async execute(calls, ctx) {
    const m = bootMachine(ctx.header);
    for (const [i, call] of calls.entries()) {
      const block = blockOf(call, m);
      let cc: number;
      try {
        if (call.how === 'execute') cc = m.uv.execute(block);
        else if (call.how === 'guest') cc = m.uv.guestCall(m.cpu, block);
        else {
          const at = value(call.at, m);
          if (at >= 0n && at + BigInt(block.length) <= BigInt(HOST_SIZE)) {
            try {
              m.uv.hostStorage.write(Number(at), block);
            } catch (err) {
              if (!isUserError(err)) throw err;
            }
          }
          cc = m.uv.call(at);
        }
      } catch (err) {
        if (isUserError(err)) continue;
        throw new FuzzFailure(`call ${i} (cmd 0x${call.cmd.toString(16)}, len 0x${call.len.toString(16)}, ${call.how}) threw an error that is no architected outcome:\n${describeError(err)}`);
      }
      if (!Number.isInteger(cc) || cc < 0 || cc > 3) throw new FuzzFailure(`call ${i} (cmd 0x${call.cmd.toString(16)}) returned condition code ${cc}`);
    }
  },
});
