// QUI, the query call (spec ultravisor.md §4 [P] layout; §7.1 [E] values): installed calls
// (incl. dump bits 24-27), limits, donation lengths, and the dump buffer lengths (0x1000 each).
// The installed-call list depends on who asks, as on the machine: the host sees QUI and the host
// calls, a secure guest QUI and the guest calls (kvm-unit-tests' uv-host requires the share bits
// clear for the host, its uv_os_is_guest tells a guest by them).
import type { UvResult } from '../state.js';
import { GUEST_COMMANDS, INSTALLED_CALL_BIT, UvCommand, UvCondition, UvRc } from '../uvc/codes.js';
import { QUI, QUI_MIN_LEN, QUI_SIZE, type ControlBlock } from '../uvc/layout.js';

/** The values this UV reports [E]. */
export const QUERY_VALUES = {
  uvBaseStorLen: 0x10000n,
  confBasePhysStorLen: 0x8000n,
  confBaseVirtStorLen: 0x4000n,
  confVirtVarStorLen: 0x800n,
  cpuStorLen: 0x1000n,
  maxNumSecConf: 64,
  maxGuestStorAddr: 0x3ffffffffffn,
  maxGuestCpuId: 247,
  uvFeatureIndications: 0x8000000000000000n,
  suppSeHdrVersions: 0x8000000000000000n,
  suppSeHdrPcf: 0x00000000300000f2n,
  confDumpStorageStateLen: 0x1000n,
  confDumpFinalizeLen: 0x1000n,
} as const;

/** Who issues a QUI: the host (hypervisor) or a secure guest CPU. */
export type QueryCaller = 'host' | 'guest';

/** The 256-bit installed-call list as four u64 words, from the commands `caller` may issue. */
export function installedCallList(caller: QueryCaller = 'host'): readonly [bigint, bigint, bigint, bigint] {
  const words: [bigint, bigint, bigint, bigint] = [0n, 0n, 0n, 0n];
  for (const [command, bit] of Object.entries(INSTALLED_CALL_BIT)) {
    const code = Number(command);
    if (code !== UvCommand.QUERY && GUEST_COMMANDS.has(code) !== (caller === 'guest')) continue;
    const w = bit >> 6;
    words[w] = (words[w] ?? 0n) | (1n << BigInt(63 - (bit % 64)));
  }
  return words;
}

/** Writes the query response into `cb`, as much as fits (spec §7.1). */
export function query(cb: ControlBlock, caller: QueryCaller = 'host'): UvResult {
  const len = cb.len;
  if (len < QUI_MIN_LEN || cb.bytes.length < len) return { cc: UvCondition.ERROR, rc: UvRc.INV_LEN, rrc: 0 };
  const full = new Uint8Array(QUI_SIZE);
  const v = new DataView(full.buffer);
  installedCallList(caller).forEach((w, i) => v.setBigUint64(QUI.instCallsList + 8 * i, w));
  const q = QUERY_VALUES;
  v.setBigUint64(QUI.uvBaseStorLen, q.uvBaseStorLen);
  v.setBigUint64(QUI.confBasePhysStorLen, q.confBasePhysStorLen);
  v.setBigUint64(QUI.confBaseVirtStorLen, q.confBaseVirtStorLen);
  v.setBigUint64(QUI.confVirtVarStorLen, q.confVirtVarStorLen);
  v.setBigUint64(QUI.cpuStorLen, q.cpuStorLen);
  v.setUint32(QUI.maxNumSecConf, q.maxNumSecConf);
  v.setBigUint64(QUI.maxGuestStorAddr, q.maxGuestStorAddr);
  v.setUint16(QUI.maxGuestCpuId, q.maxGuestCpuId);
  v.setBigUint64(QUI.uvFeatureIndications, q.uvFeatureIndications);
  v.setBigUint64(QUI.suppSeHdrVersions, q.suppSeHdrVersions);
  v.setBigUint64(QUI.suppSeHdrPcf, q.suppSeHdrPcf);
  v.setBigUint64(QUI.confDumpStorageStateLen, q.confDumpStorageStateLen);
  v.setBigUint64(QUI.confDumpFinalizeLen, q.confDumpFinalizeLen);
  // Bytes 0-7 are the caller's header; the response starts after it.
  const fill = Math.min(len, QUI_SIZE);
  cb.bytes.set(full.subarray(8, fill), 8);
  if (len < QUI_SIZE) return { cc: UvCondition.ERROR, rc: UvRc.MORE_DATA, rrc: 0 };
  return { cc: UvCondition.OK, rc: UvRc.EXECUTED, rrc: 0 };
}

/** Parsed query response (what a host reads back). */
export interface QueryInfo {
  installedCalls: readonly bigint[];
  uvBaseStorLen: bigint;
  confBasePhysStorLen: bigint;
  confBaseVirtStorLen: bigint;
  confVirtVarStorLen: bigint;
  cpuStorLen: bigint;
  maxNumSecConf: number;
  maxGuestStorAddr: bigint;
  maxGuestCpuId: number;
  uvFeatureIndications: bigint;
  suppSeHdrVersions: bigint;
  suppSeHdrPcf: bigint;
  confDumpStorageStateLen: bigint;
  confDumpFinalizeLen: bigint;
}

export function parseQuery(cb: ControlBlock): QueryInfo {
  const has = (off: number, size: number): boolean => off + size <= Math.min(cb.len, cb.bytes.length);
  const u64 = (off: number): bigint => (has(off, 8) ? cb.u64(off) : 0n);
  return {
    installedCalls: [0, 1, 2, 3].map((i) => u64(QUI.instCallsList + 8 * i)),
    uvBaseStorLen: u64(QUI.uvBaseStorLen),
    confBasePhysStorLen: u64(QUI.confBasePhysStorLen),
    confBaseVirtStorLen: u64(QUI.confBaseVirtStorLen),
    confVirtVarStorLen: u64(QUI.confVirtVarStorLen),
    cpuStorLen: u64(QUI.cpuStorLen),
    maxNumSecConf: has(QUI.maxNumSecConf, 4) ? cb.u32(QUI.maxNumSecConf) : 0,
    maxGuestStorAddr: u64(QUI.maxGuestStorAddr),
    maxGuestCpuId: has(QUI.maxGuestCpuId, 2) ? cb.u16(QUI.maxGuestCpuId) : 0,
    uvFeatureIndications: u64(QUI.uvFeatureIndications),
    suppSeHdrVersions: u64(QUI.suppSeHdrVersions),
    suppSeHdrPcf: u64(QUI.suppSeHdrPcf),
    confDumpStorageStateLen: u64(QUI.confDumpStorageStateLen),
    confDumpFinalizeLen: u64(QUI.confDumpFinalizeLen),
  };
}
