/**
 * Random access to decrypted guest memory (spec pv-dump-crypto.md §8): any guest absolute range
 * of the single PT_LOAD, decrypting only the pages it touches. Each touched page costs one
 * 16-byte storage-state read, one 4 KiB read and one XTS decryption; the last pages are cached.
 */
import type { DumpReader } from '@pvdump/dump-format';
import type { PageCipher } from '../crypto/page-cipher.js';
import { PvDecryptError } from '../errors.js';
import type { PvContext } from '../pv/context.js';
import { PV_PAGE_SIZE, TWEAK_COMPONENT_SIZE, pageTweak } from '@pvdump/pv-format';
import { classifyEntry, PageKind } from '../pv/page-state.js';

const CACHE_PAGES = 64;
/** The largest single read: callers stream bigger ranges in pieces. */
export const MAX_RANDOM_READ = 64 << 20;
const hx = (n: bigint | number): string => '0x' + n.toString(16);

export class DecryptedMemory {
  readonly #cache = new Map<number, Uint8Array>();

  constructor(
    private readonly reader: DumpReader,
    private readonly ctx: PvContext,
    private readonly cipher: PageCipher,
  ) {}

  /** Guest address range [start, end) the PT_LOAD covers (p_memsz; past p_filesz reads zeros). */
  get range(): { start: bigint; end: bigint } {
    return { start: this.ctx.load.start, end: this.ctx.load.start + this.ctx.load.size };
  }

  /** Reads `length` decrypted bytes at guest absolute address `addr`. */
  async read(addr: bigint, length: number): Promise<Uint8Array> {
    if (!Number.isInteger(length) || length < 0 || length > MAX_RANDOM_READ) {
      throw new RangeError(`read length must be 0..${MAX_RANDOM_READ} bytes, got ${length}`);
    }
    const { start, end } = this.range;
    if (addr < start || addr + BigInt(length) > end) {
      throw new PvDecryptError('address-not-in-dump', `guest range ${hx(addr)}..${hx(addr + BigInt(length))} is not inside the dump's memory ${hx(start)}..${hx(end)}`);
    }
    const out = new Uint8Array(length);
    const fileEnd = start + this.ctx.load.fileSize;
    let done = 0;
    while (done < length) {
      const a = addr + BigInt(done);
      const pageOff = Number((a - start) % BigInt(PV_PAGE_SIZE));
      const n = Math.min(length - done, PV_PAGE_SIZE - pageOff);
      if (a < fileEnd) {
        const page = await this.page(Number((a - start) / BigInt(PV_PAGE_SIZE)));
        out.set(page.subarray(pageOff, pageOff + n), done);
      }
      done += n;
    }
    return out;
  }

  async #decryptPage(index: number): Promise<Uint8Array> {
    const { ctx, reader } = this;
    const meta = await reader.readFile(ctx.memMeta.offset + BigInt(index * TWEAK_COMPONENT_SIZE), TWEAK_COMPONENT_SIZE);
    const kind = classifyEntry(meta, 0, index, ctx.load.start, Number(ctx.memMeta.offset));
    if (kind === PageKind.Zero) return new Uint8Array(PV_PAGE_SIZE);
    const data = await reader.readFile(ctx.load.fileOffset + BigInt(index) * BigInt(PV_PAGE_SIZE), PV_PAGE_SIZE);
    if (kind === PageKind.Encrypted) {
      const tweak = pageTweak(meta, 0, ctx.secrets.tweakNonce, new Uint8Array(16));
      this.cipher.decryptPages(tweak, data);
      tweak.fill(0);
    }
    return data;
  }

  /** One decrypted page by index within the PT_LOAD. */
  async page(index: number): Promise<Uint8Array> {
    const hit = this.#cache.get(index);
    if (hit !== undefined) return hit;
    const data = await this.#decryptPage(index);
    if (this.#cache.size >= CACHE_PAGES) {
      const oldest = this.#cache.keys().next().value!;
      this.#cache.get(oldest)?.fill(0);
      this.#cache.delete(oldest);
    }
    this.#cache.set(index, data);
    return data;
  }

  /** Wipes cached plaintext. */
  clear(): void {
    for (const p of this.#cache.values()) p.fill(0);
    this.#cache.clear();
  }
}
