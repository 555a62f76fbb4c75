/**
 * Decoding and encoding of the s390x per-CPU note payloads (layouts in `../raw/notes.ts`),
 * and the note order QEMU and zgetdump write them in.
 */
import * as N from '../raw/notes.js';
import { gsCbFromWords, gsCbWords } from '@pvdump/s390x-arch';
import type { CpuState, RawNote } from '../model.js';

function dv(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function u64s(b: Uint8Array, at: number, count: number): bigint[] {
  const v = dv(b);
  return Array.from({ length: count }, (_, i) => v.getBigUint64(at + 8 * i));
}

function putU64s(b: Uint8Array, at: number, values: readonly bigint[] | undefined, count: number): void {
  const v = dv(b);
  for (let i = 0; i < count; i++) v.setBigUint64(at + 8 * i, values?.[i] ?? 0n);
}

/** Applies one decoded note to `cpu`. Returns false when the type is not one the model decodes. */
export function applyCpuNote(cpu: CpuState, type: number, desc: Uint8Array): boolean {
  const v = dv(desc);
  switch (type) {
    case N.NT_PRSTATUS:
      cpu.psw = { mask: v.getBigUint64(N.Prstatus.pswMask), addr: v.getBigUint64(N.Prstatus.pswAddr) };
      cpu.gprs = u64s(desc, N.Prstatus.gprs, 16);
      cpu.acrs = Array.from({ length: 16 }, (_, i) => v.getUint32(N.Prstatus.acrs + 4 * i));
      return true;
    case N.NT_FPREGSET:
      cpu.fpc = v.getUint32(N.Fpregset.fpc);
      cpu.fprs = u64s(desc, N.Fpregset.fprs, 16);
      mergeFprsIntoVrs(cpu);
      return true;
    case N.NT_S390_CTRS:
      cpu.crs = u64s(desc, 0, 16);
      return true;
    case N.NT_S390_PREFIX:
      cpu.prefix = v.getUint32(0);
      return true;
    case N.NT_S390_TIMER:
      cpu.cpuTimer = v.getBigUint64(0);
      return true;
    case N.NT_S390_TODCMP:
      cpu.clockComparator = v.getBigUint64(0);
      return true;
    case N.NT_S390_TODPREG:
      cpu.todProgrammable = v.getUint32(0);
      return true;
    case N.NT_S390_VXRS_LOW: {
      const vrs = ensureVrs(cpu);
      for (let i = 0; i < 16; i++) vrs[i]!.set(desc.subarray(8 * i, 8 * i + 8), 8);
      return true;
    }
    case N.NT_S390_VXRS_HIGH: {
      const vrs = ensureVrs(cpu);
      for (let i = 0; i < 16; i++) vrs[16 + i]!.set(desc.subarray(16 * i, 16 * i + 16));
      return true;
    }
    case N.NT_S390_GS_CB:
      cpu.gsCb = gsCbFromWords(u64s(desc, 0, 4));
      return true;
    case N.NT_S390_PV_CPU_DATA:
      cpu.pvCpuData = desc.slice();
      return true;
    default:
      return false;
  }
}

function ensureVrs(cpu: CpuState): Uint8Array[] {
  if (cpu.vrs === undefined) {
    cpu.vrs = Array.from({ length: 32 }, () => new Uint8Array(16));
    mergeFprsIntoVrs(cpu);
  }
  return cpu.vrs;
}

/** The FPRs are the left halves of V0–V15. */
function mergeFprsIntoVrs(cpu: CpuState): void {
  if (cpu.vrs === undefined || cpu.fprs === undefined) return;
  for (let i = 0; i < 16; i++) dv(cpu.vrs[i]!).setBigUint64(0, cpu.fprs[i] ?? 0n);
}

/** The FPRs to write: NT_FPREGSET's values, else the left halves of V0–V15, else zeros. */
function fprsOf(cpu: CpuState): bigint[] {
  if (cpu.fprs !== undefined) return cpu.fprs;
  if (cpu.vrs !== undefined) return cpu.vrs.slice(0, 16).map((r) => dv(r).getBigUint64(0));
  return new Array<bigint>(16).fill(0n);
}

export function encodePrstatus(cpu: CpuState, pid: number, pidLittleEndian = false): Uint8Array {
  const b = new Uint8Array(N.Prstatus.size);
  const v = dv(b);
  v.setUint32(N.Prstatus.pid, pid >>> 0, pidLittleEndian);
  v.setBigUint64(N.Prstatus.pswMask, cpu.psw.mask);
  v.setBigUint64(N.Prstatus.pswAddr, cpu.psw.addr);
  putU64s(b, N.Prstatus.gprs, cpu.gprs, 16);
  for (let i = 0; i < 16; i++) v.setUint32(N.Prstatus.acrs + 4 * i, (cpu.acrs[i] ?? 0) >>> 0);
  return b;
}

function encodeFpregset(cpu: CpuState): Uint8Array {
  const b = new Uint8Array(N.Fpregset.size);
  dv(b).setUint32(N.Fpregset.fpc, (cpu.fpc ?? 0) >>> 0);
  putU64s(b, N.Fpregset.fprs, fprsOf(cpu), 16);
  return b;
}

function u32Note(value: number | undefined): Uint8Array {
  const b = new Uint8Array(4);
  dv(b).setUint32(0, (value ?? 0) >>> 0);
  return b;
}

function u64Note(value: bigint | undefined): Uint8Array {
  const b = new Uint8Array(8);
  dv(b).setBigUint64(0, value ?? 0n);
  return b;
}

function encodeVxrsLow(cpu: CpuState): Uint8Array {
  const b = new Uint8Array(128);
  if (cpu.vrs !== undefined) for (let i = 0; i < 16; i++) b.set(cpu.vrs[i]!.subarray(8, 16), 8 * i);
  return b;
}

function encodeVxrsHigh(cpu: CpuState): Uint8Array {
  const b = new Uint8Array(256);
  if (cpu.vrs !== undefined) for (let i = 0; i < 16; i++) b.set(cpu.vrs[16 + i]!, 16 * i);
  return b;
}

function encodeU64Array(values: readonly bigint[] | undefined, count: number): Uint8Array {
  const b = new Uint8Array(8 * count);
  putU64s(b, 0, values, count);
  return b;
}

/** Which note layout to produce. */
export type NoteStyle = 'qemu' | 'zgetdump';

/**
 * The ten standard notes of one CPU in the order `style` writes them (QEMU `arch_dump.c`
 * note_func[]; zgetdump `dfo_elf.c`), then the PV CPU note (QEMU only), then `otherNotes`.
 */
export function encodeCpuNotes(cpu: CpuState, pid: number, style: NoteStyle, opts: { pidLittleEndian?: boolean } = {}): RawNote[] {
  const C = N.OWNER_CORE;
  const L = N.OWNER_LINUX;
  const prstatus = { owner: C, type: N.NT_PRSTATUS, desc: encodePrstatus(cpu, pid, opts.pidLittleEndian) };
  const fpregset = { owner: C, type: N.NT_FPREGSET, desc: encodeFpregset(cpu) };
  const prefix = { owner: L, type: N.NT_S390_PREFIX, desc: u32Note(cpu.prefix) };
  const ctrs = { owner: L, type: N.NT_S390_CTRS, desc: encodeU64Array(cpu.crs, 16) };
  const timer = { owner: L, type: N.NT_S390_TIMER, desc: u64Note(cpu.cpuTimer) };
  const todcmp = { owner: L, type: N.NT_S390_TODCMP, desc: u64Note(cpu.clockComparator) };
  const todpreg = { owner: L, type: N.NT_S390_TODPREG, desc: u32Note(cpu.todProgrammable) };
  const vxrsLow = { owner: L, type: N.NT_S390_VXRS_LOW, desc: encodeVxrsLow(cpu) };
  const vxrsHigh = { owner: L, type: N.NT_S390_VXRS_HIGH, desc: encodeVxrsHigh(cpu) };
  const gsCb = { owner: L, type: N.NT_S390_GS_CB, desc: encodeU64Array(cpu.gsCb && gsCbWords(cpu.gsCb), 4) };
  if (style === 'zgetdump') {
    return [prstatus, fpregset, timer, todcmp, todpreg, ctrs, prefix, vxrsLow, vxrsHigh, gsCb, ...cpu.otherNotes];
  }
  const notes: RawNote[] = [prstatus, fpregset, prefix, ctrs, timer, todcmp, todpreg, vxrsLow, vxrsHigh, gsCb];
  if (cpu.pvCpuData !== undefined) notes.push({ owner: L, type: N.NT_S390_PV_CPU_DATA, desc: cpu.pvCpuData });
  notes.push(...cpu.otherNotes);
  return notes;
}

/** NT_PRPSINFO as zgetdump writes it: state 0, sname 'R', fname "vmlinux", the rest zero. */
export function encodePrpsinfo(fname = 'vmlinux'): RawNote {
  const b = new Uint8Array(N.Prpsinfo.size);
  b[N.Prpsinfo.sname] = 0x52;
  b.set(new TextEncoder().encode(fname).subarray(0, N.Prpsinfo.fnameSize - 1), N.Prpsinfo.fname);
  return { owner: N.OWNER_CORE, type: N.NT_PRPSINFO, desc: b };
}

/** NT_AUXV holding AT_HWCAP, so that gdb shows vector (and GS) registers of a core. */
export function encodeAuxv(hwcap: number | bigint = N.DEFAULT_HWCAP): RawNote {
  const b = new Uint8Array(32);
  const v = dv(b);
  v.setBigUint64(0, BigInt(N.AT_HWCAP));
  v.setBigUint64(8, BigInt(hwcap));
  v.setBigUint64(16, BigInt(N.AT_NULL));
  return { owner: N.OWNER_CORE, type: N.NT_AUXV, desc: b };
}

/** Bytes one note record takes: 12-byte header, name and descriptor each padded to 4. */
export function noteRecordSize(owner: string, descSize: number): number {
  return 12 + ((new TextEncoder().encode(owner).length + 1 + 3) & ~3) + ((descSize + 3) & ~3);
}

/** Serialises note records into `out` at `at`; returns the end offset. */
export function encodeNoteRecord(note: RawNote, out: Uint8Array, at: number): number {
  const name = new TextEncoder().encode(note.owner);
  const v = dv(out);
  v.setUint32(at, name.length + 1);
  v.setUint32(at + 4, note.desc.length);
  v.setUint32(at + 8, note.type);
  let p = at + 12;
  out.set(name, p);
  out.fill(0, p + name.length, p + ((name.length + 1 + 3) & ~3));
  p += (name.length + 1 + 3) & ~3;
  out.set(note.desc, p);
  const padded = (note.desc.length + 3) & ~3;
  out.fill(0, p + note.desc.length, p + padded);
  return p + padded;
}
