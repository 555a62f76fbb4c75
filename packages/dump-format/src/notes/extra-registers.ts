/**
 * Typed views of the s390 notes that QEMU does not write but Linux kernels do (Linux
 * `include/uapi/linux/elf.h`): kept raw in `CpuState.otherNotes`, decoded here on request.
 */
import type { CpuState } from '../model.js';
import * as N from '../raw/notes.js';

export interface ExtraRegisters {
  /** Upper halves of GPR0–15 (NT_S390_HIGH_GPRS, 31-bit tasks). */
  highGprs?: number[];
  /** Breaking-event address (NT_S390_LAST_BREAK). */
  lastBreak?: bigint;
  /** System call number (NT_S390_SYSTEM_CALL). */
  systemCall?: number;
  /** Transaction diagnostic block (NT_S390_TDB), raw 256 bytes. */
  tdb?: Uint8Array;
  /** Guarded-storage broadcast control block (NT_S390_GS_BC): reserved, GSD, GSSM, GS-EPL. */
  gsBc?: bigint[];
  /** Runtime-instrumentation control block (NT_S390_RI_CB), raw 64 bytes. */
  riCb?: Uint8Array;
}

export function extraRegisters(cpu: CpuState): ExtraRegisters {
  const out: ExtraRegisters = {};
  for (const note of cpu.otherNotes) {
    const d = note.desc;
    const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
    if (d.length !== N.NOTE_DESC_SIZE.get(note.type)) continue;
    switch (note.type) {
      case N.NT_S390_HIGH_GPRS:
        out.highGprs = Array.from({ length: 16 }, (_, i) => v.getUint32(4 * i));
        break;
      case N.NT_S390_LAST_BREAK:
        out.lastBreak = v.getBigUint64(0);
        break;
      case N.NT_S390_SYSTEM_CALL:
        out.systemCall = v.getUint32(0);
        break;
      case N.NT_S390_TDB:
        out.tdb = d.slice();
        break;
      case N.NT_S390_GS_BC:
        out.gsBc = Array.from({ length: 4 }, (_, i) => v.getBigUint64(8 * i));
        break;
      case N.NT_S390_RI_CB:
        out.riCb = d.slice();
        break;
    }
  }
  return out;
}
