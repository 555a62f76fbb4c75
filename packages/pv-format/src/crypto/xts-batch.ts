/**
 * The bulk XTS fast path (spec pv-dump-crypto.md §7): many data units per OpenSSL call, in
 * both directions (the decryptor opens page runs, the Ultravisor exports them).
 *
 * OpenSSL's aes-256-xts takes one tweak per cipher context, and creating a context per 4 KiB page
 * costs more than encrypting the page. But XTS of block j of a unit is
 * Y_j = AES(key1, X_j ⊕ T_j) ⊕ T_j with T_j = AES-Enc(key2, tweak)·α^j (AES-Dec to decrypt,
 * AES-Enc to encrypt), so a whole run of
 * pages becomes: one AES-ECB encryption of all their tweaks with key2 (giving each T₀), an
 * in-place XOR of every block with its T_j (the "whitening", a tiny WebAssembly SIMD loop in
 * `whiten.wat` that also does the GF(2¹²⁸) doubling and saves each T_j), one AES-ECB call
 * with key1, and an XOR with the saved T_j. Both ECB calls run at OpenSSL's bulk speed, 32 KiB at a time so the
 * data stays in the CPU cache. Pages that are not encrypted ride along with T = 0. The
 * WebAssembly memory is shared, so run regions in it (`reserveRegions`) can be read and written
 * by other threads without copies. Tests prove the bytes equal OpenSSL's XTS and the noble path's.
 */
import { WHITEN_WASM_BASE64 } from './whiten-wasm.js';

let moduleBytes: Uint8Array | undefined;
/**
 * The WebAssembly module (source `whiten.wat`, compiled with wabt at build time): exports
 * `whiten`, `whiten4`, `unwhiten` and its shared memory `mem` (1 page, grown as needed).
 */
export function whitenModuleBytes(): Uint8Array {
  moduleBytes ??= new Uint8Array(Buffer.from(WHITEN_WASM_BASE64, 'base64'));
  return moduleBytes;
}

/** The part of the WebAssembly JS API used here (the project's TypeScript lib has no DOM types). */
interface WasmMemory {
  readonly buffer: ArrayBufferLike;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => WasmInstance;
}
interface WithWasm {
  WebAssembly?: WasmApi;
}

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
  /** Encrypts `units` data units in place: `data` holds them back to back, `tweaks` their 16-byte tweaks. */
  encryptUnits(tweaks: Uint8Array, data: Uint8Array, unitBytes: number): void;
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
interface WasmInstance {
  exports: Record<string, unknown>;
}

/**
 * Instances (each with its own memory) are reused within a thread. A WebAssembly memory lives
 * outside the JavaScript heap, so the garbage collector sees no pressure from it: one instance per
 * cipher would let a process that opens many dumps grow by megabytes per dump until a collection
 * happens to run. A released instance has been wiped; at most IDLE_INSTANCES stay idle.
 */
const IDLE_INSTANCES = 2;
const compiled = new WeakMap<Uint8Array, { module: object; idle: WasmInstance[] }>();

function acquireInstance(wasm: Uint8Array): WasmInstance {
  let entry = compiled.get(wasm);
  if (entry === undefined) {
    const api = (globalThis as WithWasm).WebAssembly;
    if (api === undefined) throw new Error('this runtime has no WebAssembly');
    entry = { module: new api.Module(wasm), idle: [] };
    compiled.set(wasm, entry);
  }
  const reused = entry.idle.pop();
  if (reused !== undefined) return reused;
  const api = (globalThis as WithWasm).WebAssembly!;
  return new api.Instance(entry.module);
}

function releaseInstance(wasm: Uint8Array, instance: WasmInstance): void {
  const entry = compiled.get(wasm);
  if (entry !== undefined && entry.idle.length < IDLE_INSTANCES) entry.idle.push(instance);
}

