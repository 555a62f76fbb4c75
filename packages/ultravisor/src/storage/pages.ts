// Secure-page mechanics (spec ultravisor.md §7.3-§7.5 [E]): export = encrypt in place with
// AES-256-XTS(export key, component | nonce) and remember {component, SHA-256(ciphertext)};
// import = check the stored digest, decrypt, forget the record (or clear a never-seen page).
import { createHash } from 'node:crypto';
import { xtsDecrypt, xtsEncrypt } from '../crypto/xts.js';
import { pageTweak } from '@pvdump/pv-format';
import { SecureStorageAccessError } from '../errors.js';
import type { SecureConfiguration, StorageRange, UvContext } from '../state.js';
import { StorageRc } from '../uvc/codes.js';
import { PAGE_SIZE } from './host-storage.js';

/** Highest counter value an export may use; at this value further exports are refused. */
export const EXPORT_COUNTER_LIMIT = 0xffffffff;

const ZERO_PAGE = new Uint8Array(PAGE_SIZE);

/** SHA-256 of a page (node:crypto fast path: this runs for every export and import). */
export function pageDigest(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
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

export function donate(ctx: UvContext, range: StorageRange, what: string): void {
  for (let a = range.origin; a < range.origin + range.length; a += PAGE_SIZE) ctx.pageOwners.set(Math.floor(a / PAGE_SIZE), { kind: 'donated', what });
}

/** Returns donated storage to the host, cleared so no UV data leaks. */
export function reclaim(ctx: UvContext, range: StorageRange): void {
  for (let a = range.origin; a < range.origin + range.length; a += PAGE_SIZE) {
    ctx.pageOwners.delete(Math.floor(a / PAGE_SIZE));
    ctx.storage.write(a, ZERO_PAGE);
  }
}

function notify(ctx: UvContext, config: SecureConfiguration, guestPage: number, state: 'secure' | 'shared' | 'non-secure'): void {
  ctx.listener?.(config.handle, guestPage * PAGE_SIZE, state);
}

/** Makes a host page secure for `config` at guest page `guestPage`. */
export function markSecure(ctx: UvContext, config: SecureConfiguration, guestPage: number, hostPage: number): void {
  config.securePages.set(guestPage, hostPage);
  ctx.pageOwners.set(hostPage, { kind: 'secure', config, guestPage });
  notify(ctx, config, guestPage, 'secure');
}

function markNonSecure(ctx: UvContext, config: SecureConfiguration, guestPage: number, hostPage: number): void {
  config.securePages.delete(guestPage);
  config.sharedPages.delete(guestPage);
  ctx.pageOwners.delete(hostPage);
  notify(ctx, config, guestPage, 'non-secure');
}

/**
 * Tweak component of an export [E] (spec ultravisor.md §7.4): 00000000 ‖ export counter (u32) ‖
 * guest absolute page address (u64), so it never starts with the special indicator FFFFFFFF.
 */
export function tweakComponent(counter: number, guestAddress: number): Uint8Array {
  const c = new Uint8Array(16);
  const v = new DataView(c.buffer);
  v.setUint32(4, counter);
  v.setBigUint64(8, BigInt(guestAddress));
  return c;
}

/** Exports one secure page (spec §7.3). Returns an rc on refusal, undefined on success. */
export function exportPage(ctx: UvContext, config: SecureConfiguration, guestPage: number, hostPage: number): number | undefined {
  if (config.exportCounter >= EXPORT_COUNTER_LIMIT) return StorageRc.EXPORT_LIMIT;
  const component = tweakComponent(config.exportCounter, guestPage * PAGE_SIZE);
  config.exportCounter += 1;
  const tweak = pageTweak(component, 0, config.tweakNonce);
  const address = hostPage * PAGE_SIZE;
  const plain = ctx.storage.read(address, PAGE_SIZE);
  const cipher = xtsEncrypt(config.exportKey, tweak, plain);
  plain.fill(0);
  tweak.fill(0);
  ctx.storage.write(address, cipher);
  config.exported.set(guestPage, { component, digest: pageDigest(cipher) });
  markNonSecure(ctx, config, guestPage, hostPage);
  return undefined;
}

/** Imports a page (spec §7.5). Returns an rc on refusal, undefined on success. */
export function importPage(ctx: UvContext, config: SecureConfiguration, guestPage: number, hostPage: number): number | undefined {
  const address = hostPage * PAGE_SIZE;
  const record = config.exported.get(guestPage);
  if (record === undefined) {
    ctx.storage.write(address, ZERO_PAGE);
  } else {
    const cipher = ctx.storage.read(address, PAGE_SIZE);
    if (!equalBytes(pageDigest(cipher), record.digest)) return StorageRc.INTEGRITY;
    const tweak = pageTweak(record.component, 0, config.tweakNonce);
    const plain = xtsDecrypt(config.exportKey, tweak, cipher);
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
  notify(ctx, config, guestPage, shared ? 'shared' : 'secure');
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
