// Test machine for the UV-call tests: sparse host storage with a fixed layout, one host key,
// and helpers that boot a secure configuration from a real SE header and encrypted image pages.
import { generateHostKeyPair, type HostKeyPair } from '../../src/index.ts';
import { buildSeHeader } from '../../src/guest-owner.ts';
import { Ultravisor, type UltravisorOptions } from '../../src/ultravisor.ts';
import { SparseHostStorage } from '../../src/storage/host-storage.ts';
import { deterministicRandom, type RandomSource } from '../../src/random.ts';
import { UnpackDigests } from '../../src/unpack-digests.ts';
import { xtsEncrypt } from '../../src/crypto/xts.ts';
import { PvCpuState } from '../../src/uvc/codes.ts';

export const HOST_SIZE = 512 * 1024 * 1024;
/** Host layout (host absolute addresses). */
export const L = {
  uvStorage: 0x0010_0000n,
  confBase: 0x0020_0000n,
  confVar: 0x0030_0000n,
  cpuStorage: (n: number): bigint => 0x0040_0000n + BigInt(n) * 0x1000n,
  sca: 0x0050_0000n,
  stateDescription: (n: number): bigint => 0x0060_0000n + BigInt(n) * 0x1000n,
  header: 0x0070_0000n,
  dumpArea: 0x0080_0000n,
  uvcb: 0x0090_0000n,
  /** Guest storage lies at the ASCE origin (the UV's default translation). */
  guest: 0x1000_0000n,
} as const;
export const GUEST_SIZE = 16n * 1024n * 1024n;
export const ASCE = L.guest | 0x107n;
export const CCK = Uint8Array.from({ length: 32 }, (_, i) => i);

/** A host key made once per process from a fixed seed (P-521 generation is slow-ish). */
let cachedHostKey: HostKeyPair | undefined;
export function hostKey(): HostKeyPair {
  cachedHostKey ??= generateHostKeyPair(deterministicRandom('test host key'));
  return cachedHostKey;
}

export interface Machine {
  uv: Ultravisor;
  storage: SparseHostStorage;
  random: RandomSource;
}

export function newMachine(options: Partial<UltravisorOptions> & { seed?: string } = {}): Machine {
  const storage = new SparseHostStorage(HOST_SIZE);
  const random = options.random ?? deterministicRandom(options.seed ?? 'uv test machine');
  const uv = new Ultravisor({ storage, hostKeys: [hostKey()], random, ...options });
  return { uv, storage, random };
}

export function expectOk(r: { cc: number; rc: number }, what: string): void {
  if (r.cc !== 0 || r.rc !== 1) throw new Error(`${what}: cc ${r.cc} rc 0x${r.rc.toString(16)}`);
}

/** Host address of guest absolute address `gaddr` under the default translation. */
export const hostAddress = (gaddr: bigint): number => Number(L.guest + gaddr);

export interface ImagePage {
  gaddr: bigint;
  plaintext: Uint8Array;
}

export interface Image {
  header: Uint8Array;
  pages: { gaddr: bigint; ciphertext: Uint8Array; tweak0: bigint; tweak1: bigint }[];
}

/** Encrypts image pages as pvimg does (tweak = u16 prefix, 6 random bytes, u64 offset) and builds the header. */
export function buildImage(pages: readonly ImagePage[], opts: { allowDumping: boolean; hostKeys?: readonly HostKeyPair[]; psw?: { mask: bigint; addr: bigint } }): Image {
  const random = deterministicRandom('image');
  const imageXtsKey = random(64);
  const digests = new UnpackDigests();
  const tweak0 = 0x0001_a1b2c3d4e5f6n;
  const out = pages.map((p, k) => {
    const tweak = new Uint8Array(16);
    const v = new DataView(tweak.buffer);
    v.setBigUint64(0, tweak0);
    v.setBigUint64(8, BigInt(k) * 4096n);
    const ciphertext = xtsEncrypt(imageXtsKey, tweak, p.plaintext);
    digests.add(ciphertext, p.gaddr, tweak);
    return { gaddr: p.gaddr, ciphertext, tweak0, tweak1: BigInt(k) * 4096n };
  });
  const d = digests.digests();
  const header = buildSeHeader({
    hostPublicKeys: (opts.hostKeys ?? [hostKey()]).map((k) => k.publicKey),
    cck: CCK,
    imageXtsKey,
    psw: opts.psw ?? { mask: 0x0000000180000000n, addr: 0x10000n },
    allowDumping: opts.allowDumping,
    encryptedPageCount: d.pages,
    pageListDigest: d.pld,
    addressListDigest: d.ald,
    tweakListDigest: d.tld,
    random,
  });
  return { header, pages: out };
}

