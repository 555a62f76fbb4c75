// The packages as npm users get them: every publishable package packed as it would be published
// (scripts/pack.mjs: `pnpm pack`, which replaces `workspace:` ranges) and installed with npm, all
// tarballs in one install, into an empty project outside the workspace. There each package's
// README example runs and prints what its README says, and the installed `pvdump` bin works.
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixturePath, gunzipFixture, repoRoot, runStatus, runStatusAsync, tempPath } from '@pvdump/test-support';

/** Every workspace package that is not private: the ones meant for npm. */
function publishable(): { dir: string; name: string; version: string }[] {
  const root = repoRoot();
  const dirs = [...readdirSync(join(root, 'packages')).map((d) => join(root, 'packages', d)), join(root, 'tools')];
  return dirs
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; version: string; private?: boolean } }))
    .filter((p) => p.manifest.private !== true)
    .map((p) => ({ dir: p.dir, name: p.manifest.name, version: p.manifest.version }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}
const PUBLISHED = publishable();
/** The libraries; the command line's README shows commands, which the last test runs. */
const LIBRARIES = PUBLISHED.filter((p) => p.name !== '@pvdump/tools');

/** The environment without what `pnpm run` adds (npm_config_*, npm_package_*), so npm acts as for a user. */
function userEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
}

/** The README's `## Example` section: its first `js` block and the `text` block after it. */
function readmeExample(readme: string): { code: string; output: string } {
  const section = readme.split(/^## /m).find((s) => s.startsWith('Example\n'));
  if (section === undefined) throw new Error('no "## Example" section');
  const m = /```js\n([\s\S]*?)\n```[\s\S]*?```text\n([\s\S]*?)\n```/.exec(section);
  if (m?.[1] === undefined || m[2] === undefined) throw new Error('the Example section lacks a js block followed by a text block');
  return { code: m[1], output: m[2] };
}

let project = '';
let tarballs: string[] = [];

describe('packed packages installed with npm outside the workspace', () => {
  beforeAll(async () => {
    const dest = tempPath('tarballs');
    const pack = await runStatusAsync(process.execPath, [join(repoRoot(), 'scripts', 'pack.mjs'), dest]);
    expect(pack.status, pack.stderr).toBe(0);
    tarballs = pack.stdout.trim().split('\n');

    project = tempPath('project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    const install = await runStatusAsync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs], { cwd: project, env: userEnv() });
    expect(install.status, install.stderr + install.stdout).toBe(0);

    copyFileSync(fixturePath('qemu-7.2-crash/guest.elf'), join(project, 'guest.elf'));
    copyFileSync(fixturePath('genprotimg-2.35/guest.elf'), join(project, 'pv-guest.elf'));
    copyFileSync(fixturePath('pv-zgetdump/cck.bin'), join(project, 'cck.bin'));
    copyFileSync(await gunzipFixture('qemu-7.2-crash/dump.elf.gz'), join(project, 'dump.elf'));
    copyFileSync(await gunzipFixture('pv-zgetdump/pv-dump.elf.gz'), join(project, 'pv-dump.elf'));
    copyFileSync(await gunzipFixture('pv-zgetdump/zgetdump-out.elf.gz'), join(project, 'zgetdump-out.elf'));
  }, 600_000);

  it('packs every publishable package with only its build, sources, README and LICENSE', () => {
    expect(PUBLISHED.map((p) => p.name)).toContain('@pvdump/tools');
    expect(tarballs.map((t) => t.split('/').at(-1)).sort()).toEqual(PUBLISHED.map((p) => `${p.name.slice(1).replace('/', '-')}-${p.version}.tgz`).sort());
    for (const tarball of tarballs) {
      const files = runStatus('tar', ['-tzf', tarball]).stdout.trim().split('\n');
      const unexpected = files.filter((f) => !/^package\/(package\.json|README\.md|LICENSE|dist\/.+|src\/.+\.ts|src\/.+\.wat|src\/.+\/README\.md|loaders\/.+\.(S|sh|bin))$/.test(f));
      expect(unexpected, tarball).toEqual([]);
      expect(files).toContain('package/LICENSE');
      expect(files).toContain('package/dist/index.js');
      const manifest = runStatus('tar', ['-xzOf', tarball, 'package/package.json']).stdout;
      expect(manifest).not.toContain('workspace:');
    }
  });

  it('installs each package once, as a real folder, from its tarball', () => {
    for (const { name } of PUBLISHED) {
      const dir = join(project, 'node_modules', name);
      expect(lstatSync(dir).isDirectory(), name).toBe(true);
      expect(lstatSync(dir).isSymbolicLink(), name).toBe(false);
      // No second copy fetched from elsewhere below another package.
      expect(existsSync(join(dir, 'node_modules', '@pvdump')), name).toBe(false);
    }
    const lock = JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8')) as { packages: Record<string, { resolved?: string }> };
    for (const { name } of PUBLISHED) expect(lock.packages[`node_modules/${name}`]?.resolved, name).toMatch(/^file:.*\.tgz$/);
    expect(readdirSync(join(project, 'node_modules', '@pvdump')).sort()).toEqual(PUBLISHED.map((p) => p.name.split('/')[1]).sort());
  });

  for (const { dir, name } of LIBRARIES) {
    it(`runs the README example of ${name} and prints what the README shows`, async () => {
      const { code, output } = readmeExample(readFileSync(join(dir, 'README.md'), 'utf8'));
      const file = join(project, `example-${name.split('/')[1]}.mjs`);
      writeFileSync(file, code + '\n');
      const r = await runStatusAsync(process.execPath, [file], { cwd: project, env: userEnv() });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout.trimEnd()).toBe(output);
    });
  }

  it('puts a working pvdump on the path of node_modules/.bin', async () => {
    const pvdump = join(project, 'node_modules', '.bin', 'pvdump');
    const help = await runStatusAsync(pvdump, ['--help'], { cwd: project, env: userEnv() });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: pvdump <command>/);
    expect(help.stdout).toContain('decrypt');

    const decrypt = await runStatusAsync(pvdump, ['decrypt', '--no-auxv', '-k', 'cck.bin', 'pv-dump.elf', 'pvdump-out.elf'], { cwd: project, env: userEnv() });
    expect(decrypt.status, decrypt.stderr).toBe(0);
    expect(readFileSync(join(project, 'pvdump-out.elf')).equals(readFileSync(join(project, 'zgetdump-out.elf')))).toBe(true);

    const info = await runStatusAsync(pvdump, ['info', '--json', 'pvdump-out.elf'], { cwd: project, env: userEnv() });
    expect(info.status, info.stderr).toBe(0);
    expect((JSON.parse(info.stdout) as { pv: boolean; cpus: unknown[] }).cpus).toHaveLength(2);
  });
});
