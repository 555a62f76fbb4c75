#!/usr/bin/env node
// The test line: checks the external tools, builds and tests every package with turbo (each
// package's test files print as they finish; a failing package does not stop the others), then
// prints the summary, whose last line is `N passed, N failed`. Exits non-zero when anything failed.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanReports, summarize } from './test-summary.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', TURBO_NO_UPDATE_NOTIFIER: '1' };
const node = (script) => spawnSync(process.execPath, [join(root, 'scripts', script)], { stdio: 'inherit', cwd: root, env });

const tools = node('check-system-tools.mjs');
if (tools.status !== 0) process.exit(tools.status ?? 1);
// Imports against the layering or an import cycle fail the run (.dependency-cruiser.cjs).
const deps = spawnSync('depcruise', ['packages', 'tools', 'scripts', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], { stdio: 'inherit', cwd: root, env });
const depsFailed = deps.status !== 0;
if (depsFailed) console.error('the import rules failed (see above): pnpm lint:deps');
cleanReports(root);
const turbo = spawnSync('turbo', ['run', 'build', 'test', '--continue', '--output-logs=new-only'], { stdio: 'inherit', cwd: root, env });
if (turbo.error) {
  console.error(`could not start turbo (${turbo.error.message}); run the tests through the package script: pnpm test`);
}
const s = summarize(root);
console.log('');
console.log(s.rows.join('\n'));
console.log(s.line);
if (s.status === 0 && turbo.status !== 0) console.error('a build or test task failed (see its output above)');
if (depsFailed) console.error('the import rules failed: pnpm lint:deps');
process.exit(s.status !== 0 ? s.status : turbo.status === 0 && !depsFailed ? 0 : 1);
