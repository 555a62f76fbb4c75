/**
 * Random-access API: open a PV dump once (all of zgetdump's checks, completion data and CPU
 * notes opened), then read any guest address range decrypted without decrypting the rest.
 */
import { openDump, type CpuState, type DumpReader } from '@pvdump/dump-format';
import { createPageCipher, defaultBackend, type CryptoBackend, type PageCipher } from './crypto/page-cipher.js';
import { PvDecryptError } from './errors.js';
import { scanPageStates } from './memory/pages.js';
import { DecryptedMemory } from './memory/random-access.js';
import { checkShstrtab, openPvContext, type PvContext } from './pv/context.js';
import type { PvCpuState } from './pv/cpu-data.js';
import type { PageCensus } from './pv/page-state.js';

export interface OpenPvDumpOptions {
  backend?: CryptoBackend;
}

export class PvDump {
  readonly #reader: DumpReader;
  readonly #ctx: PvContext;
  readonly #cipher: PageCipher;
  readonly #memory: DecryptedMemory;
  #closed = false;

  /** @internal use `openPvDump` */
  constructor(reader: DumpReader, ctx: PvContext, backend: CryptoBackend) {
    this.#reader = reader;
    this.#ctx = ctx;
    this.#cipher = createPageCipher(ctx.secrets.xtsKey, backend);
    this.#memory = new DecryptedMemory(reader, ctx, this.#cipher);
  }

  /** Decrypted CPU states in PV-note order (pid 1, 2, …). */
  get cpus(): readonly PvCpuState[] {
    return this.#ctx.cpus;
  }
  /** The hypervisor's unencrypted view of each PV CPU (same order), when the dump has one. */
  get hypervisorCpus(): readonly (CpuState | undefined)[] {
    return this.#ctx.cpuNotes.map((n) => n.hypervisor);
  }
  get warnings(): readonly string[] {
    return this.#ctx.warnings;
  }
  /** Guest absolute range [start, end) of the dump's memory. */
  get memoryRange(): { start: bigint; end: bigint } {
    return this.#memory.range;
  }
  /** Number of 4 KiB pages with file data. */
  get pages(): number {
    return this.#ctx.pages;
  }

  /** Decrypted bytes of guest absolute range [addr, addr + length) (at most 64 MiB per call). */
  async readMemory(addr: bigint, length: number): Promise<Uint8Array> {
    if (this.#closed) throw new PvDecryptError('io', 'readMemory on a closed PV dump');
    return this.#memory.read(addr, length);
  }

  /** Validates every storage-state entry and counts the page states (streams the table). */
  pageCensus(): Promise<PageCensus> {
    return scanPageStates(this.#reader, this.#ctx);
  }

  /** Wipes the keys and cached plaintext and closes the file. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#memory.clear();
    this.#cipher.dispose();
    this.#ctx.wipe();
    await this.#reader.close();
  }
}

/** Opens a PV dump for random access with the 32-byte CCK. */
export async function openPvDump(path: string, cck: Uint8Array, opts: OpenPvDumpOptions = {}): Promise<PvDump> {
  const reader = await openDump(path);
  try {
    checkShstrtab(reader);
    if (!reader.isPv) throw new PvDecryptError('not-pv', `${path} is not a PV dump (it has no pv_compl section); read it with @pvdump/dump-format directly`);
    const ctx = await openPvContext(reader, cck);
    return new PvDump(reader, ctx, opts.backend ?? defaultBackend());
  } catch (e) {
    await reader.close();
    throw e;
  }
}
