// Storage conversion calls (spec ultravisor.md §2-§4 [P], §7.3-§7.5 [E]): CONV_TO_SEC_STOR
// (import), CONV_FROM_SEC_STOR (export), DESTR_SEC_STOR, PIN/UNPIN_PAGE_SHARED, SET_UNSHARE_ALL,
// and the guest's SET/REMOVE_SHARED_ACCESS.
import { PAGE_SIZE } from '../storage/host-storage.js';
import { destroyPage, exportPage, exportPages, importPage, setShared, type PageToExport } from '../storage/pages.js';
import type { SecureConfiguration, UvContext, UvResult } from '../state.js';
import { DESTROY_NOT_SECURE_RRC, ShareRc, StorageRc, UvRc } from '../uvc/codes.js';
import { CFS, CTS, NODATA, SHARE, type ControlBlock } from '../uvc/layout.js';
import { fail, ok } from './result.js';

/** Guest page index of a page-aligned guest address inside the configuration, else undefined. */
export function guestPageOf(config: SecureConfiguration, gaddr: bigint): number | undefined {
  if (gaddr % BigInt(PAGE_SIZE) !== 0n || gaddr >= BigInt(config.guestStorageLength)) return undefined;
  return Number(gaddr) / PAGE_SIZE;
}

/** Host page index of a host address, if inside host storage. */
function hostPageOf(ctx: UvContext, paddr: bigint): number | undefined {
  if (paddr < 0n || paddr >= BigInt(ctx.storage.size)) return undefined;
  return Math.floor(Number(paddr) / PAGE_SIZE);
}

export function convertToSecure(ctx: UvContext, cb: ControlBlock): UvResult {
  const config = ctx.configs.get(cb.u64(CTS.guestHandle));
  if (config === undefined) return fail(UvRc.INV_GHANDLE);
  const gaddr = cb.u64(CTS.gaddr) & ~BigInt(PAGE_SIZE - 1); // the UV works on the whole page
  const guestPage = guestPageOf(config, gaddr);
  if (guestPage === undefined) return fail(StorageRc.BAD_ADDRESS);
  const paddr = ctx.translate(config.asce, guestPage * PAGE_SIZE);
  if (paddr === undefined || paddr < 0 || paddr + PAGE_SIZE > ctx.storage.size || paddr % PAGE_SIZE !== 0) return fail(StorageRc.PAGE_NOT_MAPPED);
  const hostPage = paddr / PAGE_SIZE;
  const owner = ctx.pageOwners.get(hostPage);
  if (owner !== undefined) {
    if (owner.kind === 'secure' && owner.config === config && owner.guestPage === guestPage) return ok(); // already secure
    return fail(StorageRc.WRONG_OWNER);
  }
  // [E] the guest page is secure already, but in another host page (the host remapped it).
  if (config.securePages.has(guestPage)) return fail(UvRc.INV_STATE);
  const rc = importPage(ctx, config, guestPage, hostPage);
  return rc === undefined ? ok() : fail(rc);
}

export function convertFromSecure(ctx: UvContext, cb: ControlBlock): UvResult {
  const hostPage = hostPageOf(ctx, cb.u64(CFS.paddr));
  if (hostPage === undefined) return fail(StorageRc.BAD_ADDRESS);
  const owner = ctx.pageOwners.get(hostPage);
  if (owner === undefined) return ok(); // exporting a non-secure page is a no-op
  if (owner.kind === 'donated') return fail(StorageRc.WRONG_OWNER);
  if (owner.config.sharedPages.has(owner.guestPage)) return ok(); // [E] shared pages are host-accessible already
  const rc = exportPage(ctx, owner.config, owner.guestPage, hostPage);
  return rc === undefined ? ok() : fail(rc);
}

/**
 * CONV_FROM_SEC_STOR for each host address in order, stopping at the first refusal (see
 * `Ultravisor.convertFromSecurePages`); consecutive secure pages of one configuration are
 * exported in one batch.
 */
