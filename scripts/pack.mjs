#!/usr/bin/env node
// Packs every publishable package as it would be published, into one folder: `pnpm pack` replaces
// the `workspace:` ranges with the packages' versions. Expects the packages built (`pnpm tarballs`
// builds first). Prints the tarballs' paths, one a line.
//
//   node scripts/pack.mjs [DEST]      (default: tarballs/ in the repository)
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publishablePackages } from './workspace.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dest = resolve(process.argv[2] ?? join(root, 'tarballs'));
mkdirSync(dest, { recursive: true });
for (const f of readdirSync(dest)) if (f.endsWith('.tgz')) rmSync(join(dest, f));

for (const { dir, manifest } of publishablePackages(root)) {
  const r = spawnSync('npx', ['--yes', 'pnpm@10.34.8', 'pack', '--pack-destination', dest], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(`pnpm pack of ${manifest.name} failed (exit ${r.status}):\n${r.stderr}${r.stdout}`);
    process.exit(1);
  }
}
for (const f of readdirSync(dest).sort()) if (f.endsWith('.tgz')) console.log(join(dest, f));
