/**
 * Opening a PV dump for decryption (spec pv-dump-crypto.md §8–§10): every check zgetdump makes
 * before it copies memory, in zgetdump's order, then the decrypted CPU states. The result holds
 * the secrets (dump key, tweak nonce, memory XTS key) until `wipe()`.
 */
import type { ByteRange, CpuState, DumpReader, MemorySegment } from '@pvdump/dump-format';
import { PvDecryptError } from '../errors.js';
import { openCompletion, type CompletionSecrets, wipeSecrets } from './completion.js';
import { PV_MAX_COMPL_DATA_SIZE, PV_PAGE_SIZE, TWEAK_COMPONENT_SIZE } from '@pvdump/pv-format';
import { decodeCpuPlain, openCpuData, checkCpuData, type PvCpuState } from './cpu-data.js';

const NT_S390_PV_CPU_DATA = 0x30e;
const NT_PRSTATUS = 1;
const PT_LOAD = 1;
const hx = (n: number | bigint): string => '0x' + n.toString(16);

/** One PV CPU note as found in the input, with the hypervisor's view of the same CPU. */
export interface PvCpuNote {
  /** Index among the PV CPU notes (0, 1, …): zgetdump's CPU order. */
  index: number;
  /** File offset of the note record. */
  offset: number;
  desc: Uint8Array;
  /** The hypervisor's (unencrypted) notes of the CPU this PV note belongs to, if any. */
  hypervisor: CpuState | undefined;
}

export interface PvLayout {
  /** The single PT_LOAD. */
  load: MemorySegment;
  /** Number of 4 KiB pages of file data in the PT_LOAD. */
  pages: number;
  memMeta: ByteRange;
  compl: ByteRange;
  cpuNotes: PvCpuNote[];
}

export function findCpuNotes(reader: DumpReader): PvCpuNote[] {
  const out: PvCpuNote[] = [];
  // The reader starts a CPU at each NT_PRSTATUS outside the global notes; follow it in one pass.
  let cpuIndex = -1;
  for (const note of reader.notes) {
    if (note.type === NT_PRSTATUS && note.owner !== 'VMCOREINFO') cpuIndex += 1;
    if (note.type !== NT_S390_PV_CPU_DATA) continue;
    out.push({ index: out.length, offset: note.offset ?? 0, desc: note.desc, hypervisor: cpuIndex >= 0 ? reader.cpus[cpuIndex] : undefined });
  }
  return out;
}

const SHSTRTAB_MAX = 0x1000;

/**
 * zgetdump check 3, made for every ELF dump before it looks for `pv_compl`: a section name table
 * larger than 4096 bytes is refused.
 */
export function checkShstrtab(reader: DumpReader): void {
  const index = reader.header.shstrndx;
  const strtab = index > 0 ? reader.sections[index] : undefined;
  if (strtab !== undefined && strtab.header.size > BigInt(SHSTRTAB_MAX)) {
    throw new PvDecryptError(
      'bad-shstrtab',
      `Unsupported shstrtab size: ${hx(strtab.header.size)} > ${hx(SHSTRTAB_MAX)} (section ${index}, the section name table, is implausibly large: a corrupt section header?)`,
      Number(reader.header.shoff) + index * 64,
    );
  }
}

/** The `pv_compl` section's presence and size (zgetdump checks 1, 6, 7). */
export function checkComplSection(reader: DumpReader): ByteRange {
  const compl = reader.pvCompl;
  if (compl === undefined) throw new PvDecryptError('not-pv', 'this is not a PV dump (no section pv_compl)');
  if (compl.size === 0n) {
    throw new PvDecryptError('bad-completion', 'Unable to read decryption information: section pv_compl is empty. Dump cannot be processed (is not complete)', Number(compl.offset));
  }
  if (compl.size > BigInt(PV_MAX_COMPL_DATA_SIZE)) {
    throw new PvDecryptError('bad-completion', `Unsupported section size: ${hx(compl.size)} > ${hx(PV_MAX_COMPL_DATA_SIZE)} (section pv_compl); the dump is corrupt`, Number(compl.offset));
  }
  return compl;
}

/**
 * zgetdump checks 6–11 and 14–20 that need no key, in its order: completion header, pv_mem_meta,
 * program headers, CPU notes; then the single-PT_LOAD indexing rule (check 22) for every page.
 */
