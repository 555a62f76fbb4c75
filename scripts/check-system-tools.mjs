#!/usr/bin/env node
// Makes sure the external tools the test suite compares against are installed.
// On Debian/Ubuntu it installs missing ones with apt-get (as root, or through passwordless sudo);
// elsewhere it names what is missing and exits 1, so the test run fails early and clearly.
import { spawnSync } from 'node:child_process';

const TOOLS = {
  'gdb-multiarch': 'gdb-multiarch',
  readelf: 'binutils',
  'qemu-s390x': 'qemu-user',
  'qemu-system-s390x': 'qemu-system-misc',
  's390x-linux-gnu-gcc': 'gcc-s390x-linux-gnu',
  's390x-linux-gnu-objdump': 'binutils-s390x-linux-gnu',
  openssl: 'openssl',
};

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const missing = Object.keys(TOOLS).filter((t) => !has(t));
if (missing.length === 0) process.exit(0);

const pkgs = [...new Set(missing.map((t) => TOOLS[t]))];
console.error(`test tools missing: ${missing.join(', ')} (Debian packages: ${pkgs.join(' ')})`);
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const sudo = isRoot ? [] : has('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0 ? ['sudo', '-n'] : null;
if (!has('apt-get') || sudo === null) {
  console.error(`install them first, e.g.: sudo apt-get install -y ${pkgs.join(' ')}`);
  process.exit(1);
}
const apt = (args) => {
  const [cmd, ...rest] = [...sudo, 'apt-get', ...args];
  const r = spawnSync(cmd, rest, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status !== 0) {
    console.error(`apt-get ${args.join(' ')} failed (exit ${r.status})`);
    process.exit(1);
  }
};
console.error('installing them with apt-get ...');
apt(['update', '-qq']);
apt(['install', '-y', '-qq', '--no-install-recommends', ...pkgs]);
const still = Object.keys(TOOLS).filter((t) => !has(t));
if (still.length > 0) {
  console.error(`still missing after apt-get: ${still.join(', ')}`);
  process.exit(1);
}
