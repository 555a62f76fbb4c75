/**
 * The customer communication key (CCK) file every command takes: exactly 32 raw bytes (docs/
 * pv-dump-crypto.md §2). Read with bounded memory (a dump given as the key by mistake is never
 * read whole), also from a pipe (`-k <(xxd -r -p cck.hex)`); every mistake is a UserError in
 * zgetdump's wording with the likely cause.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { UserError } from './cli-support.js';

export const CCK_BYTES = 32;

/** Reads the key file: exactly 32 bytes, else a UserError that says what is wrong. */
export function readKeyFile(path: string): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new UserError(`Cannot read key: '${path}' (${err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.message})`);
  }
  // One byte more than a key: enough to tell "too long" without reading the rest.
  const buf = new Uint8Array(CCK_BYTES + 1);
  let n = 0;
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new UserError(`Cannot read key: '${path}' is a folder, not a key file`);
    if (st.isFile() && st.size !== CCK_BYTES) throw wrongSize(path, st.size);
    for (let got = -1; got !== 0 && n < buf.length; n += got) got = readSync(fd, buf, n, buf.length - n, null);
    if (n !== CCK_BYTES) throw wrongSize(path, n, n > CCK_BYTES);
    return buf.slice(0, CCK_BYTES);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`Cannot read key: '${path}' (${(e as Error).message})`);
  } finally {
    buf.fill(0);
    closeSync(fd);
  }
}

function wrongSize(path: string, n: number, atLeast = false): UserError {
  const hint = n === 64 || n === 65 ? '; it looks like hex text: convert it with xxd -r -p' : n === 33 && !atLeast ? '; a trailing newline?' : n > 1 << 20 ? '; is it a dump? -k takes the key file, then come DUMP and OUT' : '';
  return new UserError(`Unable to derive dump key: Wrong key size: expected ${CCK_BYTES} != actual ${atLeast ? `more than ${CCK_BYTES}` : n} (key file '${path}' must hold exactly ${CCK_BYTES} raw bytes${hint})`);
}
