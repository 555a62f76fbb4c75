/**
 * Test helpers shared by the pvdump packages. Not part of any published API.
 *
 * - Fixtures live in the repository's `fixtures/` folder (see its README for their provenance).
 * - The s390x kvm-unit-tests (third-party code, not in the repository) are read only by the optional
 *   conformance run, from the folder named by `PVDUMP_KVM_UNIT_TESTS`.
 * - Gzipped fixtures are decompressed once per process into a temporary folder.
 * - External tools (gdb-multiarch, readelf, qemu-s390x, ...) are required, not optional: a missing
 *   tool fails the test with the command that installs it.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';

/** The monorepo root: the nearest folder above this file holding `pnpm-workspace.yaml`. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('pnpm-workspace.yaml not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/** The repository's `fixtures/` folder. */
export function fixturesDir(): string {
  return join(repoRoot(), 'fixtures');
}

/** Path of a fixture file, e.g. `fixturePath('qemu-7.2-crash/guest.elf')`. */
export function fixturePath(relative: string): string {
  const p = join(fixturesDir(), relative);
  if (!existsSync(p)) throw new Error(`fixture missing: ${p}`);
  return p;
}

/** The environment variable naming the s390x kvm-unit-tests folder for the conformance run. */
export const KVM_UNIT_TESTS_ENV = 'PVDUMP_KVM_UNIT_TESTS';

/**
 * The s390x kvm-unit-tests folder (test kernels and QEMU's results) from `$PVDUMP_KVM_UNIT_TESTS`,
 * or an error saying how to provide it: they are GPL-2.0 test code kept outside the repository.
 */
export function kvmUnitTestsDir(): string {
  const dir = process.env[KVM_UNIT_TESTS_ENV];
  if (dir === undefined || dir === '') {
    throw new Error(`${KVM_UNIT_TESTS_ENV} is not set: the conformance run needs the s390x kvm-unit-tests folder ` + '(test kernels and QEMU results, kept outside this repository); set it to that folder');
  }
  const abs = resolve(dir);
  if (!existsSync(abs)) throw new Error(`${KVM_UNIT_TESTS_ENV}=${dir}: folder ${abs} does not exist`);
  return abs;
}

let scratch: string | undefined;
/**
 * A per-process scratch folder in the temp folder. Under vitest the temp folder is the run's own
 * (vitest.global-setup.ts), removed when the run ends, since fork workers are ended by a signal and
 * never reach their 'exit' handlers; elsewhere the folder is removed when the process exits.
 */
export function scratchDir(): string {
  if (scratch === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'pvdump-test-'));
    scratch = dir;
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return scratch;
}

const tmpfsMounts = new Set<string>();
/**
 * A fresh folder on its own tmpfs of `bytes` (a nearly full disk for ENOSPC tests), or undefined
 * where this process may not mount one (not root). Unmounted by `releaseTinyTmpfs`, else when the
 * process exits; under vitest the run's global teardown unmounts whatever a killed worker left,
 * and the next run unmounts those of runs that were killed outright.
 */
export function tinyTmpfs(bytes: number): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'pvdump-tmpfs-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${Math.ceil(bytes / 4096) * 4096},mode=0700`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  if (tmpfsMounts.size === 0) process.once('exit', () => [...tmpfsMounts].forEach(releaseTinyTmpfs));
  tmpfsMounts.add(dir);
  return dir;
}

/** Unmounts a `tinyTmpfs` folder and removes it. */
export function releaseTinyTmpfs(dir: string): void {
  spawnSync('umount', ['-l', dir]);
  rmSync(dir, { recursive: true, force: true });
  tmpfsMounts.delete(dir);
}

/** A fresh temporary file path inside the scratch folder. */
let counter = 0;
export function tempPath(name = 'file'): string {
  counter += 1;
  return join(scratchDir(), `${counter}-${name}`);
}

const gunzipped = new Map<string, Promise<string>>();
/** Decompresses a `.gz` fixture once per process; returns the path of the plain file. */
export function gunzipFixture(relative: string): Promise<string> {
  let done = gunzipped.get(relative);
  if (done === undefined) {
    const src = fixturePath(relative);
    const out = tempPath(relative.replace(/[/\\]/g, '_').replace(/\.gz$/, ''));
    done = pipeline(createReadStream(src), createGunzip(), createWriteStream(out)).then(() => out);
    gunzipped.set(relative, done);
  }
  return done;
}

const INSTALL_HINT: Record<string, string> = {
  'gdb-multiarch': 'apt-get install gdb-multiarch',
  readelf: 'apt-get install binutils',
  'qemu-s390x': 'apt-get install qemu-user',
  'qemu-system-s390x': 'apt-get install qemu-system-misc',
  's390x-linux-gnu-gcc': 'apt-get install gcc-s390x-linux-gnu',
  's390x-linux-gnu-objdump': 'apt-get install binutils-s390x-linux-gnu',
  's390x-linux-gnu-as': 'apt-get install binutils-s390x-linux-gnu',
  openssl: 'apt-get install openssl',
};

/** Returns the tool's path, or throws naming the Debian package that provides it. */
export function requireTool(name: string): string {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = r.stdout.trim();
  if (r.status !== 0 || path === '') {
    throw new Error(`${name} is required by this test but not installed (${INSTALL_HINT[name] ?? 'install it'}; .ci/run does this)`);
  }
  return path;
}

/** Runs a command and returns stdout+stderr, throwing on a non-zero exit. */
export function run(cmd: string, args: readonly string[], opts: { input?: string | Uint8Array; cwd?: string } = {}): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 << 20, ...opts });
}

/** Runs a command and returns its exit status, stdout and stderr without throwing. */
export function runStatus(cmd: string, args: readonly string[], opts: { input?: string | Uint8Array; cwd?: string; env?: NodeJS.ProcessEnv } = {}): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 << 20, ...opts });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * `runStatus` without blocking: for commands that take long (an npm install), since a worker
 * blocked for a minute misses vitest's own messages and the run fails with a timeout.
 */
export function runStatusAsync(cmd: string, args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ status: code ?? (signal === null ? -1 : 128), stdout, stderr }));
  });
}
