/**
 * The bulk XTS fast path (spec pv-dump-crypto.md §7): many data units per OpenSSL call.
 *
 * OpenSSL's aes-256-xts takes one tweak per cipher context, and creating a context per 4 KiB page
 * costs more than decrypting the page. But XTS decryption of block j of a unit is
 * P_j = AES-Dec(key1, C_j ⊕ T_j) ⊕ T_j with T_j = AES-Enc(key2, tweak)·α^j, so a whole run of
 * pages becomes: one AES-ECB encryption of all their tweaks with key2 (giving each T₀), an
 * in-place XOR of every block with its T_j (the "whitening", a tiny WebAssembly SIMD loop that
 * also does the GF(2¹²⁸) doubling), one AES-ECB decryption with key1, and the same whitening
 * again. Both ECB calls run at OpenSSL's bulk speed. Tests prove the bytes equal OpenSSL's XTS
 * and the noble path's.
 *
 * `createBatchXts` is self-contained (it uses only its parameters and JavaScript globals) so the
 * worker threads can run the very same source text.
 */

/** WebAssembly opcodes used below (core spec §5.4; SIMD opcodes follow the 0xFD prefix). */
const OP = {
  block: 0x02,
  loop: 0x03,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  simd: 0xfd,
  voidType: 0x40,
} as const;
const SIMD = { v128Load: [0x00], v128Store: [0x0b], v128Const: [0x0c], i8x16Shuffle: [0x0d], v128And: [0x4e], v128Xor: [0x51], i64x2Shl: [0xcb, 0x01], i64x2ShrS: [0xcc, 0x01] } as const;
const I32 = 0x7f;
const V128 = 0x7b;
/** memarg: alignment 2^4 (16 bytes), offset 0. */
const MEMARG = [0x04, 0x00];

function leb128(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}
const section = (id: number, bytes: number[]): number[] => [id, ...leb128(bytes.length), ...bytes];
const name = (s: string): number[] => [...leb128(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const simd = (op: readonly number[]): number[] => [OP.simd, ...op];

/**
 * `whiten(tweakPtr, units, dataPtr, blocksPerUnit)`: for each unit u, T = the 16 bytes at
 * tweakPtr + 16u (= T₀, already AES-encrypted); then for each of its blocks, block ^= T and
 * T = T·α. Locals: 4 = blocks left, 5 = T, 6 = carry vector.
 *
 * T·α with T as two little-endian 64-bit lanes [lo, hi] (byte 0 least significant, as IEEE 1619):
 * the arithmetic shift [lo >>s 63, hi >>s 63] gives all-ones where a lane's top bit is set; with
 * the lanes swapped and masked by [0x87, 1] that is exactly what to XOR into (T << 1): the carry
 * out of hi folds back as 0x87 into lo, the carry out of lo moves into hi. (No multiply: i64x2.mul
 * is slow on x86.)
 */
function whitenBody(): number[] {
  const P_TWEAK = 0, P_UNITS = 1, P_DATA = 2, P_BLOCKS = 3, L_LEFT = 4, L_T = 5, L_CARRY = 6;
  const swapHalves = [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];
  const polyAndCarry = [0x87, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0];
  return [
    0x02, 0x01, I32, 0x02, V128, // locals: 1 × i32, 2 × v128
    OP.block, OP.voidType,
    OP.loop, OP.voidType,
    OP.localGet, P_UNITS, OP.i32Eqz, OP.brIf, 1,
    OP.localGet, P_TWEAK, ...simd(SIMD.v128Load), ...MEMARG, OP.localSet, L_T,
    OP.localGet, P_BLOCKS, OP.localSet, L_LEFT,
    OP.loop, OP.voidType,
    // block ^= T
    OP.localGet, P_DATA, OP.localGet, P_DATA, ...simd(SIMD.v128Load), ...MEMARG, OP.localGet, L_T, ...simd(SIMD.v128Xor), ...simd(SIMD.v128Store), ...MEMARG,
    // T = (T << 1) ^ (swap(T >>s 63) & [0x87, 1])
    OP.localGet, L_T, OP.i32Const, 63, ...simd(SIMD.i64x2ShrS), OP.localTee, L_CARRY, OP.localGet, L_CARRY, ...simd(SIMD.i8x16Shuffle), ...swapHalves,
    ...simd(SIMD.v128Const), ...polyAndCarry, ...simd(SIMD.v128And),
    OP.localGet, L_T, OP.i32Const, 1, ...simd(SIMD.i64x2Shl), ...simd(SIMD.v128Xor), OP.localSet, L_T,
    OP.localGet, P_DATA, OP.i32Const, 16, OP.i32Add, OP.localSet, P_DATA,
    OP.localGet, L_LEFT, OP.i32Const, 1, OP.i32Sub, OP.localTee, L_LEFT, OP.brIf, 0,
    OP.end,
    OP.localGet, P_TWEAK, OP.i32Const, 16, OP.i32Add, OP.localSet, P_TWEAK,
    OP.localGet, P_UNITS, OP.i32Const, 1, OP.i32Sub, OP.localSet, P_UNITS,
    OP.br, 0,
    OP.end,
    OP.end,
    OP.end,
  ];
}

let moduleBytes: Uint8Array | undefined;
/** The WebAssembly module: exports `whiten` and its memory `mem` (1 page, grown as needed). */
export function whitenModuleBytes(): Uint8Array {
  moduleBytes ??= encodeModule();
  return moduleBytes;
}

function encodeModule(): Uint8Array {
  const body = whitenBody();
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 4, I32, I32, I32, I32, 0]), // type: (i32 i32 i32 i32) -> ()
    ...section(3, [1, 0]), // one function of type 0
    ...section(5, [1, 0x00, 1]), // one memory, min 1 page
    ...section(7, [2, ...name('whiten'), 0x00, 0, ...name('mem'), 0x02, 0]),
    ...section(10, [1, ...leb128(body.length), ...body]),
  ]);
}

