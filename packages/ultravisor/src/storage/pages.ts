// Secure-page mechanics (spec ultravisor.md §7.3-§7.5 [E]): export = encrypt in place with
// AES-256-XTS(export key, component | nonce) and remember {counter, SHA-256(ciphertext)};
// import = check the stored digest, decrypt, forget the record (or clear a never-seen page).
// Pages exported together share one batched XTS call (pv-format's createBatchXts: one OpenSSL
// AES-ECB pass per 32 KiB around a WebAssembly whitening) with the configuration's key schedule;
// the `noble` backend encrypts page by page with the reference XTS, to the same bytes.
import * as nodeCrypto from 'node:crypto';
import { createBatchXts, pageTweak, wasmSimdAvailable, whitenModuleBytes, type BatchXts } from '@pvdump/pv-format';
import { xtsDecrypt, xtsEncrypt } from '../crypto/xts.js';
import { SecureStorageAccessError } from '../errors.js';
import type { ExportBackend, SecureConfiguration, StorageRange, UvContext } from '../state.js';

export type { ExportBackend } from '../state.js';
import { StorageRc } from '../uvc/codes.js';
import { tweakComponent } from './export-records.js';
import { PAGE_SIZE } from './host-storage.js';

export { tweakComponent } from './export-records.js';

/** Highest counter value an export may use; at this value further exports are refused. */
export const EXPORT_COUNTER_LIMIT = 0xffffffff;

const ZERO_PAGE = new Uint8Array(PAGE_SIZE);

let batchAvailable: boolean | undefined;
export function defaultExportBackend(): ExportBackend {
  batchAvailable ??= nodeCrypto.getCiphers().includes('aes-256-ecb') && wasmSimdAvailable();
  return batchAvailable ? 'node' : 'noble';
}

/** SHA-256 of a page (node:crypto one-shot: this runs for every export and import). */
export function pageDigest(data: Uint8Array): Uint8Array {
  return new Uint8Array(nodeCrypto.hash('sha256', data, 'buffer'));
}

/** Throws SecureStorageAccessError if any page of [address, address + length) is protected from the host. */
export function checkHostAccess(ctx: UvContext, address: number, length: number): void {
  if (length <= 0) return;
  const first = Math.floor(address / PAGE_SIZE);
  const last = Math.floor((address + length - 1) / PAGE_SIZE);
  for (let page = first; page <= last; page++) {
    const owner = ctx.pageOwners.get(page);
    if (owner === undefined) continue;
    if (owner.kind === 'secure' && owner.config.sharedPages.has(owner.guestPage)) continue;
    throw new SecureStorageAccessError(Math.max(address, page * PAGE_SIZE), owner.kind === 'secure' ? 'secure-page' : 'donated-storage');
  }
}

/** True if the host may read and write all of the range (and it lies inside host storage). */
export function hostAccessible(ctx: UvContext, address: number, length: number): boolean {
  if (!Number.isSafeInteger(address) || address < 0 || address + length > ctx.storage.size) return false;
  try {
    checkHostAccess(ctx, address, length);
    return true;
  } catch (err) {
    if (err instanceof SecureStorageAccessError) return false;
    throw err;
  }
}

/** True if the page-aligned range is free to donate: inside storage, not owned, not the UV's own. */
export function canDonate(ctx: UvContext, range: StorageRange): 'ok' | 'outside' | 'in-use' {
  if (range.origin % PAGE_SIZE !== 0 || range.origin < 0 || range.origin + range.length > ctx.storage.size) return 'outside';
  for (let a = range.origin; a < range.origin + range.length; a += PAGE_SIZE) {
    if (ctx.pageOwners.has(Math.floor(a / PAGE_SIZE))) return 'in-use';
  }
  return 'ok';
}