export function convertFromSecureMany(ctx: UvContext, paddrs: readonly number[]): { done: number; result: UvResult } {
  let batch: (PageToExport & { index: number })[] = [];
  let batchConfig: SecureConfiguration | undefined;
  /** Exports the batch; on a refusal, the index of the refused call. */
  const flush = (): { index: number; rc: number } | undefined => {
    if (batchConfig === undefined || batch.length === 0) return undefined;
    const r = exportPages(ctx, batchConfig, batch);
    const refused = r.rc === undefined ? undefined : { index: batch[r.done]!.index, rc: r.rc };
    batch = [];
    return refused;
  };
  for (let index = 0; index < paddrs.length; index++) {
    const paddr = paddrs[index]!;
    const hostPage = Number.isSafeInteger(paddr) && paddr >= 0 && paddr < ctx.storage.size ? Math.floor(paddr / PAGE_SIZE) : undefined;
    const owner = hostPage === undefined ? undefined : ctx.pageOwners.get(hostPage);
    const refusal = hostPage === undefined ? StorageRc.BAD_ADDRESS : owner?.kind === 'donated' ? StorageRc.WRONG_OWNER : undefined;
    if (refusal !== undefined) {
      const earlier = flush();
      return earlier !== undefined ? { done: earlier.index, result: fail(earlier.rc) } : { done: index, result: fail(refusal) };
    }
    // Not secure, or shared: a no-op success.
    if (owner === undefined || owner.kind !== 'secure' || owner.config.sharedPages.has(owner.guestPage)) continue;
    if (owner.config !== batchConfig) {
      const earlier = flush();
      if (earlier !== undefined) return { done: earlier.index, result: fail(earlier.rc) };
      batchConfig = owner.config;
    }
    batch.push({ guestPage: owner.guestPage, hostPage: hostPage!, index });
  }
  const last = flush();
  return last !== undefined ? { done: last.index, result: fail(last.rc) } : { done: paddrs.length, result: ok() };
}

export function destroySecurePage(ctx: UvContext, cb: ControlBlock): UvResult {
  const hostPage = hostPageOf(ctx, cb.u64(CFS.paddr));
  if (hostPage === undefined) return fail(StorageRc.BAD_ADDRESS);
  const owner = ctx.pageOwners.get(hostPage);
  if (owner === undefined) return fail(StorageRc.NOT_SECURE, DESTROY_NOT_SECURE_RRC);
  if (owner.kind === 'donated') return fail(StorageRc.WRONG_OWNER);
  destroyPage(ctx, owner.config, owner.guestPage, hostPage);
  return ok();
}

/** PIN/UNPIN_PAGE_SHARED: succeed only for a page the guest shared ([E] pins are not counted). */
export function pinOrUnpinShared(ctx: UvContext, cb: ControlBlock): UvResult {
  const hostPage = hostPageOf(ctx, cb.u64(CFS.paddr));
  if (hostPage === undefined) return fail(StorageRc.BAD_ADDRESS);
  const owner = ctx.pageOwners.get(hostPage);
  if (owner === undefined || owner.kind !== 'secure' || !owner.config.sharedPages.has(owner.guestPage)) return fail(StorageRc.NOT_SHARED);
  return ok();
}

export function setUnshareAll(ctx: UvContext, cb: ControlBlock): UvResult {
  const config = ctx.configs.get(cb.u64(NODATA.handle));
  if (config === undefined) return fail(UvRc.INV_GHANDLE);
  for (const guestPage of [...config.sharedPages]) setShared(ctx, config, guestPage, false);
  return ok();
}

/** Guest SET_SHARED_ACCESS / REMOVE_SHARED_ACCESS; paddr @0x20 is a guest absolute address. */
export function changeSharedAccess(ctx: UvContext, config: SecureConfiguration, cb: ControlBlock, shared: boolean): UvResult {
  const guestPage = guestPageOf(config, cb.u64(SHARE.paddr));
  if (guestPage === undefined) return fail(ShareRc.BAD_ADDRESS);
  // [E] the page must be secure: the guest's access would have imported it first.
  if (!config.securePages.has(guestPage)) return fail(ShareRc.NOT_SECURE);
  setShared(ctx, config, guestPage, shared);
  return ok();
}
