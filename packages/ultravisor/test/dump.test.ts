// The four dump calls: every refusal with its rc, AllowDumping enforced, has_osii only for a
// pending instruction interception, and a whole dump assembled from the calls (memory exported
// first, ELF written by @pvdump/dump-format) that @pvdump/dump-decrypt opens to exactly the
// guest's memory and registers for zero, shared and encrypted pages and three CPUs.
import { describe, expect, it } from 'vitest';
import { emptyCpuState, writeDump, type CpuState } from '@pvdump/dump-format';
import { openPvDump } from '@pvdump/dump-decrypt';
import { tempPath } from '@pvdump/test-support';
import type { CpuSnapshot } from '@pvdump/s390x-cpu/state';
import { CompletionDataV1, deriveDumpKey, gcmOpen, pageTweak } from '@pvdump/pv-format';
import { xtsDecrypt } from '../src/crypto/xts.ts';
import { SecureStorageAccessError } from '../src/errors.ts';
import { DumpRc, UvRc, UvCommand } from '../src/uvc/codes.ts';
import { expectDecryptedCpu, storageStateAndCompletion } from './support/dump.ts';
import { GUEST_SIZE, CCK, L, bootedMachine, buildImage, createConfiguration, expectOk, hostAddress, newMachine, patternPage, type Machine } from './support/machine.ts';

const rc = (r: { cc: number; rc: number }): [number, number] => [r.cc, r.rc];
const AREA = L.dumpArea;
const MIB = 0x100000n;