/** Tells the host page listener whether the host's CPUs may touch host page `page` now. */
function notifyHost(ctx: UvContext, page: number): void {
  const listener = ctx.hostPageListener;
  if (listener === undefined) return;
  const owner = ctx.pageOwners.get(page);
  listener(page, owner === undefined || (owner.kind === 'secure' && owner.config.sharedPages.has(owner.guestPage)));
}

export function donate(ctx: UvContext, range: StorageRange, what: string): void {
  for (let a = range.origin; a < range.origin + range.length; a += PAGE_SIZE) {
    ctx.pageOwners.set(Math.floor(a / PAGE_SIZE), { kind: 'donated', what });
    notifyHost(ctx, Math.floor(a / PAGE_SIZE));
  }
}

/** Returns donated storage to the host, cleared so no UV data leaks. */
export function reclaim(ctx: UvContext, range: StorageRange): void {
  for (let a = range.origin; a < range.origin + range.length; a += PAGE_SIZE) {
    ctx.pageOwners.delete(Math.floor(a / PAGE_SIZE));
    ctx.storage.write(a, ZERO_PAGE);
    notifyHost(ctx, Math.floor(a / PAGE_SIZE));
  }
}

function notify(ctx: UvContext, config: SecureConfiguration, guestPage: number, state: 'secure' | 'shared' | 'non-secure'): void {
  ctx.listener?.(config.handle, guestPage * PAGE_SIZE, state);
}

/** Makes a host page secure for `config` at guest page `guestPage`. */
export function markSecure(ctx: UvContext, config: SecureConfiguration, guestPage: number, hostPage: number): void {
  config.securePages.set(guestPage, hostPage);
  ctx.pageOwners.set(hostPage, { kind: 'secure', config, guestPage });
  notifyHost(ctx, hostPage);
  notify(ctx, config, guestPage, 'secure');
}

function markNonSecure(ctx: UvContext, config: SecureConfiguration, guestPage: number, hostPage: number): void {
  config.securePages.delete(guestPage);
  config.sharedPages.delete(guestPage);
  ctx.pageOwners.delete(hostPage);
  notifyHost(ctx, hostPage);
  notify(ctx, config, guestPage, 'non-secure');
}

/** A secure page to export: its guest page index and the host page holding it. */
export interface PageToExport {
  guestPage: number;
  hostPage: number;
}

function exportCipher(config: SecureConfiguration): BatchXts {
  config.exportCipher ??= createBatchXts(nodeCrypto, whitenModuleBytes(), config.exportKey);
  return config.exportCipher;
}

/**
 * Exports secure pages of one configuration (spec §7.3), in order, as many CONV_FROM_SEC_STOR
 * calls would: each page gets the next export counter. Returns how many were exported and, if
 * the counter ran out before the last, the rc that refuses the rest.
 */
export function exportPages(ctx: UvContext, config: SecureConfiguration, pages: readonly PageToExport[]): { done: number; rc?: number } {
  const room = EXPORT_COUNTER_LIMIT - config.exportCounter;
  const n = Math.max(0, Math.min(pages.length, room));
  if (n > 0) {
    // One run of consecutive host pages in storage that can lend a view is encrypted in place;
    // otherwise the runs are read into one buffer and written back.
    const inPlace = runCount(pages, n) === 1 ? ctx.storage.subarray?.(pages[0]!.hostPage * PAGE_SIZE, n * PAGE_SIZE) : undefined;
    const data = inPlace ?? new Uint8Array(n * PAGE_SIZE);
    const tweaks = new Uint8Array(n * 16);
    const component = new Uint8Array(16);
    if (inPlace === undefined) {
      forEachRun(pages, n, (first, count) => {
        const plain = ctx.storage.read(pages[first]!.hostPage * PAGE_SIZE, count * PAGE_SIZE);
        data.set(plain, first * PAGE_SIZE);
        plain.fill(0);
      });
    }
    for (let i = 0; i < n; i++) pageTweak(tweakComponent(config.exportCounter + i, pages[i]!.guestPage * PAGE_SIZE, component), 0, config.tweakNonce, tweaks.subarray(i * 16, i * 16 + 16));
    if (ctx.exportBackend === 'node') exportCipher(config).encryptUnits(tweaks, data, PAGE_SIZE);
    else {
      for (let i = 0; i < n; i++) {
        const page = data.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE);
        const cipher = xtsEncrypt(config.exportKey, tweaks.subarray(i * 16, i * 16 + 16), page, 'noble');
        page.set(cipher);
        cipher.fill(0);
      }
    }
    tweaks.fill(0);
    if (inPlace === undefined) forEachRun(pages, n, (first, count) => ctx.storage.write(pages[first]!.hostPage * PAGE_SIZE, data.subarray(first * PAGE_SIZE, (first + count) * PAGE_SIZE)));
    for (let i = 0; i < n; i++) {
      const { guestPage, hostPage } = pages[i]!;
      const digest = nodeCrypto.hash('sha256', data.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE), 'buffer');
      config.exported.set(guestPage, config.exportCounter + i, digest);
      markNonSecure(ctx, config, guestPage, hostPage);
    }
    config.exportCounter += n;
  }
  return n === pages.length ? { done: n } : { done: n, rc: StorageRc.EXPORT_LIMIT };
}

