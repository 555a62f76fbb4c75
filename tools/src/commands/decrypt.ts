/**
 * `pvdump decrypt -k FILE DUMP OUT`: turns a Protected Virtualization (Secure Execution) guest
 * dump into a plain ELF core for gdb and crash, as `zgetdump -k FILE DUMP OUT` does (spec
 * pv-dump-crypto.md §9–§10, elf-core-format.md §11). A non-PV dump is copied unchanged in content,
 * except that a key given for a protected guest's dump without PV data is refused (exit 1).
 * OUT is written atomically with mode 0600 (or to stdout for `-`), so a failed or interrupted
 * run leaves no output file.
 */
import { join } from 'node:path';
import { decryptDump, type DecryptReport } from '@pvdump/dump-decrypt';
import type { CpuState } from '@pvdump/dump-format';
import { parseCommandArgs, positionals } from '../args.js';
import { checkOutputFolder, kindOf, progressAllowed, progressMeter, UsageError, UserError, writeAtomically, type Command } from '../cli-support.js';
import { plainDumpPath } from '../input.js';
import { readKeyFile } from '../key-file.js';
import { cpuToText } from '../render/cpu.js';

const USAGE = `usage: pvdump decrypt -k|--key FILE [options] DUMP OUT

Decrypts a Protected Virtualization (Secure Execution) guest dump with the customer communication
key (CCK), as 'zgetdump -k FILE DUMP OUT' does: the output is an ordinary s390x ELF core in
zgetdump's layout, with the decrypted registers of every CPU and the decrypted memory, plus an
NT_AUXV note so that gdb shows the vector registers too. A dump that is not a PV dump is copied
unchanged in content; with -k, a protected guest's dump without PV data (the plain dump QEMU
writes when the Ultravisor refuses the PV dump) is refused with exit status 1, since the key cannot
decrypt anything in it. DUMP may be gzip-compressed; OUT may be '-' for stdout and must not exist yet.

  -k, --key FILE    the CCK: a file of exactly 32 raw bytes (no hex, no newline)
      --no-auxv     leave out NT_AUXV: the output is then byte for byte what zgetdump writes
      --noble       use the pure-JavaScript crypto (@noble/ciphers) instead of OpenSSL
      --workers N   helpers that decrypt beside this process (default: one per core but one
                    for dumps of 64 MiB and more, none on a single core or for smaller dumps):
                    child processes that write straight into OUT, or threads for stdout
      --helpers K   processes (the default for a file OUT: each writes its own part) or
                    threads (the only kind for stdout; no child processes)
  -v, --verbose     print a summary (CPUs, page states) on stderr, and for a CPU dumped with
                    partial instruction results its decrypted (confidential) registers beside
                    the hypervisor's view (without -v: a one-line warning)

Exit status: 0 done, 1 bad input (a wrong key, a damaged dump, ...), 2 bad usage.`;

/** A decrypted dump is never written over anything; says what is in the way. */
function refuseExistingOutput(out: string): void {
  const kind = kindOf(out);
  if (kind === 'folder') throw new UserError(`${out} is a folder: give the name of the file to write, e.g. ${join(out, 'decrypted.elf')}`);
  if (kind === 'special file') throw new UserError(`${out} already exists and is not a regular file (a device or pipe?): use '-' to write to stdout and redirect that`);
  if (kind === 'file') throw new UserError(`${out} already exists: remove it or choose another output name (a decrypted dump is never written over a file)`);
  checkOutputFolder(out);
}

function parseWorkers(v: string | undefined): number | 'auto' {
  if (v === undefined) return 'auto';
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 256) throw new UsageError(`--workers must be a whole number 0..256, got '${v}'\n\n${USAGE}`);
  return n;
}

function parseHelpers(v: string | undefined): 'processes' | 'threads' | undefined {
  if (v === undefined || v === 'processes' || v === 'threads') return v;
  throw new UsageError(`--helpers must be 'processes' or 'threads', got '${v}'\n\n${USAGE}`);
}

