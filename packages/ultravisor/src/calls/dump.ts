// The four dump calls (spec ultravisor.md §6 [P], §7.6-§7.8 [E]; formats pv-dump-crypto.md):
// DUMP_INIT draws the seed and derives the dump key; DUMP_CPU seals a CPU's registers;
// DUMP_CONF_STOR_STATE reports 256 entries per 1 MiB (exporting secure pages first);
// DUMP_COMPLETE seals the tweak nonce and export key and ends the dump.
import { DUMP_FLAG_HAS_OSII, DUMP_SEED_SIZE, GCM_IV_SIZE, SpecialFlag, TWEAK_COMPONENT_SIZE, deriveDumpKey, encodeCpuConfidentialArea, sealCompletionData, sealCpuDump, specialTweakComponent } from '@pvdump/pv-format';
import { PAGE_SIZE } from '../storage/host-storage.js';
import { exportPages, hostAccessible, type PageToExport } from '../storage/pages.js';
import type { SecureConfiguration, UvContext, UvResult } from '../state.js';
import { DumpRc, UvRc } from '../uvc/codes.js';
import { DUMP_COMPLETE, DUMP_CPU, DUMP_STOR_STATE, NODATA, type ControlBlock } from '../uvc/layout.js';
import { QUERY_VALUES } from './query.js';
import { fail, ok } from './result.js';

/** DUMP_CONF_STOR_STATE reports the pages of 1 MiB, 256 entries (spec ultravisor.md §7.4). */
const MIB = 0x100000;
const PAGES_PER_MIB = MIB / PAGE_SIZE;

/** PCF bit 34, AllowDumping [P]. */
export const PCF_ALLOW_DUMPING = 0x0000000020000000n;

export function dumpInit(ctx: UvContext, cb: ControlBlock): UvResult {
  const config = ctx.configs.get(cb.u64(NODATA.handle));
  if (config === undefined) return fail(UvRc.INV_GHANDLE);
  const secrets = config.secrets;
  if (secrets === undefined) return fail(DumpRc.NOT_VERIFIED);
  if ((secrets.pcf & PCF_ALLOW_DUMPING) === 0n) return fail(DumpRc.NOT_ALLOWED);
  if (config.dump !== undefined) return fail(DumpRc.IN_PROGRESS);
  if (!config.verified) return fail(DumpRc.NOT_VERIFIED);
  const seed = ctx.random(DUMP_SEED_SIZE).slice(0, DUMP_SEED_SIZE);
  config.dump = { seed, key: deriveDumpKey(secrets.cck, seed) };
  return ok();
}

/** Writes `length` result bytes (the v1 structure, then zeros) at a checked origin. */
function outputOrigin(ctx: UvContext, origin: bigint, length: number): number | undefined {
  if (origin % 8n !== 0n || origin + BigInt(length) > BigInt(ctx.storage.size)) return undefined;
  const address = Number(origin);
  return hostAccessible(ctx, address, length) ? address : undefined;
}

function writeResult(ctx: UvContext, address: number, length: number, data: Uint8Array): void {
  const buffer = new Uint8Array(length);
  buffer.set(data);
  ctx.storage.write(address, buffer);
}

export function dumpCpu(ctx: UvContext, cb: ControlBlock): UvResult {
  const cpu = ctx.cpus.get(cb.u64(DUMP_CPU.cpuHandle));
  if (cpu === undefined) return fail(UvRc.INV_CHANDLE);
  const dump = cpu.config.dump;
  if (dump === undefined) return fail(DumpRc.NOT_DUMPING);
  const length = Number(QUERY_VALUES.cpuStorLen);
  const address = outputOrigin(ctx, cb.u64(DUMP_CPU.dumpAreaOrigin), length);
  if (address === undefined) return fail(DumpRc.BAD_ORIGIN);
  const confidential = encodeCpuConfidentialArea(cpu.snapshot, cpu.pendingInterception !== undefined ? DUMP_FLAG_HAS_OSII : 0);
  const iv = ctx.random(GCM_IV_SIZE).slice(0, GCM_IV_SIZE);
  const sealed = sealCpuDump(dump.key, iv, confidential);
  confidential.fill(0);
  writeResult(ctx, address, length, sealed);
  return ok();
}

