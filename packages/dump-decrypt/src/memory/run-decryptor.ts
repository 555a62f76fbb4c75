/**
 * What every helper (worker thread or child process) does with a run of pages (spec
 * pv-dump-crypto.md §7–§8): read the run's storage-state entries, make each page's tweak
 * (component OR nonce) and kind (encrypted, zero, shared), read the pages 1 MiB at a time straight
 * into a run region of the batched cipher's WebAssembly memory, and decrypt them there, 32 KiB at
 * a time, while they are in the CPU cache. The entry, tweak and kind buffers are allocated once.
 *
 * The helpers' entry modules (`page-worker.ts`, `page-process.ts`) call it. It trusts the
 * entries: `scanPageStates` has validated every one before any run is handed out.
 */
import * as nc from 'node:crypto';
import * as fs from 'node:fs';
import { PV_PAGE_SIZE as PAGE } from '@pvdump/pv-format';
import { createBatchXts, whitenModuleBytes } from '@pvdump/pv-format';
import { PageKind } from '../pv/page-state.js';

/** One run: `pages` whole pages at file offset `dataOffset`, their entries at `metaOffset`. */
export interface RunSource {
  metaOffset: number;
  dataOffset: number;
  pages: number;
}

export interface HelperKeys {
  /** The 64-byte XTS key and the 16-byte tweak nonce: wiped here once imported. */
  key: Uint8Array;
  nonce: Uint8Array;
}

export interface RunDecryptor {
  /** The WebAssembly memory that holds the run regions (shared: other threads may read it). */
  buffer: ArrayBufferLike;
  /** Byte offsets of the run regions in `buffer`. */
  offsets: number[];
  /** Decrypts `run` into region `region`; returns the decrypted pages (a view of the region). */
  decrypt(run: RunSource, region: number): Uint8Array;
}

export function makeRunDecryptor(path: string, keys: HelperKeys, regions: number, runBytes: number): RunDecryptor {
  let fd: number;
  let batch: ReturnType<typeof createBatchXts>;
  const nonce = Uint8Array.from(keys.nonce);
  try {
    fd = fs.openSync(path, 'r');
    batch = createBatchXts(nc, whitenModuleBytes(), keys.key);
  } finally {
    keys.key.fill(0);
    keys.nonce.fill(0);
  }
  const { buffer, offsets } = batch.reserveRegions(regions, runBytes);
  let meta = new Uint8Array(0);
  let tweaks = new Uint8Array(0);
  let kinds = new Uint8Array(0);
  const readFully = (buf: Uint8Array, at: number): void => {
    for (let done = 0; done < buf.length;) {
      const n = fs.readSync(fd, buf, done, buf.length - done, at + done);
      if (n === 0) throw new Error(`the dump ended early at file offset ${at + done} (it shrank while being read?)`);
      done += n;
    }
  };
  return {
    buffer,
    offsets,
    decrypt(run: RunSource, region: number): Uint8Array {
      const pages = run.pages;
      const at = offsets[region];
      if (at === undefined || pages * PAGE > runBytes) throw new Error(`run of ${pages} pages does not fit region ${region}`);
      if (meta.length < pages * 16) {
        meta = new Uint8Array(pages * 16);
        tweaks = new Uint8Array(pages * 16);
        kinds = new Uint8Array(pages);
      }
      readFully(meta.subarray(0, pages * 16), run.metaOffset);
      for (let i = 0; i < pages; i++) {
        const e = i * 16;
        if (meta[e] === 0xff && meta[e + 1] === 0xff && meta[e + 2] === 0xff && meta[e + 3] === 0xff) {
          kinds[i] = (meta[e + 15]! & 0x03) === 0x01 ? PageKind.Zero : PageKind.Shared;
        } else {
          kinds[i] = PageKind.Encrypted;
          for (let k = 0; k < 16; k++) tweaks[e + k] = meta[e + k]! | nonce[k]!;
        }
      }
      try {
        batch.decryptRun({ units: pages, unitBytes: PAGE, tweaks: tweaks.subarray(0, pages * 16), kinds, at, load: (view, first) => readFully(view, run.dataOffset + first * PAGE) });
      } finally {
        tweaks.fill(0);
      }
      return new Uint8Array(buffer, at, pages * PAGE);
    },
  };
}
