#!/usr/bin/env node
// The Quick start demo, the whole chain of a protected guest's dump on the emulated machine: make
// a host key, build a Secure Execution image of the demo guest (examples/demo-guest), boot it
// protected on 2 vCPUs, let it write a secret and crash, dump it, show what the host sees (all
// encrypted, the secret's bytes nowhere in the file), decrypt it with the customer communication
// key, and show the secret, the crashed vCPU's PSW and registers and (with gdb-multiarch) a gdb
// view; then real dumps: QEMU 7.2's and zgetdump's. Every step prints its `pvdump` command.
// Runs the built CLI (tools/dist/cli.js); `--keep` keeps the work folder for a look around.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'tools', 'dist', 'cli.js');
const work = mkdtempSync(join(tmpdir(), 'pvdump-demo-'));
const keep = process.argv.includes('--keep');

/** The demo guest's secret (examples/demo-guest/demo-guest.S) and where it puts it. */
const SECRET = 'PVDUMP-DEMO-SECRET: the vault code is 7-3-1-9';
const SECRET_ADDRESS = '0x10000';

/** Paths as the reader types them: in the work folder relative, in the repository under $REPO. */
const shown = (arg) => (arg.startsWith(work + '/') ? arg.slice(work.length + 1) : arg.startsWith(root + '/') ? '$REPO/' + arg.slice(root.length + 1) : arg);

/**
 * Runs `pvdump ARGS` in the work folder after printing the command; prints its output (all, or
 * the lines `pick` keeps) and stops the demo on an exit status other than `expect`.
 */
function pvdump(args, { pick = (lines) => lines, expect = 0 } = {}) {
  console.log(`\n$ pvdump ${args.map(shown).join(' ')}`);
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: work, encoding: 'utf8', maxBuffer: 64 << 20 });
  const lines = (r.stdout + r.stderr)
    .trimEnd()
    .split('\n')
    .filter((l) => l !== '');
  const kept = pick(lines);
  if (kept.length > 0) console.log(kept.join('\n'));
  if (kept.length < lines.length) console.log(`  ... (${lines.length - kept.length} more line${lines.length - kept.length === 1 ? '' : 's'}: run the command to see them)`);
  if (r.status !== expect) {
    console.error(`demo step failed: exit status ${r.status} (expected ${expect})`);
    process.exit(1);
  }
  return r;
}

/** How many times `needle` occurs in the file, read 1 MiB at a time (a dump is never read whole). */
function occurrences(path, needle) {
  const chunk = Buffer.alloc(1 << 20);
  const fd = openSync(path, 'r');
  let count = 0;
  let carry = Buffer.alloc(0);
  try {
    for (let n; (n = readSync(fd, chunk, 0, chunk.length, null)) > 0;) {
      const window = Buffer.concat([carry, chunk.subarray(0, n)]);
      for (let at = window.indexOf(needle); at !== -1; at = window.indexOf(needle, at + 1)) count++;
      carry = window.subarray(Math.max(0, window.length - needle.length + 1));
    }
  } finally {
    closeSync(fd);
  }
  return count;
}

const registerLines = (lines) => lines.filter((l) => /^CPU \d|^ {2}(PSW|R\d\d)=|^ {2}(completion|CPU \d note)/.test(l));
const haveGdb = spawnSync('gdb-multiarch', ['--version'], { stdio: 'ignore' }).status === 0;

