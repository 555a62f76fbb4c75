/**
 * Streaming dump writer. `DumpWriter.create` plans the whole file (`planDump`) and writes the
 * headers and notes; memory then arrives in order, in chunks of any size; `finish` writes the
 * PV sections and the string table. Only the current chunk is ever held, so a 64 GiB guest needs
 * a few MiB. Writing more or fewer bytes than reserved is an error, and a failed write removes the
 * file it created.
 */
import type { FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { DumpFormatError, hx } from '../errors.js';
import { planDump, type DumpLayout, type DumpSpec } from './layout.js';
import { openSink, type Sink } from './sink.js';

/** Bytes of a PV section: all at once, or streamed in chunks. */
export type SectionData = Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

export interface PvSectionData {
  memMeta: SectionData;
  compl: SectionData;
}

export type WriteTarget = string | FileHandle | Writable;

export class DumpWriter {
  private memoryWritten = 0n;
  private done = false;

  private constructor(
    readonly layout: DumpLayout,
    private readonly sink: Sink,
  ) {}

  /** Plans the dump, opens the target and writes everything up to the start of memory. */
  static async create(target: WriteTarget, spec: DumpSpec): Promise<DumpWriter> {
    const layout = planDump(spec);
    const sink = await openSink(target);
    const w = new DumpWriter(layout, sink);
    await w.guard(() => sink.write(layout.head));
    return w;
  }

  /** Bytes of memory still expected. */
  get memoryRemaining(): bigint {
    return this.layout.memorySize - this.memoryWritten;
  }

  /** Appends guest memory (the file bytes of every PT_LOAD, in order). */
  async writeMemory(chunk: Uint8Array): Promise<void> {
    if (BigInt(chunk.length) > this.memoryRemaining) {
      await this.abort();
      throw new DumpFormatError('bad-write', `memory data exceeds the ${hx(this.layout.memorySize)} bytes the program headers reserve`);
    }
    this.memoryWritten += BigInt(chunk.length);
    await this.guard(() => this.sink.write(chunk));
  }

  /**
   * For a file target: hands the rest of memory to the caller, who writes it with positional
   * writes (`fs.writeSync(fd, data, 0, n, offset + i)`), from as many threads or processes as it
   * likes, in any order. Returns the file descriptor and the file offset of the first memory byte
   * not yet written, with the count of bytes reserved; `undefined` for a stream target, which
   * takes memory only in order through `writeMemory`. The caller must have written every reserved
   * byte before `finish` (the writer cannot check: a gap reads as zeros).
   */
  async reserveMemory(): Promise<{ fd: number; offset: number; bytes: number } | undefined> {
    if (this.sink.reserve === undefined || this.done) return undefined;
    const bytes = this.memoryRemaining;
    if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
    let at: { fd: number; offset: number } | undefined;
    await this.guard(async () => {
      at = await this.sink.reserve!(Number(bytes));
    });
    this.memoryWritten += bytes;
    return { ...at!, bytes: Number(bytes) };
  }

  /** Writes all chunks of `source` as memory. */
  async pipeMemory(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<void> {
    // One loop per kind: `for await` over the union let the type checker's element type vary
    // between typescript-eslint runs (seen once as `any` in CI).
    if (Symbol.asyncIterator in source) for await (const chunk of source) await this.writeMemory(chunk);
    else for (const chunk of source) await this.writeMemory(chunk);
  }

  /** Checks that all memory arrived, writes the PV sections (if reserved) and `.shstrtab`, closes. */
  async finish(pv?: PvSectionData): Promise<DumpLayout> {
    const L = this.layout;
    if (this.memoryRemaining !== 0n) {
      await this.abort();
      throw new DumpFormatError('bad-write', `memory ended ${hx(this.memoryRemaining)} bytes short of the ${hx(L.memorySize)} the program headers reserve`);
    }
    if ((L.pvMemMeta !== undefined) !== (pv !== undefined)) {
      await this.abort();
      throw new DumpFormatError('bad-write', L.pvMemMeta ? 'the PV sections were reserved but no PV section data was given' : 'PV section data was given but no PV sections were reserved');
    }
    if (pv && L.pvMemMeta && L.pvCompl) {
      await this.writeSection('pv_mem_meta', pv.memMeta, L.pvMemMeta.size);
      await this.writeSection('pv_compl', pv.compl, L.pvCompl.size);
    }
    if (L.shstrtab) await this.guard(() => this.sink.write(L.shstrtab!.bytes));
    await this.guard(() => this.sink.close());
    this.done = true;
    return L;
  }

  private async writeSection(name: string, data: SectionData, size: bigint): Promise<void> {
    let n = 0n;
    const chunks = data instanceof Uint8Array ? [data] : data;
    for await (const chunk of chunks) {
      n += BigInt(chunk.length);
      if (n > size) break;
      await this.guard(() => this.sink.write(chunk));
    }
    if (n !== size) {
      await this.abort();
      throw new DumpFormatError('bad-write', `section ${name} data is ${n > size ? 'larger than' : `${hx(n)} bytes, not`} the ${hx(size)} bytes reserved for it`);
    }
  }

  /** Abandons the dump; a file the writer created is removed. */
  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.sink.abort();
  }

  private async guard(op: () => Promise<void>): Promise<void> {
    try {
      await op();
    } catch (e) {
      await this.abort();
      const err = e as NodeJS.ErrnoException;
      const why = err.code === 'ENOSPC' ? 'no space left on the device' : err.code === 'EPIPE' ? 'the reader of the output went away' : err.message;
      throw new DumpFormatError('io', `writing the dump failed: ${why}`, undefined, { cause: e });
    }
  }
}

/** Writes a whole dump: headers and notes, `memory` (all PT_LOAD file bytes in order), then PV sections. */
export async function writeDump(target: WriteTarget, spec: DumpSpec, memory: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, pv?: PvSectionData | (() => Promise<PvSectionData>)): Promise<DumpLayout> {
  const w = await DumpWriter.create(target, spec);
  try {
    await w.pipeMemory(memory);
    return await w.finish(typeof pv === 'function' ? await pv() : pv);
  } catch (e) {
    await w.abort();
    throw e;
  }
}
