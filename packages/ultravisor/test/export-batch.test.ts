// Batched page export (spec ultravisor.md §7.3 [E]): convertFromSecurePages gives exactly the
// result of one CONV_FROM_SEC_STOR per page in order, the node:crypto batch and the noble
// reference give the same ciphertext and tweak components, exported pages import back, and the
// packed record store keeps what the per-page records kept.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ExportRecords, tweakComponent } from '../src/storage/export-records.ts';
import { StorageRc } from '../src/uvc/codes.ts';
import { L, createConfiguration, expectOk, hostAddress, newMachine, patternPage, type Machine } from './support/machine.ts';

const PAGES = 40;
const page = (i: number): bigint => 0x100000n + BigInt(i) * 0x1000n;

/** A configuration with PAGES secure pages holding patterns (imported, then written by the "guest"). */
function securePages(backend: 'node' | 'noble'): Machine & { config: bigint } {
  const m = newMachine({ seed: 'export batch', exportBackend: backend });
  const { config } = createConfiguration(m, 1);
  for (let i = 0; i < PAGES; i++) {
    expectOk(m.uv.convertToSecure(config, page(i)), `import ${i}`);
    m.storage.write(hostAddress(page(i)), patternPage(page(i), i));
  }
  return { ...m, config };
}

const digest = (m: Machine): string =>
  createHash('sha256')
    .update(m.storage.read(hostAddress(page(0)), PAGES * 4096))
    .digest('hex');

describe('batched export', () => {
  it('node batch, node page by page and the noble reference give the same ciphertext', () => {
    const batched = securePages('node');
    const r = batched.uv.convertFromSecurePages(Array.from({ length: PAGES }, (_, i) => hostAddress(page(i))));
    expect(r.done).toBe(PAGES);
    expect([r.result.cc, r.result.rc]).toEqual([0, 1]);
    const single = securePages('node');
    for (let i = 0; i < PAGES; i++) expectOk(single.uv.convertFromSecure(BigInt(hostAddress(page(i)))), `export ${i}`);
    const reference = securePages('noble');
    const all = Array.from({ length: PAGES }, (_, i) => hostAddress(page(i)));
    expect(reference.uv.convertFromSecurePages(all).done).toBe(PAGES);
    expect(digest(batched)).toBe(digest(single));
    expect(digest(batched)).toBe(digest(reference));
    for (let i = 0; i < PAGES; i++) expect(batched.uv.guestPageState(batched.config, Number(page(i)))).toBe('exported');
    // Every page imports back to its plaintext, whichever backend exported it.
    for (const m of [batched, reference]) {
      for (let i = 0; i < PAGES; i++) {
        expectOk(m.uv.convertToSecure(m.config, page(i)), `import back ${i}`);
        expect(m.storage.read(hostAddress(page(i)), 4096)).toEqual(patternPage(page(i), i));
      }
    }
  });

  it('is one call per page in order: no-ops for non-secure pages, stops at the first refusal', () => {
    const m = securePages('node');
    const list = [hostAddress(page(0)), hostAddress(page(1)) + 0x123, hostAddress(page(PAGES + 3)), hostAddress(page(2)), Number(L.confBase), hostAddress(page(3))];
    const r = m.uv.convertFromSecurePages(list);
    expect(r.done).toBe(4);
    expect([r.result.cc, r.result.rc]).toEqual([1, StorageRc.WRONG_OWNER]);
    expect([0, 1, 2].map((i) => m.uv.guestPageState(m.config, Number(page(i))))).toEqual(['exported', 'exported', 'exported']);
    expect(m.uv.guestPageState(m.config, Number(page(3)))).toBe('secure');
    const outside = m.uv.convertFromSecurePages([hostAddress(page(3)), 2 ** 40]);
    expect(outside.done).toBe(1);
    expect([outside.result.cc, outside.result.rc]).toEqual([1, StorageRc.BAD_ADDRESS]);
    expect(m.uv.guestPageState(m.config, Number(page(3)))).toBe('exported');
    // A changed exported page is refused on import, as with single exports.
    const cipher = m.storage.read(hostAddress(page(1)), 4096);
    cipher[100] = cipher[100]! ^ 1;
    m.storage.write(hostAddress(page(1)), cipher);
    const refused = m.uv.convertToSecure(m.config, page(1));
    expect([refused.cc, refused.rc]).toEqual([1, StorageRc.INTEGRITY]);
  });
});

describe('packed export records', () => {
  it('keeps counters and digests per page across blocks and forgets them on delete', () => {
    const records = new ExportRecords();
    const d = (n: number): Uint8Array => new Uint8Array(32).fill(n);
    records.set(5, 7, d(1));
    records.set(300, 0xffffffff, d(2));
    expect(records.size).toBe(2);
    expect(records.counterOf(5)).toBe(7);
    expect(records.component(300)).toEqual(tweakComponent(0xffffffff, 300 * 4096));
    expect(Buffer.from(records.component(5)!).toString('hex')).toBe('00000000000000070000000000005000');
    expect(records.digestMatches(5, d(1))).toBe(true);
    expect(records.digestMatches(5, d(2))).toBe(false);
    expect(records.has(6)).toBe(false);
    records.delete(5);
    expect(records.has(5)).toBe(false);
    expect(records.digestMatches(5, d(1))).toBe(false);
    expect(records.size).toBe(1);
    expect(() => records.set(1, 0, d(0))).toThrow(RangeError);
    records.clear();
    expect(records.size).toBe(0);
    expect(records.has(300)).toBe(false);
  });
});
