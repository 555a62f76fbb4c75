/**
 * One interface over the XTS implementations for runs of 4 KiB PV pages (spec
 * pv-dump-crypto.md §7):
 * - `node`: batched, OpenSSL AES-ECB through node:crypto plus WebAssembly whitening
 *   (pv-format's crypto/xts-batch.ts), the fast path and the default where available;
 * - `node-xts`: OpenSSL's aes-256-xts, one cipher context per page;
 * - `noble`: the pure-JavaScript reference of @pvdump/pv-format, the portable base.
 * All three give identical bytes (tests prove it).
 */
import * as nodeCrypto from 'node:crypto';
import { createBatchXts, UNIT_ENCRYPTED, UNIT_ZERO, wasmSimdAvailable, whitenModuleBytes, type BatchXts } from '@pvdump/pv-format';
import { xtsDecrypt } from '@pvdump/pv-format';
import { NodeXts, nodeXtsAvailable } from './xts-node.js';

export type CryptoBackend = 'node' | 'node-xts' | 'noble';
/**
 * Fills `view` with the file bytes of the run's pages `firstPage…` (whole pages). Given to
 * `decryptPageRun`, the run's pages are read through it, piece by piece where the cipher can
 * decrypt each piece while it is in the CPU cache, instead of being in `pages` already.
 */
export type PageLoader = (view: Uint8Array, firstPage: number) => void;
export const PAGE_BYTES = 4096;

export interface PageCipher {
  readonly backend: CryptoBackend;
  /** Decrypts `pages` (n whole pages, back to back) in place; `tweaks` holds their n 16-byte tweaks. */
  decryptPages(tweaks: Uint8Array, pages: Uint8Array): void;
  /**
   * Decrypts a run of pages of mixed kinds in place: page i is XTS-decrypted with tweak i when
   * `kinds[i]` is `PageKind.Encrypted` (0), becomes zeros when it is `Zero` (1) and is left as it
   * is when `Shared` (2). Tweaks of other pages are ignored.
   */
  decryptPageRun(tweaks: Uint8Array, kinds: Uint8Array, pages: Uint8Array, load?: PageLoader): void;
  /**
   * Optional: `count` buffers of `bytes` that `decryptPageRun` decrypts in place without copying
   * (the batched cipher's own WebAssembly memory); read runs straight into them.
   */
  runBuffers?(count: number, bytes: number): Uint8Array[];
  /** Forgets (and where possible wipes) the key. */
  dispose(): void;
}

function eachPage(tweaks: Uint8Array, pages: Uint8Array, fn: (tweak: Uint8Array, page: Uint8Array) => void): void {
  const n = pages.length / PAGE_BYTES;
  if (!Number.isInteger(n) || tweaks.length !== n * 16) throw new RangeError(`${pages.length} bytes of pages need ${n * 16} tweak bytes, got ${tweaks.length}`);
  for (let i = 0; i < n; i++) fn(tweaks.subarray(i * 16, i * 16 + 16), pages.subarray(i * PAGE_BYTES, (i + 1) * PAGE_BYTES));
}

/** `decryptPageRun` through `decryptPages`, one call per stretch of consecutive encrypted pages. */
function byStretches(cipher: PageCipher, tweaks: Uint8Array, kinds: Uint8Array, pages: Uint8Array): void {
  const n = pages.length / PAGE_BYTES;
  if (!Number.isInteger(n) || tweaks.length !== n * 16 || kinds.length < n) throw new RangeError(`${pages.length} bytes of pages need ${n * 16} tweak bytes and ${n} kinds, got ${tweaks.length} and ${kinds.length}`);
  for (let i = 0; i < n;) {
    if (kinds[i] !== UNIT_ENCRYPTED) {
      if (kinds[i] === UNIT_ZERO) pages.fill(0, i * PAGE_BYTES, (i + 1) * PAGE_BYTES);
      i++;
      continue;
    }
    let j = i + 1;
    while (j < n && kinds[j] === UNIT_ENCRYPTED) j++;
    cipher.decryptPages(tweaks.subarray(i * 16, j * 16), pages.subarray(i * PAGE_BYTES, j * PAGE_BYTES));
    i = j;
  }
}

