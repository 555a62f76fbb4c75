// Benchmarks of the SE header, host key and protected image code (run after `pnpm build`):
// header build/open with 1 and 3 host keys, P-521 ECDH (node:crypto vs @noble/curves), and
// Secure Execution image (genprotimg's layout) build/read/verify/decrypt throughput for a
// synthetic kernel image.
import { ecdhSharedX, ecdhSharedXNoble, generateHostKeyPair, openSeHeader } from '../dist/index.js';
import { buildGenprotimgImage, buildSeHeader, decryptGenprotimgComponent, verifyGenprotimgImage } from '../dist/guest-owner.js';
import { readGenprotimgImage } from '../dist/protected-image.js';

function time(label, iterations, fn) {
  fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6 / iterations;
  console.log(`${label.padEnd(44)} ${ms.toFixed(2).padStart(9)} ms/op`);
  return ms;
}

const hosts = [generateHostKeyPair(), generateHostKeyPair(), generateHostKeyPair()];
const cck = new Uint8Array(32).fill(7);
const psw = { mask: 0x0000000180000000n, addr: 0x10000n };

time('P-521 ECDH, node:crypto', 50, () => ecdhSharedX(hosts[0].privateKey, hosts[1].publicKey));
time('P-521 ECDH, @noble/curves', 20, () => ecdhSharedXNoble(hosts[0].privateKey, hosts[1].publicKey));
time('generateHostKeyPair', 20, () => generateHostKeyPair());
const one = buildSeHeader({ hostPublicKeys: [hosts[0].publicKey], cck, psw });
const three = buildSeHeader({ hostPublicKeys: hosts.map((h) => h.publicKey), cck, psw });
time('buildSeHeader, 1 host key', 20, () => buildSeHeader({ hostPublicKeys: [hosts[0].publicKey], cck, psw }));
time('buildSeHeader, 3 host keys', 20, () => buildSeHeader({ hostPublicKeys: hosts.map((h) => h.publicKey), cck, psw }));
time('openSeHeader, 1 key slot', 50, () => openSeHeader(one, [hosts[0]]).wipe());
time('openSeHeader, 3 key slots (last one)', 50, () => openSeHeader(three, [hosts[2]]).wipe());

const mib = Number(process.env.BENCH_GUEST_MIB ?? 16);
const kernel = new Uint8Array(mib << 20);
for (let page = 0; page < kernel.length / 4096; page++) kernel.fill(page & 0xff, page * 4096, (page + 1) * 4096);
let bytes;
const buildMs = time(`buildGenprotimgImage, ${mib} MiB kernel`, 1, () => {
  bytes = buildGenprotimgImage({ kernel, hostPublicKeys: [hosts[0].publicKey], cck });
});
console.log(`${'  = build throughput'.padEnd(44)} ${(mib / (buildMs / 1000)).toFixed(1).padStart(9)} MiB/s`);
let image;
time(`readGenprotimgImage, ${mib} MiB kernel`, 3, () => {
  image = readGenprotimgImage(bytes);
});
const secrets = openSeHeader(image.seHeader, [hosts[0]]);
const verifyMs = time(`verifyGenprotimgImage, ${mib} MiB kernel`, 1, () => verifyGenprotimgImage(image, secrets.psw));
console.log(`${'  = digest (SHA-512 x3) throughput'.padEnd(44)} ${(mib / (verifyMs / 1000)).toFixed(1).padStart(9)} MiB/s`);
const decryptMs = time(`decrypt all components, ${mib} MiB kernel`, 1, () => {
  for (const c of image.components) decryptGenprotimgComponent(c, secrets.imageXtsKey).fill(0);
});
console.log(`${'  = XTS decrypt throughput'.padEnd(44)} ${(mib / (decryptMs / 1000)).toFixed(1).padStart(9)} MiB/s`);
secrets.wipe();
