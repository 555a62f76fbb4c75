#!/usr/bin/env node
// Adds up every package's test report (.vitest-results.json, written by vitest.results-reporter.ts)
// into one closing line, `N passed, N failed`. A test file that fails without a failing test (an
// import or hook error), errors vitest caught outside any test, and a package with a test script
// but no report (its build or test run failed first) each count as one failure. Exits 1 when
// anything failed or nothing passed.
//
//   node scripts/test-summary.mjs [ROOT]          print the summary of ROOT (default: the cwd)
//   node scripts/test-summary.mjs --clean [ROOT]  remove the reports of an earlier run
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { workspacePackages } from './workspace.mjs';

export const REPORT = '.vitest-results.json';

/** The workspace folders whose package has a test script. */
export function testedPackages(root) {
  return workspacePackages(root)
    .filter((p) => typeof p.manifest.scripts?.test === 'string')
    .map((p) => p.dir);
}

/** A report as vitest.results-reporter.ts writes it, or undefined for anything else. */
function readReport(file) {
  try {
    const r = JSON.parse(readFileSync(file, 'utf8'));
    const counts = [r.passed, r.failed, r.skipped, r.unhandledErrors];
    return counts.every((n) => Number.isSafeInteger(n) && n >= 0) && Array.isArray(r.brokenFiles) ? r : undefined;
  } catch {
    return undefined;
  }
}

/** Reads the reports of ROOT's packages and returns the table rows, the totals and the exit status. */
export function summarize(root) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const rows = [];
  for (const dir of testedPackages(root)) {
    const name = relative(root, dir);
    const file = join(dir, REPORT);
    if (!existsSync(file)) {
      failed += 1;
      rows.push(`  ${name.padEnd(26)} no test report: its build or test run failed (see above)`);
      continue;
    }
    const r = readReport(file);
    if (r === undefined) {
      failed += 1;
      rows.push(`  ${name.padEnd(26)} unreadable test report ${REPORT}: run the tests again`);
      continue;
    }
    const brokenFiles = r.brokenFiles;
    const outside = r.unhandledErrors > 0 ? 1 : 0;
    const pkgFailed = r.failed + brokenFiles.length + outside;
    passed += r.passed;
    failed += pkgFailed;
    skipped += r.skipped;
    const notes = [];
    if (brokenFiles.length > 0) notes.push(`${brokenFiles.join(', ')} did not run`);
    if (outside) notes.push(`${r.unhandledErrors} error(s) outside any test`);
    const why = notes.length > 0 ? ` (${notes.join('; ')})` : '';
    rows.push(`  ${name.padEnd(26)} ${String(r.passed).padStart(5)} passed ${String(pkgFailed).padStart(3)} failed${why}`);
  }
  const line = `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
  return { rows, line, passed, failed, status: failed > 0 || passed === 0 ? 1 : 0 };
}

/** Removes the reports of an earlier run, so that a package that fails to run shows as such. */
export function cleanReports(root) {
  for (const dir of testedPackages(root)) rmSync(join(dir, REPORT), { force: true });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const clean = args[0] === '--clean';
  const root = (clean ? args[1] : args[0]) ?? process.cwd();
  if (clean) cleanReports(root);
  else {
    const s = summarize(root);
    console.log(s.rows.join('\n'));
    console.log(s.line);
    process.exit(s.status);
  }
}
