// The ratchet: a committed file with each entry's result and SUMMARY at the last accepted run.
// `--check` fails when an entry that passed then does not pass now, or when any entry's SUMMARY
// got worse (more unexpected failures, or fewer passing checks); `--update-baseline` rewrites the
// file from the current run (entries not run this time keep their old line).
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseSummary, type Result } from './outcome.js';
import type { EntryReport } from './runner.js';

export interface BaselineEntry {
  result: Result;
  /** The SUMMARY text (after `SUMMARY: `), or null without one. */
  summary: string | null;
}

export interface Baseline {
  entries: Record<string, BaselineEntry>;
}

export class BaselineError extends Error {
  override readonly name = 'BaselineError';
  readonly userError = true;
}

export function readBaseline(path: string): Baseline {
  if (!existsSync(path)) throw new BaselineError(`no baseline at ${path}: make one with --update-baseline`);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new BaselineError(`${path} is not JSON (${e instanceof Error ? e.message : String(e)}): restore it from git or rewrite it with --update-baseline`);
  }
  const entries = (data as { entries?: unknown }).entries;
  if (typeof entries !== 'object' || entries === null) throw new BaselineError(`${path} has no "entries" object`);
  for (const [name, e] of Object.entries(entries as Record<string, Partial<BaselineEntry> | null>)) {
    if (e === null || !['PASS', 'FAIL', 'SKIP'].includes(e.result ?? '') || (e.summary !== null && typeof e.summary !== 'string')) throw new BaselineError(`${path}: entry "${name}" needs result PASS, FAIL or SKIP and summary text or null`);
  }
  return data as Baseline;
}

/** Passing checks of a SUMMARY: all checks less failures and skips. */
function passing(summary: string | null | undefined): { passes: number; failures: number } | undefined {
  const c = summary === null || summary === undefined ? undefined : parseSummary(summary);
  return c === undefined ? undefined : { passes: c.tests - c.failures - c.knownFailures - c.skipped, failures: c.failures };
}

export interface BaselineComparison {
  regressions: string[];
  improvements: string[];
}

export function compareWithBaseline(baseline: Baseline, reports: readonly EntryReport[]): BaselineComparison {
  const regressions: string[] = [];
  const improvements: string[] = [];
  for (const r of reports) {
    const was = baseline.entries[r.name];
    if (was === undefined) {
      if (r.result === 'PASS') improvements.push(`${r.name}: new entry passes`);
      continue;
    }
    const now = r.summary ?? null;
    if (was.result === 'PASS' && r.result !== 'PASS') {
      regressions.push(`${r.name}: passed at the baseline (${was.summary ?? 'no SUMMARY'}), now ${r.result}${r.reason !== undefined ? ` (${r.reason})` : ''}${now !== null ? ` (${now})` : ''}`);
      continue;
    }
    const before = passing(was.summary);
    const after = passing(now);
    if (before !== undefined && after === undefined && r.result !== 'SKIP') regressions.push(`${r.name}: had SUMMARY "${was.summary}", now none`);
    else if (before !== undefined && after !== undefined && (after.failures > before.failures || after.passes < before.passes)) regressions.push(`${r.name}: SUMMARY got worse: "${was.summary}" → "${now}"`);
    else if (was.result !== 'PASS' && r.result === 'PASS') improvements.push(`${r.name}: ${was.result} → PASS`);
    else if (before !== undefined && after !== undefined && (after.failures < before.failures || after.passes > before.passes)) improvements.push(`${r.name}: SUMMARY better: "${was.summary}" → "${now}"`);
  }
  return { regressions, improvements };
}

/** The baseline after this run: reported entries replaced, the others kept, sorted by name. */
export function updatedBaseline(old: Baseline | undefined, reports: readonly EntryReport[]): Baseline {
  const entries: Record<string, BaselineEntry> = { ...(old?.entries ?? {}) };
  for (const r of reports) entries[r.name] = { result: r.result, summary: r.summary ?? null };
  return { entries: Object.fromEntries(Object.entries(entries).sort(([a], [b]) => a.localeCompare(b))) };
}

/** Writes through a temporary file and a rename, so a failed write leaves the old file. */
export function writeBaseline(path: string, baseline: Baseline): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(baseline, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, path);
}
