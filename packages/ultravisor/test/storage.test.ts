// Storage conversion: import of never-used and exported pages, export encryption and tweak
// components, the integrity check on import, shared pages, pin, destroy, and host isolation.
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { SecureCpuError, SecureStorageAccessError } from '../src/errors.ts';
import { DESTROY_NOT_SECURE_RRC, ShareRc, StorageRc, UvRc } from '../src/uvc/codes.ts';
import { GUEST_SIZE, L, bootedMachine, createConfiguration, expectOk, hostAddress, newMachine, patternPage } from './support/machine.ts';

const rc = (r: { cc: number; rc: number; rrc?: number }): [number, number] => [r.cc, r.rc];

describe('storage import and export', () => {
  it('imports a never-used page as a zero secure page', () => {
    const m = newMachine();
    const { config } = createConfiguration(m, 1);
    m.uv.hostStorage.write(hostAddress(0x40000n), new Uint8Array(4096).fill(0xaa)); // host garbage
    expectOk(m.uv.convertToSecure(config, 0x40000n), 'import');
    expect(m.uv.guestPageState(config, 0x40000)).toBe('secure');
    expect(m.storage.read(hostAddress(0x40000n), 4096)).toEqual(new Uint8Array(4096));
    expectOk(m.uv.convertToSecure(config, 0x40000n), 'import of a secure page is a no-op');
    expectOk(m.uv.convertToSecure(config, 0x41abcn), 'import by a faulting address inside the page');
    expect(m.uv.guestPageState(config, 0x41000)).toBe('secure');
  });

  it('export then import gives back the page; the host only ever sees ciphertext', () => {
    const m = bootedMachine();
    const gaddr = 0x11000n;
    const plain = m.plain[1]!.plaintext;
    expect(() => m.uv.hostStorage.read(hostAddress(gaddr), 4096)).toThrow(SecureStorageAccessError);
    expectOk(m.uv.convertFromSecure(BigInt(hostAddress(gaddr))), 'export');
    expect(m.uv.guestPageState(m.config, Number(gaddr))).toBe('exported');
    const cipher = m.uv.hostStorage.read(hostAddress(gaddr), 4096);
    expect(cipher).not.toEqual(plain);
    expectOk(m.uv.convertFromSecure(BigInt(hostAddress(gaddr))), 'export of an exported page is a no-op');
    expect(m.uv.hostStorage.read(hostAddress(gaddr), 4096)).toEqual(cipher);
    expectOk(m.uv.convertToSecure(m.config, gaddr), 'import');
    expect(m.storage.read(hostAddress(gaddr), 4096)).toEqual(plain);
    // A second export encrypts with a new tweak: different ciphertext for the same plaintext.
    expectOk(m.uv.convertFromSecure(BigInt(hostAddress(gaddr))), 'second export');
    expect(m.uv.hostStorage.read(hostAddress(gaddr), 4096)).not.toEqual(cipher);
  });

  it('refuses to import a changed exported page (rc 0x110) and keeps it non-secure and importable', () => {
    const m = bootedMachine();
    const gaddr = 0x10000n;
    const host = hostAddress(gaddr);
    expectOk(m.uv.convertFromSecure(BigInt(host)), 'export');
    const cipher = m.uv.hostStorage.read(host, 4096);
    const changed = cipher.slice();
    changed[4095] = changed[4095]! ^ 0x01;
    m.uv.hostStorage.write(host, changed);
    expect(rc(m.uv.convertToSecure(m.config, gaddr))).toEqual([1, StorageRc.INTEGRITY]);
    expect(m.uv.guestPageState(m.config, Number(gaddr))).toBe('exported');
    expect(m.uv.hostStorage.read(host, 4096)).toEqual(changed);
    m.uv.hostStorage.write(host, cipher); // the host restores what it was given
    expectOk(m.uv.convertToSecure(m.config, gaddr), 'import of the restored page');
    expect(m.storage.read(host, 4096)).toEqual(m.plain[0]!.plaintext);
  });

  it('imports an exported page that the host moved to another frame (swap-out, swap-in elsewhere)', () => {
    const frames = new Map<number, number>();
    const m = newMachine({ translateGuestAddress: (asce, gaddr) => frames.get(gaddr) ?? Number(asce & ~0xfffn) + gaddr });
    const { config } = createConfiguration(m, 1);
    const gaddr = 0x7000n;
    expectOk(m.uv.convertToSecure(config, gaddr), 'import');
    m.storage.write(hostAddress(gaddr), patternPage(gaddr, 3)); // the guest writes its page
    expectOk(m.uv.convertFromSecure(BigInt(hostAddress(gaddr))), 'export (swap-out)');
    const cipher = m.uv.hostStorage.read(hostAddress(gaddr), 4096);
    const newFrame = 0x0a00_0000;
    m.uv.hostStorage.write(newFrame, cipher);
    m.uv.hostStorage.write(hostAddress(gaddr), new Uint8Array(4096)); // old frame reused by the host
    frames.set(Number(gaddr), newFrame);
    expectOk(m.uv.convertToSecure(config, gaddr), 'import (swap-in)');
    expect(m.storage.read(newFrame, 4096)).toEqual(patternPage(gaddr, 3));
    expect(() => m.uv.hostStorage.read(newFrame, 1)).toThrow(SecureStorageAccessError);
    expect(m.uv.hostStorage.read(hostAddress(gaddr), 16)).toEqual(new Uint8Array(16));
  });

  it('gives every export a unique tweak component that never starts with FF FF FF FF', () => {
    const m = bootedMachine();
    const gaddr = 0x10000n;
    const components = new Set<string>();
    const cipherDigests = new Set<string>();
    for (let i = 0; i < 50; i++) {
      expectOk(m.uv.convertFromSecure(BigInt(hostAddress(gaddr))), 'export');
      const cipher = m.uv.hostStorage.read(hostAddress(gaddr), 4096);
      cipherDigests.add(Buffer.from(sha256(cipher)).toString('hex'));
      expectOk(m.uv.convertToSecure(m.config, gaddr), 'import');
    }
    for (const g of [0x10000n, 0x11000n, 0x12000n]) expectOk(m.uv.convertFromSecure(BigInt(hostAddress(g))), 'export');
    // Read the components through a dump's storage state (the only place the UV reveals them).
    expectOk(m.uv.dumpInit(m.config), 'DUMP_INIT');
    const state = m.uv.dumpStorageState(m.config, 0x0080_0000n, 0n);
    expectOk(state, 'DUMP_CONF_STOR_STATE');
    for (const page of [0x10, 0x11, 0x12]) {
      const entry = state.data!.subarray(page * 16, page * 16 + 16);
      expect(Buffer.from(entry.subarray(0, 4)).toString('hex')).not.toBe('ffffffff');
      expect(new DataView(entry.buffer, entry.byteOffset).getBigUint64(8)).toBe(BigInt(page) * 0x1000n);
      components.add(Buffer.from(entry).toString('hex'));
    }
    expect(components.size).toBe(3);
    expect(cipherDigests.size).toBe(50); // same plaintext, 50 exports, 50 different ciphertexts
    const complete = m.uv.dumpComplete(m.config, 0x0080_0000n);
    expectOk(complete, 'DUMP_COMPLETE');
  });

  it('refuses conversions of bad addresses, unmapped pages and pages of another owner', () => {
    const m = newMachine({
      translateGuestAddress: (asce, gaddr) => (gaddr === 0x50000 ? undefined : Number(asce & ~0xfffn) + gaddr),
    });
    const { config } = createConfiguration(m, 1);
    expect(rc(m.uv.convertToSecure(config, GUEST_SIZE))).toEqual([1, StorageRc.BAD_ADDRESS]);
    expect(rc(m.uv.convertToSecure(config + 1n, 0n))).toEqual([1, UvRc.INV_GHANDLE]);
    expect(rc(m.uv.convertToSecure(config, 0x50000n))).toEqual([1, StorageRc.PAGE_NOT_MAPPED]);
    expect(rc(m.uv.convertFromSecure(BigInt(m.storage.size)))).toEqual([1, StorageRc.BAD_ADDRESS]);
    expect(rc(m.uv.convertFromSecure(0x0020_0000n))).toEqual([1, StorageRc.WRONG_OWNER]); // donated base storage
    expect(rc(m.uv.destroySecurePage(0x0020_0000n))).toEqual([1, StorageRc.WRONG_OWNER]);
  });

  it('destroys a secure page (cleared, reported as zero) and refuses a non-secure one with rc 0x107 rrc 0x0D', () => {
    const m = bootedMachine();
    const host = BigInt(hostAddress(0x10000n));
    expectOk(m.uv.destroySecurePage(host), 'DESTR_SEC_STOR');
    expect(m.uv.hostStorage.read(Number(host), 4096)).toEqual(new Uint8Array(4096));
    expect(m.uv.guestPageState(m.config, 0x10000)).toBe('non-secure');
    const again = m.uv.destroySecurePage(host);
    expect([again.cc, again.rc, again.rrc]).toEqual([1, StorageRc.NOT_SECURE, DESTROY_NOT_SECURE_RRC]);
    expectOk(m.uv.convertToSecure(m.config, 0x10000n), 'import after destroy');
    expect(m.storage.read(Number(host), 4096)).toEqual(new Uint8Array(4096));
  });
});

