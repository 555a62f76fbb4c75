/**
 * `pvdump info [--json] DUMP`: what a dump holds — its layout and the quirks found, every CPU's
 * registers, the memory ranges, and whether it is a PV dump (with the sizes of its PV parts).
 * `--memory ADDR[:LEN]` shows a range of guest memory instead (info-memory.ts).
 */
import { inspectPvDump, isProtectedGuestDumpWithoutPvData, noPvDataError, type PvInspection } from '@pvdump/dump-decrypt';
import type { DumpReader } from '@pvdump/dump-format';
import { parseCommandArgs, positionals } from '../args.js';
import { UsageError, type Command } from '../cli-support.js';
import { openDumpArg } from '../input.js';
import { cpuToJson, cpuToText, hex64, type CpuJson } from '../render/cpu.js';
import { readKeyFile } from '../key-file.js';
import { isImageFile, runImageInfo } from './image-info.js';
import { memoryText, parseMemoryRange, readMemoryRange, DEFAULT_MEMORY_LENGTH, MAX_MEMORY_LENGTH } from './info-memory.js';

const USAGE = `usage: pvdump info [-k FILE] [--json] [--memory ADDR[:LEN]] DUMP
       pvdump info [--host-key FILE] [--json] IMAGE

Shows what an s390x ELF core dump holds: layout and quirks, CPUs with their registers, memory
ranges, and whether it is a Protected Virtualization (PV) dump. DUMP may be gzip-compressed.

Given a Secure Execution boot image (genprotimg's layout, as pvdump image writes it), shows its
loader, IPL parameter block, SE header (PCF, whether dumping is allowed, the host-key hashes of
its key slots, digests) and components, without any key.

  -k, --key FILE  for a PV dump: the customer communication key (32 raw bytes); shows the
                  decrypted registers of every CPU (beside the hypervisor's view), the page
                  states, and whether the completion data and every CPU note authenticate
                  (exit status 1 if one does not)
  --memory ADDR[:LEN]
                  show LEN bytes (default ${DEFAULT_MEMORY_LENGTH}, at most ${MAX_MEMORY_LENGTH}) of guest memory at
                  absolute address ADDR (decimal or 0x-hex) as a hex dump, instead of the
                  rest: as stored in the file (for a PV dump, secure pages are ciphertext),
                  or decrypted with -k
  --host-key FILE for an IMAGE: the host private key of a machine it was built for
                  (host-key.pem of pvdump hostkey); opens the SE header (SCF, start PSW,
                  stage3b's arguments) and checks the page count and digests against the
                  components (exit status 1 if they differ)
  --json          print one JSON object on stdout instead of text`;

/** What `-k` adds for a PV dump. */
export interface DecryptionJson {
  completionAuthenticated: boolean;
  completionError: string | null;
  cpuNotes: { cpu: number; offset: number; authenticated: boolean; error: string | null }[];
  census: { encrypted: number; zero: number; shared: number; mapped: number; total: number };
  warnings: string[];
}

export interface InfoJson {
  file: string;
  format: string;
  fileSize: number;
  pv: boolean;
  /** Not a PV dump, but the dump of a protected guest (its PV CPU notes are there, empty): nothing in it can be decrypted. */
  protectedGuestWithoutPvData: boolean;
  warnings: { code: string; message: string; offset: number }[];
  cpus: CpuJson[];
  memory: { start: string; size: string }[];
  pvSections: { memMeta: { offset: string; size: string } | null; compl: { offset: string; size: string } | null; cpuDataSizes: number[] } | null;
  notes: { global: string[] };
  /** With -k on a PV dump: the hypervisor's view (what `cpus` holds without a key); `cpus` then holds the decrypted state (null where a CPU note did not authenticate). */
  hypervisorCpus?: CpuJson[];
  decryption?: DecryptionJson | null;
}

function decryptionJson(ins: PvInspection): DecryptionJson {
  return {
    completionAuthenticated: ins.completionAuthenticated,
    completionError: ins.completionError ?? null,
    cpuNotes: ins.cpuNotes.map((n) => ({ cpu: n.index, offset: n.offset, authenticated: n.authenticated, error: n.error ?? null })),
    census: { ...ins.census },
    warnings: ins.warnings,
  };
}

