#!/usr/bin/env node
/**
 * `pnpm fuzz [--target NAME,…] [--budget 30s|2m|500] [--seed N] [--ci] [--replay [FILE…]] [--list]`:
 * fuzzes every registered target (or the named ones) for the budget, prints executions and
 * failures per target, and exits 1 if any target failed. `--ci` uses each target's short CI
 * budget and a fixed seed; `--replay` runs the committed regression inputs instead.
 */
import { parseArgs } from 'node:util';
import { loadTargets } from './target.js';
import { CI_SEED, parseBudget, regressionFiles, runTarget, type TargetReport } from './runner.js';

const USAGE = `usage: pnpm fuzz [--target NAME[,NAME…]] [--budget 30s|2m|500] [--seed N] [--ci] [--replay] [--list]

  --target   targets to run (default: all; --list shows them)
  --budget   per target: a time (500ms, 30s, 2m) or a number of executions (default 30s)
  --seed     fast-check seed (default: random, printed so a run can be repeated)
  --ci       each target's short CI budget and the fixed CI seed
  --replay   replay the committed regression inputs (corpus/regressions/TARGET/*.json), or
             the given saved inputs (with one --target)
  --list     list the targets with their level and bounds`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    target: { type: 'string' },
    budget: { type: 'string' },
    seed: { type: 'string' },
    ci: { type: 'boolean', default: false },
    replay: { type: 'boolean', default: false },
    list: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write(USAGE + '\n');
  process.exit(0);
}
const targets = await loadTargets();
if (values.list) {
  for (const t of targets.values()) process.stdout.write(`${t.name.padEnd(20)} ${t.level.padEnd(8)} ≤${String(t.memoryBoundMiB).padStart(5)} MiB  hang ${t.hangMs / 1000} s  CI ${String(t.ciRuns).padStart(5)} runs  ${t.summary}\n`);
  process.exit(0);
}
const names = values.target === undefined ? [...targets.keys()] : values.target.split(',').map((s) => s.trim());
for (const n of names) {
  if (!targets.has(n)) {
    process.stderr.write(`pvdump-fuzz: no target named '${n}' (targets: ${[...targets.keys()].join(', ')})\n`);
    process.exit(2);
  }
}
const seed = values.seed !== undefined ? Number(values.seed) : values.ci ? CI_SEED : Math.floor(Math.random() * 2 ** 31);
if (!Number.isInteger(seed)) {
  process.stderr.write(`pvdump-fuzz: --seed must be an integer\n${USAGE}\n`);
  process.exit(2);
}
const budgetText = values.budget ?? '30s';
process.stdout.write(values.replay ? `replaying regression inputs\n` : `seed ${seed}, budget ${values.ci ? 'CI (per target)' : budgetText} per target\n`);
const reports: TargetReport[] = [];
for (const name of names) {
  const t = targets.get(name)!;
  const replay = values.replay ? (positionals.length > 0 ? positionals : regressionFiles(name)) : undefined;
  if (replay !== undefined && replay.length === 0) continue;
  const budget = values.ci ? { kind: 'runs' as const, runs: t.ciRuns } : parseBudget(budgetText);
  const r = await runTarget(name, { budget, seed, level: t.level, hangMs: t.hangMs, memoryBoundMiB: t.memoryBoundMiB, ...(replay ? { replay } : {}) });
  reports.push(r);
  const status = r.failure === null ? 'ok' : `FAILED (${r.failure.kind})`;
  process.stdout.write(`${name.padEnd(20)} ${String(r.executions).padStart(7)} executions ${r.seconds.toFixed(1).padStart(6)} s  peak RSS ${r.peakRssMiB.toFixed(0).padStart(4)} MiB  ${status}\n`);
  if (r.failure !== null) {
    process.stdout.write(`  ${r.failure.message.replace(/\n/g, '\n  ')}\n`);
    if (r.failure.savedAs) process.stdout.write(`  input saved as ${r.failure.savedAs}\n  replay: pnpm fuzz --target ${name} --replay ${r.failure.savedAs}\n`);
  }
}
const failed = reports.filter((r) => r.failure !== null).length;
process.stdout.write(`${reports.length - failed} targets passed, ${failed} failed\n`);
process.exit(failed > 0 ? 1 : 0);
