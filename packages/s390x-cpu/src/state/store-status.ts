// Store-status save area (spec s390x-cpu.md §6): the 512-byte image SIGP STOP AND STORE STATUS
// writes at absolute 0x1200 and STORE STATUS AT ADDRESS at a 512-byte-aligned address, and the
// additional-status area (vector registers, guarded-storage block). Offsets relative to the area.

import type { CpuSnapshot } from './snapshot.js';

/** Offsets within the 512-byte save area (absolute 0x1200 + offset). */
export const STORE_STATUS = {
  FPRS: 0x000,
  GPRS: 0x080,
  PSW: 0x100,
  PREFIX: 0x118,
  FPC: 0x11c,
  TOD_PROGRAMMABLE: 0x124,
  CPU_TIMER: 0x128,
  CLOCK_COMPARATOR: 0x130,
  ACRS: 0x140,
  CRS: 0x180,
  SIZE: 0x200,
} as const;

/** Default store-status location (absolute) and the architectural-mode id byte it sets. */
export const STORE_STATUS_ABSOLUTE = 0x1200;
export const ARCH_MODE_ID_ABSOLUTE = 0xa3;

/** Additional status (SIGP order 23): V0–V31 at +0, guarded-storage block at +0x400. */
export const ADDITIONAL_STATUS = { VRS: 0x000, GS_CB: 0x400, SIZE_VECTOR: 0x200, SIZE_WITH_GS: 0x800 } as const;

/**
 * The 512-byte store-status image of a CPU. The clock comparator is stored as bits 0–55 in bytes
 * 0x131–0x137 (CKC >> 8), as the architecture does; the reserved words stay zero.
 */
export function encodeStoreStatus(s: CpuSnapshot): Uint8Array {
  const out = new Uint8Array(STORE_STATUS.SIZE);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < 16; i++) {
    out.set(s.vrs[i]!.subarray(0, 8), STORE_STATUS.FPRS + 8 * i);
    dv.setBigUint64(STORE_STATUS.GPRS + 8 * i, s.gprs[i]!);
    dv.setUint32(STORE_STATUS.ACRS + 4 * i, s.acrs[i]!);
    dv.setBigUint64(STORE_STATUS.CRS + 8 * i, s.crs[i]!);
  }
  dv.setBigUint64(STORE_STATUS.PSW, s.psw.mask);
  dv.setBigUint64(STORE_STATUS.PSW + 8, s.psw.addr);
  dv.setUint32(STORE_STATUS.PREFIX, s.prefix);
  dv.setUint32(STORE_STATUS.FPC, s.fpc);
  dv.setUint32(STORE_STATUS.TOD_PROGRAMMABLE, s.todProgrammable & 0xffff);
  dv.setBigUint64(STORE_STATUS.CPU_TIMER, s.cpuTimer);
  dv.setBigUint64(STORE_STATUS.CLOCK_COMPARATOR, s.clockComparator >> 8n);
  return out;
}

/** Fields a store-status image holds, decoded (the inverse of `encodeStoreStatus`; CKC bits 56–63 are lost). */
export function decodeStoreStatus(area: Uint8Array): Pick<CpuSnapshot, 'psw' | 'gprs' | 'acrs' | 'crs' | 'fpc' | 'prefix' | 'cpuTimer' | 'clockComparator' | 'todProgrammable'> & { fprs: bigint[] } {
  if (area.length < STORE_STATUS.SIZE) throw new RangeError(`store-status area has ${area.length} bytes, needs 512`);
  const dv = new DataView(area.buffer, area.byteOffset, STORE_STATUS.SIZE);
  const u64 = (o: number): bigint => dv.getBigUint64(o);
  return {
    psw: { mask: u64(STORE_STATUS.PSW), addr: u64(STORE_STATUS.PSW + 8) },
    fprs: Array.from({ length: 16 }, (_, i) => u64(STORE_STATUS.FPRS + 8 * i)),
    gprs: Array.from({ length: 16 }, (_, i) => u64(STORE_STATUS.GPRS + 8 * i)),
    acrs: Array.from({ length: 16 }, (_, i) => dv.getUint32(STORE_STATUS.ACRS + 4 * i)),
    crs: Array.from({ length: 16 }, (_, i) => u64(STORE_STATUS.CRS + 8 * i)),
    fpc: dv.getUint32(STORE_STATUS.FPC),
    prefix: dv.getUint32(STORE_STATUS.PREFIX),
    cpuTimer: u64(STORE_STATUS.CPU_TIMER),
    clockComparator: u64(STORE_STATUS.CLOCK_COMPARATOR) << 8n,
    todProgrammable: dv.getUint32(STORE_STATUS.TOD_PROGRAMMABLE) & 0xffff,
  };
}

/** The additional-status image: 512 bytes of V0–V31, plus the 32-byte GS block when `withGs`. */
export function encodeAdditionalStatus(s: CpuSnapshot, withGs: boolean): Uint8Array {
  const out = new Uint8Array(withGs ? ADDITIONAL_STATUS.SIZE_WITH_GS : ADDITIONAL_STATUS.SIZE_VECTOR);
  s.vrs.forEach((v, i) => out.set(v, ADDITIONAL_STATUS.VRS + 16 * i));
  if (withGs) {
    const dv = new DataView(out.buffer);
    dv.setBigUint64(ADDITIONAL_STATUS.GS_CB, s.gsCb.reserved);
    dv.setBigUint64(ADDITIONAL_STATUS.GS_CB + 8, s.gsCb.gsd);
    dv.setBigUint64(ADDITIONAL_STATUS.GS_CB + 16, s.gsCb.gssm);
    dv.setBigUint64(ADDITIONAL_STATUS.GS_CB + 24, s.gsCb.gsepla);
  }
  return out;
}