describe('dump call refusals', () => {
  it('DUMP_INIT: bad handle 0x20, not verified 0x104, in progress 0x103; then a new dump after DUMP_COMPLETE', () => {
    const m = newMachine();
    const { config, cpus } = createConfiguration(m, 1);
    expect(rc(m.uv.dumpInit(config + 1n))).toEqual([1, UvRc.INV_GHANDLE]);
    expect(rc(m.uv.dumpInit(config))).toEqual([1, DumpRc.NOT_VERIFIED]); // no SE header yet
    const image = buildImage([{ gaddr: 0x10000n, plaintext: patternPage(0x10000n, 0) }], { allowDumping: true });
    m.uv.hostStorage.write(Number(L.header), image.header);
    expectOk(m.uv.setSecureConfigurationParameters(config, L.header, image.header.length), 'SSC');
    expect(rc(m.uv.dumpInit(config))).toEqual([1, DumpRc.NOT_VERIFIED]); // header set, image not verified
    const p = image.pages[0]!;
    m.uv.hostStorage.write(hostAddress(p.gaddr), p.ciphertext);
    expectOk(m.uv.unpack(config, p.gaddr, p.tweak0, p.tweak1), 'UNPACK');
    expectOk(m.uv.verify(config), 'VERIFY');
    expectOk(m.uv.dumpInit(config), 'DUMP_INIT');
    expect(rc(m.uv.dumpInit(config))).toEqual([1, DumpRc.IN_PROGRESS]);
    const first = m.uv.dumpComplete(config, AREA);
    expectOk(first, 'DUMP_COMPLETE');
    expect(rc(m.uv.dumpComplete(config, AREA))).toEqual([1, DumpRc.NOT_DUMPING]);
    expectOk(m.uv.dumpInit(config), 'second DUMP_INIT');
    const second = m.uv.dumpComplete(config, AREA);
    expectOk(second, 'second DUMP_COMPLETE');
    const seed = (d: Uint8Array | undefined): string => Buffer.from(d!.subarray(CompletionDataV1.seed, CompletionDataV1.iv)).toString('hex');
    expect(seed(second.data)).not.toBe(seed(first.data));
    expect(cpus).toHaveLength(1);
  });

  it('DUMP_INIT is refused with 0x101 when the SE header does not allow dumping', () => {
    const m = bootedMachine({ allowDumping: false });
    expect(rc(m.uv.dumpInit(m.config))).toEqual([1, DumpRc.NOT_ALLOWED]);
    expect(rc(m.uv.dumpCpu(m.cpus[0]!, AREA))).toEqual([1, DumpRc.NOT_DUMPING]);
  });

  it('DUMP_CPU, DUMP_CONF_STOR_STATE, DUMP_COMPLETE: out of order 0x105, bad handles, gaddr 0x106/0x107, origin 0x108', () => {
    const m = bootedMachine();
    expect(rc(m.uv.dumpCpu(m.cpus[0]!, AREA))).toEqual([1, DumpRc.NOT_DUMPING]);
    expect(rc(m.uv.dumpStorageState(m.config, AREA, 0n))).toEqual([1, DumpRc.NOT_DUMPING]);
    expect(rc(m.uv.dumpComplete(m.config, AREA))).toEqual([1, DumpRc.NOT_DUMPING]);
    expectOk(m.uv.dumpInit(m.config), 'DUMP_INIT');
    expect(rc(m.uv.dumpCpu(0x77n, AREA))).toEqual([1, UvRc.INV_CHANDLE]);
    expect(rc(m.uv.dumpStorageState(0x77n, AREA, 0n))).toEqual([1, UvRc.INV_GHANDLE]);
    expect(rc(m.uv.dumpComplete(0x77n, AREA))).toEqual([1, UvRc.INV_GHANDLE]);
    expect(rc(m.uv.dumpStorageState(m.config, AREA, 0x1000n))).toEqual([1, DumpRc.GADDR_NOT_ALIGNED]);
    expect(rc(m.uv.dumpStorageState(m.config, AREA, GUEST_SIZE))).toEqual([1, DumpRc.GADDR_TOO_LARGE]);
    for (const origin of [AREA + 4n, BigInt(m.storage.size) - 0x800n, L.confBase, BigInt(hostAddress(0x10000n))]) {
      expect(rc(m.uv.dumpCpu(m.cpus[0]!, origin))).toEqual([1, DumpRc.BAD_ORIGIN]);
      expect(rc(m.uv.dumpStorageState(m.config, origin, 0n))).toEqual([1, DumpRc.BAD_ORIGIN]);
      expect(rc(m.uv.dumpComplete(m.config, origin))).toEqual([1, DumpRc.BAD_ORIGIN]);
    }
    // Wrong header.len for each dump block.
    for (const [cmd, size] of [
      [UvCommand.DUMP_INIT, 0x40],
      [UvCommand.DUMP_CPU, 0x50],
      [UvCommand.DUMP_CONF_STOR_STATE, 0x50],
      [UvCommand.DUMP_COMPLETE, 0x50],
    ] as const) {
      const b = new Uint8Array(0x60);
      const v = new DataView(b.buffer);
      v.setUint16(0, size - 8);
      v.setUint16(2, cmd);
      expect(m.uv.execute(b)).toBe(1);
      expect(v.getUint16(4)).toBe(UvRc.INV_LEN);
    }
    // Still dumping: the refusals did not end the dump.
    expectOk(m.uv.dumpCpu(m.cpus[0]!, AREA), 'DUMP_CPU');
    expectOk(m.uv.dumpComplete(m.config, AREA), 'DUMP_COMPLETE');
  });

  it('discards the dump state when the configuration is destroyed', () => {
    const m = bootedMachine();
    expectOk(m.uv.dumpInit(m.config), 'DUMP_INIT');
    for (const cpu of m.cpus) expectOk(m.uv.destroySecureCpu(cpu), 'DESTROY_SEC_CPU');
    expectOk(m.uv.destroySecureConfiguration(m.config), 'DESTROY_SEC_CONF');
    expect(rc(m.uv.dumpComplete(m.config, AREA))).toEqual([1, UvRc.INV_GHANDLE]);
  });

  it('exports a secure page at DUMP_CONF_STOR_STATE and reports zero, shared and mapped pages as the spec says', () => {
    const m = bootedMachine();
    expectOk(m.uv.convertToSecure(m.config, 0x20000n), 'import');
    expectOk(m.uv.changeSharedAccess(m.cpus[0]!, 0x20000n, true), 'share');
    expectOk(m.uv.dumpInit(m.config), 'DUMP_INIT');
    const state = m.uv.dumpStorageState(m.config, AREA, 0n);
    expectOk(state, 'STOR_STATE');
    const entry = (i: number): string => Buffer.from(state.data!.subarray(16 * i, 16 * i + 16)).toString('hex');
    expect(entry(0)).toBe('ffffffff000000000000000000000005'); // never used, mapped: zero | mapped
    expect(entry(0x20)).toBe('ffffffff000000000000000000000006'); // shared | mapped
    expect(entry(0x10).startsWith('00000000')).toBe(true);
    expect(entry(0x10).endsWith('0000000000010000')).toBe(true);
    expect(state.data!.length).toBe(0x1000);
    // The secure page is now exported: the host reads ciphertext that the completion data opens.
    const cipher = m.uv.hostStorage.read(hostAddress(0x10000n), 4096);
    const compl = m.uv.dumpComplete(m.config, AREA).data!;
    const key = deriveDumpKey(CCK, compl.subarray(CompletionDataV1.seed, CompletionDataV1.iv));
    const secrets = gcmOpen(key, compl.subarray(CompletionDataV1.iv, CompletionDataV1.iv + 12), compl.subarray(0, 96), compl.subarray(96, 272), compl.subarray(272, 288))!;
    const tweak = pageTweak(state.data!.subarray(0x100, 0x110), 0, secrets.subarray(0, 16));
    expect(xtsDecrypt(secrets.subarray(16, 80), tweak, cipher)).toEqual(m.plain[0]!.plaintext);
    expect(Array.from(compl.subarray(288))).toEqual(new Array<number>(4096 - 288).fill(0));
  });
});