/** Creates a configuration with `cpus` secure CPUs. */
export function createConfiguration(m: Machine, cpus: number): { config: bigint; cpus: bigint[] } {
  expectOk(m.uv.initialize(L.uvStorage, 0x10000n), 'INIT_UV');
  const conf = m.uv.createSecureConfiguration({
    guestStorageLength: GUEST_SIZE,
    guestAsce: ASCE,
    baseStorageOrigin: L.confBase,
    variableStorageOrigin: L.confVar,
    sca: L.sca,
  });
  expectOk(conf, 'CREATE_SEC_CONF');
  const handles: bigint[] = [];
  for (let n = 0; n < cpus; n++) {
    const cpu = m.uv.createSecureCpu({ configHandle: conf.handle, cpuNumber: n, storageOrigin: L.cpuStorage(n), stateOrigin: L.stateDescription(n) });
    expectOk(cpu, `CREATE_SEC_CPU ${n}`);
    handles.push(cpu.handle);
  }
  return { config: conf.handle, cpus: handles };
}

/** Sets parameters, unpacks and verifies `image`, and starts CPU 0 (operating-load). */
export function bootImage(m: Machine, config: bigint, cpus: readonly bigint[], image: Image): void {
  m.uv.hostStorage.write(Number(L.header), image.header);
  expectOk(m.uv.setSecureConfigurationParameters(config, L.header, image.header.length), 'SET_SEC_CONF_PARAMS');
  for (const p of image.pages) {
    m.uv.hostStorage.write(hostAddress(p.gaddr), p.ciphertext);
    expectOk(m.uv.unpack(config, p.gaddr, p.tweak0, p.tweak1), `UNPACK_IMG 0x${p.gaddr.toString(16)}`);
  }
  expectOk(m.uv.verify(config), 'VERIFY_IMG');
  expectOk(m.uv.setCpuState(cpus[0]!, PvCpuState.OPERATING_LOAD), 'CPU_SET_STATE operating-load');
  for (const cpu of cpus.slice(1)) expectOk(m.uv.setCpuState(cpu, PvCpuState.OPERATING), 'CPU_SET_STATE operating');
}

/** A page whose every byte depends on its address and a label. */
export function patternPage(gaddr: bigint, label: number): Uint8Array {
  const p = new Uint8Array(4096);
  for (let i = 0; i < 4096; i++) p[i] = (Number((gaddr >> 12n) & 0xffn) * 7 + i * 13 + label) & 0xff;
  return p;
}

/** Boots a configuration with two CPUs from a 3-page image; returns handles and the image's plaintext. */
export function bootedMachine(opts: { allowDumping?: boolean; cpus?: number; seed?: string } = {}): Machine & { config: bigint; cpus: bigint[]; plain: ImagePage[] } {
  const m = newMachine(opts.seed === undefined ? {} : { seed: opts.seed });
  const { config, cpus } = createConfiguration(m, opts.cpus ?? 2);
  const plain: ImagePage[] = [0x10000n, 0x11000n, 0x12000n].map((gaddr, i) => ({ gaddr, plaintext: patternPage(gaddr, i) }));
  bootImage(m, config, cpus, buildImage(plain, { allowDumping: opts.allowDumping ?? true }));
  return { ...m, config, cpus, plain };
}
