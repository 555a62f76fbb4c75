/**
 * CPU dump data v1 (`pv_cpu_dump_v1_t`, docs/pv-dump-crypto.md §3, §6): 1568 bytes returned by
 * DUMP_CPU and stored as note NT_S390_PV_CPU_DATA. Bytes 0–31 are the GCM AAD {version, len,
 * iv, reserved}; bytes 32–1551 the confidential area (the store-status layout, then the vector
 * and guarded-storage registers and dump_flags) sealed under the dump key; bytes 1552–1567 the
 * tag. The confidential area encodes and decodes the architected register model.
 */
import { GCM_IV_SIZE, GCM_TAG_SIZE, gcmOpen, gcmSeal } from './crypto/gcm.js';
import { ACR_COUNT, CR_COUNT, GPR_COUNT, VR_BYTES, VR_COUNT, type CpuRegisters } from '@pvdump/s390x-arch';
import { assertLayout } from './assert-layout.js';

export const PV_SEC_CPU_DATA_VERSION_1 = 1;

/** Byte offsets of CPU dump data v1 (s390-tools field names). */
export const CpuDumpV1 = {
  version: 0,
  /** Not checked by zgetdump; the UV writes 1568. */
  len: 4,
  iv: 8,
  res0x20: 20,
  confidentialArea: 32,
  tag: 1552,
  size: 1568,
} as const;

export const CPU_DUMP_AAD_SIZE = CpuDumpV1.confidentialArea;
/** The note NT_S390_PV_CPU_DATA may be up to one page (PV_MAX_NT_S390_PV_CPU_DATA_SIZE); only the first 1568 bytes are used. */
export const PV_MAX_NT_S390_PV_CPU_DATA_SIZE = 0x1000;

/** Byte offsets inside the 1520-byte confidential area (note offset − 32). */
export const CpuConfidentialAreaV1 = {
  gprs: 0x000,
  /** PSW mask, then PSW address. */
  psw: 0x080,
  res0x090: 0x090,
  prefix: 0x098,
  fpc: 0x09c,
  res0x0a0: 0x0a0,
  todpreg: 0x0a4,
  timer: 0x0a8,
  /** Clock comparator, the full 64-bit value [E]. */
  todcmp: 0x0b0,
  res0x0b8: 0x0b8,
  acrs: 0x0c0,
  ctrs: 0x100,
  /** V0–V15: `low` (leftmost, the FPR) then `high` doubleword each. */
  vectorRegisterLow: 0x180,
  /** V16–V31. */
  vectorRegisterHigh: 0x280,
  res0x380: 0x380,
  /** First word of the guarded-storage control block: zeros. */
  zeros2: 0x580,
  gsd: 0x588,
  gssm: 0x590,
  gsEplA: 0x598,
  res0x5a0: 0x5a0,
  dumpFlags: 0x5e0,
  res0x5e2: 0x5e2,
  size: 0x5f0,
} as const;

/** dump_flags bit 0 (the leftmost of 16): the CPU was dumped with partial instruction results. */
export const DUMP_FLAG_HAS_OSII = 0x8000;

assertLayout('CPU dump data v1', CpuDumpV1.size, 1568);
assertLayout('CPU dump AAD', CPU_DUMP_AAD_SIZE, 32);
assertLayout('CPU dump IV', CpuDumpV1.res0x20 - CpuDumpV1.iv, GCM_IV_SIZE);
assertLayout('CPU dump confidential area', CpuDumpV1.tag - CpuDumpV1.confidentialArea, CpuConfidentialAreaV1.size);
assertLayout('CPU dump confidential area', CpuConfidentialAreaV1.size, 1520);
assertLayout('CPU dump tag', CpuDumpV1.size - CpuDumpV1.tag, GCM_TAG_SIZE);
assertLayout('V0–V15', CpuConfidentialAreaV1.vectorRegisterHigh - CpuConfidentialAreaV1.vectorRegisterLow, 16 * VR_BYTES);
assertLayout('V16–V31', CpuConfidentialAreaV1.res0x380 - CpuConfidentialAreaV1.vectorRegisterHigh, 16 * VR_BYTES);
assertLayout('dump_flags and reserved', CpuConfidentialAreaV1.size - CpuConfidentialAreaV1.dumpFlags, 16);

/** A decoded confidential area: the CPU's registers and its dump_flags. */
export interface CpuDumpState {
  registers: CpuRegisters;
  /** Raw 16-bit dump_flags. */
  dumpFlags: number;
  /** dump_flags bit 0: the state may contain partial instruction results. */
  hasOsii: boolean;
}

const vrOffset = (i: number): number => (i < 16 ? CpuConfidentialAreaV1.vectorRegisterLow : CpuConfidentialAreaV1.vectorRegisterHigh) + VR_BYTES * (i % 16);