/** `info --json` with the key's results: decrypted CPUs in `cpus`, the hypervisor's in `hypervisorCpus`. */
export function infoJsonWithKey(d: DumpReader, file: string, ins: PvInspection | undefined): Omit<InfoJson, 'cpus'> & { cpus: (CpuJson | null)[] } {
  const base = infoJson(d, file);
  if (ins === undefined) return { ...base, decryption: null };
  return { ...base, cpus: ins.cpus.map((c) => (c === undefined ? null : cpuToJson(c))), hypervisorCpus: base.cpus, decryption: decryptionJson(ins) };
}

/** Text for `-k` on a PV dump: authentication, page states, decrypted CPUs beside the hypervisor's. */
export function decryptionText(ins: PvInspection): string {
  const out: string[] = [];
  const yes = (b: boolean): string => (b ? 'authenticated' : 'NOT authenticated');
  out.push(`decryption with the key:`);
  out.push(`  completion data (pv_compl): ${yes(ins.completionAuthenticated)}${ins.completionError ? ` — ${ins.completionError}` : ''}`);
  for (const n of ins.cpuNotes) out.push(`  CPU ${n.index} note (offset 0x${n.offset.toString(16)}): ${yes(n.authenticated)}${n.error ? ` — ${n.error}` : ''}`);
  const c = ins.census;
  out.push(`  pages: ${c.total} = ${c.encrypted} encrypted + ${c.zero} zero + ${c.shared} shared (${c.mapped} of the zero/shared ones mapped)`);
  for (const w of ins.warnings) out.push(`  warning: ${w}`);
  ins.cpus.forEach((cpu, i) => {
    if (cpu === undefined) return;
    // The hypervisor's view of the same CPU is listed above under "CPUs".
    out.push(cpuToText(cpu, `CPU ${i}, decrypted${cpu.hasOsii ? " (partial instruction results: compare with the hypervisor's view above)" : ''}`));
  });
  return out.join('\n');
}

/** Names the layout by its shape (spec elf-core-format.md §1, §2, §11). */
export function describeFormat(d: DumpReader): string {
  const hasStrtab = d.section('.shstrtab') !== undefined;
  const prpsinfo = d.globalNotes.some((n) => n.type === 3);
  if (hasStrtab && d.header.shoff === 64n) return d.isPv ? 'QEMU ≥ 7.2 PV dump (protected guest, encrypted)' : 'QEMU ≥ 7.2 dump';
  if (!hasStrtab && prpsinfo && d.header.shoff === 0n) return 'zgetdump-style core (no sections, NT_PRPSINFO)';
  if (!hasStrtab) return 'ELF core without section headers (QEMU < 7.2 or another writer)';
  return 'ELF core';
}

export function infoJson(d: DumpReader, file: string): InfoJson {
  const range = (r: { offset: bigint; size: bigint } | undefined) => (r ? { offset: hex64(r.offset), size: hex64(r.size) } : null);
  return {
    file,
    format: describeFormat(d),
    fileSize: d.fileSize,
    pv: d.isPv,
    protectedGuestWithoutPvData: isProtectedGuestDumpWithoutPvData(d),
    warnings: d.warnings.map((w) => ({ ...w })),
    cpus: d.cpus.map(cpuToJson),
    memory: d.memory.map((m) => ({ start: hex64(m.start), size: hex64(m.size) })),
    pvSections: d.isPv ? { memMeta: range(d.pvMemMeta), compl: range(d.pvCompl), cpuDataSizes: d.cpus.map((c) => c.pvCpuData?.length ?? 0) } : null,
    notes: { global: d.globalNotes.map((n) => `${n.owner}/${n.type}`) },
  };
}

function mib(size: bigint): string {
  return `${(Number(size) / 2 ** 20).toFixed(Number(size) % 2 ** 20 === 0 ? 0 : 2)} MiB`;
}

