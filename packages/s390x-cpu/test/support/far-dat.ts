// DAT tables for tests of virtual addresses anywhere in the 64-bit space: a region-first ASCE
// whose tables are built on demand from a pool of real storage (PoO chapter 3, "Translation
// tables": region tables of 2048 entries with TT 3/2/1, segment tables of 2048 entries, page
// tables of 256 entries). The low 1 MiB (code, lowcore) is mapped to itself, except virtual page 0,
// which goes to its own frame so that an operand wrapping past 2^64 lands somewhere visible.
import type { Cpu, GuestMemory } from '../../src/index.ts';

const INVALID = 0x20n;
const PTE_INVALID = 0x400n;
/** Region and segment tables: 2048 entries (TL 3, 16 KiB); page tables 256 entries (2 KiB). */
const TABLE_BYTES = 0x4000;

export const DAT_PSW_64 = 0x0400000180000000n;
export const DAT_PSW_31 = 0x0400000080000000n;
/** The real frame virtual page 0 maps to. */
export const PAGE_ZERO_FRAME = 0x82000;

export class FarDat {
  private next: number;
  readonly root: number;

  constructor(
    private readonly mem: GuestMemory,
    pool = 0xc0000,
  ) {
    this.next = pool;
    this.root = this.table(0xcn);
    for (let p = 1; p < 256; p++) this.map(BigInt(p * 4096), p * 4096);
    this.map(0n, PAGE_ZERO_FRAME);
  }

  /** Maps the virtual page of `vaddr` to the real frame `real`. */
  map(vaddr: bigint, real: number): void {
    let table = this.root;
    for (const [shift, tt] of [
      [53n, 0x8n],
      [42n, 0x4n],
      [31n, 0x0n],
    ] as const) {
      const at = table + 8 * Number((vaddr >> shift) & 0x7ffn);
      let entry = this.mem.readU64(at);
      if ((entry & INVALID) !== 0n) {
        // Region-first/second/third entries: origin, TT of the table they hold, TL 3.
        const child = tt === 0n ? this.segmentTable() : this.table(tt);
        entry = BigInt(child) | ((tt + 4n) & 0xcn) | 0x3n;
        this.mem.writeU64(at, entry);
      }
      table = Number(entry & ~0xfffn);
    }
    const segmentEntryAt = table + 8 * Number((vaddr >> 20n) & 0x7ffn);
    let segment = this.mem.readU64(segmentEntryAt);
    if ((segment & INVALID) !== 0n) {
      const pageTable = this.alloc(0x800);
      for (let i = 0; i < 256; i++) this.mem.writeU64(pageTable + 8 * i, PTE_INVALID);
      segment = BigInt(pageTable);
      this.mem.writeU64(segmentEntryAt, segment);
    }
    this.mem.writeU64(Number(segment & ~0x7ffn) + 8 * Number((vaddr >> 12n) & 0xffn), BigInt(real));
  }

  /** Loads CR1 with the region-first ASCE and turns on AFP and vector registers in CR0. */
  install(cpu: Cpu): void {
    cpu.setCr(1, BigInt(this.root) | 0xcn | 0x3n);
    cpu.setCr(0, 0x60000n);
  }

  /** A table of 2048 invalid entries of type `tt` (0xc region-first ... 0 segment). */
  private table(tt: bigint): number {
    const t = this.alloc(TABLE_BYTES);
    for (let i = 0; i < 2048; i++) this.mem.writeU64(t + 8 * i, INVALID | tt);
    return t;
  }
  private segmentTable(): number {
    return this.table(0n);
  }
  /** Real storage for a table, aligned on its size's boundary (4 KiB, or 2 KiB for page tables). */
  private alloc(bytes: number): number {
    const align = Math.min(bytes, 4096);
    const at = Math.ceil(this.next / align) * align;
    this.next = at + bytes;
    if (this.next > this.mem.size) throw new RangeError('DAT table pool exhausted');
    return at;
  }
}
