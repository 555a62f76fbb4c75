// INIT_UV, CREATE/DESTROY_SEC_CONF and CREATE/DESTROY_SEC_CPU (spec ultravisor.md §3-§4 [P]
// rc values, §7 [E] rules): handles, donated-storage checks, and teardown that clears every
// secure page and secret of a configuration.
import { initialCpuSnapshot } from '@pvdump/s390x-cpu/state';
import { PAGE_SIZE } from '../storage/host-storage.js';
import { ExportRecords } from '../storage/export-records.js';
import { canDonate, destroyPage, donate, reclaim } from '../storage/pages.js';
import type { SecureConfiguration, SecureCpu, UvContext, UvResult } from '../state.js';
import { CreateConfRc, CreateCpuRc, InitRc, PvCpuState, UvRc } from '../uvc/codes.js';
import { CGC, CSC, INIT, NODATA, type ControlBlock } from '../uvc/layout.js';
import { QUERY_VALUES } from './query.js';
import { fail, ok } from './result.js';

const MIB = 0x100000;
const LOWCORE_END = 0x2000;
/** ASCE private-space control (bit 55) and real-space control (bit 58). */
const ASCE_PRIVATE_SPACE = 0x100n;
const ASCE_REAL_SPACE = 0x20n;
/** [E] handle name spaces: configurations 0xC0..., CPUs 0xC1...; numbers are never reused. */
export const CONFIG_HANDLE_BASE = 0xc000000000000000n;
export const CPU_HANDLE_BASE = 0xc100000000000000n;

export function initUv(ctx: UvContext, cb: ControlBlock): UvResult {
  if (ctx.uvStorage !== undefined) return fail(InitRc.ALREADY_INITIALISED);
  if (ctx.runningHostCpus() > 1) return fail(InitRc.TOO_MANY_CPUS);
  const origin = cb.u64(INIT.storOrigin);
  const length = cb.u64(INIT.storLen);
  if (length < QUERY_VALUES.uvBaseStorLen) return fail(InitRc.BAD_STORAGE_LENGTH);
  if (origin % BigInt(PAGE_SIZE) !== 0n) return fail(InitRc.BAD_ORIGIN);
  if (origin < ctx.minimumUvStorageOrigin) return fail(InitRc.STORAGE_BELOW_2G);
  if (origin + length > BigInt(ctx.storage.size)) return fail(InitRc.BAD_ORIGIN_PLUS_LENGTH);
  const range = { origin: Number(origin), length: Number(length) };
  if (canDonate(ctx, range) !== 'ok') return fail(InitRc.BAD_ORIGIN_PLUS_LENGTH);
  donate(ctx, range, 'UV base storage');
  ctx.uvStorage = range;
  return ok();
}

/** Size of the variable donation: align4K(var per MiB × MiBs) + base virtual (spec §4). */
export function variableStorageLength(guestStorageLength: number): number {
  const perMib = Number(QUERY_VALUES.confVirtVarStorLen) * Math.ceil(guestStorageLength / MIB);
  return Math.ceil(perMib / PAGE_SIZE) * PAGE_SIZE + Number(QUERY_VALUES.confBaseVirtStorLen);
}

