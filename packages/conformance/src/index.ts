// @pvdump/conformance: the s390x kvm-unit-tests run on kvm-pv's VMM (the `pnpm conformance`
// command's parts, for its tests).
export { parseUnitTestsCfg, splitShellWords, UnitTestsCfgError, type UnitTestEntry } from './unittests-cfg.js';
export { planEntry, parseSmp, parseMemory, parseTimeout, ACCEL, type Plan, type RunSpec, type ExtraCpu } from './plan.js';
export { interpret, parseSummary, exitStatus, summaryLine, type Outcome, type Result, type MachineEnd, type SummaryCounts } from './outcome.js';
export { runEntry, type EntryRunOptions } from './run-entry.js';
export { runPlans, type EntryReport, type RunOptions } from './runner.js';
export { compareWithBaseline, updatedBaseline, readBaseline, writeBaseline, BaselineError, type Baseline, type BaselineEntry } from './baseline.js';
export { readQemuResults, type QemuResult } from './qemu-results.js';
export { locateSuite, readSuite, SuiteNotFound, SUITE_ENV } from './suite.js';
export { formatTable, toJson, totalsOf, type Totals } from './report.js';