describe('shared pages and isolation', () => {
  it('lets the guest share and unshare a page; the host reads shared pages, pins them, and cannot read others', () => {
    const m = bootedMachine();
    const cpu = m.cpus[0]!;
    const shared = 0x11000n;
    const host = hostAddress(shared);
    expect(rc(m.uv.pinPageShared(BigInt(host)))).toEqual([1, StorageRc.NOT_SHARED]);
    expectOk(m.uv.changeSharedAccess(cpu, shared, true), 'SET_SHARED_ACCESS');
    expect(m.uv.guestPageState(m.config, Number(shared))).toBe('shared');
    expect(m.uv.hostStorage.read(host, 4096)).toEqual(m.plain[1]!.plaintext);
    m.uv.hostStorage.write(host, new Uint8Array(16).fill(0x5a)); // I/O into a shared buffer
    expectOk(m.uv.pinPageShared(BigInt(host)), 'PIN_PAGE_SHARED');
    expectOk(m.uv.unpinPageShared(BigInt(host)), 'UNPIN_PAGE_SHARED');
    expectOk(m.uv.convertFromSecure(BigInt(host)), 'export of a shared page is a no-op');
    expect(m.uv.hostStorage.read(host, 16)).toEqual(new Uint8Array(16).fill(0x5a));
    expect(() => m.uv.hostStorage.read(hostAddress(0x10000n), 1)).toThrow(/secure guest page/);
    expect(() => m.uv.hostStorage.read(host + 4090, 16)).toThrow(SecureStorageAccessError); // crosses into 0x12000
    expect([m.uv.isHostAccessible(host), m.uv.isHostAccessible(hostAddress(0x10000n)), m.uv.isHostAccessible(Number(L.confBase))]).toEqual([true, false, false]);
    expect([m.uv.isHostAccessible(Number(L.header)), m.uv.isHostAccessible(m.storage.size)]).toEqual([true, false]);
    expectOk(m.uv.changeSharedAccess(cpu, shared, false), 'REMOVE_SHARED_ACCESS');
    expect(() => m.uv.hostStorage.read(host, 1)).toThrow(SecureStorageAccessError);
    expectOk(m.uv.changeSharedAccess(cpu, shared, true), 'SET_SHARED_ACCESS again');
    expectOk(m.uv.setUnshareAll(m.config), 'SET_UNSHARE_ALL');
    expect(m.uv.guestPageState(m.config, Number(shared))).toBe('secure');
    expect(rc(m.uv.changeSharedAccess(cpu, 0x90000n, true))).toEqual([1, ShareRc.NOT_SECURE]);
    expect(rc(m.uv.changeSharedAccess(cpu, 0x10001n, true))).toEqual([1, ShareRc.BAD_ADDRESS]);
    expect(rc(m.uv.setUnshareAll(m.config + 1n))).toEqual([1, UvRc.INV_GHANDLE]);
    expect(() => m.uv.changeSharedAccess(0x99n, shared, true)).toThrow(SecureCpuError);
  });

  it('reports every page state change to the listener', () => {
    const events: string[] = [];
    const m = newMachine({ onGuestPageChange: (_h, gaddr, state) => events.push(`${gaddr.toString(16)}:${state}`) });
    const { config, cpus } = createConfiguration(m, 1);
    expectOk(m.uv.convertToSecure(config, 0x3000n), 'import');
    expectOk(m.uv.changeSharedAccess(cpus[0]!, 0x3000n, true), 'share');
    expectOk(m.uv.changeSharedAccess(cpus[0]!, 0x3000n, false), 'unshare');
    expectOk(m.uv.convertFromSecure(BigInt(hostAddress(0x3000n))), 'export');
    expect(events).toEqual(['3000:secure', '3000:shared', '3000:secure', '3000:non-secure']);
  });

  it('shows the host only the registers an instruction interception exposes', () => {
    const m = bootedMachine();
    const cpu = m.cpus[0]!;
    const exit = m.uv.runSecureCpu(cpu, (s) => {
      s.gprs[1] = 0x1111n;
      s.gprs[2] = 0x2222n;
      s.gprs[9] = 0x9999n;
      return { kind: 'instruction', instruction: Uint8Array.from([0xb2, 0x20, 0x00, 0x12]) }; // servc %r1,%r2
    });
    expect(exit.kind).toBe('instruction');
    if (exit.kind !== 'instruction') return;
    expect(exit.interception.mnemonic).toBe('servc');
    expect([...exit.interception.registers]).toEqual([
      [1, 0x1111n],
      [2, 0x2222n],
    ]);
    expect(() => m.uv.runSecureCpu(cpu, () => ({ kind: 'other', reason: 'x' }), { registers: new Map([[9, 0n]]) })).toThrow(/not exposed/);
    m.uv.runSecureCpu(
      cpu,
      (s) => {
        expect(s.gprs[2]).toBe(0x42n); // the host's result for the intercepted instruction
        expect(s.gprs[9]).toBe(0x9999n);
        return { kind: 'other', reason: 'done' };
      },
      { registers: new Map([[2, 0x42n]]) },
    );
    expect(() => m.uv.runSecureCpu(cpu, () => ({ kind: 'other', reason: 'x' }), { registers: new Map([[2, 1n]]) })).toThrow(/no pending interception/);
  });
});
