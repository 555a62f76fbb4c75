// A secure configuration's whole life with two CPUs (init, create, SE header, unpack, verify,
// start, resets, destroy), and every refusal of those calls with its rc.
import { describe, expect, it } from 'vitest';
import { SecureCpuError } from '../src/errors.ts';
import { CpuStateRc, CreateConfRc, CreateCpuRc, ImageRc, InitRc, PvCpuState, SetParamsRc, UvRc } from '../src/uvc/codes.ts';
import { MACHINE_MINIMUM_UV_STORAGE_ORIGIN, SparseHostStorage, Ultravisor, generateHostKeyPair } from '../src/index.ts';
import { buildSeHeader } from '../src/guest-owner.ts';
import { PCF_NO_DECRYPTION } from '../src/calls/image.ts';
import { UnpackDigests } from '../src/unpack-digests.ts';
import { deterministicRandom } from '../src/random.ts';
import type { CreateConfigurationArgs, CreateCpuArgs } from '../src/ultravisor.ts';
import { ASCE, GUEST_SIZE, L, bootImage, bootedMachine, buildImage, createConfiguration, expectOk, hostAddress, hostKey, newMachine, patternPage } from './support/machine.ts';

const rc = (r: { cc: number; rc: number }): [number, number] => [r.cc, r.rc];

