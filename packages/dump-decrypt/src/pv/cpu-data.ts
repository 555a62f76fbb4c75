/**
 * CPU data (note NT_S390_PV_CPU_DATA, spec pv-dump-crypto.md §3, §6, §10 checks 18–21): size and
 * version checks, GCM opening with the dump key, and decoding of the 1520-byte confidential area
 * into a CPU state shaped like dump-format's `CpuState`, plus dump_flags / has_osii.
 */
import { gcmOpen } from '../crypto/gcm.js';
import { PvDecryptError } from '../errors.js';
import { CPU_DATA_AAD_END, CPU_NOTE_MAX, CpuData, CpuPlain, DUMP_FLAG_HAS_OSII } from './layout.js';

/** A CPU's confidential state; field names and types follow dump-format's `CpuState`. */
export interface PvCpuState {
  /** Thread id for the output: 1, 2, 3, … in PV-note order (as zgetdump numbers them). */
  pid: number;
  psw: { mask: bigint; addr: bigint };
  gprs: bigint[];
  acrs: number[];
  fpc: number;
  /** FPR0–15 = leftmost 64 bits of V0–V15. */
  fprs: bigint[];
  crs: bigint[];
  prefix: number;
  timer: bigint;
  /** Clock comparator as stored by the UV (full 64 bits in our emulator, copied unchanged). */
  todcmp: bigint;
  todpreg: number;
  /** V0–V31, 16 bytes each. */
  vrs: Uint8Array[];
  /** Guarded-storage control block words: 0, GSD, GSSM, GS-EPL address. */
  gsCb: bigint[];
  otherNotes: never[];
  /** Raw 16-bit dump_flags. */
  dumpFlags: number;
  /** dump_flags bit 0: state may contain partial instruction results. */
  hasOsii: boolean;
}

const hx = (n: number): string => '0x' + n.toString(16);

/**
 * Validates a PV CPU note's descriptor (zgetdump checks 18–20). `cpu` is its index among the
 * PV CPU notes, `at` the descriptor's file offset.
 */
export function checkCpuData(desc: Uint8Array, cpu: number, at?: number): void {
  const where = `PV CPU note of CPU ${cpu}`;
  if (desc.length > CPU_NOTE_MAX) {
    throw new PvDecryptError('bad-cpu-note', `Reading dump failed: Unable to read confidential CPU data. Dump probably corrupted. (${where} has descsz ${hx(desc.length)} > ${hx(CPU_NOTE_MAX)})`, at);
  }
  if (desc.length >= 4) {
    const version = new DataView(desc.buffer, desc.byteOffset, desc.byteLength).getUint32(CpuData.version);
    if (version !== 1) {
      throw new PvDecryptError('unsupported-cpu-version', `Reading dump failed: Wrong NT_S390_PV_CPU_DATA version (${version}) in the ${where}; only version 1 is known`, at);
    }
  }
  if (desc.length < CpuData.size) {
    throw new PvDecryptError('bad-cpu-note', `Reading dump failed: Confidential CPU data has incorrect size. Dump probably corrupted. (${where} has ${desc.length} bytes, version 1 needs ${CpuData.size})`, at);
  }
}

/** Authenticates and decrypts one CPU note; returns the 1520-byte confidential area (wipe it after use). */
export function openCpuData(desc: Uint8Array, dumpKey: Uint8Array, cpu: number, at?: number): Uint8Array {
  checkCpuData(desc, cpu, at);
  const plain = gcmOpen(
    dumpKey,
    desc.subarray(CpuData.iv, CpuData.reserved20),
    desc.subarray(0, CPU_DATA_AAD_END),
    desc.subarray(CpuData.confidential, CpuData.tag),
    desc.subarray(CpuData.tag, CpuData.size),
  );
  if (plain === undefined) {
    throw new PvDecryptError(
      'cpu-auth',
      `Reading dump failed: Unable to authenticate confidential CPU data of CPU ${cpu}. Dump probably corrupted: Verifying the GCM tag failed (a byte of its PV CPU note was modified)`,
      at,
    );
  }
  return plain;
}

/** Decodes a decrypted confidential area. `pid` is the output thread id (CPU index + 1). */
export function decodeCpuPlain(plain: Uint8Array, pid: number): PvCpuState {
  const v = new DataView(plain.buffer, plain.byteOffset, plain.byteLength);
  const u64s = (off: number, n: number): bigint[] => Array.from({ length: n }, (_, i) => v.getBigUint64(off + 8 * i));
  const vrs: Uint8Array[] = [];
  for (let i = 0; i < 16; i++) vrs.push(plain.slice(CpuPlain.vrsLow + 16 * i, CpuPlain.vrsLow + 16 * i + 16));
  for (let i = 0; i < 16; i++) vrs.push(plain.slice(CpuPlain.vrsHigh + 16 * i, CpuPlain.vrsHigh + 16 * i + 16));
  const dumpFlags = v.getUint16(CpuPlain.dumpFlags);
  return {
    pid,
    psw: { mask: v.getBigUint64(CpuPlain.pswMask), addr: v.getBigUint64(CpuPlain.pswAddr) },
    gprs: u64s(CpuPlain.gprs, 16),
    acrs: Array.from({ length: 16 }, (_, i) => v.getUint32(CpuPlain.acrs + 4 * i)),
    fpc: v.getUint32(CpuPlain.fpc),
    fprs: Array.from({ length: 16 }, (_, i) => v.getBigUint64(CpuPlain.vrsLow + 16 * i)),
    crs: u64s(CpuPlain.crs, 16),
    prefix: v.getUint32(CpuPlain.prefix),
    timer: v.getBigUint64(CpuPlain.timer),
    todcmp: v.getBigUint64(CpuPlain.todcmp),
    todpreg: v.getUint32(CpuPlain.todpreg),
    vrs,
    // zgetdump writes 0 as the first GS word whatever the dump holds there.
    gsCb: [0n, v.getBigUint64(CpuPlain.gsd), v.getBigUint64(CpuPlain.gssm), v.getBigUint64(CpuPlain.gsEpl)],
    otherNotes: [],
    dumpFlags,
    hasOsii: (dumpFlags & DUMP_FLAG_HAS_OSII) !== 0,
  };
}