export function infoText(d: DumpReader, file: string): string {
  const out: string[] = [];
  out.push(`${file}: ${describeFormat(d)}, ${d.fileSize} bytes`);
  for (const w of d.warnings) out.push(`  warning: ${w.message} (offset 0x${w.offset.toString(16)})`);
  out.push(`memory: ${d.memory.length} range(s)`);
  for (const m of d.memory.slice(0, 16)) out.push(`  ${hex64(m.start)}-${hex64(m.start + m.size)} ${mib(m.size)}${m.fileSize < m.size ? ` (${mib(m.fileSize)} in the file)` : ''}`);
  if (d.memory.length > 16) out.push(`  ... ${d.memory.length - 16} more`);
  if (d.isPv) {
    out.push('PV dump: yes');
    // pv_compl makes a PV dump (zgetdump's test); a damaged dump may still lack pv_mem_meta.
    const size = (r: { size: bigint } | undefined): string => (r === undefined ? 'missing (the dump is incomplete or damaged)' : `${r.size} bytes`);
    out.push(`  pv_mem_meta: ${size(d.pvMemMeta)}, pv_compl: ${size(d.pvCompl)}, CPU data: ${d.cpus.map((c) => c.pvCpuData?.length ?? 0).join(', ')} bytes`);
    out.push("  The registers below are the hypervisor's view. The confidential CPU state and memory are");
    out.push('  encrypted: decrypting them needs the customer communication key (pvdump info -k CCK_FILE, pvdump decrypt).');
  } else if (isProtectedGuestDumpWithoutPvData(d)) {
    out.push('PV dump: no, although the guest was protected: its PV CPU notes are empty and the PV sections');
    out.push('  missing (the Ultravisor refused the PV dump, e.g. an image without --enable-dump); its memory is');
    out.push('  ciphertext that no key decrypts.');
  } else {
    out.push('PV dump: no');
  }
  out.push(`CPUs: ${d.cpus.length}`);
  d.cpus.forEach((c, i) => out.push(cpuToText(c, `CPU ${i}`)));
  return out.join('\n');
}

export const command: Command = {
  summary: 'show what a dump holds (layout, CPUs and registers, memory, PV parts) or describe a Secure Execution image',
  usage: USAGE,
  async run(argv) {
    const { values, positionals: pos } = parseCommandArgs(argv, { json: { type: 'boolean', default: false }, key: { type: 'string', short: 'k' }, memory: { type: 'string' }, 'host-key': { type: 'string' } }, USAGE);
    const [file] = positionals(pos, ['DUMP'], USAGE) as [string];
    if (isImageFile(file)) {
      if (values.key !== undefined || values.memory !== undefined) throw new UsageError(`${file} is a Secure Execution boot image: -k and --memory are for dumps; an image opens with --host-key FILE\n\n${USAGE}`);
      return runImageInfo(file, { json: values.json, ...(values['host-key'] !== undefined ? { hostKey: values['host-key'] } : {}) });
    }
    if (values['host-key'] !== undefined) throw new UsageError(`--host-key is for Secure Execution boot images and ${file} is not one (a PV dump opens with its CCK: -k FILE)\n\n${USAGE}`);
    const memoryRange = values.memory === undefined ? undefined : parseMemoryRange(values.memory, USAGE);
    const key = values.key === undefined ? undefined : readKeyFile(values.key);
    let opened: Awaited<ReturnType<typeof openDumpArg>>;
    try {
      opened = await openDumpArg(file);
    } catch (e) {
      key?.fill(0);
      throw e;
    }
    const { dump, close, inUserTerms } = opened;
    try {
      // A key asks for decryption, which a protected guest's dump without PV data cannot give.
      if (key !== undefined && isProtectedGuestDumpWithoutPvData(dump)) throw noPvDataError(file);
      if (memoryRange !== undefined) {
        const { shown, bytes } = await readMemoryRange(dump, dump.path!, file, memoryRange, key).catch((e: unknown) => {
          throw inUserTerms(e);
        });
        process.stdout.write(values.json ? JSON.stringify(shown, null, 2) + '\n' : memoryText(shown, bytes, key !== undefined) + '\n');
        bytes.fill(0);
        return 0;
      }
      if (key === undefined) {
        process.stdout.write(values.json ? JSON.stringify(infoJson(dump, file), null, 2) + '\n' : infoText(dump, file) + '\n');
        return 0;
      }
      const ins = dump.isPv
        ? await inspectPvDump(dump.path!, key).catch((e: unknown) => {
            throw inUserTerms(e);
          })
        : undefined;
      if (values.json) process.stdout.write(JSON.stringify(infoJsonWithKey(dump, file, ins), null, 2) + '\n');
      else {
        const text = infoText(dump, file).replace(/\n {2}The registers below are[^\n]*\n[^\n]*/, "\n  The registers below are the hypervisor's view; the decrypted ones follow them.");
        process.stdout.write(text + '\n' + (ins ? decryptionText(ins) : 'not a PV dump: nothing to decrypt, the key is not needed') + '\n');
      }
      const failed = ins !== undefined && (!ins.completionAuthenticated || ins.cpuNotes.some((n) => !n.authenticated));
      if (failed) process.stderr.write('pvdump: authentication failed: ' + (ins.completionError ?? ins.cpuNotes.find((n) => !n.authenticated)?.error ?? '') + '\n');
      return failed ? 1 : 0;
    } finally {
      key?.fill(0);
      await close();
    }
  },
};
