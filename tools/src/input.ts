/**
 * Opening dump files given on the command line. A gzip-compressed dump (the fixtures ship so) is
 * decompressed to a private temporary file first, since the reader needs random access.
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { openDump, type DumpReader } from '@pvdump/dump-format';
import { UserError } from './cli-support.js';

/** Returns a path that holds the plain dump, and a cleanup function. */
export async function plainDumpPath(path: string): Promise<{ path: string; cleanup: () => void }> {
  let magic: Uint8Array;
  try {
    const fh = await open(path, 'r');
    try {
      magic = new Uint8Array(2);
      await fh.read(magic, 0, 2, 0);
    } finally {
      await fh.close();
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new UserError(`cannot read ${path}: ${err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a folder' : err.message}`);
  }
  if (magic[0] !== 0x1f || magic[1] !== 0x8b) return { path, cleanup: () => undefined };
  const dir = mkdtempSync(join(tmpdir(), 'pvdump-'));
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  process.once('exit', cleanup);
  const out = join(dir, 'dump.elf');
  try {
    await pipeline(createReadStream(path), createGunzip(), createWriteStream(out, { mode: 0o600 }));
  } catch (e) {
    cleanup();
    throw new UserError(`cannot decompress ${path}: ${(e as Error).message} (a damaged .gz file?)`);
  }
  return { path: out, cleanup };
}

/** Opens a dump (plain or gzip) for reading; `close` also removes any temporary copy. */
export async function openDumpArg(path: string): Promise<{ dump: DumpReader; close: () => Promise<void> }> {
  const plain = await plainDumpPath(path);
  try {
    const dump = await openDump(plain.path);
    return {
      dump,
      close: async () => {
        await dump.close();
        plain.cleanup();
      },
    };
  } catch (e) {
    plain.cleanup();
    throw e;
  }
}
