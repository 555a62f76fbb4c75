#!/usr/bin/env node
// The Quick start demo: inspect a real QEMU dump, then decrypt a protected-guest (PV) dump with
// its customer communication key as IBM's zgetdump does, and check the result against zgetdump's
// own output. Runs the built `pvdump` CLI on the repository's fixtures/.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const fixtures = join(root, 'fixtures');
const cli = join(root, 'tools', 'dist', 'cli.js');
const work = mkdtempSync(join(tmpdir(), 'pvdump-demo-'));

function pvdump(args, { show = true, lines = Infinity, tail = 0 } = {}) {
  console.log(`\n$ pvdump ${args.map((a) => a.replace(fixtures, '$FIXTURES').replace(work, '$WORK')).join(' ')}`);
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const out = (r.stdout + r.stderr).trimEnd().split('\n');
  if (show) {
    const hidden = out.length - lines - tail;
    console.log(hidden > 0 ? [...out.slice(0, lines), `... (${hidden} more lines)`, ...out.slice(out.length - tail)].join('\n') : out.join('\n'));
  }
  if (r.status !== 0) {
    console.error(`demo step failed with exit status ${r.status}`);
    process.exit(1);
  }
  return r.stdout;
}

try {
  console.log(`fixtures: ${fixtures}`);
  console.log('\n== 1. A real QEMU 7.2 dump of a crashed bare-metal guest (quirks tolerated, registers decoded)');
  pvdump(['info', join(fixtures, 'qemu-7.2-crash/dump.elf.gz')], { lines: 15 });

  console.log('\n== 2. A protected-guest dump: the host sees only the hypervisor view and ciphertext');
  const pv = join(fixtures, 'pv-zgetdump/pv-dump.elf.gz');
  pvdump(['info', pv], { lines: 13 });

  console.log('\n== 3. The guest owner authenticates and decrypts it with the customer communication key');
  const key = join(fixtures, 'pv-zgetdump/cck.bin');
  const info = JSON.parse(pvdump(['info', '--json', '-k', key, pv], { show: false }));
  const d = info.decryption;
  console.log(`completion data authenticated: ${d.completionAuthenticated}; CPU notes authenticated: ${d.cpuNotes.map((n) => n.authenticated).join(', ')}`);
  console.log(`page states: ${JSON.stringify(d.census)}`);
  for (const w of d.warnings) console.log(`warning: ${w}`);
  info.cpus.forEach((cpu, i) => {
    const hv = info.hypervisorCpus[i];
    console.log(`CPU ${i}: decrypted PSW ${cpu.psw.mask} ${cpu.psw.addr}, r2 ${cpu.gprs[2]}  (hypervisor view: PSW ${hv.psw.mask} ${hv.psw.addr})`);
  });
  const out = join(work, 'decrypted.elf');
  pvdump(['decrypt', '-v', '--no-auxv', '-k', key, pv, out], { lines: 1, tail: 1 });

  console.log('\n== 4. Compared with IBM zgetdump -k on the same dump');
  const ours = readFileSync(out);
  const zgetdump = gunzipSync(readFileSync(join(fixtures, 'pv-zgetdump/zgetdump-out.elf.gz')));
  const same = ours.equals(zgetdump);
  console.log(`pvdump decrypt output: ${ours.length} bytes; zgetdump output: ${zgetdump.length} bytes; ${same ? 'byte for byte identical' : 'DIFFERENT'}`);
  if (!same) process.exit(1);
  pvdump(['info', out], { lines: 9 });
  console.log('\nDone. Decrypted dumps open in gdb-multiarch: pvdump decrypt -k CCK DUMP OUT && gdb-multiarch -c OUT');
} finally {
  rmSync(work, { recursive: true, force: true });
}
