/**
 * The bulk XTS fast path (spec pv-dump-crypto.md §7): many data units per OpenSSL call.
 *
 * OpenSSL's aes-256-xts takes one tweak per cipher context, and creating a context per 4 KiB page
 * costs more than decrypting the page. But XTS decryption of block j of a unit is
 * P_j = AES-Dec(key1, C_j ⊕ T_j) ⊕ T_j with T_j = AES-Enc(key2, tweak)·α^j, so a whole run of
 * pages becomes: one AES-ECB encryption of all their tweaks with key2 (giving each T₀), an
 * in-place XOR of every block with its T_j (the "whitening", a tiny WebAssembly SIMD loop that
 * also does the GF(2¹²⁸) doubling and saves each T_j), one AES-ECB decryption with key1, and an
 * XOR with the saved T_j. Both ECB calls run at OpenSSL's bulk speed, 32 KiB at a time so the
 * data stays in the CPU cache. Pages that are not encrypted ride along with T = 0. The
 * WebAssembly memory is shared, so run regions in it (`reserveRegions`) can be read and written
 * by other threads without copies. Tests prove the bytes equal OpenSSL's XTS and the noble path's.
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
  i32Shl: 0x74,
  i32LtU: 0x49,
  simd: 0xfd,
  voidType: 0x40,
} as const;
const SIMD = { v128Load: [0x00], v128Store: [0x0b], v128Const: [0x0c], i8x16Shuffle: [0x0d], v128And: [0x4e], v128Xor: [0x51], i64x2ShrS: [0xcc, 0x01], i64x2Add: [0xce, 0x01] } as const;
const I32 = 0x7f;
const V128 = 0x7b;
/** memarg: alignment 2^4 (16 bytes) and a constant offset. */
const memarg = (offset = 0): number[] => [0x04, ...leb128(offset)];

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
/** Signed LEB128 (what i32.const takes): 64 needs two bytes, since bit 6 of the last byte is the sign. */
function sleb128(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}
const section = (id: number, bytes: number[]): number[] => [id, ...leb128(bytes.length), ...bytes];
const name = (s: string): number[] => [...leb128(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const simd = (op: readonly number[]): number[] => [OP.simd, ...op];
const get = (local: number): number[] => [OP.localGet, local];
const set = (local: number): number[] => [OP.localSet, local];

/**
 * T = T·α with T as two little-endian 64-bit lanes [lo, hi] (byte 0 least significant, as IEEE
 * 1619): the arithmetic shift [lo >>s 63, hi >>s 63] gives all-ones where a lane's top bit is set;
 * with the lanes swapped and masked by [0x87, 1] that is exactly what to XOR into (T << 1): the
 * carry out of hi folds back as 0x87 into lo, the carry out of lo moves into hi. T << 1 is T + T
 * per lane (no multiply: i64x2.mul is slow on x86).
 */
function timesAlpha(t: number, carry: number): number[] {
  const swapHalves = [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];
  const polyAndCarry = [0x87, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0];
  return [
    ...get(t), OP.i32Const, 63, ...simd(SIMD.i64x2ShrS), OP.localTee, carry, ...get(carry), ...simd(SIMD.i8x16Shuffle), ...swapHalves,
    ...simd(SIMD.v128Const), ...polyAndCarry, ...simd(SIMD.v128And),
    ...get(t), ...get(t), ...simd(SIMD.i64x2Add), ...simd(SIMD.v128Xor), ...set(t),
  ];
}

/**
 * `whiten(tweakPtr, groups, dataPtr, blocksPerUnit, savePtr)` with `lanes` units per group: for
 * each unit u, T = the 16 bytes at tweakPtr + 16u (= T₀, already AES-encrypted); then for each
 * of its blocks, block ^= T, T is saved at the same offset from savePtr as the block has from
 * dataPtr (so the second whitening is a plain XOR, `unwhiten`), and T = T·α. The units of a
 * group lie back to back; block j of all of them is done before block j + 1. Each T·α depends
 * on the previous one (a chain of ~5 dependent instructions), so one unit at a time leaves the
 * CPU waiting; four independent chains keep it busy.
 */
function whitenBody(lanes: 1 | 4): number[] {
  const P_TWEAK = 0, P_GROUPS = 1, P_DATA = 2, P_BLOCKS = 3, P_SAVE = 4;
  const L_LEFT = 5, L_S1 = 6, L_P = 9, L_A = 10, L_DELTA = 11, L_T0 = 12, L_CARRY = 16;
  const address = (u: number): number[] => (u === 0 ? get(L_P) : [...get(L_P), ...get(L_S1 + u - 1), OP.i32Add]);
  const unitStep = (u: number): number[] => [
    ...address(u), OP.localTee, L_A, ...get(L_A), ...simd(SIMD.v128Load), ...memarg(), ...get(L_T0 + u), ...simd(SIMD.v128Xor), ...simd(SIMD.v128Store), ...memarg(),
    ...get(L_A), ...get(L_DELTA), OP.i32Add, ...get(L_T0 + u), ...simd(SIMD.v128Store), ...memarg(),
    ...timesAlpha(L_T0 + u, L_CARRY),
  ];
  const units = Array.from({ length: lanes }, (_, u) => u);
  return [
    0x02, 0x07, I32, 0x05, V128, // locals: 7 × i32 (5–11), 5 × v128 (12–16)
    ...get(P_SAVE), ...get(P_DATA), OP.i32Sub, ...set(L_DELTA),
    // Unit strides in bytes: 1, 2 and 3 units.
    ...get(P_BLOCKS), OP.i32Const, 4, OP.i32Shl, ...set(L_S1),
    ...get(L_S1), ...get(L_S1), OP.i32Add, ...set(L_S1 + 1),
    ...get(L_S1 + 1), ...get(L_S1), OP.i32Add, ...set(L_S1 + 2),
    OP.block, OP.voidType,
    OP.loop, OP.voidType,
    ...get(P_GROUPS), OP.i32Eqz, OP.brIf, 1,
    ...units.flatMap((u) => [...get(P_TWEAK), ...simd(SIMD.v128Load), ...memarg(16 * u), ...set(L_T0 + u)]),
    ...get(P_BLOCKS), ...set(L_LEFT),
    ...get(P_DATA), ...set(L_P),
    OP.loop, OP.voidType,
    ...units.flatMap(unitStep),
    ...get(L_P), OP.i32Const, 16, OP.i32Add, ...set(L_P),
    ...get(L_LEFT), OP.i32Const, 1, OP.i32Sub, OP.localTee, L_LEFT, OP.brIf, 0,
    OP.end,
    ...get(P_TWEAK), OP.i32Const, ...sleb128(16 * lanes), OP.i32Add, ...set(P_TWEAK),
    ...get(P_DATA), ...(lanes === 4 ? [...get(L_S1 + 1), OP.i32Add, ...get(L_S1 + 1)] : get(L_S1)), OP.i32Add, ...set(P_DATA),
    ...get(P_GROUPS), OP.i32Const, 1, OP.i32Sub, ...set(P_GROUPS),
    OP.br, 0,
    OP.end,
    OP.end,
    OP.end,
  ];
}

/** `unwhiten(dataPtr, savePtr, bytes)`: data ^= saved T values, 64 bytes per step (`bytes` a multiple of 16). */
function unwhitenBody(): number[] {
  const P_DATA = 0, P_SAVE = 1, P_BYTES = 2;
  const xorAt = (offset: number): number[] => [
    ...get(P_DATA), ...get(P_DATA), ...simd(SIMD.v128Load), ...memarg(offset), ...get(P_SAVE), ...simd(SIMD.v128Load), ...memarg(offset), ...simd(SIMD.v128Xor), ...simd(SIMD.v128Store), ...memarg(offset),
  ];
  const advance = (n: number): number[] => [
    ...get(P_DATA), OP.i32Const, ...sleb128(n), OP.i32Add, ...set(P_DATA),
    ...get(P_SAVE), OP.i32Const, ...sleb128(n), OP.i32Add, ...set(P_SAVE),
    ...get(P_BYTES), OP.i32Const, ...sleb128(n), OP.i32Sub, ...set(P_BYTES),
  ];
  return [
    0x00, // no locals
    // 64 bytes at a time while there are 64, then 16.
    OP.block, OP.voidType,
    OP.loop, OP.voidType,
    ...get(P_BYTES), OP.i32Const, ...sleb128(64), OP.i32LtU, OP.brIf, 1,
    ...xorAt(0), ...xorAt(16), ...xorAt(32), ...xorAt(48),
    ...advance(64),
    OP.br, 0,
    OP.end,
    OP.end,
    OP.block, OP.voidType,
    OP.loop, OP.voidType,
    ...get(P_BYTES), OP.i32Eqz, OP.brIf, 1,
    ...xorAt(0),
    ...advance(16),
    OP.br, 0,
    OP.end,
    OP.end,
    OP.end,
  ];
}

/** Upper bound of the WebAssembly memory (a shared memory needs one): 1 GiB of 64 KiB pages. */
const MEMORY_MAX_PAGES = 16384;

let moduleBytes: Uint8Array | undefined;
/** The WebAssembly module: exports `whiten`, `whiten4`, `unwhiten` and its shared memory `mem` (1 page, grown as needed). */
export function whitenModuleBytes(): Uint8Array {
  moduleBytes ??= encodeModule();
  return moduleBytes;
}

function encodeModule(): Uint8Array {
  const bodies = [whitenBody(1), whitenBody(4), unwhitenBody()];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    // types: 0 = (i32 × 5) -> (), 1 = (i32 × 3) -> ()
    ...section(1, [2, 0x60, 5, I32, I32, I32, I32, I32, 0, 0x60, 3, I32, I32, I32, 0]),
    ...section(3, [3, 0, 0, 1]), // whiten, whiten4, unwhiten
    // one shared memory (so worker results can be written from it without a copy), 1 page to start
    ...section(5, [1, 0x03, 1, ...leb128(MEMORY_MAX_PAGES)]),
    ...section(7, [4, ...name('whiten'), 0x00, 0, ...name('whiten4'), 0x00, 1, ...name('unwhiten'), 0x00, 2, ...name('mem'), 0x02, 0]),
    ...section(10, [bodies.length, ...bodies.flatMap((b) => [...leb128(b.length), ...b])]),
  ]);
}

