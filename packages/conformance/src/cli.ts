#!/usr/bin/env node
// `pnpm conformance [--suite DIR] [--json] [--timeout S] [--jobs N] [--pv] [--check | --update-baseline]
// [--exclude ENTRY]... [--logs DIR] [ENTRY...]`: runs the s390x kvm-unit-tests on kvm-pv's VMM
// as the suite's runner does with ACCEL=tcg and prints each entry beside QEMU 7.2's result.
// Exit status: 0 done (with --check: no regression against the baseline), 1 an entry failed
// (with --check: a regression), 2 a usage error or no suite.
import { availableParallelism } from 'node:os';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { compareWithBaseline, readBaseline, updatedBaseline, writeBaseline, type Baseline } from './baseline.js';
import { planEntry, type Plan } from './plan.js';
import { hasPvEntry, planPvEntry, PV_SUFFIX } from './pv-entries.js';
import { makeRunHostKey } from './secure-image.js';
import { readQemuResults } from './qemu-results.js';
import { formatRow, formatTable, toJson, totalsOf } from './report.js';
import { runPlans } from './runner.js';
import { locateSuite, readSuite, SUITE_ENV } from './suite.js';

const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const REPO_ROOT = resolve(PACKAGE_DIR, '..', '..');
export const DEFAULT_BASELINE = join(PACKAGE_DIR, 'baseline.json');
/** Per-entry limit (the suite runner's default) unless the entry's own limit is longer (sieve: 600 s) or --timeout is given. */
export const DEFAULT_TIMEOUT_SECONDS = 90;

