/**
 * Positional, bounds-checked reads from a dump file. Every read names what it reads, so a short
 * file yields an error that says what was cut off and where.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { DumpFormatError, hx } from '../errors.js';

export class FileSource {
  private constructor(
    private readonly fh: FileHandle,
    readonly size: number,
    private readonly owned: boolean,
    readonly path: string | undefined,
  ) {}

  static async open(source: string | FileHandle): Promise<FileSource> {
    if (typeof source === 'string') {
      let fh: FileHandle;
      try {
        fh = await open(source, 'r');
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.message;
        throw new DumpFormatError('io', `cannot open dump ${source}: ${why}`);
      }
      try {
        const st = await fh.stat();
        if (!st.isFile()) throw new DumpFormatError('io', `${source} is not a regular file`);
        return new FileSource(fh, st.size, true, source);
      } catch (e) {
        await fh.close();
        throw e;
      }
    }
    const st = await source.stat();
    return new FileSource(source, st.size, false, undefined);
  }

  /** Throws a `truncated` error unless [offset, offset + length) lies inside the file. */
  need(offset: bigint | number, length: bigint | number, what: string): void {
    const end = BigInt(offset) + BigInt(length);
    if (BigInt(offset) < 0n || end > BigInt(this.size)) {
      throw new DumpFormatError(
        'truncated',
        `${what} needs file bytes ${hx(offset)}..${hx(end)} but the file has only ${hx(this.size)} bytes: the dump is truncated or the field is corrupt`,
        Number(offset) <= this.size ? Number(offset) : undefined,
      );
    }
  }

  /** Reads exactly `length` bytes at `offset` into `out` (or a new buffer), after checking the range. */
  async read(offset: bigint | number, length: number, what: string, out?: Uint8Array): Promise<Uint8Array> {
    this.need(offset, length, what);
    const buf = out ?? new Uint8Array(length);
    let done = 0;
    let pos = Number(offset);
    while (done < length) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await this.fh.read(buf, done, length - done, pos));
      } catch (e) {
        throw this.readError(e, what, pos);
      }
      if (bytesRead === 0) throw new DumpFormatError('truncated', `${what}: the file ended early (it shrank while being read?)`, pos);
      done += bytesRead;
      pos += bytesRead;
    }
    return buf;
  }

  /** A failed read (EIO from a failing disk, a vanished network file...) as bad input naming what was read. */
  private readError(e: unknown, what: string, pos: number): DumpFormatError {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'EIO' ? 'input/output error (EIO: a failing disk or network file system?)' : err.code !== undefined ? `${err.code}: ${err.message}` : String(err);
    return new DumpFormatError('io', `${what}: reading ${this.path ?? 'the dump'} failed: ${why}`, pos);
  }

  async close(): Promise<void> {
    if (this.owned) await this.fh.close();
  }
}
