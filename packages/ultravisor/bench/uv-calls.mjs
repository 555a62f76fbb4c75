// Benchmarks of the UV calls (run after `pnpm build`): page export/import throughput, the dump
// calls, a whole 64 MiB guest dumped through the calls, and AES-256-XTS (noble) against OpenSSL.
import { createCipheriv } from 'node:crypto';
import { SparseHostStorage, Ultravisor, UnpackDigests, deterministicRandom, generateHostKeyPair, xtsEncrypt } from '../dist/index.js';
import { buildSeHeader } from '../dist/guest-owner.js';

const MIB = 0x100000;
const GUEST = 64 * MIB;
const GUEST_ORIGIN = 0x10000000;

function time(label, iterations, fn, unit = 'op', per = 1) {
  fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6 / iterations;
  const rate = per > 0 ? `${((per * 1000) / ms).toFixed(0).padStart(9)} ${unit}/s` : '';
  console.log(`${label.padEnd(52)} ${ms.toFixed(3).padStart(10)} ms/op ${rate}`);
  return ms;
}

function ok(r, what) {
  if (r.cc !== 0) throw new Error(`${what}: cc ${r.cc} rc 0x${r.rc.toString(16)}`);
  return r;
}

const random = deterministicRandom('bench');
const hostKey = generateHostKeyPair(random);
const storage = new SparseHostStorage(1024 * MIB);
const uv = new Ultravisor({ storage, hostKeys: [hostKey], random });
ok(uv.initialize(0x100000n, 0x10000n), 'INIT_UV');
const { handle: config } = ok(uv.createSecureConfiguration({ guestStorageLength: BigInt(GUEST), guestAsce: BigInt(GUEST_ORIGIN) | 0x100n, baseStorageOrigin: 0x200000n, variableStorageOrigin: 0x300000n, sca: 0x500000n }), 'CREATE_SEC_CONF');
const { handle: cpu } = ok(uv.createSecureCpu({ configHandle: config, cpuNumber: 0, storageOrigin: 0x400000n, stateOrigin: 0x600000n }), 'CREATE_SEC_CPU');
const d = new UnpackDigests().digests();
const header = buildSeHeader({
  hostPublicKeys: [hostKey.publicKey],
  cck: new Uint8Array(32).fill(1),
  psw: { mask: 0x180000000n, addr: 0x10000n },
  allowDumping: true,
  encryptedPageCount: 0n,
  pageListDigest: d.pld,
  addressListDigest: d.ald,
  tweakListDigest: d.tld,
  random,
});
uv.hostStorage.write(0x700000, header);
ok(uv.setSecureConfigurationParameters(config, 0x700000n, header.length), 'SET_SEC_CONF_PARAMS');
ok(uv.verify(config), 'VERIFY_IMG');
ok(uv.setCpuState(cpu, 5), 'operating-load');

const page = 0x10000n;
const host = BigInt(GUEST_ORIGIN) + page;
ok(uv.convertToSecure(config, page), 'import');
time(
  'export + import of one 4 KiB page',
  2000,
  () => {
    ok(uv.convertFromSecure(host), 'export');
    ok(uv.convertToSecure(config, page), 'import');
  },
  'MiB',
  (2 * 4096) / MIB,
);

// Make every guest page secure with data, then dump as QEMU does.
for (let a = 0; a < GUEST; a += 4096) {
  ok(uv.convertToSecure(config, BigInt(a)), 'import');
  storage.write(GUEST_ORIGIN + a, new Uint8Array(4096).fill(a >>> 12));
}
ok(uv.dumpInit(config), 'DUMP_INIT');
time('DUMP_CPU', 500, () => ok(uv.dumpCpu(cpu, 0x800000n), 'DUMP_CPU'));
let start = process.hrtime.bigint();
for (let a = 0; a < GUEST; a += 4096) ok(uv.convertFromSecure(BigInt(GUEST_ORIGIN + a)), 'export');
let ms = Number(process.hrtime.bigint() - start) / 1e6;
console.log(`${'export all pages of a 64 MiB guest'.padEnd(52)} ${ms.toFixed(1).padStart(10)} ms    ${((64 * 1000) / ms).toFixed(0).padStart(9)} MiB/s`);
start = process.hrtime.bigint();
for (let a = 0; a < GUEST; a += MIB) ok(uv.dumpStorageState(config, 0x800000n, BigInt(a)), 'STOR_STATE');
ms = Number(process.hrtime.bigint() - start) / 1e6;
console.log(`${'DUMP_CONF_STOR_STATE, 64 MiB (all exported)'.padEnd(52)} ${(ms / 64).toFixed(3).padStart(10)} ms/MiB`);
ok(uv.dumpComplete(config, 0x800000n), 'DUMP_COMPLETE');

// STOR_STATE when it must export the pages itself.
for (let a = 0; a < 16 * MIB; a += 4096) ok(uv.convertToSecure(config, BigInt(a)), 'import');
ok(uv.dumpInit(config), 'DUMP_INIT');
start = process.hrtime.bigint();
for (let a = 0; a < 16 * MIB; a += MIB) ok(uv.dumpStorageState(config, 0x800000n, BigInt(a)), 'STOR_STATE');
ms = Number(process.hrtime.bigint() - start) / 1e6;
console.log(`${'DUMP_CONF_STOR_STATE, 16 MiB (exports inside)'.padEnd(52)} ${(ms / 16).toFixed(3).padStart(10)} ms/MiB`);
ok(uv.dumpComplete(config, 0x800000n), 'DUMP_COMPLETE');

const key = random(64);
const tweak = random(16);
const data = random(4096);
time('AES-256-XTS 4 KiB page, xtsEncrypt noble backend', 2000, () => xtsEncrypt(key, tweak, data, 'noble'), 'MiB', 4096 / MIB);
time('AES-256-XTS 4 KiB page, xtsEncrypt node backend', 2000, () => xtsEncrypt(key, tweak, data, 'node'), 'MiB', 4096 / MIB);
time(
  'AES-256-XTS 4 KiB page, raw node:crypto (OpenSSL)',
  2000,
  () => {
    const c = createCipheriv('aes-256-xts', key, tweak);
    c.update(data);
    c.final();
  },
  'MiB',
  4096 / MIB,
);