/**
 * Builds a batch XTS cipher for a 64-byte key (decryption, and encryption of whole units).
 * Data is processed 32 KiB at a time: the whitened data stays in the CPU cache between passes,
 * and OpenSSL's output buffer of that size comes from the malloc heap (reused, cache-warm) rather
 * than from fresh mmap'ed pages.
 */
export function createBatchXts(nc: NodeCrypto, wasm: Uint8Array, key: Uint8Array): BatchXts {
  const copy = Buffer.from(key);
  const key1 = nc.createSecretKey(copy.subarray(0, 32));
  const key2 = nc.createSecretKey(copy.subarray(32, 64));
  copy.fill(0);
  const instance = acquireInstance(wasm);
  type Whiten = (tweakPtr: number, groups: number, dataPtr: number, blocksPerUnit: number, savePtr: number) => void;
  const whiten1 = instance.exports.whiten as Whiten;
  const whiten4 = instance.exports.whiten4 as Whiten;
  const unwhiten = instance.exports.unwhiten as (dataPtr: number, savePtr: number, bytes: number) => void;
  // The T₀ of a sub-batch sit at address 0: four units at a time while there are four, then one
  // at a time; every T is saved at `saveAt` for the second whitening.
  const whiten = (units: number, dataAt: number, unitBytes: number, saveAt: number): void => {
    const groups = units >> 2;
    if (groups > 0) whiten4(0, groups, dataAt, unitBytes / 16, saveAt);
    const done = groups * 4 * unitBytes;
    if ((units & 3) !== 0) whiten1(groups * 64, units & 3, dataAt + done, unitBytes / 16, saveAt + done);
  };
  const mem = instance.exports.mem as WasmMemory;
  const SUB_BATCH_BYTES = 32 << 10;
  // Reads are this large: each system call costs several microseconds here.
  const LOAD_BYTES = 1 << 20;
  // In-place regions start here, above the largest scratch area of units up to 32 KiB.
  const REGIONS_AT = 4 << 20;
  let regionsReserved = false;
  // Bytes of the memory that may hold data, tweaks or key-dependent values: wiped on dispose.
  let touched = 0;
  // ECB has no chaining state, so one context per direction serves every call (no final()).
  const encTweaks = nc.createCipheriv('aes-256-ecb', key2, null).setAutoPadding(false);
  const decData = nc.createDecipheriv('aes-256-ecb', key1, null).setAutoPadding(false);
  let encData: ReturnType<NodeCrypto['createCipheriv']> | undefined;
  let live = true;

  const decryptRun = (run: BatchRun): void => processRun(run, decData);
  const processRun = (run: BatchRun, ecb: { update(data: Uint8Array): Uint8Array }): void => {
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
      const at = run.at!;
      if (need > REGIONS_AT || at < REGIONS_AT || at + units * unitBytes > mem.buffer.byteLength) throw new RangeError(`in-place run of ${units} × ${unitBytes} bytes at ${at} is not inside a reserved region`);
    } else if (mem.buffer.byteLength < need) mem.grow(Math.ceil((need - mem.buffer.byteLength) / 65536));
    if (regionsReserved && need > REGIONS_AT) throw new RangeError(`units of ${unitBytes} bytes need scratch beyond the reserved regions`);
    touched = Math.max(touched, need, inPlace ? run.at! + units * unitBytes : 0);
    const m = new Uint8Array(mem.buffer);
    // One ECB call encrypts every tweak of the run: the T₀ of each unit.
    const t0 = encTweaks.update(tweaks);
    try {
      for (let first = 0; first < units; first += chunk) {
        const base = inPlace ? run.at! + first * unitBytes : dataAt;
        const view = m.subarray(base, base + Math.min(chunk, units - first) * unitBytes);
        run.load(view, first);
        for (let at = first; at < first + view.length / unitBytes; at += sub) {
          const n = Math.min(sub, units - at);
          processSubBatch(ecb, m, t0, kinds, at, n, base + (at - first) * unitBytes, unitBytes, saveAt);
        }
        run.store?.(view, first);
      }
    } finally {
      t0.fill(0);
      m.fill(0, 0, dataAt);
      m.fill(0, saveAt, need);
    }
  };

  /** Runs units `first…first + n − 1` at `at` in `m` through `ecb` in place (their T₀ are at `t0[16·first…]`, copied to address 0). */
  const processSubBatch = (ecb: { update(data: Uint8Array): Uint8Array }, m: Uint8Array, t0: Uint8Array, kinds: Uint8Array | undefined, first: number, n: number, at: number, unitBytes: number, saveAt: number): void => {
    let encrypted = n;
    if (kinds !== undefined) for (let i = 0; i < n; i++) if (kinds[first + i] !== UNIT_ENCRYPTED) encrypted--;
    if (encrypted > 0) {
      m.set(t0.subarray(first * 16, (first + n) * 16), 0);
      // A zero T makes the whitening of a unit that is not encrypted a no-op.
      if (encrypted < n && kinds !== undefined) for (let i = 0; i < n; i++) if (kinds[first + i] !== UNIT_ENCRYPTED) m.fill(0, i * 16, i * 16 + 16);
      whiten(n, at, unitBytes, saveAt);
      // One ECB call for the whole sub-batch; plaintext units keep their bytes.
      const y = ecb.update(m.subarray(at, at + n * unitBytes));
      if (encrypted === n || kinds === undefined) m.set(y, at);
      else {
        for (let i = 0; i < n;) {
          if (kinds[first + i] === UNIT_PLAIN) {
            i++;
            continue;
          }
          let j = i + 1;
          while (j < n && kinds[first + j] !== UNIT_PLAIN) j++;
          m.set(y.subarray(i * unitBytes, j * unitBytes), at + i * unitBytes);
          i = j;
        }
      }
      unwhiten(at, saveAt, n * unitBytes);
    }
    if (encrypted < n && kinds !== undefined) for (let i = 0; i < n; i++) if (kinds[first + i] === UNIT_ZERO) m.fill(0, at + i * unitBytes, at + (i + 1) * unitBytes);
  };

  const inPlaceRun = (tweaks: Uint8Array, data: Uint8Array, unitBytes: number): BatchRun => {
    if (unitBytes <= 0 || unitBytes % 16 !== 0 || data.length % unitBytes !== 0) throw new RangeError(`data unit of ${unitBytes} bytes does not divide ${data.length} bytes into 16-byte blocks`);
    return {
      units: data.length / unitBytes,
      unitBytes,
      tweaks,
      load: (scratch, firstUnit) => scratch.set(data.subarray(firstUnit * unitBytes, firstUnit * unitBytes + scratch.length)),
      store: (result, firstUnit) => data.set(result, firstUnit * unitBytes),
    };
  };

  return {
    encryptUnits(tweaks: Uint8Array, data: Uint8Array, unitBytes: number): void {
      encData ??= nc.createCipheriv('aes-256-ecb', key1, null).setAutoPadding(false);
      processRun(inPlaceRun(tweaks, data, unitBytes), encData);
    },
    decryptUnits(tweaks: Uint8Array, data: Uint8Array, unitBytes: number): void {
      decryptRun(inPlaceRun(tweaks, data, unitBytes));
    },
    decryptRun,
    reserveRegions(count: number, bytes: number): { buffer: ArrayBufferLike; offsets: number[] } {
      if (!Number.isInteger(count) || count < 1 || !Number.isInteger(bytes) || bytes < 1) throw new RangeError(`bad regions: ${count} × ${bytes} bytes`);
      const need = REGIONS_AT + count * bytes;
      if (mem.buffer.byteLength < need) mem.grow(Math.ceil((need - mem.buffer.byteLength) / 65536));
      regionsReserved = true;
      touched = Math.max(touched, need);
      return { buffer: mem.buffer, offsets: Array.from({ length: count }, (_, i) => REGIONS_AT + i * bytes) };
    },
    dispose(): void {
      if (!live) return;
      live = false;
      new Uint8Array(mem.buffer).fill(0, 0, touched);
      releaseInstance(wasm, instance);
    },
  };
}