/** The part of the WebAssembly JS API used here (the project's TypeScript lib has no DOM types). */
interface WasmMemory {
  readonly buffer: ArrayBufferLike;
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
  /** Decrypts a run whose ciphertext `load` puts straight into the scratch memory (see `BatchRun`). */
  decryptRun(run: BatchRun): void;
  /**
   * Reserves `count` regions of `bytes` in the WebAssembly memory for in-place runs
   * (`BatchRun.at`); returns the memory's buffer (a SharedArrayBuffer, so another thread can read
   * the results without a copy) and the regions' offsets. Units of in-place runs are at most 32 KiB.
   */
  reserveRegions(count: number, bytes: number): { buffer: ArrayBufferLike; offsets: number[] };
  dispose(): void;
}

/** Unit kinds for `BatchRun.kinds` (the values of `PageKind`). */
export const UNIT_ENCRYPTED = 0;
export const UNIT_ZERO = 1;
export const UNIT_PLAIN = 2;

/**
 * A run of `units` data units of `unitBytes`, processed in cache-sized sub-batches: `load` fills
 * the scratch view (WebAssembly memory) with the file bytes of units `firstUnit…`, which are
 * decrypted there and handed to `store` (valid only during the call); or, with `at`, the run is
 * read and decrypted in place in a region of the WebAssembly memory (`reserveRegions`). `kinds[i]` says what unit
 * i is: `UNIT_ENCRYPTED` (XTS with tweak i), `UNIT_ZERO` (becomes zeros whatever the file holds)
 * or `UNIT_PLAIN` (passed through); all encrypted when absent.
 */
