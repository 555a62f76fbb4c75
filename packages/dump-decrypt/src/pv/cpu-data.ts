/**
 * CPU data (note NT_S390_PV_CPU_DATA, spec pv-dump-crypto.md §3, §6, §10 checks 18–21): size and
 * version checks, GCM opening with the dump key, and decoding of the 1520-byte confidential area
 * into the register model, plus dump_flags / has_osii.
 */
import { CpuDumpV1, PV_MAX_NT_S390_PV_CPU_DATA_SIZE, PV_SEC_CPU_DATA_VERSION_1, decodeCpuConfidentialArea, openCpuDump } from '@pvdump/pv-format';
import type { CpuRegisters } from '@pvdump/s390x-arch';
import { PvDecryptError } from '../errors.js';

/**
 * A decrypted PV CPU: the register model of @pvdump/s390x-arch plus its dump_flags. It is a
 * dump-format `CpuState` as it is, so the writer and the CLI's renderers take it directly.
 */
export interface PvCpuState extends CpuRegisters {
  /** Thread id for the output: 1, 2, 3, … in PV-note order (as zgetdump numbers them). */
  pid: number;
  /** Always empty: a PV CPU has no notes beyond its registers. */
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
  if (desc.length > PV_MAX_NT_S390_PV_CPU_DATA_SIZE) {
    throw new PvDecryptError('bad-cpu-note', `Reading dump failed: Unable to read confidential CPU data. Dump probably corrupted. (${where} has descsz ${hx(desc.length)} > ${hx(PV_MAX_NT_S390_PV_CPU_DATA_SIZE)})`, at);
  }
  if (desc.length >= 4) {
    const version = new DataView(desc.buffer, desc.byteOffset, desc.byteLength).getUint32(CpuDumpV1.version);
    if (version !== PV_SEC_CPU_DATA_VERSION_1) {
      throw new PvDecryptError('unsupported-cpu-version', `Reading dump failed: Wrong NT_S390_PV_CPU_DATA version (${version}) in the ${where}; only version 1 is known`, at);
    }
  }
  if (desc.length < CpuDumpV1.size) {
    throw new PvDecryptError('bad-cpu-note', `Reading dump failed: Confidential CPU data has incorrect size. Dump probably corrupted. (${where} has ${desc.length} bytes, version 1 needs ${CpuDumpV1.size})`, at);
  }
}

/** Authenticates and decrypts one CPU note; returns the 1520-byte confidential area (wipe it after use). */
export function openCpuData(desc: Uint8Array, dumpKey: Uint8Array, cpu: number, at?: number): Uint8Array {
  checkCpuData(desc, cpu, at);
  const plain = openCpuDump(dumpKey, desc);
  if (plain === undefined) {
    throw new PvDecryptError('cpu-auth', `Reading dump failed: Unable to authenticate confidential CPU data of CPU ${cpu}. Dump probably corrupted: Verifying the GCM tag failed (a byte of its PV CPU note was modified)`, at);
  }
  return plain;
}

/** Decodes a decrypted confidential area. `pid` is the output thread id (CPU index + 1). */
export function decodeCpuPlain(plain: Uint8Array, pid: number): PvCpuState {
  const { registers, dumpFlags, hasOsii } = decodeCpuConfidentialArea(plain);
  return { pid, ...registers, otherNotes: [], dumpFlags, hasOsii };
}