function runCount(pages: readonly PageToExport[], n: number): number {
  let runs = 0;
  forEachRun(pages, n, () => runs++);
  return runs;
}

/** Calls `fn(first, count)` for each run of consecutive host pages among the first `n`. */
function forEachRun(pages: readonly PageToExport[], n: number, fn: (first: number, count: number) => void): void {
  for (let i = 0; i < n;) {
    let j = i + 1;
    while (j < n && pages[j]!.hostPage === pages[j - 1]!.hostPage + 1) j++;
    fn(i, j - i);
    i = j;
  }
}

/** Exports one secure page (spec §7.3). Returns an rc on refusal, undefined on success. */
export function exportPage(ctx: UvContext, config: SecureConfiguration, guestPage: number, hostPage: number): number | undefined {
  return exportPages(ctx, config, [{ guestPage, hostPage }]).rc;
}

/** Imports a page (spec §7.5). Returns an rc on refusal, undefined on success. */
export function importPage(ctx: UvContext, config: SecureConfiguration, guestPage: number, hostPage: number): number | undefined {
  const address = hostPage * PAGE_SIZE;
  const counter = config.exported.counterOf(guestPage);
  if (counter === undefined) {
    ctx.storage.write(address, ZERO_PAGE);
  } else {
    const cipher = ctx.storage.read(address, PAGE_SIZE);
    if (!config.exported.digestMatches(guestPage, pageDigest(cipher))) return StorageRc.INTEGRITY;
    const tweak = pageTweak(tweakComponent(counter, guestPage * PAGE_SIZE), 0, config.tweakNonce);
    const plain = xtsDecrypt(config.exportKey, tweak, cipher, ctx.exportBackend === 'node' ? 'node' : 'noble');
    tweak.fill(0);
    ctx.storage.write(address, plain);
    plain.fill(0);
    config.exported.delete(guestPage);
  }
  markSecure(ctx, config, guestPage, hostPage);
  return undefined;
}

/** Destroys a secure page: cleared, non-secure, and forgotten (reported as zero in a dump). */
export function destroyPage(ctx: UvContext, config: SecureConfiguration, guestPage: number, hostPage: number): void {
  ctx.storage.write(hostPage * PAGE_SIZE, ZERO_PAGE);
  config.exported.delete(guestPage);
  markNonSecure(ctx, config, guestPage, hostPage);
}

export function setShared(ctx: UvContext, config: SecureConfiguration, guestPage: number, shared: boolean): void {
  if (shared) config.sharedPages.add(guestPage);
  else config.sharedPages.delete(guestPage);
  const hostPage = config.securePages.get(guestPage);
  if (hostPage !== undefined) notifyHost(ctx, hostPage);
  notify(ctx, config, guestPage, shared ? 'shared' : 'secure');
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
