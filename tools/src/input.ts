/**
 * Opening dump files given on the command line. A gzip-compressed dump (the fixtures ship so) is
 * decompressed to a private temporary file first, since the reader needs random access; messages
 * about that copy name the user's file. While it is unpacked, its head is probed, so a PV dump
 * that cannot be decrypted without a key is refused before the rest is unpacked.
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { noKeyError } from '@pvdump/dump-decrypt';
import { openDump, probeDumpHead, type DumpReader } from '@pvdump/dump-format';
import { fsReason, renamePathInError, UserError } from './cli-support.js';

/** Headers and notes beyond this many bytes are not probed while unpacking (a 4096-CPU PV dump has ~27 MiB of notes). */
const MAX_HEAD_BYTES = 64 << 20;

export interface PlainDump {
  /** A path holding the uncompressed dump: the user's file, or a temporary copy. */
  path: string;
  /** Removes the temporary copy, if any. */
  cleanup: () => void;
  /** The error with every mention of the temporary copy replaced by the user's file name. */
  inUserTerms: (e: unknown) => unknown;
}

export interface PlainDumpOptions {
  /** Refuse a PV dump (`noKeyError`) as soon as its head shows it is one. */
  pvNeedsKey?: boolean;
}

/** Returns a path that holds the plain dump, and a cleanup function. */
export async function plainDumpPath(path: string, opts: PlainDumpOptions = {}): Promise<PlainDump> {
  const notAFile = `pvdump reads a dump at random offsets, so it must be a regular file: save it to one first (e.g. cat > dump.elf)`;
  if (path === '-') throw new UserError(`cannot read a dump from stdin ('-'): ${notAFile}`);
  let magic: Uint8Array;
  try {
    const fh = await open(path, 'r');
    try {
      const st = await fh.stat();
      if (st.isDirectory()) throw new UserError(`cannot read ${path}: it is a folder, not a dump`);
      if (!st.isFile()) throw new UserError(`cannot read ${path}: it is not a regular file (a pipe or a device?); ${notAFile}`);
      magic = new Uint8Array(2);
      await fh.read(magic, 0, 2, 0);
    } finally {
      await fh.close();
    }
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot read ${path}: ${fsReason(e)}`);
  }
  if (magic[0] !== 0x1f || magic[1] !== 0x8b) return { path, cleanup: () => undefined, inUserTerms: (e) => e };
  const dir = mkdtempSync(join(tmpdir(), 'pvdump-'));
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  process.once('exit', cleanup);
  const out = join(dir, 'dump.elf');
  const inUserTerms = (e: unknown): unknown => renamePathInError(e, out, path);
  const head = new HeadProbe(opts.pvNeedsKey === true ? () => noKeyError(path) : undefined);
  try {
    await pipeline(createReadStream(path), createGunzip(), head, createWriteStream(out, { mode: 0o600 }));
  } catch (e) {
    cleanup();
    if (e === head.refusal) throw e;
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOSPC') throw new UserError(`cannot unpack ${path}: no space left in ${tmpdir()} for its uncompressed copy (set TMPDIR to a folder with room, or gunzip it yourself)`);
    throw new UserError(`cannot decompress ${path}: ${err.message} (a damaged or incomplete .gz file?)`);
  }
  return { path: out, cleanup, inUserTerms };
}

/** Passes the stream through; calls `refuse` (and fails the stream with its error) when the head shows a PV dump. */
class HeadProbe extends Transform {
  private chunks: Buffer[] = [];
  private have = 0;
  private need = 0;
  private done: boolean;
  refusal: Error | undefined;

  constructor(private readonly refuse: (() => Error) | undefined) {
    super();
    this.done = refuse === undefined;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    if (!this.done) {
      this.chunks.push(chunk);
      this.have += chunk.length;
      if (this.have >= this.need) {
        const bytes = Buffer.concat(this.chunks);
        this.chunks = [bytes];
        const probe = probeDumpHead(bytes);
        if ('needBytes' in probe && probe.needBytes <= MAX_HEAD_BYTES) this.need = probe.needBytes;
        else {
          this.done = true;
          this.chunks = [];
          if ('pv' in probe && probe.pv) {
            this.refusal = this.refuse!();
            callback(this.refusal);
            return;
          }
        }
      }
    }
    callback(null, chunk);
  }
}

/** Opens a dump (plain or gzip) for reading; `close` also removes any temporary copy. */
export async function openDumpArg(path: string): Promise<{ dump: DumpReader; close: () => Promise<void>; inUserTerms: (e: unknown) => unknown }> {
  const plain = await plainDumpPath(path);
  try {
    const dump = await openDump(plain.path);
    return {
      dump,
      inUserTerms: plain.inUserTerms,
      close: async () => {
        await dump.close();
        plain.cleanup();
      },
    };
  } catch (e) {
    plain.cleanup();
    throw plain.inUserTerms(e);
  }
}
