// Property test of the storage calls against a model: random sequences of guest writes, exports,
// imports, shares, destroys, host reads and host tampering keep the UV consistent, the host never
// reads a secure page, and a final dump's storage state plus completion data decrypt every page to
// the model's contents.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompletionDataV1, deriveDumpKey, gcmOpen, pageTweak } from '@pvdump/pv-format';
import { xtsDecrypt } from '../src/crypto/xts.ts';
import { SecureStorageAccessError } from '../src/errors.ts';
import { StorageRc } from '../src/uvc/codes.ts';
import { CCK, L, bootedMachine, expectOk, hostAddress } from './support/machine.ts';

type PageState = 'zero' | 'secure' | 'shared' | 'exported';
const PAGES = [0x20n, 0x21n, 0x22n, 0x40n, 0x41n, 0x100n, 0x1ffn, 0x200n].map((p) => p * 0x1000n);

const action = fc.oneof(
  fc.record({ kind: fc.constant('write' as const), page: fc.nat(PAGES.length - 1), value: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constantFrom('export' as const, 'import' as const, 'share' as const, 'unshare' as const, 'destroy' as const, 'read' as const, 'tamper' as const), page: fc.nat(PAGES.length - 1) }),
);

describe('storage calls against a model', () => {
  it('stay consistent for random operation sequences', () => {
    fc.assert(
      fc.property(fc.array(action, { minLength: 1, maxLength: 40 }), (actions) => {
        const m = bootedMachine({ seed: 'model', cpus: 1 });
        const cpu = m.cpus[0]!;
        const state = new Map<bigint, PageState>(PAGES.map((g) => [g, 'zero']));
        const content = new Map<bigint, Uint8Array>(PAGES.map((g) => [g, new Uint8Array(4096)]));
        for (const a of actions) {
          const gaddr = PAGES[a.page]!;
          const host = hostAddress(gaddr);
          const s = state.get(gaddr)!;
          switch (a.kind) {
            case 'write': {
              // The guest's access imports a non-secure page first (as KVM does on PGM 0x3E).
              if (s === 'zero' || s === 'exported') expectOk(m.uv.convertToSecure(m.config, gaddr), 'import on write');
              if (s !== 'shared') state.set(gaddr, 'secure');
              const page = content.get(gaddr)!;
              page.fill(a.value, 0, 64);
              page[4095] = a.value ^ 0xff;
              m.storage.write(host, page);
              break;
            }
            case 'export':
              expectOk(m.uv.convertFromSecure(BigInt(host)), 'export');
              if (s === 'secure') state.set(gaddr, 'exported');
              break;
            case 'import':
              expectOk(m.uv.convertToSecure(m.config, gaddr), 'import');
              if (s === 'zero' || s === 'exported') state.set(gaddr, 'secure');
              break;
            case 'share':
            case 'unshare': {
              const r = m.uv.changeSharedAccess(cpu, gaddr, a.kind === 'share');
              if (s === 'secure' || s === 'shared') {
                expectOk(r, a.kind);
                state.set(gaddr, a.kind === 'share' ? 'shared' : 'secure');
              } else expect(r.cc).toBe(1);
              break;
            }
            case 'destroy': {
              const r = m.uv.destroySecurePage(BigInt(host));
              if (s === 'secure' || s === 'shared') {
                expectOk(r, 'destroy');
                state.set(gaddr, 'zero');
                content.get(gaddr)!.fill(0);
              } else expect([r.cc, r.rc]).toEqual([1, StorageRc.NOT_SECURE]);
              break;
            }
            case 'read':
              if (s === 'secure') expect(() => m.uv.hostStorage.read(host, 4096)).toThrow(SecureStorageAccessError);
              else if (s === 'shared') expect(m.uv.hostStorage.read(host, 4096)).toEqual(content.get(gaddr));
              else if (s === 'exported') expect(m.uv.hostStorage.read(host, 4096)).not.toEqual(content.get(gaddr));
              break;
            case 'tamper':
              if (s === 'exported') {
                const original = m.uv.hostStorage.read(host, 4096);
                const changed = original.slice();
                changed[a.page * 16] = changed[a.page * 16]! ^ 0x40;
                m.uv.hostStorage.write(host, changed);
                expect([m.uv.convertToSecure(m.config, gaddr).rc]).toEqual([StorageRc.INTEGRITY]);
                m.uv.hostStorage.write(host, original);
              }
              break;
          }
          expect(m.uv.guestPageState(m.config, Number(gaddr))).toBe(state.get(gaddr) === 'zero' ? 'non-secure' : state.get(gaddr));
        }
        // A dump reveals tweak components and keys; every page decrypts to the model.
        expectOk(m.uv.dumpInit(m.config), 'DUMP_INIT');
        const entries = new Map<bigint, Uint8Array>();
        for (const mib of [0n, 0x100000n, 0x200000n]) {
          const st = m.uv.dumpStorageState(m.config, L.dumpArea, mib).data!;
          for (const g of PAGES) if (g >= mib && g < mib + 0x100000n) entries.set(g, st.slice(Number(g - mib) / 256, Number(g - mib) / 256 + 16));
        }
        const compl = m.uv.dumpComplete(m.config, L.dumpArea).data!;
        const key = deriveDumpKey(CCK, compl.subarray(CompletionDataV1.seed, CompletionDataV1.iv));
        const secrets = gcmOpen(key, compl.subarray(80, 92), compl.subarray(0, 96), compl.subarray(96, 272), compl.subarray(272, 288))!;
        const components = new Set<string>();
        for (const g of PAGES) {
          const e = entries.get(g)!;
          const s = state.get(g)!;
          const hex = Buffer.from(e).toString('hex');
          if (s === 'zero') expect(hex).toBe('ffffffff000000000000000000000005');
          else if (s === 'shared') expect(hex).toBe('ffffffff000000000000000000000006');
          else {
            expect(hex.startsWith('ffffffff')).toBe(false);
            components.add(hex);
            const plain = xtsDecrypt(secrets.subarray(16, 80), pageTweak(e, 0, secrets.subarray(0, 16)), m.uv.hostStorage.read(hostAddress(g), 4096));
            expect(plain).toEqual(content.get(g));
          }
        }
        expect(components.size).toBe([...state.values()].filter((s) => s === 'secure' || s === 'exported').length);
      }),
      { numRuns: 60, seed: 20261126 },
    );
  });
});
