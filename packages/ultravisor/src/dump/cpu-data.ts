// CPU dump data v1 (spec pv-dump-crypto.md §3 [P], ultravisor.md §7.7 [E]): 1568 bytes =
// {version 1, len 1568, 12-byte IV, reserved} as GCM AAD, the 1520-byte confidential area
// (store-status layout plus vector and guarded-storage registers) encrypted under the dump key,
// and the 16-byte tag. The UV writes it at the start of its cpu_stor_len buffer.
import type { CpuSnapshot } from '@pvdump/s390x-cpu';
import { GCM_IV_LENGTH, GCM_TAG_LENGTH, gcmSeal } from '../crypto/dump-crypto.js';

export const CPU_DUMP_VERSION = 1;
export const CPU_DUMP_V1_LENGTH = 1568;
export const CPU_DUMP_AAD_LENGTH = 32;
export const CPU_DUMP_CONFIDENTIAL_LENGTH = 1520;
export const HAS_OSII_FLAG = 0x8000;

/** Offsets of the v1 header (AAD). */
export const CpuDumpOffset = { version: 0, len: 4, iv: 8, reserved: 20, confidential: 32, tag: 1552 } as const;

/** Offsets inside the decrypted confidential area. */
export const CpuConfidentialOffset = {
  gprs: 0x000, // 16 x u64
  pswMask: 0x080,
  pswAddress: 0x088,
  prefix: 0x098, // u32
  fpc: 0x09c, // u32
  todProgrammable: 0x0a4, // u32
  cpuTimer: 0x0a8,
  clockComparator: 0x0b0, // full 64-bit value [E]
  acrs: 0x0c0, // 16 x u32
  crs: 0x100, // 16 x u64
  vrsLow: 0x180, // V0-V15, 16 bytes each
  vrsHigh: 0x280, // V16-V31
  gsReserved: 0x580, // always 0
  gsd: 0x588,
  gssm: 0x590,
  gsepla: 0x598,
  dumpFlags: 0x5e0, // u16
} as const;

// Size assertions: the table must tile the documented structure.
if (CpuDumpOffset.tag + GCM_TAG_LENGTH !== CPU_DUMP_V1_LENGTH) throw new Error('CPU dump v1 layout does not add up to 1568');
if (CpuDumpOffset.tag - CpuDumpOffset.confidential !== CPU_DUMP_CONFIDENTIAL_LENGTH) throw new Error('CPU dump confidential area is not 1520');
if (CpuConfidentialOffset.vrsHigh + 16 * 16 !== 0x380) throw new Error('CPU dump vector area misplaced');
if (CpuConfidentialOffset.dumpFlags + 16 !== CPU_DUMP_CONFIDENTIAL_LENGTH) throw new Error('CPU dump flags misplaced');

/** The plaintext confidential area of a CPU; reserved bytes are zero. */
export function cpuConfidentialArea(cpu: CpuSnapshot, hasOsii: boolean): Uint8Array {
  const area = new Uint8Array(CPU_DUMP_CONFIDENTIAL_LENGTH);
  const v = new DataView(area.buffer);
  const O = CpuConfidentialOffset;
  for (let i = 0; i < 16; i++) {
    v.setBigUint64(O.gprs + 8 * i, cpu.gprs[i] ?? 0n);
    v.setUint32(O.acrs + 4 * i, cpu.acrs[i] ?? 0);
    v.setBigUint64(O.crs + 8 * i, cpu.crs[i] ?? 0n);
  }
  v.setBigUint64(O.pswMask, cpu.psw.mask);
  v.setBigUint64(O.pswAddress, cpu.psw.addr);
  v.setUint32(O.prefix, cpu.prefix);
  v.setUint32(O.fpc, cpu.fpc);
  v.setUint32(O.todProgrammable, cpu.todProgrammable);
  v.setBigUint64(O.cpuTimer, cpu.cpuTimer);
  v.setBigUint64(O.clockComparator, cpu.clockComparator);
  for (let i = 0; i < 32; i++) {
    const vr = cpu.vrs[i];
    if (vr !== undefined) area.set(vr.subarray(0, 16), (i < 16 ? O.vrsLow : O.vrsHigh) + 16 * (i % 16));
  }
  v.setBigUint64(O.gsd, cpu.gsCb.gsd);
  v.setBigUint64(O.gssm, cpu.gsCb.gssm);
  v.setBigUint64(O.gsepla, cpu.gsCb.gsepla);
  v.setUint16(O.dumpFlags, hasOsii ? HAS_OSII_FLAG : 0);
  return area;
}

/** Seals a confidential area into the 1568-byte v1 structure. */
export function sealCpuDump(dumpKey: Uint8Array, iv: Uint8Array, confidential: Uint8Array): Uint8Array {
  if (iv.length !== GCM_IV_LENGTH) throw new RangeError(`CPU dump IV must be 12 bytes, got ${iv.length}`);
  if (confidential.length !== CPU_DUMP_CONFIDENTIAL_LENGTH) throw new RangeError('CPU dump confidential area must be 1520 bytes');
  const out = new Uint8Array(CPU_DUMP_V1_LENGTH);
  const v = new DataView(out.buffer);
  v.setUint32(CpuDumpOffset.version, CPU_DUMP_VERSION);
  v.setUint32(CpuDumpOffset.len, CPU_DUMP_V1_LENGTH);
  out.set(iv, CpuDumpOffset.iv);
  const sealed = gcmSeal(dumpKey, iv, out.subarray(0, CPU_DUMP_AAD_LENGTH), confidential);
  out.set(sealed, CpuDumpOffset.confidential);
  return out;
}