/** Registers of secure CPU `n`, all fields distinct so that any mix-up shows. */
function registersFor(n: number): (s: CpuSnapshot) => void {
  return (s) => {
    const b = BigInt(n + 1);
    s.psw = { mask: 0x0705000180000000n, addr: 0x10000n + b * 0x100n };
    for (let i = 0; i < 16; i++) {
      s.gprs[i] = b * 0x0100000000000000n + BigInt(i) * 0x1111n;
      s.acrs[i] = (n + 1) * 0x1000 + i;
      s.crs[i] = b * 0x10000n + BigInt(i);
    }
    for (let i = 0; i < 32; i++) s.vrs[i] = Uint8Array.from({ length: 16 }, (_, k) => (n * 32 + i * 3 + k) & 0xff);
    s.fpc = 0x00080000 + n;
    s.prefix = 0x2000 * (n + 1);
    s.cpuTimer = 0x7fff000000000000n + b;
    s.clockComparator = 0xc0ffee0000000000n + b;
    s.todProgrammable = 0x1230 + n;
    s.gsCb = { reserved: 0n, gsd: 0x1000n + b, gssm: 0xff00n + b, gsepla: 0x40000n + b };
  };
}

/** Reads all guest memory as QEMU does: each secure page faults and is exported, then read. */
function* readGuestMemory(m: Machine & { config: bigint }): Generator<Uint8Array> {
  for (let mib = 0n; mib < GUEST_SIZE; mib += MIB) {
    const chunk = new Uint8Array(Number(MIB));
    for (let off = 0; off < Number(MIB); off += 4096) {
      const host = hostAddress(mib + BigInt(off));
      let page: Uint8Array;
      try {
        page = m.uv.hostStorage.read(host, 4096);
      } catch (err) {
        if (!(err instanceof SecureStorageAccessError)) throw err;
        expect(m.uv.pinPageShared(BigInt(host)).cc).toBe(1); // not shared: export instead
        expectOk(m.uv.convertFromSecure(BigInt(host)), 'export on host access');
        page = m.uv.hostStorage.read(host, 4096);
      }
      chunk.set(page, off);
    }
    yield chunk;
  }
}

