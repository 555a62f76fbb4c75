/**
 * File-system fault injection at the source and sink boundaries of a spawned `pvdump`, loaded
 * with `node --import` and configured by `$PVDUMP_FAULT` (JSON). It wraps `fs/promises.open` to
 * learn each handle's path, and `FileHandle.read`/`write` of the files whose path contains
 * `path`:
 * - `{"kind":"enospc","path":P,"afterBytes":N}`: writes fail with ENOSPC once N bytes are written;
 * - `{"kind":"eio","path":P,"afterReads":N}`: reads fail with EIO from the N+1-th read on;
 * - `{"kind":"truncate","path":P,"afterReads":N,"length":L}`: before read N+1 the file shrinks to L bytes;
 * - `{"kind":"overwrite","path":P,"afterReads":N,"at":O,"hex":H}`: before read N+1 bytes H are written at O;
 * - `{"kind":"slow","path":P,"readDelayMs":D,"writeDelayMs":W}`: every read waits D ms and every
 *   write W ms (to interrupt a run midway).
 */
import fsp, { type FileHandle } from 'node:fs/promises';
import { truncateSync, openSync, writeSync, closeSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

export type Fault =
  | { kind: 'enospc'; path: string; afterBytes: number }
  | { kind: 'eio'; path: string; afterReads: number }
  | { kind: 'truncate'; path: string; afterReads: number; length: number }
  | { kind: 'overwrite'; path: string; afterReads: number; at: number; hex: string }
  | { kind: 'slow'; path: string; readDelayMs: number; writeDelayMs?: number };

function errnoError(code: 'ENOSPC' | 'EIO', errno: number, syscall: string, message: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`${code}: ${message}, ${syscall}`);
  err.code = code;
  err.errno = errno;
  err.syscall = syscall;
  return err;
}

const raw = process.env.PVDUMP_FAULT;
if (raw !== undefined && raw !== '') {
  const fault = JSON.parse(raw) as Fault;
  const paths = new WeakMap<FileHandle, string>();
  let patched = false;
  let reads = 0;
  let written = 0;
  let done = false;
  const matches = (fh: FileHandle): boolean => (paths.get(fh) ?? '').includes(fault.path);

  const patch = (proto: FileHandle): void => {
    // eslint-disable-next-line @typescript-eslint/unbound-method -- the original methods are called with the handle as this
    const read = proto.read as (this: FileHandle, ...args: unknown[]) => Promise<unknown>;
    // eslint-disable-next-line @typescript-eslint/unbound-method -- the original methods are called with the handle as this
    const write = proto.write as (this: FileHandle, ...args: unknown[]) => Promise<{ bytesWritten: number }>;
    Object.defineProperty(proto, 'read', {
      configurable: true,
      writable: true,
      value: async function (this: FileHandle, ...args: unknown[]) {
        if (matches(this)) {
          const path = paths.get(this)!;
          if (fault.kind === 'slow') await new Promise((r) => setTimeout(r, fault.readDelayMs));
          else if (fault.kind !== 'enospc' && reads++ >= fault.afterReads) {
            if (fault.kind === 'eio') throw errnoError('EIO', -5, 'read', 'i/o error');
            if (!done && fault.kind === 'truncate') truncateSync(path, fault.length);
            if (!done && fault.kind === 'overwrite') {
              const fd = openSync(path, 'r+');
              writeSync(fd, Buffer.from(fault.hex, 'hex'), 0, fault.hex.length / 2, fault.at);
              closeSync(fd);
            }
            done = true;
          }
        }
        return read.apply(this, args);
      },
    });
    Object.defineProperty(proto, 'write', {
      configurable: true,
      writable: true,
      value: async function (this: FileHandle, ...args: unknown[]) {
        if (fault.kind === 'slow' && matches(this)) await new Promise((r) => setTimeout(r, fault.writeDelayMs ?? 0));
        if (fault.kind === 'enospc' && matches(this)) {
          const data = args[0];
          const length = typeof args[2] === 'number' ? args[2] : data instanceof Uint8Array ? data.length : String(data).length;
          if (written + length > fault.afterBytes) throw errnoError('ENOSPC', -28, 'write', 'no space left on device');
          written += length;
        }
        return write.apply(this, args);
      },
    });
  };

  const open = fsp.open;
  const wrapped = async (...args: Parameters<typeof fsp.open>): Promise<FileHandle> => {
    const fh = await open(...args);
    paths.set(fh, String(args[0]));
    if (!patched) {
      patched = true;
      patch(Object.getPrototypeOf(fh) as FileHandle);
    }
    return fh;
  };
  (fsp as { open: typeof fsp.open }).open = wrapped;
  syncBuiltinESMExports();
}
