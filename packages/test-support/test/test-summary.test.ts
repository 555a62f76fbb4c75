// scripts/test-summary.mjs on synthetic vitest reports: the closing `N passed, N failed` line and
// the exit status, also when tests fail, a test file cannot load, or a package wrote no report.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runStatus, tempPath } from '../src/index.ts';

function report(passed: number, failed: number, extra: { brokenFiles?: string[]; unhandledErrors?: number } = {}): object {
  return { passed, failed, skipped: 0, brokenFiles: extra.brokenFiles ?? [], unhandledErrors: extra.unhandledErrors ?? 0, reason: 'passed' };
}

/** A workspace with packages/a, packages/b and tools, each with a test script, and the given reports. */
function workspace(reports: Record<string, object | undefined>): string {
  const root = tempPath('summary-root');
  mkdirSync(root);
  writeFileSync(join(root, 'pnpm-workspace.yaml'), 'packages:\n  - packages/*\n  - tools\nonlyBuiltDependencies:\n  - esbuild\n');
  for (const dir of ['packages/a', 'packages/b', 'packages/untested', 'tools']) {
    mkdirSync(join(root, dir), { recursive: true });
    const scripts = dir.endsWith('untested') ? {} : { test: 'vitest run' };
    writeFileSync(join(root, dir, 'package.json'), JSON.stringify({ name: dir, scripts }));
    const r = reports[dir];
    if (r !== undefined) writeFileSync(join(root, dir, '.vitest-results.json'), JSON.stringify(r));
  }
  return root;
}

function summary(root: string): { status: number; lines: string[] } {
  const r = runStatus(process.execPath, [join(repoRoot(), 'scripts', 'test-summary.mjs'), root]);
  return { status: r.status, lines: r.stdout.trimEnd().split('\n') };
}

describe('test summary', () => {
  it('adds up the packages and exits 0 when everything passed', () => {
    const s = summary(workspace({ 'packages/a': report(3, 0), 'packages/b': report(4, 0), tools: report(5, 0) }));
    expect(s.lines.at(-1)).toBe('12 passed, 0 failed');
    expect(s.lines).toHaveLength(4);
    expect(s.status).toBe(0);
  });

  it('still ends with the line and exits 1 when tests failed', () => {
    const s = summary(workspace({ 'packages/a': report(3, 2), 'packages/b': report(4, 0), tools: report(5, 1) }));
    expect(s.lines.at(-1)).toBe('12 passed, 3 failed');
    expect(s.status).toBe(1);
  });

  it('counts a file that failed to load, errors outside tests and a package without a report as failures', () => {
    const broken = report(3, 0, { brokenFiles: ['test/broken.test.ts'] });
    const s = summary(workspace({ 'packages/a': broken, tools: report(5, 0, { unhandledErrors: 2 }) }));
    expect(s.lines.at(-1)).toBe('8 passed, 3 failed');
    expect(s.lines.join('\n')).toMatch(/packages\/b +no test report/);
    expect(s.lines.join('\n')).toMatch(/test\/broken\.test\.ts did not run/);
    expect(s.lines.join('\n')).toMatch(/tools .*2 error\(s\) outside any test/);
    expect(s.status).toBe(1);
  });

  it('counts a report in another format as a failure', () => {
    const s = summary(workspace({ 'packages/a': { numPassedTests: 3 }, 'packages/b': report(4, 0), tools: report(5, 0) }));
    expect(s.lines.at(-1)).toBe('9 passed, 1 failed');
    expect(s.lines.join('\n')).toMatch(/packages\/a +unreadable test report/);
    expect(s.status).toBe(1);
  });

  it('fails when nothing ran at all', () => {
    const s = summary(workspace({}));
    expect(s.lines.at(-1)).toBe('0 passed, 3 failed');
    expect(s.status).toBe(1);
  });

  it('--clean removes the reports of an earlier run', () => {
    const root = workspace({ 'packages/a': report(3, 0), 'packages/b': report(4, 0), tools: report(5, 0) });
    expect(runStatus(process.execPath, [join(repoRoot(), 'scripts', 'test-summary.mjs'), '--clean', root]).status).toBe(0);
    expect(summary(root).lines.at(-1)).toBe('0 passed, 3 failed');
  });
});
