// Module resolution for .dependency-cruiser.cjs: every `@pvdump/x[/subpath]` import resolves to the
// file its package's `exports` map names under the "@pvdump/source" condition, whether or not the
// importing package declares the dependency, so an undeclared import against the layering is
// reported as a layering violation rather than as an unresolvable module.
const { readdirSync, readFileSync, existsSync } = require('node:fs');
const { join } = require('node:path');

const packageDirs = [...readdirSync(join(__dirname, 'packages')).map((name) => join(__dirname, 'packages', name)), join(__dirname, 'tools')];
const alias = {};
for (const dir of packageDirs) {
  const manifestPath = join(dir, 'package.json');
  if (!existsSync(manifestPath)) continue;
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
    const source = typeof target === 'object' ? target['@pvdump/source'] : undefined;
    if (typeof source !== 'string') continue;
    alias[`${manifest.name}${subpath.slice(1)}$`] = join(dir, source);
  }
}

module.exports = { resolve: { alias } };
