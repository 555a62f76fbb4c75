/**
 * `inspectPvDump`: what `pvdump info -k` shows for a PV dump: the decrypted registers of every
 * CPU beside the hypervisor's view, the page-state census, and the result of authenticating the
 * completion data and each CPU note. Authentication failures are reported, not thrown; structural
 * errors (spec pv-dump-crypto.md §10) still throw.
 */
import { openDump, type CpuState } from '@pvdump/dump-format';
import { PvDecryptError } from './errors.js';
import { scanPageStates } from './memory/pages.js';
import { openCompletion, wipeSecrets, type CompletionSecrets } from './pv/completion.js';
import { checkComplSection, checkPvLayout, checkShstrtab, osiiWarning } from './pv/context.js';
import { decodeCpuPlain, openCpuData, type PvCpuState } from './pv/cpu-data.js';
import type { PageCensus } from './pv/page-state.js';

export interface CpuNoteCheck {
  /** Index among the PV CPU notes. */
  index: number;
  /** File offset of the note. */
  offset: number;
  authenticated: boolean;
  /** Why authentication failed (or was not attempted). */
  error?: string;
}

export interface PvInspection {
  completionAuthenticated: boolean;
  completionError?: string;
  /** Decrypted state per PV CPU note (undefined where the note did not authenticate). */
  cpus: (PvCpuState | undefined)[];
  /** The hypervisor's unencrypted view of the same CPUs. */
  hypervisorCpus: (CpuState | undefined)[];
  cpuNotes: CpuNoteCheck[];
  census: PageCensus;
  /** Guest memory range of the PT_LOAD. */
  memory: { start: bigint; size: bigint; fileSize: bigint };
  warnings: string[];
}

export async function inspectPvDump(path: string, cck: Uint8Array): Promise<PvInspection> {
  const reader = await openDump(path);
  let secrets: CompletionSecrets | undefined;
  try {
    checkShstrtab(reader);
    if (!reader.isPv) throw new PvDecryptError('not-pv', `${path} is not a PV dump (it has no pv_compl section)`);
    const compl = checkComplSection(reader);
    const complBytes = await reader.readFile(compl.offset, Number(compl.size));
    let completionError: string | undefined;
    try {
      secrets = openCompletion(complBytes, cck, Number(compl.offset));
    } catch (e) {
      if (!(e instanceof PvDecryptError) || e.code !== 'completion-auth') throw e;
      completionError = e.message;
    }
    const layout = checkPvLayout(reader);
    const warnings: string[] = [];
    const cpus: (PvCpuState | undefined)[] = [];
    const cpuNotes: CpuNoteCheck[] = [];
    for (const n of layout.cpuNotes) {
      if (secrets === undefined) {
        cpus.push(undefined);
        cpuNotes.push({ index: n.index, offset: n.offset, authenticated: false, error: 'not attempted: the completion data did not authenticate, so there is no dump key' });
        continue;
      }
      try {
        const plain = openCpuData(n.desc, secrets.dumpKey, n.index, n.offset);
        const cpu = decodeCpuPlain(plain, n.index + 1);
        plain.fill(0);
        if (cpu.hasOsii) warnings.push(osiiWarning(n.index));
        cpus.push(cpu);
        cpuNotes.push({ index: n.index, offset: n.offset, authenticated: true });
      } catch (e) {
        if (!(e instanceof PvDecryptError) || e.code !== 'cpu-auth') throw e;
        cpus.push(undefined);
        cpuNotes.push({ index: n.index, offset: n.offset, authenticated: false, error: e.message });
      }
    }
    const census = await scanPageStates(reader, layout);
    return {
      completionAuthenticated: secrets !== undefined,
      ...(completionError === undefined ? {} : { completionError }),
      cpus,
      hypervisorCpus: layout.cpuNotes.map((n) => n.hypervisor),
      cpuNotes,
      census,
      memory: { start: layout.load.start, size: layout.load.size, fileSize: layout.load.fileSize },
      warnings,
    };
  } finally {
    if (secrets !== undefined) wipeSecrets(secrets);
    await reader.close();
  }
}