export interface BatchRun {
  units: number;
  unitBytes: number;
  tweaks: Uint8Array;
  kinds?: Uint8Array;
  /** In-place run: the run lives in the WebAssembly memory at this offset (a reserved region); `load` fills it chunk by chunk, and it is decrypted there. */
  at?: number;
  load(scratch: Uint8Array, firstUnit: number): void;
  store?(plain: Uint8Array, firstUnit: number): void;
}

type NodeCrypto = typeof import('node:crypto');

/**
 * Builds a batch XTS decryptor for a 64-byte key. Self-contained: runs in workers as source text.
 * Data is processed 32 KiB at a time: the whitened data stays in the CPU cache between passes,
 * and OpenSSL's output buffer of that size comes from the malloc heap (reused, cache-warm) rather
 * than from fresh mmap'ed pages.
 */
export function createBatchXts(nc: NodeCrypto, wasm: Uint8Array, key: Uint8Array): BatchXts {
  const copy = Buffer.from(key);
  const key1 = nc.createSecretKey(copy.subarray(0, 32));
  const key2 = nc.createSecretKey(copy.subarray(32, 64));
  copy.fill(0);
  const api = (globalThis as WithWasm).WebAssembly;
  if (api === undefined) throw new Error('this runtime has no WebAssembly');
  const instance = new api.Instance(new api.Module(wasm));
  type Whiten = (tweakPtr: number, groups: number, dataPtr: number, blocksPerUnit: number, savePtr: number) => void;
  const whiten1 = instance.exports['whiten'] as Whiten;
  const whiten4 = instance.exports['whiten4'] as Whiten;
  const unwhiten = instance.exports['unwhiten'] as (dataPtr: number, savePtr: number, bytes: number) => void;
  // The T₀ of a sub-batch sit at address 0: four units at a time while there are four, then one
  // at a time; every T is saved at `saveAt` for the second whitening.
  const whiten = (units: number, dataAt: number, unitBytes: number, saveAt: number): void => {
    const groups = units >> 2;
    if (groups > 0) whiten4(0, groups, dataAt, unitBytes / 16, saveAt);
    const done = groups * 4 * unitBytes;
    if ((units & 3) !== 0) whiten1(groups * 64, units & 3, dataAt + done, unitBytes / 16, saveAt + done);
  };
  const mem = instance.exports['mem'] as WasmMemory;
  const SUB_BATCH_BYTES = 32 << 10;
  // Reads are this large: each system call costs several microseconds here.
  const LOAD_BYTES = 1 << 20;
  // In-place regions start here, above the largest scratch area of units up to 32 KiB.
  const REGIONS_AT = 4 << 20;
  let regionsReserved = false;
  const ENCRYPTED = 0, ZERO = 1, PLAIN = 2; // BatchRun kinds (self-contained: no outer constants)
  // ECB has no chaining state, so one context per direction serves every call (no final()).
  const encTweaks = nc.createCipheriv('aes-256-ecb', key2, null).setAutoPadding(false);
  const decData = nc.createDecipheriv('aes-256-ecb', key1, null).setAutoPadding(false);
  let live = true;

  const decryptRun = (run: BatchRun): void => {
    const { units, unitBytes, tweaks, kinds } = run;
    if (!live) throw new Error('batch XTS used after dispose()');
    if (!Number.isInteger(units) || units < 0) throw new RangeError(`unit count must be a whole number, got ${units}`);
    if (!Number.isInteger(unitBytes) || unitBytes <= 0 || unitBytes % 16 !== 0) throw new RangeError(`data unit of ${unitBytes} bytes is not a whole number of 16-byte blocks`);
    if (tweaks.length !== units * 16) throw new RangeError(`${units} units need ${units * 16} tweak bytes, got ${tweaks.length}`);
    if (kinds !== undefined && kinds.length < units) throw new RangeError(`${units} units need ${units} kinds, got ${kinds.length}`);
    const sub = Math.max(1, Math.floor(SUB_BATCH_BYTES / unitBytes));
    const chunk = sub * Math.max(1, Math.floor(LOAD_BYTES / (sub * unitBytes)));
    // WebAssembly memory: T₀ of a sub-batch, then (unless in place) a chunk of data, then the
    // saved T of a sub-batch; in-place runs sit in a region above REGIONS_AT.
    const inPlace = run.at !== undefined;
    const dataAt = sub * 16;
    const saveAt = inPlace ? dataAt : dataAt + chunk * unitBytes;
    const need = saveAt + sub * unitBytes;
    if (inPlace) {
      const at = run.at as number;
      if (need > REGIONS_AT || at < REGIONS_AT || at + units * unitBytes > mem.buffer.byteLength) throw new RangeError(`in-place run of ${units} × ${unitBytes} bytes at ${at} is not inside a reserved region`);
    } else if (mem.buffer.byteLength < need) mem.grow(Math.ceil((need - mem.buffer.byteLength) / 65536));
    if (regionsReserved && need > REGIONS_AT) throw new RangeError(`units of ${unitBytes} bytes need scratch beyond the reserved regions`);
    const m = new Uint8Array(mem.buffer);
    // One ECB call encrypts every tweak of the run: the T₀ of each unit.
    const t0 = encTweaks.update(tweaks);
    try {
      for (let first = 0; first < units; first += chunk) {
        const base = inPlace ? (run.at as number) + first * unitBytes : dataAt;
        const view = m.subarray(base, base + Math.min(chunk, units - first) * unitBytes);
        run.load(view, first);
        for (let at = first; at < first + view.length / unitBytes; at += sub) {
          const n = Math.min(sub, units - at);
          decryptSubBatch(m, t0, kinds, at, n, base + (at - first) * unitBytes, unitBytes, saveAt);
        }
        run.store?.(view, first);
      }
    } finally {
      t0.fill(0);
      m.fill(0, 0, dataAt);
      m.fill(0, saveAt, need);
    }
  };

  /** Decrypts units `first…first + n − 1` at `at` in `m` in place (their T₀ are at `t0[16·first…]`, copied to address 0). */
  const decryptSubBatch = (m: Uint8Array, t0: Uint8Array, kinds: Uint8Array | undefined, first: number, n: number, at: number, unitBytes: number, saveAt: number): void => {
    let encrypted = n;
    if (kinds !== undefined) for (let i = 0; i < n; i++) if (kinds[first + i] !== ENCRYPTED) encrypted--;
    if (encrypted > 0) {
      m.set(t0.subarray(first * 16, (first + n) * 16), 0);
      // A zero T makes the whitening of a unit that is not encrypted a no-op.
      if (encrypted < n && kinds !== undefined) for (let i = 0; i < n; i++) if (kinds[first + i] !== ENCRYPTED) m.fill(0, i * 16, i * 16 + 16);
      whiten(n, at, unitBytes, saveAt);
      // One ECB call for the whole sub-batch; plaintext units keep their bytes.
      const y = decData.update(m.subarray(at, at + n * unitBytes));
      if (encrypted === n || kinds === undefined) m.set(y, at);
      else {
        for (let i = 0; i < n; ) {
          if (kinds[first + i] === PLAIN) {
            i++;
            continue;
          }
          let j = i + 1;
          while (j < n && kinds[first + j] !== PLAIN) j++;
          m.set(y.subarray(i * unitBytes, j * unitBytes), at + i * unitBytes);
          i = j;
        }
      }
      unwhiten(at, saveAt, n * unitBytes);
    }
    if (encrypted < n && kinds !== undefined) for (let i = 0; i < n; i++) if (kinds[first + i] === ZERO) m.fill(0, at + i * unitBytes, at + (i + 1) * unitBytes);
  };

  return {
    decryptUnits(tweaks: Uint8Array, data: Uint8Array, unitBytes: number): void {
      if (unitBytes <= 0 || unitBytes % 16 !== 0 || data.length % unitBytes !== 0) throw new RangeError(`data unit of ${unitBytes} bytes does not divide ${data.length} bytes into 16-byte blocks`);
      decryptRun({
        units: data.length / unitBytes,
        unitBytes,
        tweaks,
        load: (scratch, firstUnit) => scratch.set(data.subarray(firstUnit * unitBytes, firstUnit * unitBytes + scratch.length)),
        store: (plain, firstUnit) => data.set(plain, firstUnit * unitBytes),
      });
    },
    decryptRun,
    reserveRegions(count: number, bytes: number): { buffer: ArrayBufferLike; offsets: number[] } {
      if (!Number.isInteger(count) || count < 1 || !Number.isInteger(bytes) || bytes < 1) throw new RangeError(`bad regions: ${count} × ${bytes} bytes`);
      const need = REGIONS_AT + count * bytes;
      if (mem.buffer.byteLength < need) mem.grow(Math.ceil((need - mem.buffer.byteLength) / 65536));
      regionsReserved = true;
      return { buffer: mem.buffer, offsets: Array.from({ length: count }, (_, i) => REGIONS_AT + i * bytes) };
    },
    dispose(): void {
      live = false;
      new Uint8Array(mem.buffer).fill(0);
    },
  };
}