/** The plaintext confidential area of a CPU; reserved bytes and the first guarded-storage word are zero. */
export function encodeCpuConfidentialArea(r: CpuRegisters, dumpFlags: number): Uint8Array {
  const O = CpuConfidentialAreaV1;
  const area = new Uint8Array(O.size);
  const v = new DataView(area.buffer);
  for (let i = 0; i < GPR_COUNT; i++) v.setBigUint64(O.gprs + 8 * i, r.gprs[i] ?? 0n);
  for (let i = 0; i < ACR_COUNT; i++) v.setUint32(O.acrs + 4 * i, r.acrs[i] ?? 0);
  for (let i = 0; i < CR_COUNT; i++) v.setBigUint64(O.ctrs + 8 * i, r.crs[i] ?? 0n);
  v.setBigUint64(O.psw, r.psw.mask);
  v.setBigUint64(O.psw + 8, r.psw.addr);
  v.setUint32(O.prefix, r.prefix);
  v.setUint32(O.fpc, r.fpc);
  v.setUint32(O.todpreg, r.todProgrammable);
  v.setBigUint64(O.timer, r.cpuTimer);
  v.setBigUint64(O.todcmp, r.clockComparator);
  for (let i = 0; i < VR_COUNT; i++) {
    const vr = r.vrs[i];
    if (vr !== undefined) area.set(vr.subarray(0, VR_BYTES), vrOffset(i));
  }
  v.setBigUint64(O.gsd, r.gsCb.gsd);
  v.setBigUint64(O.gssm, r.gsCb.gssm);
  v.setBigUint64(O.gsEplA, r.gsCb.gsepla);
  v.setUint16(O.dumpFlags, dumpFlags);
  return area;
}

/**
 * Decodes a confidential area. The first guarded-storage word decodes as 0 whatever the area
 * holds there, as zgetdump writes it.
 */
export function decodeCpuConfidentialArea(area: Uint8Array): CpuDumpState {
  const O = CpuConfidentialAreaV1;
  if (area.length !== O.size) throw new RangeError(`CPU dump confidential area must be ${O.size} bytes, got ${area.length}`);
  const v = new DataView(area.buffer, area.byteOffset, area.byteLength);
  const u64s = (off: number, n: number): bigint[] => Array.from({ length: n }, (_, i) => v.getBigUint64(off + 8 * i));
  const dumpFlags = v.getUint16(O.dumpFlags);
  return {
    registers: {
      psw: { mask: v.getBigUint64(O.psw), addr: v.getBigUint64(O.psw + 8) },
      gprs: u64s(O.gprs, GPR_COUNT),
      acrs: Array.from({ length: ACR_COUNT }, (_, i) => v.getUint32(O.acrs + 4 * i)),
      crs: u64s(O.ctrs, CR_COUNT),
      fpc: v.getUint32(O.fpc),
      vrs: Array.from({ length: VR_COUNT }, (_, i) => area.slice(vrOffset(i), vrOffset(i) + VR_BYTES)),
      prefix: v.getUint32(O.prefix),
      cpuTimer: v.getBigUint64(O.timer),
      clockComparator: v.getBigUint64(O.todcmp),
      todProgrammable: v.getUint32(O.todpreg),
      gsCb: { reserved: 0n, gsd: v.getBigUint64(O.gsd), gssm: v.getBigUint64(O.gssm), gsepla: v.getBigUint64(O.gsEplA) },
    },
    dumpFlags,
    hasOsii: (dumpFlags & DUMP_FLAG_HAS_OSII) !== 0,
  };
}

/** Seals a confidential area into the 1568-byte v1 structure: version 1, len 1568, `iv` in the clear. */
export function sealCpuDump(dumpKey: Uint8Array, iv: Uint8Array, area: Uint8Array): Uint8Array {
  if (iv.length !== GCM_IV_SIZE) throw new RangeError(`CPU dump IV must be 12 bytes, got ${iv.length}`);
  if (area.length !== CpuConfidentialAreaV1.size) throw new RangeError(`CPU dump confidential area must be 1520 bytes, got ${area.length}`);
  const out = new Uint8Array(CpuDumpV1.size);
  const v = new DataView(out.buffer);
  v.setUint32(CpuDumpV1.version, PV_SEC_CPU_DATA_VERSION_1);
  v.setUint32(CpuDumpV1.len, CpuDumpV1.size);
  out.set(iv, CpuDumpV1.iv);
  const sealed = gcmSeal(dumpKey, iv, out.subarray(0, CPU_DUMP_AAD_SIZE), area);
  out.set(sealed, CpuDumpV1.confidentialArea);
  sealed.fill(0);
  return out;
}

/**
 * Opens CPU dump data of at least 1568 bytes (the caller has checked the version) with the dump
 * key; returns the 1520-byte confidential area (wipe it after use), undefined when the tag does
 * not verify.
 */
export function openCpuDump(dumpKey: Uint8Array, data: Uint8Array): Uint8Array | undefined {
  const L = CpuDumpV1;
  if (data.length < L.size) throw new RangeError(`CPU dump data v1 needs ${L.size} bytes, got ${data.length}`);
  return gcmOpen(dumpKey, data.subarray(L.iv, L.res0x20), data.subarray(0, CPU_DUMP_AAD_SIZE), data.subarray(L.confidentialArea, L.tag), data.subarray(L.tag, L.size));
}