/** The special entries by flags (spec §7.4), made once. */
const specialEntries = new Map<number, Uint8Array>();
function specialEntry(flags: number): Uint8Array {
  let e = specialEntries.get(flags);
  if (e === undefined) {
    e = specialTweakComponent(flags);
    specialEntries.set(flags, e);
  }
  return e;
}

/** Writes the 16-byte entry of one guest page (spec §7.4) at `entries[at]`; secure pages are exported already. */
function storageStateEntry(ctx: UvContext, config: SecureConfiguration, guestPage: number, entries: Uint8Array, at: number): void {
  const gaddr = guestPage * PAGE_SIZE;
  if (gaddr >= config.guestStorageLength) return entries.set(specialEntry(SpecialFlag.IS_ZERO_PAGE), at);
  const mapped = ctx.translate(config.asce, gaddr) !== undefined ? SpecialFlag.IS_MAPPED_PAGE : 0;
  if (config.sharedPages.has(guestPage) && config.securePages.has(guestPage)) return entries.set(specialEntry(SpecialFlag.IS_SHARED_PAGE | mapped), at);
  if (config.exported.component(guestPage, entries, at) === undefined) entries.set(specialEntry(SpecialFlag.IS_ZERO_PAGE | mapped), at);
}

export function dumpStorageState(ctx: UvContext, cb: ControlBlock): UvResult {
  const config = ctx.configs.get(cb.u64(DUMP_STOR_STATE.configHandle));
  if (config === undefined) return fail(UvRc.INV_GHANDLE);
  if (config.dump === undefined) return fail(DumpRc.NOT_DUMPING);
  const gaddr = cb.u64(DUMP_STOR_STATE.gaddr);
  if (gaddr % BigInt(MIB) !== 0n) return fail(DumpRc.GADDR_NOT_ALIGNED);
  if (gaddr >= BigInt(config.guestStorageLength)) return fail(DumpRc.GADDR_TOO_LARGE);
  const length = Number(QUERY_VALUES.confDumpStorageStateLen);
  const address = outputOrigin(ctx, cb.u64(DUMP_STOR_STATE.dumpAreaOrigin), length);
  if (address === undefined) return fail(DumpRc.BAD_ORIGIN);
  const entries = new Uint8Array(PAGES_PER_MIB * TWEAK_COMPONENT_SIZE);
  const firstPage = Number(gaddr) / PAGE_SIZE;
  // The secure pages of this MiB are exported first, in page order, in one batch.
  const secure: PageToExport[] = [];
  for (let page = firstPage; page < firstPage + PAGES_PER_MIB && page * PAGE_SIZE < config.guestStorageLength; page++) {
    const hostPage = config.securePages.get(page);
    if (hostPage !== undefined && !config.sharedPages.has(page)) secure.push({ guestPage: page, hostPage });
  }
  const exported = exportPages(ctx, config, secure);
  if (exported.rc !== undefined) return fail(exported.rc);
  for (let i = 0; i < PAGES_PER_MIB; i++) storageStateEntry(ctx, config, firstPage + i, entries, i * TWEAK_COMPONENT_SIZE);
  writeResult(ctx, address, length, entries);
  return ok();
}

export function dumpComplete(ctx: UvContext, cb: ControlBlock): UvResult {
  const config = ctx.configs.get(cb.u64(DUMP_COMPLETE.configHandle));
  if (config === undefined) return fail(UvRc.INV_GHANDLE);
  const dump = config.dump;
  if (dump === undefined) return fail(DumpRc.NOT_DUMPING);
  const length = Number(QUERY_VALUES.confDumpFinalizeLen);
  const address = outputOrigin(ctx, cb.u64(DUMP_COMPLETE.dumpAreaOrigin), length);
  if (address === undefined) return fail(DumpRc.BAD_ORIGIN);
  const iv = ctx.random(GCM_IV_SIZE).slice(0, GCM_IV_SIZE);
  const data = sealCompletionData(dump.key, dump.seed, iv, { nonce: config.tweakNonce, key: config.exportKey });
  writeResult(ctx, address, length, data);
  dump.key.fill(0);
  dump.seed.fill(0);
  config.dump = undefined;
  return ok();
}