describe('a whole PV dump from the UV calls', () => {
  it('decrypts with @pvdump/dump-decrypt to exactly the guest memory and the registers of three CPUs', async () => {
    const m = bootedMachine({ cpus: 3, seed: 'e2e dump' });
    const expected = new Map<bigint, Uint8Array>(m.plain.map((p) => [p.gaddr, p.plaintext]));
    // The guest imports and writes pages in several MiBs, including the last page.
    for (const gaddr of [0x100000n, 0x234000n, 0x7ff000n, GUEST_SIZE - 0x1000n]) {
      expectOk(m.uv.convertToSecure(m.config, gaddr), 'import');
      m.storage.write(hostAddress(gaddr), patternPage(gaddr, 0x40));
      expected.set(gaddr, patternPage(gaddr, 0x40));
    }
    expectOk(m.uv.convertToSecure(m.config, 0x600000n), 'import of a page the guest never writes'); // secure zeros
    // A shared I/O buffer with plaintext the host wrote.
    expectOk(m.uv.convertToSecure(m.config, 0x500000n), 'import');
    expectOk(m.uv.changeSharedAccess(m.cpus[0]!, 0x500000n, true), 'share');
    m.uv.hostStorage.write(hostAddress(0x500000n), patternPage(0x500000n, 0x77));
    expected.set(0x500000n, patternPage(0x500000n, 0x77));
    // A page swapped out long before the dump, and a destroyed page (zero again).
    expectOk(m.uv.convertFromSecure(BigInt(hostAddress(0x11000n))), 'early export');
    expectOk(m.uv.destroySecurePage(BigInt(hostAddress(0x12000n))), 'destroy');
    expected.delete(0x12000n);

    // CPU 0 stops normally; CPU 1 exits for an instruction the host never completes (has_osii);
    // CPU 2's interception is completed by re-entering it before the dump.
    const [cpu0, cpu1, cpu2] = m.cpus as [bigint, bigint, bigint];
    m.uv.runSecureCpu(cpu0, (s) => (registersFor(0)(s), { kind: 'other', reason: 'disabled wait' }));
    m.uv.runSecureCpu(cpu1, (s) => (registersFor(1)(s), { kind: 'instruction', instruction: Uint8Array.from([0xb2, 0x20, 0, 0x12]) }));
    m.uv.runSecureCpu(cpu2, () => ({ kind: 'instruction', instruction: Uint8Array.from([0x83, 0x12, 0x05, 0x00]) }));
    m.uv.runSecureCpu(cpu2, (s) => (registersFor(2)(s), { kind: 'other', reason: 'stopped' }), { registers: new Map([[1, 0x100000000000000n * 3n + 0x1111n]]) });

    // The QEMU sequence: INIT, CPU notes, memory (exports), STOR_STATE per MiB, COMPLETE.
    expectOk(m.uv.dumpInit(m.config), 'DUMP_INIT');
    const cpuStates: CpuState[] = m.cpus.map((handle, i) => {
      const r = m.uv.dumpCpu(handle, AREA + BigInt(i) * 0x1000n);
      expectOk(r, 'DUMP_CPU');
      expect(r.data!.length).toBe(0x1000);
      const hv = emptyCpuState(i + 1);
      hv.pvCpuData = r.data!;
      return hv;
    });
    const path = tempPath('uv-e2e.elf');
    await writeDump(path, { cpus: cpuStates, memory: [{ start: 0n, size: GUEST_SIZE }], pv: { memMetaSize: (GUEST_SIZE / MIB) * 0x1000n, complSize: 0x1000n } }, readGuestMemory(m), async () =>
      storageStateAndCompletion(m.uv, m.config, AREA + 0x10000n, GUEST_SIZE),
    );

    const dump = await openPvDump(path, CCK);
    try {
      expect(dump.cpus).toHaveLength(3);
      for (let n = 0; n < 3; n++) {
        const want = structuredClone(emptySnapshot());
        registersFor(n)(want);
        expectDecryptedCpu(dump.cpus[n]!, want, n === 1);
      }
      expect(dump.warnings.filter((w) => /partial instruction results/i.test(w))).toHaveLength(1);
      const census = await dump.pageCensus();
      // 2 image pages left (one destroyed), 4 written pages, 1 secure zero page; 1 shared page.
      expect(census).toEqual({ encrypted: 7, shared: 1, zero: 4096 - 8, mapped: 4096 - 7, total: 4096 });
      for (let mib = 0n; mib < GUEST_SIZE; mib += MIB) {
        const got = await dump.readMemory(mib, Number(MIB));
        const want = new Uint8Array(Number(MIB));
        for (const [gaddr, page] of expected) if (gaddr >= mib && gaddr < mib + MIB) want.set(page, Number(gaddr - mib));
        expect(Buffer.compare(Buffer.from(got), Buffer.from(want)), `MiB at 0x${mib.toString(16)}`).toBe(0);
      }
    } finally {
      await dump.close();
    }
    // The dump is over: the guest's pages import back and the CPUs may run again.
    expectOk(m.uv.convertToSecure(m.config, 0x100000n), 'import after the dump');
    expect(m.storage.read(hostAddress(0x100000n), 4096)).toEqual(patternPage(0x100000n, 0x40));
  });
});

function emptySnapshot(): CpuSnapshot {
  return {
    psw: { mask: 0n, addr: 0n },
    gprs: new Array<bigint>(16).fill(0n),
    acrs: new Array<number>(16).fill(0),
    crs: new Array<bigint>(16).fill(0n),
    fpc: 0,
    vrs: Array.from({ length: 32 }, () => new Uint8Array(16)),
    prefix: 0,
    cpuTimer: 0n,
    clockComparator: 0n,
    todProgrammable: 0,
    bear: 0n,
    gsCb: { reserved: 0n, gsd: 0n, gssm: 0n, gsepla: 0n },
  };
}

describe('reproducible dumps', () => {
  function dumpOutputs(seed: string): string[] {
    const m = bootedMachine({ seed });
    expectOk(m.uv.convertToSecure(m.config, 0x300000n), 'import');
    m.storage.write(hostAddress(0x300000n), patternPage(0x300000n, 1));
    m.uv.runSecureCpu(m.cpus[0]!, (s) => (registersFor(0)(s), { kind: 'other', reason: 'wait' }));
    expectOk(m.uv.dumpInit(m.config), 'DUMP_INIT');
    const out = [m.uv.dumpCpu(m.cpus[0]!, AREA).data!, m.uv.dumpCpu(m.cpus[1]!, AREA).data!];
    for (let mib = 0n; mib < GUEST_SIZE; mib += MIB) out.push(m.uv.dumpStorageState(m.config, AREA, mib).data!);
    out.push(m.uv.hostStorage.read(hostAddress(0x300000n), 4096));
    out.push(m.uv.dumpComplete(m.config, AREA).data!);
    return out.map((b) => Buffer.from(b).toString('hex'));
  }

  it('gives byte-identical UV outputs for the same random seed and different ones for another', () => {
    const a = dumpOutputs('reproducible');
    expect(dumpOutputs('reproducible')).toEqual(a);
    const other = dumpOutputs('another seed');
    expect(other[0]).not.toBe(a[0]); // fresh IV and dump key
    expect(other.at(-1)).not.toBe(a.at(-1));
  });
});
