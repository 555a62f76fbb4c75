// Benchmark of @pvdump/dump-decrypt (run `pnpm bench` after `pnpm build`): decrypts a generated
// PV dump (default 2 GiB, mostly encrypted pages; PVDUMP_BENCH_GIB to change) with each backend
// and worker count, each in its own process, and reports throughput of guest memory, peak RSS,
// and `openssl speed -evp aes-256-xts` (4 KiB blocks, one core) for scale.
import { execFileSync } from 'node:child_process';
import { closeSync, fstatSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeDump } from './make-dump.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const gib = Number(process.env.PVDUMP_BENCH_GIB ?? '2');
const bytes = Math.round(gib * 2 ** 30 / 2 ** 20) * 2 ** 20;
const dir = mkdtempSync(join(tmpdir(), 'pvdump-bench-'));
const GiB = 2 ** 30;

function opensslXts() {
  try {
    const text = execFileSync('openssl', ['speed', '-evp', 'aes-256-xts', '-bytes', '4096', '-seconds', '3'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const m = /AES-256-XTS\s+([\d.]+)k/i.exec(text);
    return m ? (Number(m[1]) * 1000) / GiB : undefined;
  } catch {
    return undefined;
  }
}

try {
  const dump = join(dir, 'pv.elf');
  let t = Date.now();
  const { cck, known } = await makeDump(dump, bytes);
  console.log(`generated a ${gib} GiB PV dump in ${((Date.now() - t) / 1000).toFixed(1)} s`);

  // Spot check: the first 16 pages decrypt to the known plaintext.
  const check = join(dir, 'check.elf');
  execFileSync(process.execPath, [join(here, 'decrypt-one.mjs'), dump, cck.toString('hex'), check, 'node', '2']);
  const fd = openSync(check, 'r');
  const head = Buffer.alloc(known.length);
  readSync(fd, head, 0, known.length, fstatSync(fd).size - bytes);
  closeSync(fd);
  if (!head.equals(known)) throw new Error('spot check failed: decrypted pages differ from the known plaintext');
  rmSync(check);
  console.log('spot check: the known pages decrypt correctly');

  const cores = availableParallelism();
  const runs = [
    ['node-xts', 0, '/dev/null'],
    ['node', 0, '/dev/null'],
    ['node', 1, '/dev/null'],
    ['node', cores, '/dev/null'],
    ['node', cores, join(dir, 'out.elf')],
  ];
  const results = [];
  for (const [backend, workers, target] of runs) {
    const r = JSON.parse(execFileSync(process.execPath, [join(here, 'decrypt-one.mjs'), dump, cck.toString('hex'), target, backend, String(workers)], { encoding: 'utf8' }));
    rmSync(join(dir, 'out.elf'), { force: true });
    const rate = r.bytes / GiB / r.seconds;
    const perCore = r.bytes / GiB / r.cpuSeconds;
    results.push({ backend, workers, target: target === '/dev/null' ? '/dev/null' : 'file', rate, perCore, rss: r.maxRssMiB });
    console.log(`${backend.padEnd(8)} workers=${workers} → ${target === '/dev/null' ? '/dev/null' : 'file     '}: ${rate.toFixed(2)} GiB/s wall, ${perCore.toFixed(2)} GiB per CPU-second, peak RSS ${r.maxRssMiB.toFixed(0)} MiB`);
  }
  // The pure-JS path on a 256 MiB prefix-sized dump (it is an order of magnitude slower).
  const small = join(dir, 'small.elf');
  const s = await makeDump(small, 256 * 2 ** 20);
  const rn = JSON.parse(execFileSync(process.execPath, [join(here, 'decrypt-one.mjs'), small, s.cck.toString('hex'), '/dev/null', 'noble', '0'], { encoding: 'utf8' }));
  console.log(`noble workers=0 → /dev/null (256 MiB dump): ${(rn.bytes / GiB / rn.seconds).toFixed(2)} GiB/s, peak RSS ${rn.maxRssMiB.toFixed(0)} MiB`);

  t = Date.now();
  const ossl = opensslXts();
  const single = results.find((r) => r.workers === 0 && r.backend === 'node').rate;
  const oneWorker = results.find((r) => r.workers === 1).rate;
  const all = results.find((r) => r.workers === cores && r.target === '/dev/null').rate;
  console.log(`openssl speed -evp aes-256-xts (4096-byte blocks, one core): ${ossl === undefined ? 'n/a' : ossl.toFixed(2) + ' GiB/s'}`);
  if (ossl !== undefined) console.log(`ratio to OpenSSL: calling thread ${(single / ossl).toFixed(2)}, 1 worker ${(oneWorker / ossl).toFixed(2)}, ${cores} workers ${(all / ossl).toFixed(2)}`);
  console.log(`scaling: ${cores} workers / 1 worker = ${(all / oneWorker).toFixed(2)}x`);
  const load = execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).trim();
  console.log(`load average during the run (other processes disturb wall-clock figures): ${load}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