/** The part of the WebAssembly JS API used here (the project's TypeScript lib has no DOM types). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}
type WithWasm = { WebAssembly?: WasmApi };

/** True when this runtime has WebAssembly SIMD (Node 16.4+). */
export function wasmSimdAvailable(): boolean {
  const api = (globalThis as WithWasm).WebAssembly;
  try {
    return api !== undefined && api.validate(whitenModuleBytes());
  } catch {
    return false;
  }
}

export interface BatchXts {
  /** Decrypts `units` data units in place: `data` holds them back to back, `tweaks` their 16-byte tweaks. */
  decryptUnits(tweaks: Uint8Array, data: Uint8Array, unitBytes: number): void;
  dispose(): void;
}

type NodeCrypto = typeof import('node:crypto');

/**
 * Builds a batch XTS decryptor for a 64-byte key. Self-contained: runs in workers as source text.
 * Units are processed 32 at a time so the whitened data stays in the CPU cache between passes.
 */
export function createBatchXts(nc: NodeCrypto, wasm: Uint8Array, key: Uint8Array): BatchXts {
  const copy = Buffer.from(key);
  const key1 = nc.createSecretKey(copy.subarray(0, 32));
  const key2 = nc.createSecretKey(copy.subarray(32, 64));
  copy.fill(0);
  const api = (globalThis as WithWasm).WebAssembly;
  if (api === undefined) throw new Error('this runtime has no WebAssembly');
  const instance = new api.Instance(new api.Module(wasm));
  const whiten = instance.exports['whiten'] as (t: number, n: number, d: number, b: number) => void;
  const mem = instance.exports['mem'] as WasmMemory;
  const SUB_BATCH = 32;
  const DATA_AT = 1024; // tweaks of one sub-batch (32 × 16 bytes) fit below this
  // ECB has no chaining state, so one context per direction serves every call (no final()).
  const encTweaks = nc.createCipheriv('aes-256-ecb', key2, null).setAutoPadding(false);
  const decData = nc.createDecipheriv('aes-256-ecb', key1, null).setAutoPadding(false);
  let live = true;
  return {
    decryptUnits(tweaks: Uint8Array, data: Uint8Array, unitBytes: number): void {
      if (!live) throw new Error('batch XTS used after dispose()');
      if (unitBytes <= 0 || unitBytes % 16 !== 0 || data.length % unitBytes !== 0) throw new RangeError(`data unit of ${unitBytes} bytes does not divide ${data.length} bytes into 16-byte blocks`);
      const units = data.length / unitBytes;
      if (tweaks.length !== units * 16) throw new RangeError(`${units} units need ${units * 16} tweak bytes, got ${tweaks.length}`);
      const need = DATA_AT + SUB_BATCH * unitBytes;
      if (mem.buffer.byteLength < need) mem.grow(Math.ceil((need - mem.buffer.byteLength) / 65536));
      for (let first = 0; first < units; first += SUB_BATCH) {
        const n = Math.min(SUB_BATCH, units - first);
        const bytes = n * unitBytes;
        const m = new Uint8Array(mem.buffer);
        const t0 = encTweaks.update(tweaks.subarray(first * 16, (first + n) * 16));
        m.set(t0, 0);
        t0.fill(0);
        m.set(data.subarray(first * unitBytes, first * unitBytes + bytes), DATA_AT);
        whiten(0, n, DATA_AT, unitBytes / 16);
        const y = decData.update(m.subarray(DATA_AT, DATA_AT + bytes));
        m.set(y, DATA_AT);
        whiten(0, n, DATA_AT, unitBytes / 16);
        // The scratch area is overwritten by the next sub-batch and wiped at dispose(); it only
        // ever holds what `data` receives anyway.
        data.set(m.subarray(DATA_AT, DATA_AT + bytes), first * unitBytes);
      }
    },
    dispose(): void {
      live = false;
      new Uint8Array(mem.buffer).fill(0);
    },
  };
}
