// The workspace's packages, as pnpm-workspace.yaml's `packages` globs list them (a folder, or
// `folder/*` for each folder inside it that holds a package.json).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** `{ dir, manifest }` of every workspace package under `root`, in glob then name order. */
export function workspacePackages(root) {
  const yaml = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const globs = [];
  let inPackages = false;
  for (const line of yaml.split('\n')) {
    if (/^\S/.test(line)) inPackages = line.startsWith('packages:');
    else if (inPackages) {
      const m = /^\s+-\s+['"]?([^'"\s]+)['"]?\s*$/.exec(line);
      if (m?.[1] !== undefined) globs.push(m[1]);
    }
  }
  const dirs = [];
  for (const glob of globs) {
    if (glob.endsWith('/*')) {
      const parent = join(root, glob.slice(0, -2));
      if (existsSync(parent)) for (const d of readdirSync(parent).sort()) dirs.push(join(parent, d));
    } else dirs.push(join(root, glob));
  }
  return dirs.filter((dir) => existsSync(join(dir, 'package.json'))).map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }));
}

/** The packages meant for npm: every workspace package not marked `private`. */
export function publishablePackages(root) {
  return workspacePackages(root).filter((p) => p.manifest.private !== true);
}