describe('secure configuration lifecycle', () => {
  it('runs init → create → parameters → unpack → verify → start → reset → destroy with two CPUs', () => {
    const m = newMachine();
    const { config, cpus } = createConfiguration(m, 2);
    expect(cpus).toHaveLength(2);
    expect(cpus[0]).not.toBe(cpus[1]);
    const pages = [0x10000n, 0x11000n].map((gaddr, i) => ({ gaddr, plaintext: patternPage(gaddr, i) }));
    const psw = { mask: 0x0000000180000000n, addr: 0x10000n };
    bootImage(m, config, cpus, buildImage(pages, { allowDumping: true, psw }));
    // Unpacked pages are secure: the host cannot read them; the guest CPU sees the plaintext.
    expect(m.uv.guestPageState(config, 0x10000)).toBe('secure');
    expect(() => m.uv.hostStorage.read(hostAddress(0x10000n), 16)).toThrow(/secure guest page/);
    expect(m.storage.read(hostAddress(0x11000n), 4096)).toEqual(pages[1]!.plaintext);
    expect(m.uv.secureCpuState(cpus[0]!)).toBe(PvCpuState.OPERATING);
    // The boot CPU starts at the header's PSW.
    const seen: bigint[] = [];
    const exit = m.uv.runSecureCpu(cpus[0]!, (cpu) => {
      seen.push(cpu.psw.addr, cpu.psw.mask);
      cpu.gprs[2] = 0x1234n;
      return { kind: 'other', reason: 'disabled wait' };
    });
    expect(exit).toEqual({ kind: 'other', reason: 'disabled wait' });
    expect(seen).toEqual([psw.addr, psw.mask]);
    // Resets: initial keeps GPRs, clear zeroes them; both stop the CPU.
    expectOk(m.uv.resetCpu(cpus[0]!, 'initial'), 'initial reset');
    expectOk(m.uv.setCpuState(cpus[0]!, PvCpuState.OPERATING), 'operating');
    m.uv.runSecureCpu(cpus[0]!, (cpu) => {
      expect(cpu.gprs[2]).toBe(0x1234n);
      expect(cpu.psw.addr).toBe(0n);
      expect(cpu.crs[0]).toBe(0xe0n);
      return { kind: 'other', reason: 'checked' };
    });
    expectOk(m.uv.resetCpu(cpus[0]!, 'clear'), 'clear reset');
    expect(m.uv.secureCpuState(cpus[0]!)).toBe(PvCpuState.STOPPED);
    expect(() => m.uv.runSecureCpu(cpus[0]!, () => ({ kind: 'other', reason: 'x' }))).toThrow(SecureCpuError);
    expectOk(m.uv.setCpuState(cpus[0]!, PvCpuState.OPERATING), 'operating');
    m.uv.runSecureCpu(cpus[0]!, (cpu) => {
      expect(cpu.gprs[2]).toBe(0n);
      return { kind: 'other', reason: 'checked' };
    });
    expectOk(m.uv.resetCpu(cpus[1]!, 'normal'), 'normal reset');
    expectOk(m.uv.prepareReset(config), 'prepare reset');
    // Teardown: the configuration needs its CPUs destroyed first.
    expect(rc(m.uv.destroySecureConfiguration(config))).toEqual([1, UvRc.INV_STATE]);
    for (const cpu of cpus) expectOk(m.uv.destroySecureCpu(cpu), 'DESTROY_SEC_CPU');
    expectOk(m.uv.destroySecureConfiguration(config), 'DESTROY_SEC_CONF');
    // Secure pages were cleared and returned; donated storage is the host's again.
    expect(m.uv.hostStorage.read(hostAddress(0x10000n), 4096)).toEqual(new Uint8Array(4096));
    expect(m.uv.hostStorage.read(Number(L.confBase), 16)).toEqual(new Uint8Array(16));
    expect(m.uv.guestPageState(config, 0x10000)).toBeUndefined();
    expect(rc(m.uv.destroySecureConfiguration(config))).toEqual([1, UvRc.INV_GHANDLE]);
    // A new configuration can reuse the storage and gets a new handle.
    const again = m.uv.createSecureConfiguration({ guestStorageLength: GUEST_SIZE, guestAsce: ASCE, baseStorageOrigin: L.confBase, variableStorageOrigin: L.confVar, sca: L.sca });
    expectOk(again, 'second CREATE_SEC_CONF');
    expect(again.handle).not.toBe(config);
  });

  it('refuses bad INIT_UV calls', () => {
    const m = newMachine();
    expect(rc(m.uv.initialize(L.uvStorage, 0x1000n))).toEqual([1, InitRc.BAD_STORAGE_LENGTH]);
    expect(rc(m.uv.initialize(L.uvStorage + 8n, 0x10000n))).toEqual([1, InitRc.BAD_ORIGIN]);
    expect(rc(m.uv.initialize(BigInt(m.storage.size) - 0x8000n, 0x10000n))).toEqual([1, InitRc.BAD_ORIGIN_PLUS_LENGTH]);
    expectOk(m.uv.initialize(L.uvStorage, 0x10000n), 'INIT_UV');
    expect(rc(m.uv.initialize(L.uvStorage, 0x10000n))).toEqual([1, InitRc.ALREADY_INITIALISED]);
  });

  it('refuses INIT_UV while other host CPUs run, and UV storage below the 2 GiB the machine requires', () => {
    let running = 2;
    const m = newMachine({ runningHostCpus: () => running });
    expect(rc(m.uv.initialize(L.uvStorage, 0x10000n))).toEqual([1, InitRc.TOO_MANY_CPUS]);
    // The refusal changed nothing: the other CPUs stop, and INIT_UV succeeds.
    expect(rc(m.uv.createSecureConfiguration({ guestStorageLength: GUEST_SIZE, guestAsce: ASCE, baseStorageOrigin: L.confBase, variableStorageOrigin: L.confVar, sca: L.sca }))).toEqual([1, UvRc.INV_STATE]);
    running = 1;
    expectOk(m.uv.initialize(L.uvStorage, 0x10000n), 'INIT_UV with one CPU running');

    // A 4 GiB machine with the machine's rule: UV storage at 1 GiB is refused, at 2 GiB accepted.
    const big = new Ultravisor({ storage: new SparseHostStorage(4 * 1024 * 1024 * 1024), minimumUvStorageOrigin: MACHINE_MINIMUM_UV_STORAGE_ORIGIN });
    expect(rc(big.initialize(0x40000000n, 0x10000n))).toEqual([1, InitRc.STORAGE_BELOW_2G]);
    expect(rc(big.initialize(MACHINE_MINIMUM_UV_STORAGE_ORIGIN - 0x10000n, 0x10000n))).toEqual([1, InitRc.STORAGE_BELOW_2G]);
    expectOk(big.initialize(MACHINE_MINIMUM_UV_STORAGE_ORIGIN, 0x10000n), 'INIT_UV at 2 GiB');
    // The default emulated host has no such floor (small hosts run protected guests too).
    expectOk(newMachine().uv.initialize(0x100000n, 0x10000n), 'INIT_UV at 1 MiB by default');
  });

  it('refuses bad CREATE_SEC_CONF calls with their rc', () => {
    const m = newMachine();
    expectOk(m.uv.initialize(L.uvStorage, 0x10000n), 'INIT_UV');
    const good: CreateConfigurationArgs = { guestStorageLength: GUEST_SIZE, guestAsce: ASCE, baseStorageOrigin: L.confBase, variableStorageOrigin: L.confVar, sca: L.sca };
    const create = (over: Partial<CreateConfigurationArgs>): [number, number] => rc(m.uv.createSecureConfiguration({ ...good, ...over }));
    expect(create({ guestStorageOrigin: 0x40000000000n })).toEqual([1, CreateConfRc.MSO_TOO_LARGE]);
    expect(create({ guestStorageLength: 0x40000000000n + 0x100000n })).toEqual([1, CreateConfRc.MSO_PLUS_MSL_TOO_LARGE]);
    expect(create({ guestStorageLength: 0x1000n })).toEqual([1, CreateConfRc.MSO_PLUS_MSL_TOO_LARGE]);
    expect(create({ guestAsce: 0n })).toEqual([1, CreateConfRc.INVALID_ASCE]);
    // kvm-unit-tests' uv-host (the machine's answers): the private-space bit missing, the real-space bit set.
    expect(create({ guestAsce: ASCE & ~0x100n })).toEqual([1, CreateConfRc.INVALID_ASCE]);
    expect(create({ guestAsce: ASCE | 0x20n })).toEqual([1, CreateConfRc.INVALID_ASCE]);
    expect(create({ baseStorageOrigin: BigInt(m.storage.size) })).toEqual([1, CreateConfRc.BASE_STORAGE_INVALID]);
    expect(create({ baseStorageOrigin: 0n })).toEqual([1, CreateConfRc.BASE_STORAGE_OVERLAPS_LOWCORE]);
    expect(create({ baseStorageOrigin: L.confBase + 8n })).toEqual([1, CreateConfRc.BASE_STORAGE_INVALID]);
    expect(create({ variableStorageOrigin: 0x1000n })).toEqual([1, CreateConfRc.VAR_STORAGE_OVERLAPS_LOWCORE]);
    expect(create({ sca: 0n })).toEqual([1, CreateConfRc.SCA_ZERO]);
    expect(create({ sca: BigInt(m.storage.size) })).toEqual([1, CreateConfRc.SCA_INACCESSIBLE]);
    expect(create({ baseStorageOrigin: L.uvStorage })).toEqual([1, CreateConfRc.STORAGE_IN_USE]);
    expect(create({ variableStorageOrigin: L.confBase })).toEqual([1, CreateConfRc.STORAGE_IN_USE]);
    expectOk(m.uv.createSecureConfiguration(good), 'CREATE_SEC_CONF');
    expect(create({ guestAsce: ASCE + 0x1000n })).toEqual([1, CreateConfRc.STORAGE_IN_USE]);
    // The same ASCE with fresh storage: refused (uv-host's "reuse ASCE" wants rc >= 0x104, no handle).
    const reuse = m.uv.createSecureConfiguration({ ...good, baseStorageOrigin: 0x1400_0000n, variableStorageOrigin: 0x1410_0000n });
    expect([reuse.cc, reuse.rc, reuse.handle]).toEqual([1, CreateConfRc.INVALID_ASCE, 0n]);
  });

  it('refuses more than max_num_sec_conf configurations', () => {
    const m = newMachine();
    expectOk(m.uv.initialize(L.uvStorage, 0x10000n), 'INIT_UV');
    let last: [number, number] = [0, 0];
    for (let i = 0; i <= 64; i++) {
      const base = 0x1400_0000n + BigInt(i) * 0x10_0000n;
      last = rc(m.uv.createSecureConfiguration({ guestStorageLength: 1n << 20n, guestAsce: ASCE + BigInt(i) * 0x1000n, baseStorageOrigin: base, variableStorageOrigin: base + 0x8_0000n, sca: L.sca }));
      if (i < 64) expect(last).toEqual([0, 1]);
    }
    expect(last).toEqual([1, CreateConfRc.TOO_MANY_CONFIGURATIONS]);
  });

  it('refuses bad CREATE_SEC_CPU and DESTROY_SEC_CPU calls with their rc', () => {
    const m = newMachine();
    const { config } = createConfiguration(m, 1);
    const good: CreateCpuArgs = { configHandle: config, cpuNumber: 1, storageOrigin: L.cpuStorage(1), stateOrigin: L.stateDescription(1) };
    const create = (over: Partial<CreateCpuArgs>): [number, number] => rc(m.uv.createSecureCpu({ ...good, ...over }));
    expect(create({ configHandle: config + 99n })).toEqual([1, UvRc.INV_GHANDLE]);
    expect(create({ cpuNumber: 248 })).toEqual([1, CreateCpuRc.INVALID_CPU_NUMBER]);
    expect(create({ cpuNumber: 0 })).toEqual([1, CreateCpuRc.CPU_ALREADY_DEFINED]);
    expect(create({ storageOrigin: L.cpuStorage(1) + 0x10n })).toEqual([1, CreateCpuRc.STORAGE_INACCESSIBLE]);
    expect(create({ storageOrigin: BigInt(m.storage.size) })).toEqual([1, CreateCpuRc.STORAGE_INACCESSIBLE]);
    expect(create({ storageOrigin: 0x1000n })).toEqual([1, CreateCpuRc.STORAGE_IN_LOWCORE]);
    expect(create({ stateOrigin: 0n })).toEqual([1, CreateCpuRc.STATE_DESCRIPTION_INACCESSIBLE]);
    expect(create({ storageOrigin: L.cpuStorage(0) })).toEqual([1, CreateCpuRc.STORAGE_IN_USE]);
    expect(rc(m.uv.destroySecureCpu(0x1234n))).toEqual([1, UvRc.INV_CHANDLE]);
    expect(create({ cpuNumber: 247 })).toEqual([0, 1]);
  });

  it('refuses SE headers for other hosts (0x108), tampered (0x109), of another version (0x10A), and twice (0x10D)', () => {
    const m = newMachine();
    const { config } = createConfiguration(m, 1);
    const other = generateHostKeyPair(deterministicRandom('another machine'));
    const image = buildImage([], { allowDumping: true });
    const set = (header: Uint8Array): [number, number] => {
      m.uv.hostStorage.write(Number(L.header), header);
      return rc(m.uv.setSecureConfigurationParameters(config, L.header, header.length));
    };
    expect(set(buildImage([], { allowDumping: true, hostKeys: [other] }).header)).toEqual([1, SetParamsRc.NO_KEY_SLOT]);
    // A flipped bit in the AAD, the encrypted area and the tag.
    for (const offset of [56, image.header.length - 40, image.header.length - 1]) {
      const bad = image.header.slice();
      bad[offset] = bad[offset]! ^ 0x01;
      expect(set(bad)).toEqual([1, SetParamsRc.HEADER_INVALID]);
    }
    const v2 = image.header.slice();
    new DataView(v2.buffer).setUint32(8, 0x200);
    expect(set(v2)).toEqual([1, SetParamsRc.UNSUPPORTED_VERSION]);
    const badMagic = image.header.slice();
    badMagic[0] = 0;
    expect(set(badMagic)).toEqual([1, SetParamsRc.HEADER_MALFORMED]);
    expect(rc(m.uv.setSecureConfigurationParameters(config, L.header, 0x3000))).toEqual([1, SetParamsRc.HEADER_MALFORMED]);
    expect(rc(m.uv.setSecureConfigurationParameters(config, L.confBase, image.header.length))).toEqual([1, SetParamsRc.HEADER_ACCESS_EXCEPTION]);
    expect(rc(m.uv.setSecureConfigurationParameters(config + 5n, L.header, image.header.length))).toEqual([1, UvRc.INV_GHANDLE]);
    expect(set(image.header)).toEqual([0, 1]);
    expect(set(image.header)).toEqual([1, SetParamsRc.ALREADY_SET]);
  });

  it('accepts a header with three host keys when this machine holds the third', () => {
    const m = newMachine();
    const { config, cpus } = createConfiguration(m, 1);
    const others = [generateHostKeyPair(deterministicRandom('a')), generateHostKeyPair(deterministicRandom('b'))];
    const image = buildImage([{ gaddr: 0x20000n, plaintext: patternPage(0x20000n, 9) }], { allowDumping: false, hostKeys: [...others, hostKey()] });
    bootImage(m, config, cpus, image);
    expect(m.storage.read(hostAddress(0x20000n), 4096)).toEqual(patternPage(0x20000n, 9));
  });

  it('refuses bad UNPACK_IMG, VERIFY_IMG and CPU_SET_STATE calls with their rc', () => {
    const m = newMachine();
    const { config, cpus } = createConfiguration(m, 1);
    const page = { gaddr: 0x10000n, plaintext: patternPage(0x10000n, 1) };
    const image = buildImage([page], { allowDumping: true });
    const p = image.pages[0]!;
    expect(rc(m.uv.unpack(config, p.gaddr, p.tweak0, p.tweak1))).toEqual([1, ImageRc.NO_HEADER]);
    expect(rc(m.uv.verify(config))).toEqual([1, ImageRc.NO_HEADER]);
    expect(rc(m.uv.setCpuState(cpus[0]!, PvCpuState.OPERATING_LOAD))).toEqual([1, CpuStateRc.NOT_VERIFIED]);
    expect(rc(m.uv.setCpuState(cpus[0]!, 4))).toEqual([1, CpuStateRc.INVALID_STATE]);
    expect(rc(m.uv.setCpuState(cpus[0]! + 1n, PvCpuState.STOPPED))).toEqual([1, UvRc.INV_CHANDLE]);
    m.uv.hostStorage.write(Number(L.header), image.header);
    expectOk(m.uv.setSecureConfigurationParameters(config, L.header, image.header.length), 'SSC');
    expect(rc(m.uv.unpack(config, 0x10008n, p.tweak0, p.tweak1))).toEqual([1, ImageRc.BAD_ADDRESS]);
    expect(rc(m.uv.unpack(config, GUEST_SIZE, p.tweak0, p.tweak1))).toEqual([1, ImageRc.BAD_ADDRESS]);
    // Verify before all pages are unpacked: the page count does not match.
    expect(rc(m.uv.verify(config))).toEqual([1, ImageRc.VERIFY_FAILED]);
    m.uv.hostStorage.write(hostAddress(p.gaddr), p.ciphertext);
    expectOk(m.uv.unpack(config, p.gaddr, p.tweak0, p.tweak1), 'UNPACK_IMG');
    expect(rc(m.uv.unpack(config, p.gaddr, p.tweak0, p.tweak1))).toEqual([1, ImageRc.PAGE_ALREADY_SECURE]);
    expectOk(m.uv.verify(config), 'VERIFY_IMG');
    expect(rc(m.uv.unpack(config, 0x30000n, p.tweak0, p.tweak1))).toEqual([1, ImageRc.NO_HEADER]);
  });

  it('refuses VERIFY_IMG when a page was changed or unpacked with another tweak or address', () => {
    for (const change of ['page', 'tweak', 'address'] as const) {
      const m = newMachine();
      const { config } = createConfiguration(m, 1);
      const image = buildImage([{ gaddr: 0x10000n, plaintext: patternPage(0x10000n, 1) }], { allowDumping: true });
      const p = image.pages[0]!;
      m.uv.hostStorage.write(Number(L.header), image.header);
      expectOk(m.uv.setSecureConfigurationParameters(config, L.header, image.header.length), 'SSC');
      const ct = p.ciphertext.slice();
      if (change === 'page') ct[100] = ct[100]! ^ 0x80;
      const gaddr = change === 'address' ? 0x11000n : p.gaddr;
      m.uv.hostStorage.write(hostAddress(gaddr), ct);
      expectOk(m.uv.unpack(config, gaddr, p.tweak0, change === 'tweak' ? p.tweak1 + 0x1000n : p.tweak1), 'UNPACK_IMG');
      expect(rc(m.uv.verify(config))).toEqual([1, ImageRc.VERIFY_FAILED]);
    }
  });

  it('boots the shared test machine', () => {
    const m = bootedMachine();
    expect(m.uv.guestPageState(m.config, 0x12000)).toBe('secure');
  });
});