export function checkPvLayout(reader: DumpReader, opts: { checkCpuNotes?: boolean } = {}): PvLayout {
  const compl = checkComplSection(reader);
  const memMeta = reader.pvMemMeta;
  if (memMeta === undefined) {
    throw new PvDecryptError('bad-mem-meta', 'Unable to read decryption information: the dump has no pv_mem_meta section (the page tweaks); Dump cannot be processed (is not complete)');
  }
  if (memMeta.size === 0n || memMeta.size % BigInt(TWEAK_COMPONENT_SIZE) !== 0n) {
    throw new PvDecryptError('bad-mem-meta', `Unable to read decryption information: StorageState MMAP: size  (${hx(memMeta.size)}) not a multiple of (0x10); section pv_mem_meta is corrupt`, Number(memMeta.offset));
  }
  if (memMeta.offset + memMeta.size > BigInt(reader.fileSize)) {
    throw new PvDecryptError(
      'bad-mem-meta',
      `Unable to read decryption information: mmap failed: file too small (section pv_mem_meta ends at ${hx(memMeta.offset + memMeta.size)}, the file has ${hx(reader.fileSize)} bytes)`,
      Number(memMeta.offset),
    );
  }
  const loads = reader.programHeaders.filter((p) => p.type === PT_LOAD);
  if (loads.length > 1) {
    throw new PvDecryptError('multiple-pt-load', `Reading dump failed: Multiple PT_LOAD segments are not supported. (this PV dump has ${loads.length}; zgetdump indexes the page tweaks relative to a single PT_LOAD)`);
  }
  const load = reader.memory[0];
  if (load === undefined || loads.length === 0) {
    throw new PvDecryptError('bad-pt-load', 'Reading dump failed: the PV dump has no PT_LOAD segment (no guest memory). Dump cannot be processed (is not complete)');
  }
  if (load.size === 0n) throw new PvDecryptError('bad-pt-load', 'Reading dump failed: the PT_LOAD segment has p_memsz 0. Dump cannot be processed (is not complete)');
  if (load.fileSize % BigInt(PV_PAGE_SIZE) !== 0n) {
    throw new PvDecryptError('bad-pt-load', `Reading dump failed: the PT_LOAD file size ${hx(load.fileSize)} is not a whole number of 4 KiB pages, so its last page cannot be XTS-decrypted`);
  }
  const cpuNotes = findCpuNotes(reader);
  if (opts.checkCpuNotes !== false) for (const n of cpuNotes) checkCpuData(n.desc, n.index, n.offset);
  const pages = Number(load.fileSize / BigInt(PV_PAGE_SIZE));
  const entries = Number(memMeta.size / BigInt(TWEAK_COMPONENT_SIZE));
  if (entries < pages) {
    throw new PvDecryptError(
      'missing-page-tweak',
      `Reading encrypted memory failed: Page tweaks were not found idx ${entries} num ${entries} ` +
        `(guest page ${hx(load.start + BigInt(entries) * BigInt(PV_PAGE_SIZE))} has no storage-state entry: pv_mem_meta holds ${entries} entries for ${pages} pages)`,
      Number(memMeta.offset + memMeta.size),
    );
  }
  return { load, pages, memMeta, compl, cpuNotes };
}

export interface PvContext extends PvLayout {
  secrets: CompletionSecrets;
  /** Decrypted state per PV CPU note, in note order (pid 1, 2, …). */
  cpus: PvCpuState[];
  warnings: string[];
  wipe(): void;
}

/** Warning text for a CPU dumped with partial instruction results. */
export function osiiWarning(cpu: number): string {
  return `CPU ${cpu}: CPU state may contain partial instruction results (dump_flags has_osii): the hypervisor was completing an intercepted instruction; compare with its own view of this CPU`;
}

/** All checks, then the completion data and every CPU note opened with the CCK. */
export async function openPvContext(reader: DumpReader, cck: Uint8Array): Promise<PvContext> {
  // zgetdump's order: completion data (checks 8–13) first, then memory metadata, program headers
  // and CPU notes one by one (checks 14–21).
  const compl = checkComplSection(reader);
  const complBytes = await reader.readFile(compl.offset, Number(compl.size));
  const secrets = openCompletion(complBytes, cck, Number(compl.offset));
  const cpus: PvCpuState[] = [];
  const warnings: string[] = [];
  let layout: PvLayout;
  try {
    layout = checkPvLayout(reader, { checkCpuNotes: false });
    for (const n of layout.cpuNotes) {
      const plain = openCpuData(n.desc, secrets.dumpKey, n.index, n.offset);
      const cpu = decodeCpuPlain(plain, n.index + 1);
      plain.fill(0);
      if (cpu.hasOsii) warnings.push(osiiWarning(n.index));
      cpus.push(cpu);
    }
  } catch (e) {
    wipeSecrets(secrets);
    throw e;
  }
  return { ...layout, secrets, cpus, warnings, wipe: () => wipeSecrets(secrets) };
}