class NoblePageCipher implements PageCipher {
  readonly backend = 'noble';
  readonly #key: Uint8Array;
  constructor(key: Uint8Array) {
    this.#key = key.slice();
  }
  decryptPages(tweaks: Uint8Array, pages: Uint8Array): void {
    eachPage(tweaks, pages, (tweak, page) => {
      const plain = xtsDecrypt(this.#key, tweak, page);
      page.set(plain);
      plain.fill(0);
    });
  }
  decryptPageRun(tweaks: Uint8Array, kinds: Uint8Array, pages: Uint8Array, load?: PageLoader): void {
    load?.(pages, 0);
    byStretches(this, tweaks, kinds, pages);
  }
  dispose(): void {
    this.#key.fill(0);
  }
}

class NodeXtsPageCipher implements PageCipher {
  readonly backend = 'node-xts';
  readonly #xts: NodeXts;
  constructor(key: Uint8Array) {
    this.#xts = new NodeXts(key);
  }
  decryptPages(tweaks: Uint8Array, pages: Uint8Array): void {
    eachPage(tweaks, pages, (tweak, page) => page.set(this.#xts.decrypt(tweak, page)));
  }
  decryptPageRun(tweaks: Uint8Array, kinds: Uint8Array, pages: Uint8Array, load?: PageLoader): void {
    load?.(pages, 0);
    byStretches(this, tweaks, kinds, pages);
  }
  dispose(): void {
    this.#xts.dispose();
  }
}

class BatchPageCipher implements PageCipher {
  readonly backend = 'node';
  readonly #batch: BatchXts;
  #regions: ArrayBufferLike | undefined;
  constructor(key: Uint8Array) {
    this.#batch = createBatchXts(nodeCrypto, whitenModuleBytes(), key);
  }
  decryptPages(tweaks: Uint8Array, pages: Uint8Array): void {
    this.#batch.decryptUnits(tweaks, pages, PAGE_BYTES);
  }
  decryptPageRun(tweaks: Uint8Array, kinds: Uint8Array, pages: Uint8Array, load?: PageLoader): void {
    const units = pages.length / PAGE_BYTES;
    if (!Number.isInteger(units) || kinds.length < units) throw new RangeError(`${pages.length} bytes of pages need ${units} kinds, got ${kinds.length}`);
    // One pass over the whole run: zero and shared pages ride along in the ECB batches. Pages
    // already in one of our run buffers are decrypted where they are.
    const inPlace = this.#regions !== undefined && pages.buffer === this.#regions;
    if (load !== undefined && !inPlace) load(pages, 0);
    this.#batch.decryptRun({
      units,
      unitBytes: PAGE_BYTES,
      tweaks,
      kinds,
      ...(inPlace
        ? { at: pages.byteOffset, load: load ?? ((): void => undefined) }
        : {
            load: (scratch: Uint8Array, first: number) => scratch.set(pages.subarray(first * PAGE_BYTES, first * PAGE_BYTES + scratch.length)),
            store: (plain: Uint8Array, first: number) => pages.set(plain, first * PAGE_BYTES),
          }),
    });
  }
  runBuffers(count: number, bytes: number): Uint8Array[] {
    const { buffer, offsets } = this.#batch.reserveRegions(count, bytes);
    this.#regions = buffer;
    return offsets.map((at) => new Uint8Array(buffer, at, bytes));
  }
  dispose(): void {
    this.#batch.dispose();
  }
}

let batchOk: boolean | undefined;
/** True when the batched node path can run here (OpenSSL AES-256-ECB and WebAssembly SIMD). */
export function batchAvailable(): boolean {
  batchOk ??= nodeCrypto.getCiphers().includes('aes-256-ecb') && wasmSimdAvailable();
  return batchOk;
}

/** The fastest backend this runtime offers. */
export function defaultBackend(): CryptoBackend {
  return batchAvailable() ? 'node' : nodeXtsAvailable() ? 'node-xts' : 'noble';
}

/** A page cipher for the 64-byte memory XTS key; the caller keeps (and wipes) its own key copy. */
export function createPageCipher(key: Uint8Array, backend: CryptoBackend = defaultBackend()): PageCipher {
  if (backend === 'node') {
    if (!batchAvailable()) throw new Error('the node backend needs OpenSSL AES-256-ECB and WebAssembly SIMD; use node-xts or noble');
    return new BatchPageCipher(key);
  }
  if (backend === 'node-xts') {
    if (!nodeXtsAvailable()) throw new Error('node:crypto of this Node has no aes-256-xts; use the noble backend');
    return new NodeXtsPageCipher(key);
  }
  return new NoblePageCipher(key);
}