describe('SE header control flags', () => {
  it('unpacks pages as they are when PCF bit 35 (no component decryption) is set, still checking the digests', () => {
    const m = newMachine();
    const { config } = createConfiguration(m, 1);
    const page = patternPage(0x10000n, 5);
    const digests = new UnpackDigests();
    const tweak = new Uint8Array(16);
    tweak[1] = 1;
    digests.add(page, 0x10000n, tweak);
    const d = digests.digests();
    const header = buildSeHeader({
      hostPublicKeys: [hostKey().publicKey],
      cck: new Uint8Array(32).fill(3),
      psw: { mask: 0x0000000180000000n, addr: 0x10000n },
      pcf: 0xe0n | PCF_NO_DECRYPTION,
      encryptedPageCount: d.pages,
      pageListDigest: d.pld,
      addressListDigest: d.ald,
      tweakListDigest: d.tld,
      random: deterministicRandom('pcf35'),
    });
    m.uv.hostStorage.write(Number(L.header), header);
    expectOk(m.uv.setSecureConfigurationParameters(config, L.header, header.length), 'SSC');
    m.uv.hostStorage.write(hostAddress(0x10000n), page);
    expectOk(m.uv.unpack(config, 0x10000n, 0x0001000000000000n, 0n), 'UNPACK_IMG');
    expect(m.storage.read(hostAddress(0x10000n), 4096)).toEqual(page);
    expectOk(m.uv.verify(config), 'VERIFY_IMG');
  });

  it('refuses a PCF bit outside supp_se_hdr_pcf with rc 0x10E', () => {
    const m = newMachine();
    const { config } = createConfiguration(m, 1);
    const header = buildSeHeader({ hostPublicKeys: [hostKey().publicKey], cck: new Uint8Array(32), psw: { mask: 0n, addr: 0n }, pcf: 0x8000000000000000n, random: deterministicRandom('pcf0') });
    m.uv.hostStorage.write(Number(L.header), header);
    expect(rc(m.uv.setSecureConfigurationParameters(config, L.header, header.length))).toEqual([1, SetParamsRc.UNSUPPORTED_PCF]);
  });
});