export function createSecureConfiguration(ctx: UvContext, cb: ControlBlock): UvResult {
  const mso = cb.u64(CGC.guestStorOrigin);
  const msl = cb.u64(CGC.guestStorLen);
  const max = QUERY_VALUES.maxGuestStorAddr;
  if (mso > max) return fail(CreateConfRc.MSO_TOO_LARGE);
  // [E] the guest storage must be a non-empty multiple of 1 MiB ending at or below the maximum.
  if (msl === 0n || msl % BigInt(MIB) !== 0n || mso + msl - 1n > max || mso !== 0n) return fail(CreateConfRc.MSO_PLUS_MSL_TOO_LARGE);
  const asce = cb.u64(CGC.guestAsce);
  // The guest's ASCE must be a private space (Linux's gmap ASCE has P) and not a real space, and
  // [E] no other configuration may use it (kvm-unit-tests' uv-host wants rc ≥ 0x104 for a reuse).
  if ((asce & ASCE_PRIVATE_SPACE) === 0n || (asce & ASCE_REAL_SPACE) !== 0n) return fail(CreateConfRc.INVALID_ASCE);
  for (const other of ctx.configs.values()) if (other.asce === asce) return fail(CreateConfRc.INVALID_ASCE);
  const baseOrigin = cb.u64(CGC.confBaseStorOrigin);
  const base = { origin: Number(baseOrigin), length: Number(QUERY_VALUES.confBasePhysStorLen) };
  if (baseOrigin + QUERY_VALUES.confBasePhysStorLen > BigInt(ctx.storage.size)) return fail(CreateConfRc.BASE_STORAGE_INVALID);
  if (base.origin < LOWCORE_END) return fail(CreateConfRc.BASE_STORAGE_OVERLAPS_LOWCORE);
  const guestStorageLength = Number(msl);
  const virtOrigin = cb.u64(CGC.confVirtStorOrigin);
  const variable = { origin: Number(virtOrigin), length: variableStorageLength(guestStorageLength) };
  if (virtOrigin + BigInt(variable.length) > BigInt(ctx.storage.size)) return fail(CreateConfRc.BASE_STORAGE_INVALID);
  if (variable.origin < LOWCORE_END) return fail(CreateConfRc.VAR_STORAGE_OVERLAPS_LOWCORE);
  const sca = cb.u64(CGC.guestSca);
  if (sca === 0n) return fail(CreateConfRc.SCA_ZERO);
  if (sca >= BigInt(ctx.storage.size)) return fail(CreateConfRc.SCA_INACCESSIBLE);
  const baseCheck = canDonate(ctx, base);
  if (baseCheck === 'outside') return fail(CreateConfRc.BASE_STORAGE_INVALID);
  const varCheck = canDonate(ctx, variable);
  if (varCheck === 'outside') return fail(CreateConfRc.BASE_STORAGE_INVALID);
  const overlap = base.origin < variable.origin + variable.length && variable.origin < base.origin + base.length;
  if (baseCheck === 'in-use' || varCheck === 'in-use' || overlap) return fail(CreateConfRc.STORAGE_IN_USE);
  if (ctx.configs.size >= QUERY_VALUES.maxNumSecConf) return fail(CreateConfRc.TOO_MANY_CONFIGURATIONS);

  const handle = CONFIG_HANDLE_BASE | BigInt(ctx.nextConfigNumber++);
  const config: SecureConfiguration = {
    handle,
    asce,
    guestStorageLength,
    sca,
    baseStorage: base,
    variableStorage: variable,
    cpus: new Map(),
    secrets: undefined,
    digests: undefined,
    verified: false,
    resetPrepared: false,
    started: false,
    exportKey: drawExportKey(ctx),
    tweakNonce: drawTweakNonce(ctx),
    exportCounter: 1,
    securePages: new Map(),
    sharedPages: new Set(),
    exported: new ExportRecords(),
    exportCipher: undefined,
    dump: undefined,
  };
  donate(ctx, base, 'configuration base storage');
  donate(ctx, variable, 'configuration variable storage');
  ctx.configs.set(handle, config);
  cb.setU64(CGC.guestHandle, handle);
  return ok();
}

/** 64 random bytes whose halves differ (an XTS key with equal halves is weak; spec §7.2). */
function drawExportKey(ctx: UvContext): Uint8Array {
  for (;;) {
    const key = ctx.random(64);
    let equal = true;
    for (let i = 0; i < 32; i++) if (key[i] !== key[32 + i]) equal = false;
    if (!equal) return key;
    key.fill(0);
  }
}

/** Tweak nonce: 4 random bytes then 12 zero bytes (spec §7.2). */
function drawTweakNonce(ctx: UvContext): Uint8Array {
  const nonce = new Uint8Array(16);
  nonce.set(ctx.random(4).subarray(0, 4));
  return nonce;
}

export function destroySecureConfiguration(ctx: UvContext, cb: ControlBlock): UvResult {
  const config = ctx.configs.get(cb.u64(NODATA.handle));
  if (config === undefined) return fail(UvRc.INV_GHANDLE);
  // [E] every secure CPU must be destroyed first, as KVM does.
  if (config.cpus.size > 0) return fail(UvRc.INV_STATE);
  for (const [guestPage, hostPage] of [...config.securePages]) destroyPage(ctx, config, guestPage, hostPage);
  config.exported.clear();
  reclaim(ctx, config.baseStorage);
  reclaim(ctx, config.variableStorage);
  wipeConfiguration(config);
  ctx.configs.delete(config.handle);
  return ok();
}

