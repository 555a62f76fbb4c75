/**
 * Sequential output for the writer: a file (written through a coalescing buffer) or any Node
 * Writable such as stdout (respecting backpressure). The writer never seeks; a file sink can
 * leave a range to the caller (`reserve`), who fills it with positional writes.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';

export interface Sink {
  write(data: Uint8Array): Promise<void>;
  close(): Promise<void>;
  /** Stops writing and removes a file this sink created. */
  abort(): Promise<void>;
  /**
   * Files only: skips the next `bytes` (the caller fills them with positional writes) and tells
   * where they start; everything written before is on the file first.
   */
  reserve?(bytes: number): Promise<{ fd: number; offset: number }>;
}

const BUFFER_SIZE = 4 << 20;

/** Mode of a file created for a path target (an existing file keeps its mode). */
const OUTPUT_FILE_MODE = 0o600;

class FileSink implements Sink {
  private buf = new Uint8Array(BUFFER_SIZE);
  private used = 0;
  private pos = 0;
  constructor(
    private readonly fh: FileHandle,
    private readonly path: string | undefined,
  ) {}

  async write(data: Uint8Array): Promise<void> {
    if (this.used + data.length <= this.buf.length) {
      this.buf.set(data, this.used);
      this.used += data.length;
      return;
    }
    await this.flush();
    if (data.length >= this.buf.length / 2) {
      await this.writeAll(data);
    } else {
      this.buf.set(data, 0);
      this.used = data.length;
    }
  }

  async reserve(bytes: number): Promise<{ fd: number; offset: number }> {
    await this.flush();
    const offset = this.pos;
    this.pos += bytes;
    return { fd: this.fh.fd, offset };
  }

  private async writeAll(data: Uint8Array): Promise<void> {
    let done = 0;
    while (done < data.length) {
      const { bytesWritten } = await this.fh.write(data, done, data.length - done, this.pos);
      done += bytesWritten;
      this.pos += bytesWritten;
    }
  }

  private async flush(): Promise<void> {
    if (this.used === 0) return;
    await this.writeAll(this.buf.subarray(0, this.used));
    this.used = 0;
  }

  async close(): Promise<void> {
    await this.flush();
    if (this.path !== undefined) await this.fh.close();
  }

  async abort(): Promise<void> {
    if (this.path === undefined) return;
    await this.fh.close().catch(() => undefined);
    await rm(this.path, { force: true });
  }
}

class StreamSink implements Sink {
  constructor(private readonly stream: Writable) {}

  write(data: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error): void => reject(e);
      this.stream.once('error', onError);
      const ok = this.stream.write(data, (err) => {
        if (err) reject(err);
      });
      if (ok) {
        this.stream.off('error', onError);
        resolve();
      } else {
        this.stream.once('drain', () => {
          this.stream.off('error', onError);
          resolve();
        });
      }
    });
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.stream === process.stdout) {
        this.stream.write(new Uint8Array(0), (err) => (err ? reject(err) : resolve()));
        return;
      }
      this.stream.end((err?: Error | null) => (err ? reject(err) : resolve()));
    });
  }

  async abort(): Promise<void> {
    if (this.stream !== process.stdout) this.stream.destroy();
  }
}

export async function openSink(target: string | FileHandle | Writable): Promise<Sink> {
  // Guest memory is confidential: a file the writer creates is readable by its owner only.
  if (typeof target === 'string') return new FileSink(await open(target, 'w', OUTPUT_FILE_MODE), target);
  if ('fd' in target && typeof target.write === 'function' && typeof target.stat === 'function') {
    return new FileSink(target, undefined);
  }
  return new StreamSink(target as Writable);
}