/** The hypervisor's view beside the decrypted state, for CPUs dumped with partial instruction results. */
function osiiReport(report: DecryptReport): string[] {
  const lines: string[] = [];
  report.cpus.forEach((cpu, i) => {
    if (!('hasOsii' in cpu) || !cpu.hasOsii) return;
    const hv: CpuState | undefined = report.hypervisorCpus[i];
    lines.push(cpuToText(cpu, `CPU ${i}, decrypted (confidential) state`));
    lines.push(hv ? cpuToText(hv, `CPU ${i}, hypervisor's view`) : `CPU ${i}: the dump holds no hypervisor view of this CPU`);
  });
  return lines;
}

function helpersText(report: DecryptReport): string {
  if (report.helpers === 'none') return 'no helpers';
  const [one, many] = report.helpers === 'processes' ? ['process', 'processes'] : ['thread', 'threads'];
  return `${report.workers} helper ${report.workers === 1 ? one : many}`;
}

function summary(report: DecryptReport, out: string): string {
  if (!report.pv) return `not a PV dump: copied unchanged to ${out}`;
  const c = report.census!;
  return (
    `decrypted ${report.cpus.length} CPU(s) and ${report.memoryBytes / 2 ** 20} MiB to ${out}: ` +
    `${c.encrypted} encrypted, ${c.zero} zero, ${c.shared} shared pages (${c.mapped} of them mapped); ` +
    `${report.backend} crypto, ${helpersText(report)}${report.vmcoreinfo ? ', VMCOREINFO found' : ''}`
  );
}

export const command: Command = {
  summary: 'decrypt a PV (Secure Execution) dump with the customer communication key, as zgetdump -k does',
  usage: USAGE,
  async run(argv) {
    const { values, positionals: pos } = parseCommandArgs(
      argv,
      {
        key: { type: 'string', short: 'k' },
        'no-auxv': { type: 'boolean', default: false },
        noble: { type: 'boolean', default: false },
        workers: { type: 'string' },
        helpers: { type: 'string' },
        verbose: { type: 'boolean', short: 'v', default: false },
      },
      USAGE,
    );
    const [dumpArg, out] = positionals(pos, ['DUMP', 'OUT'], USAGE) as [string, string];
    const workers = parseWorkers(values.workers);
    const helpers = parseHelpers(values.helpers);
    if (helpers === 'processes' && out === '-') throw new UsageError(`--helpers processes write into OUT, which stdout cannot take: use threads\n\n${USAGE}`);
    if (out !== '-') refuseExistingOutput(out);
    else if (process.stdout.isTTY) throw new UserError(`not writing a binary dump to the terminal: redirect stdout (- > decrypted.elf) or pipe it (- | gzip > decrypted.elf.gz)`);
    const key = values.key === undefined ? undefined : readKeyFile(values.key);
    let plain: Awaited<ReturnType<typeof plainDumpPath>>;
    try {
      plain = await plainDumpPath(dumpArg, { pvNeedsKey: key === undefined });
    } catch (e) {
      key?.fill(0);
      throw e;
    }
    let meter: ReturnType<typeof progressMeter> | undefined;
    const toStdout = out === '-';
    const opts = {
      auxv: !values['no-auxv'],
      backend: values.noble ? ('noble' as const) : undefined,
      workers,
      helpers,
      onProgress: (done: number, total: number) => {
        meter ??= progressMeter('decrypting', total, progressAllowed(false));
        meter.update(done);
      },
      onWarning: (w: string) => process.stderr.write(`pvdump: warning: ${w}\n`),
    };
    try {
      const report = await (toStdout ? decryptDump(plain.path, key, process.stdout, opts) : writeAtomically(out, (tmp) => decryptDump(plain.path, key, tmp, opts))).catch((e: unknown) => {
        throw plain.inUserTerms(e);
      });
      meter?.finish();
      if (values.verbose) {
        // The confidential registers of a CPU with partial instruction results: only when asked.
        const osii = osiiReport(report);
        if (osii.length > 0) process.stderr.write(osii.join('\n') + '\n');
        process.stderr.write(`pvdump: ${summary(report, toStdout ? 'stdout' : out)}\n`);
      }
    } finally {
      key?.fill(0);
      plain.cleanup();
    }
    return 0;
  },
};