try {
  const guest = join(root, 'examples', 'demo-guest', 'demo-guest.elf');
  console.log('pvdump demo: a protected guest crashes, the host dumps it, the guest owner decrypts the dump.');
  console.log(`The commands run in the folder ${work}${keep ? ' (kept)' : ' (removed at the end; --keep keeps it)'}.`);
  console.log('To repeat a step by hand, in an empty folder with this repository at $REPO:');
  console.log(`  REPO=${root}; alias pvdump="node $REPO/tools/dist/cli.js"`);
  console.log(`The guest, ${shown(guest)} (source demo-guest.S beside it): CPU 0 starts CPU 1, which writes`);
  console.log(`"CPU 1 was here" to 0x10100; CPU 0 then writes the secret "${SECRET}"`);
  console.log(`to ${SECRET_ADDRESS} and divides by zero: a crash (disabled wait at 0xdead).`);

  console.log("\n== 1. The host administrator makes the machine's host key (the Ultravisor's key pair)");
  pvdump(['hostkey', '-o', 'keys'], { pick: (l) => l.slice(0, 2) });

  console.log('\n== 2. The guest owner picks a customer communication key (CCK) and builds a Secure Execution image that allows dumps');
  console.log('\n$ head -c 32 /dev/urandom > cck.bin');
  writeFileSync(join(work, 'cck.bin'), randomBytes(32), { mode: 0o600 });
  pvdump(['image', '--host-key-document', 'keys/host-key.crt', '--cck', 'cck.bin', '--enable-dump', '-o', 'demo-guest.img', guest]);
  const secret = Buffer.from(SECRET, 'latin1');
  console.log(`The secret is in the guest's ELF ${occurrences(guest, secret)} time(s), in the encrypted image ${occurrences(join(work, 'demo-guest.img'), secret)} times.`);

  console.log('\n== 3. The host boots the image protected on 2 vCPUs; on a crash it dumps the guest (libvirt on_crash=coredump-destroy)');
  pvdump(['run', '--host-key', 'keys/host-key.pem', '--smp', '2', '--memory', '16M', '--on-crash', 'dump=dump.elf', 'demo-guest.img'], { expect: 3 });
  console.log('exit status 3: the guest panicked (0 would be a power-off)');

  console.log('\n== 4. What the host sees: a PV dump, every secure page and the CPU states encrypted');
  pvdump(['info', 'dump.elf'], { pick: (l) => l.slice(0, 11) });
  pvdump(['info', '--memory', `${SECRET_ADDRESS}:48`, 'dump.elf']);
  const inDump = occurrences(join(work, 'dump.elf'), secret);
  console.log(`The secret's ${secret.length} bytes occur ${inDump} times in dump.elf.`);
  if (inDump !== 0) {
    console.error('demo step failed: the secret is readable in the encrypted dump');
    process.exit(1);
  }

  console.log('\n== 5. The guest owner authenticates the dump with the CCK and decrypts it (as zgetdump -k does)');
  pvdump(['info', '-k', 'cck.bin', 'dump.elf'], { pick: (l) => registerLines(l.slice(l.findIndex((x) => x.startsWith('decryption')))) });
  pvdump(['decrypt', '-k', 'cck.bin', 'dump.elf', 'decrypted.elf']);
  const inPlain = occurrences(join(work, 'decrypted.elf'), secret);
  console.log(`The secret occurs ${inPlain} time(s) in decrypted.elf (the guest's code page holds it too).`);
  if (inPlain === 0) {
    console.error('demo step failed: the secret is not in the decrypted dump');
    process.exit(1);
  }

  console.log("\n== 6. The secret and CPU 1's marker in the decrypted memory; the crashed vCPU's PSW and registers");
  pvdump(['info', '--memory', `${SECRET_ADDRESS}:0x110`, 'decrypted.elf']);
  pvdump(['info', 'decrypted.elf'], { pick: registerLines });
  console.log('CPU 0 crashed: PSW address 0xdead is the disabled wait of its program-new PSW; r2 points at the');
  console.log('secret, r7 = c0c0... marks CPU 0. CPU 1 (r7 = c1c1...) waits enabled for an interruption.');

  console.log('\n== 7. The same in gdb');
  const gdbArgs = ['-batch', '-nx', '-ex', 'info threads', '-ex', 'info registers pswm pswa r2 r3 r7', '-ex', 'x/s $r2', '-ex', 'thread 2', '-ex', 'info registers pswa r2 r7', '-ex', 'x/s $r2', '-c', 'decrypted.elf'];
  console.log(`\n$ gdb-multiarch ${gdbArgs.map((a) => (/[ $]/.test(a) ? `'${a}'` : a)).join(' ')}`);
  if (haveGdb) {
    const g = spawnSync('gdb-multiarch', gdbArgs, { cwd: work, encoding: 'utf8' });
    console.log((g.stdout + g.stderr).trimEnd());
  } else {
    console.log('gdb-multiarch is not installed: skipping this step (Debian/Ubuntu: apt-get install gdb-multiarch).');
  }

  console.log("\n== 8. Real dumps: QEMU 7.2's dump of a crashed guest, and IBM zgetdump's decryption of a PV dump");
  const fixtures = join(root, 'fixtures');
  pvdump(['info', join(fixtures, 'qemu-7.2-crash/dump.elf.gz')], { pick: (l) => l.slice(0, 4) });
  const pv = join(fixtures, 'pv-zgetdump');
  pvdump(['decrypt', '--no-auxv', '-k', join(pv, 'cck.bin'), join(pv, 'pv-dump.elf.gz'), 'zgetdump-fixture.elf']);
  const ours = readFileSync(join(work, 'zgetdump-fixture.elf'));
  const zgetdump = gunzipSync(readFileSync(join(pv, 'zgetdump-out.elf.gz')));
  const same = ours.equals(zgetdump);
  console.log(`pvdump decrypt: ${ours.length} bytes; zgetdump -k on the same dump: ${zgetdump.length} bytes; ${same ? 'byte for byte identical' : 'DIFFERENT'}`);
  if (!same) process.exit(1);
  console.log('\nDone.');
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
}
