#!/usr/bin/env node
// Adds up every package's vitest JSON report (written by vitest.shared.ts) into one closing line.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

let passed = 0;
let failed = 0;
let skipped = 0;
const rows = [];
for (const parent of ['packages', '.']) {
  const dirs = parent === '.' ? ['tools'] : readdirSync(parent).map((d) => join(parent, d));
  for (const dir of dirs) {
    const file = join(dir, '.vitest-results.json');
    if (!existsSync(file)) continue;
    const r = JSON.parse(readFileSync(file, 'utf8'));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + r.numTodoTests;
    rows.push(`  ${dir.padEnd(26)} ${String(r.numPassedTests).padStart(5)} passed ${String(r.numFailedTests).padStart(3)} failed`);
  }
}
console.log(rows.join('\n'));
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
