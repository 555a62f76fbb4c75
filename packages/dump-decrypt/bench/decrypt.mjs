// Benchmark of @pvdump/dump-decrypt (run `pnpm bench` after `pnpm build`): decrypts a generated
// PV dump (default 2 GiB, mostly encrypted pages; PVDUMP_BENCH_GIB to change) with each backend
// and helper count, each in its own process (PVDUMP_BENCH_REPEAT times, default 5, interleaved,
// the order reversed every other time, the dump read through once before each run so every run
// finds it in the page cache), and
// reports throughput of guest memory (wall clock and per CPU-second), peak RSS, the scaling from
// one core to all (the default options in a process confined to one core with `taskset`, against
// the same options with every core; for comparison also with helper threads, which stdout
// uses, instead of helper processes), and `openssl speed -evp aes-256-xts` (4 KiB blocks, one
// core) for scale. CPU time and peak RSS include the helper processes.
import { execFileSync } from 'node:child_process';
import { closeSync, fstatSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeDump } from './make-dump.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const gib = Number(process.env.PVDUMP_BENCH_GIB ?? '2');
const bytes = Math.round((gib * 2 ** 30) / 2 ** 20) * 2 ** 20;
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

/** Reads the dump through once, so a run never waits for the disk (the kernel may have dropped part of it from the page cache). */
function warm(path) {
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(8 << 20);
  try {
    while (readSync(fd, buf, 0, buf.length, null) > 0);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes and deletes a file of `size` bytes. On this VM a run that writes a file gets cheap,
 * recently freed pages for its page cache right after another file was deleted, and expensive
 * ones (reclaimed by the host meanwhile) otherwise, 3x slower; so every run that writes a file
 * first does this, and all start alike.
 */
function scratchWrite(path, size) {
  const fd = openSync(path, 'w');
  const buf = Buffer.alloc(8 << 20);
  try {
    for (let done = 0; done < size; done += buf.length) writeSync(fd, buf, 0, Math.min(buf.length, size - done));
  } finally {
    closeSync(fd);
  }
  rmSync(path);
}

/** `taskset -c 0 …` when taskset is there (util-linux), to measure one core; undefined otherwise. */
function oneCorePrefix() {
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    return ['taskset', '-c', '0'];
  } catch {
    return undefined;
  }
}

/** One run in a fresh process: `prefix` (e.g. taskset) + decrypt-one.mjs. */
function runOne(prefix, dump, cckHex, target, backend, workers, helpers) {
  const args = [join(here, 'decrypt-one.mjs'), dump, cckHex, target, backend, String(workers), ...(helpers ? [helpers] : [])];
  const [cmd, ...pre] = prefix ?? [process.execPath];
  const argv = prefix === undefined ? args : [...pre, process.execPath, ...args];
  return JSON.parse(execFileSync(cmd, argv, { encoding: 'utf8' }));
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
  const oneCore = oneCorePrefix();
  // Each configuration runs REPEAT times, interleaved, so a burst of load from other processes
  // hits every configuration alike; the best and the median run are reported.
  const repeat = Number(process.env.PVDUMP_BENCH_REPEAT ?? '5');
  const runs = [
    { label: 'node-xts, calling thread', backend: 'node-xts', workers: 0, target: '/dev/null' },
    { label: 'node, calling thread', backend: 'node', workers: 0, target: '/dev/null' },
    ...(oneCore === undefined ? [] : [{ label: 'node, auto, ONE core (taskset)', backend: 'node', workers: 'auto', target: '/dev/null', prefix: oneCore }]),
    { label: 'node, auto, all cores', backend: 'node', workers: 'auto', target: '/dev/null' },
    { label: 'node, auto, threads, all cores', backend: 'node', workers: 'auto', helpers: 'threads', target: '/dev/null' },
    { label: 'node, auto, all cores, to a file', backend: 'node', workers: 'auto', target: join(dir, 'out.elf') },
    { label: 'node, auto, threads, to a file', backend: 'node', workers: 'auto', helpers: 'threads', target: join(dir, 'out.elf') },
  ];
  const samples = runs.map(() => []);
  // Every other repetition runs the configurations in reverse order, so that a slow drift of the
  // machine's speed does not favour one of them.
  for (let i = 0; i < repeat; i++) {
    const order = runs.map((c, k) => [c, k]);
    if (i % 2 === 1) order.reverse();
    order.forEach(([c, k]) => {
      if (c.target !== '/dev/null') scratchWrite(join(dir, 'scratch.bin'), bytes);
      warm(dump);
      const r = runOne(c.prefix, dump, cck.toString('hex'), c.target, c.backend, c.workers, c.helpers);
      rmSync(join(dir, 'out.elf'), { force: true });
      samples[k].push({ rate: r.bytes / GiB / r.seconds, perCore: r.bytes / GiB / r.cpuSeconds, rss: r.maxRssMiB, workers: r.workers, helpers: r.helpers });
    });
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const results = runs.map((c, k) => {
    const rates = samples[k].map((x) => x.rate);
    const r = { ...c, rate: Math.max(...rates), median: median(rates), perCore: Math.max(...samples[k].map((x) => x.perCore)), rss: Math.max(...samples[k].map((x) => x.rss)), used: samples[k][0].workers, kind: samples[k][0].helpers };
    console.log(`${c.label.padEnd(34)} (${r.used} helper ${r.kind}): best ${r.rate.toFixed(2)} GiB/s wall (median ${r.median.toFixed(2)}), ${r.perCore.toFixed(2)} GiB per CPU-second, peak RSS ${r.rss.toFixed(0)} MiB`);
    return r;
  });
  const pick = (label) => results.find((r) => r.label.startsWith(label));

  // The pure-JS path on a 256 MiB prefix-sized dump (it is an order of magnitude slower).
  const small = join(dir, 'small.elf');
  const s = await makeDump(small, 256 * 2 ** 20);
  const rn = JSON.parse(execFileSync(process.execPath, [join(here, 'decrypt-one.mjs'), small, s.cck.toString('hex'), '/dev/null', 'noble', '0'], { encoding: 'utf8' }));
  console.log(`noble, calling thread alone → /dev/null (256 MiB dump): ${(rn.bytes / GiB / rn.seconds).toFixed(2)} GiB/s, peak RSS ${rn.maxRssMiB.toFixed(0)} MiB`);
  // Peak RSS must not depend on the dump size: the same configuration on the small dump.
  const rs = runOne(undefined, small, s.cck.toString('hex'), '/dev/null', 'node', 'auto');
  const all = pick('node, auto, all cores');
  console.log(`node, auto (${rs.workers} helper ${rs.helpers}), 256 MiB dump: peak RSS ${rs.maxRssMiB.toFixed(0)} MiB (against ${all.rss.toFixed(0)} MiB for ${gib} GiB)`);

  const ossl = opensslXts();
  const calling = pick('node, calling thread');
  const single = pick('node, auto, ONE core');
  const perCore = Math.max(calling.perCore, single?.perCore ?? 0);
  console.log('');
  console.log(`per-core rate (fast path, GiB of guest memory per CPU-second, all threads counted): calling thread ${calling.perCore.toFixed(2)}${single === undefined ? '' : `, one core ${single.perCore.toFixed(2)}`}   (target >= 1)`);
  if (single !== undefined) {
    console.log(`one-core rate (default options, process confined to one core): ${single.rate.toFixed(2)} GiB/s best, ${single.median.toFixed(2)} median`);
  }
  console.log(`${cores}-core rate (default options: ${all.used} helper ${all.kind} and the calling thread): ${all.rate.toFixed(2)} GiB/s best, ${all.median.toFixed(2)} median`);
  const threads = pick('node, auto, threads, all cores');
  console.log(`${cores}-core rate with helper threads instead (as for stdout): ${threads.rate.toFixed(2)} GiB/s best, ${threads.median.toFixed(2)} median`);
  if (single !== undefined) {
    // Runs of the same repetition ran one after the other, so their ratio cancels most of the slow
    // drifts of the machine's speed: the median of those ratios is the steadiest figure.
    const iSingle = results.indexOf(single),
      iAll = results.indexOf(all);
    const pairs = samples[iAll].map((x, i) => x.rate / samples[iSingle][i].rate);
    console.log(
      `scaling, ${cores} cores / one core: ${median(pairs).toFixed(2)}x median of ${pairs.length} run pairs (${Math.min(...pairs).toFixed(2)}–${Math.max(...pairs).toFixed(2)}); ${(all.rate / single.rate).toFixed(2)}x best against best   (target >= 1.6)`,
    );
    const iThreads = results.indexOf(threads);
    const tPairs = samples[iThreads].map((x, i) => x.rate / samples[iSingle][i].rate);
    console.log(`scaling with helper threads: ${median(tPairs).toFixed(2)}x median of run pairs (${Math.min(...tPairs).toFixed(2)}–${Math.max(...tPairs).toFixed(2)})`);
  }
  // Unconfined, the calling thread's reads run on libuv's threads, so it is not one core: for reference only.
  console.log(`for reference: ${cores} cores / calling thread (unconfined) ${(all.median / calling.median).toFixed(2)}x median; / best per-CPU-second rate ${(all.median / perCore).toFixed(2)}x median`);
  console.log(`openssl speed -evp aes-256-xts (4096-byte blocks, one core): ${ossl === undefined ? 'n/a' : ossl.toFixed(2) + ' GiB/s'}`);
  if (ossl !== undefined) console.log(`ratio to OpenSSL: per core ${(perCore / ossl).toFixed(2)}, ${cores} cores ${(all.rate / ossl).toFixed(2)}`);
  console.log(`peak RSS: ${Math.max(...results.map((r) => r.rss)).toFixed(0)} MiB at most (target < 200)`);
  const load = execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).trim();
  console.log(`load average after the runs (other processes disturb wall-clock figures): ${load}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