describe('SET_SEC_CONF_PARAMS against a flipped bit anywhere in the header', () => {
  it('refuses every single-bit change of the SE header and still accepts the original', () => {
    const m = newMachine();
    const { config } = createConfiguration(m, 1);
    const header = buildImage([], { allowDumping: true }).header;
    const refusals = new Map<number, number>();
    for (let offset = 0; offset < header.length; offset++) {
      const bad = header.slice();
      bad[offset] = bad[offset]! ^ (1 << (offset % 8));
      m.uv.hostStorage.write(Number(L.header), bad);
      const r = m.uv.setSecureConfigurationParameters(config, L.header, bad.length);
      expect(r.cc, `bit flipped at offset ${offset}`).toBe(1);
      refusals.set(r.rc, (refusals.get(r.rc) ?? 0) + 1);
    }
    expect([...refusals.keys()].sort()).toEqual([SetParamsRc.NO_KEY_SLOT, SetParamsRc.HEADER_INVALID, SetParamsRc.UNSUPPORTED_VERSION, SetParamsRc.HEADER_MALFORMED].sort());
    m.uv.hostStorage.write(Number(L.header), header);
    expect(rc(m.uv.setSecureConfigurationParameters(config, L.header, header.length))).toEqual([0, 1]);
  });
});