/** Overwrites every secret a configuration holds. */
export function wipeConfiguration(config: SecureConfiguration): void {
  config.exportKey.fill(0);
  config.tweakNonce.fill(0);
  config.exportCipher?.dispose();
  config.exportCipher = undefined;
  if (config.secrets !== undefined) {
    config.secrets.cck.fill(0);
    config.secrets.imageXtsKey.fill(0);
    config.secrets = undefined;
  }
  if (config.dump !== undefined) {
    config.dump.key.fill(0);
    config.dump.seed.fill(0);
    config.dump = undefined;
  }
}

export function createSecureCpu(ctx: UvContext, cb: ControlBlock): UvResult {
  const config = ctx.configs.get(cb.u64(CSC.guestHandle));
  if (config === undefined) return fail(UvRc.INV_GHANDLE);
  const number = cb.u16(CSC.num);
  if (number > QUERY_VALUES.maxGuestCpuId) return fail(CreateCpuRc.INVALID_CPU_NUMBER);
  if (config.cpus.has(number)) return fail(CreateCpuRc.CPU_ALREADY_DEFINED);
  const origin = cb.u64(CSC.storOrigin);
  const length = Number(QUERY_VALUES.cpuStorLen);
  if (origin % BigInt(PAGE_SIZE) !== 0n || origin + BigInt(length) > BigInt(ctx.storage.size)) return fail(CreateCpuRc.STORAGE_INACCESSIBLE);
  const storage = { origin: Number(origin), length };
  if (storage.origin < LOWCORE_END) return fail(CreateCpuRc.STORAGE_IN_LOWCORE);
  const stateOrigin = cb.u64(CSC.stateOrigin);
  if (stateOrigin === 0n || stateOrigin >= BigInt(ctx.storage.size)) return fail(CreateCpuRc.STATE_DESCRIPTION_INACCESSIBLE);
  if (canDonate(ctx, storage) !== 'ok') return fail(CreateCpuRc.STORAGE_IN_USE);
  const handle = CPU_HANDLE_BASE | BigInt(ctx.nextCpuNumber++);
  const cpu: SecureCpu = {
    handle,
    config,
    number,
    storage,
    stateOrigin,
    state: PvCpuState.STOPPED,
    snapshot: initialCpuSnapshot(),
    pendingInterception: undefined,
    pendingStatusStore: undefined,
  };
  donate(ctx, storage, `secure CPU ${number} storage`);
  config.cpus.set(number, cpu);
  ctx.cpus.set(handle, cpu);
  cb.setU64(CSC.cpuHandle, handle);
  return ok();
}

export function destroySecureCpu(ctx: UvContext, cb: ControlBlock): UvResult {
  const cpu = ctx.cpus.get(cb.u64(NODATA.handle));
  if (cpu === undefined) return fail(UvRc.INV_CHANDLE);
  reclaim(ctx, cpu.storage);
  cpu.snapshot.gprs.fill(0n);
  cpu.snapshot.vrs.forEach((v) => v.fill(0));
  cpu.config.cpus.delete(cpu.number);
  ctx.cpus.delete(cpu.handle);
  return ok();
}

/**
 * [E] A reset of the machine that clears or reloads the host (DIAGNOSE 0x308 subcodes 0, 1, 3):
 * every secure CPU and configuration ends as if destroyed (secure pages cleared, secrets wiped,
 * donated storage cleared and returned), the UV storage is returned cleared and the UV is
 * uninitialised again (kvm-unit-tests' uv-host finds the donated storage zero and every call
 * but QUI answering rc 3 afterwards).
 */
export function resetUltravisor(ctx: UvContext): void {
  for (const cpu of [...ctx.cpus.values()]) {
    reclaim(ctx, cpu.storage);
    cpu.snapshot.gprs.fill(0n);
    cpu.snapshot.vrs.forEach((v) => v.fill(0));
    cpu.config.cpus.delete(cpu.number);
    ctx.cpus.delete(cpu.handle);
  }
  for (const config of [...ctx.configs.values()]) {
    for (const [guestPage, hostPage] of [...config.securePages]) destroyPage(ctx, config, guestPage, hostPage);
    config.exported.clear();
    reclaim(ctx, config.baseStorage);
    reclaim(ctx, config.variableStorage);
    wipeConfiguration(config);
    ctx.configs.delete(config.handle);
  }
  if (ctx.uvStorage !== undefined) reclaim(ctx, ctx.uvStorage);
  ctx.uvStorage = undefined;
}
