#!/usr/bin/env node
// Benchmark: write a dump of SIZE_GIB (default 2) GiB with memory generated on the fly, read all
// its memory back, and compare both with `cp` of the same file. Reports throughput and peak RSS.
// Run after building: `pnpm --filter @pvdump/dump-format bench` (env SIZE_GIB, BENCH_DIR).
import { execFileSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'node:fs/promises';
import { emptyCpuState, openDump, planDump, writeDump } from '../dist/index.js';

const sizeGiB = Number(process.env.SIZE_GIB ?? 2);
const size = BigInt(Math.round(sizeGiB * 2 ** 30));
const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'pvdump-bench-'));
const path = join(dir, 'bench.elf');
const chunk = 1 << 20;

function* memory() {
  const buf = new Uint8Array(chunk);
  randomFillSync(buf);
  const view = new DataView(buf.buffer);
  for (let off = 0n; off < size; off += BigInt(chunk)) {
    view.setBigUint64(0, off); // every chunk differs
    yield buf;
  }
}

const gibps = (bytes, ms) => (Number(bytes) / 2 ** 30 / (ms / 1000)).toFixed(2);
const cpus = [0, 1].map((i) => ({ ...emptyCpuState(i + 1), crs: new Array(16).fill(0n), fprs: new Array(16).fill(0n) }));

try {
  let t = performance.now();
  await writeDump(path, { cpus, memory: [{ start: 0n, size }] }, memory());
  const writeMs = performance.now() - t;

  t = performance.now();
  const d = await openDump(path);
  const openMs = performance.now() - t;
  let read = 0n;
  t = performance.now();
  for await (const c of d.memoryChunks(4 << 20)) read += BigInt(c.data.length);
  const readMs = performance.now() - t;
  await d.close();
  if (read !== size) throw new Error(`read ${read} bytes, expected ${size}`);

  const rssMiB = process.resourceUsage().maxRSS / 1024;
  t = performance.now();
  execFileSync('cp', [path, path + '.copy']);
  const cpMs = performance.now() - t;
  const fileSize = statSync(path).size;

  // Opening a 64 GiB dump: a sparse file with real headers and notes, memory a hole.
  const big = 64n << 30n;
  const layout = planDump({ cpus, memory: [{ start: 0n, size: big }] });
  const fh = await open(join(dir, 'big.elf'), 'w');
  await fh.write(layout.head, 0, layout.head.length, 0);
  await fh.truncate(Number(layout.fileSize));
  await fh.close();
  const rssBeforeBig = process.memoryUsage().rss;
  t = performance.now();
  const bigDump = await openDump(join(dir, 'big.elf'));
  const open64Ms = performance.now() - t;
  const open64RssMiB = (process.memoryUsage().rss - rssBeforeBig) / 2 ** 20;
  await bigDump.close();

  const result = {
    sizeGiB,
    fileBytes: fileSize,
    writeGiBps: Number(gibps(size, writeMs)),
    openMs: Number(openMs.toFixed(2)),
    readGiBps: Number(gibps(size, readMs)),
    cpGiBps: Number(gibps(fileSize, cpMs)),
    writeVsCp: Number((cpMs / writeMs).toFixed(2)),
    readVsCp: Number((cpMs / readMs).toFixed(2)),
    peakRssMiB: Math.round(rssMiB),
    open64GiBMs: Number(open64Ms.toFixed(2)),
    open64GiBRssDeltaMiB: Number(open64RssMiB.toFixed(1)),
  };
  console.log(JSON.stringify(result));
  console.log(
    `write ${result.writeGiBps} GiB/s, read ${result.readGiBps} GiB/s, cp ${result.cpGiBps} GiB/s ` +
      `(write ${result.writeVsCp}x, read ${result.readVsCp}x of cp); open ${result.openMs} ms; peak RSS ${result.peakRssMiB} MiB; ` +
      `open of a 64 GiB dump ${result.open64GiBMs} ms (+${result.open64GiBRssDeltaMiB} MiB RSS)`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