const USAGE = `usage: pnpm conformance [options] [ENTRY...]

Runs the s390x kvm-unit-tests (unittests.cfg) on kvm-pv's VMM as the suite's runner does with
ACCEL=tcg, and prints each entry's result and SUMMARY beside QEMU 7.2 TCG's.

options:
  --suite DIR          the suite folder (default: $${SUITE_ENV}, else ../shared/fixtures/kvm-unit-tests)
  --json               print the results as JSON
  --timeout S          per-entry time limit in seconds (default ${DEFAULT_TIMEOUT_SECONDS}, or the entry's own suite limit when longer)
  --jobs N             entries run at once (default: the number of cores)
  --pv                 run the protected entries (NAME_PV, as the runner adds them): each test
                       kernel built into a Secure Execution image for a host key made for the
                       run and booted as a secure guest (QEMU TCG has no PV: no QEMU result)
  --exclude ENTRY      leave an entry out (repeatable; ENTRY also leaves out ENTRY_PV)
  --logs DIR           write each entry's console output to DIR/ENTRY.log
  --check              compare with the baseline: fail when an entry that passed there no longer
                       passes or an entry's SUMMARY got worse
  --update-baseline    rewrite the baseline from this run
  --baseline FILE      the baseline file (default packages/conformance/baseline.json)
  -h, --help           this text`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      suite: { type: 'string' },
      json: { type: 'boolean', default: false },
      timeout: { type: 'string' },
      jobs: { type: 'string' },
      exclude: { type: 'string', multiple: true, default: [] },
      pv: { type: 'boolean', default: false },
      logs: { type: 'string' },
      check: { type: 'boolean', default: false },
      'update-baseline': { type: 'boolean', default: false },
      baseline: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const positive = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} ${text}: expected a positive number`);
    return n;
  };
  const timeout = positive('timeout', values.timeout);
  const jobs = Math.floor(positive('jobs', values.jobs) ?? availableParallelism());
  if (values.check && values['update-baseline']) throw new UsageError('--check and --update-baseline exclude each other');

  const suite = locateSuite(values.suite, REPO_ROOT);
  const entries = readSuite(suite);
  // Each entry, then its NAME_PV entry where the runner adds one (scripts/s390x/func.bash).
  const all = entries.flatMap((e) => [{ name: e.name, pv: false, plan: () => planEntry(e, suite) }, ...(hasPvEntry(e) ? [{ name: `${e.name}${PV_SUFFIX}`, pv: true, plan: () => planPvEntry(e, suite).plan }] : [])]);
  const known = new Set(all.map((e) => e.name));
  for (const name of [...positionals, ...values.exclude])
    if (!known.has(name)) throw new UsageError(`no entry "${name}" in ${join(suite, 'unittests.cfg')}${name.endsWith(PV_SUFFIX) ? ' (the runner adds no PV entry for an accel=tcg or migration entry)' : ''}`);
  const excluded = (name: string): boolean => values.exclude.includes(name) || (name.endsWith(PV_SUFFIX) && values.exclude.includes(name.slice(0, -PV_SUFFIX.length)));
  const chosen = all.filter((e) => (positionals.length === 0 ? e.pv === values.pv : positionals.includes(e.name)) && !excluded(e.name));
  const plans: { name: string; plan: Plan }[] = chosen.map((e) => ({ name: e.name, plan: e.plan() }));
  for (const { plan } of plans) if (plan.kind === 'run' && !existsSync(plan.spec.kernel)) Object.assign(plan, { kind: 'skip', reason: `Test file '${plan.spec.kernel}' not found` });
  const qemu = readQemuResults(join(suite, 'qemu-tcg-results.tsv'));
  const baselinePath = resolve(values.baseline ?? DEFAULT_BASELINE);
  const baseline: Baseline | undefined = values.check ? readBaseline(baselinePath) : values['update-baseline'] && existsSync(baselinePath) ? readBaseline(baselinePath) : undefined;

  const started = performance.now();
  let done = 0;
  const secure = plans.some(({ plan }) => plan.kind === 'run' && plan.spec.secure === true);
  const reports = await runPlans(plans, {
    jobs,
    ...(secure ? { hostKey: makeRunHostKey() } : {}),
    timeoutSeconds: (plan) => timeout ?? Math.max(DEFAULT_TIMEOUT_SECONDS, plan.spec.suiteTimeoutSeconds),
    onReport: (r) => {
      done++;
      if (r.seconds > 0 || r.result !== 'SKIP')
        process.stderr.write(
          `[${done}/${plans.length}] ${formatRow(r, qemu.get(r.name))
            .filter((c) => c !== '')
            .join('  ')}\n`,
        );
    },
  });
  const totals = totalsOf(reports, qemu, (performance.now() - started) / 1000);
  if (values.logs !== undefined) {
    mkdirSync(values.logs, { recursive: true });
    for (const r of reports) if (r.log !== '') writeFileSync(join(values.logs, `${r.name}.log`), r.log);
  }
  if (values.json) process.stdout.write(`${JSON.stringify(toJson(reports, qemu, totals, suite), null, 2)}\n`);
  else process.stdout.write(`${formatTable(reports, qemu, totals)}\n`);

  if (values['update-baseline']) {
    writeBaseline(baselinePath, updatedBaseline(baseline, reports));
    process.stderr.write(`baseline written: ${baselinePath}\n`);
    return 0;
  }
  if (values.check) {
    const { regressions, improvements } = compareWithBaseline(baseline!, reports);
    for (const line of improvements) process.stderr.write(`better than the baseline: ${line}\n`);
    if (improvements.length > 0) process.stderr.write(`(pnpm conformance --update-baseline records them)\n`);
    for (const line of regressions) process.stderr.write(`REGRESSION: ${line}\n`);
    process.stderr.write(regressions.length === 0 ? `conformance check: no regression against ${baselinePath}\n` : `conformance check failed: ${regressions.length} regression(s)\n`);
    return regressions.length === 0 ? 0 : 1;
  }
  return totals.fail > 0 ? 1 : 0;
}

process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const user = e instanceof UsageError || (e instanceof Error && ((e as { userError?: boolean }).userError === true || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true));
    process.stderr.write(`pvdump conformance: ${e instanceof Error ? e.message : String(e)}\n`);
    if (!user && e instanceof Error && e.stack !== undefined) process.stderr.write(`${e.stack}\n`);
    process.exitCode = 2;
  },
);
