// The run's table (entry, our result, our SUMMARY, QEMU's result, seconds, and why when the
// result is not the EXIT status), the totals, and the same as JSON for machines.
import type { QemuResult } from './qemu-results.js';
import type { EntryReport } from './runner.js';

export interface Totals {
  entries: number;
  pass: number;
  fail: number;
  skip: number;
  /** Entries QEMU passes that pass here too, of those QEMU passes (among the entries run). */
  qemuPassesKept: number;
  qemuPasses: number;
  wallSeconds: number;
}

export function totalsOf(reports: readonly EntryReport[], qemu: ReadonlyMap<string, QemuResult>, wallSeconds: number): Totals {
  const count = (result: string): number => reports.filter((r) => r.result === result).length;
  const qemuPassed = reports.filter((r) => qemu.get(r.name)?.result === 'PASS');
  return {
    entries: reports.length,
    pass: count('PASS'),
    fail: count('FAIL'),
    skip: count('SKIP'),
    qemuPassesKept: qemuPassed.filter((r) => r.result === 'PASS').length,
    qemuPasses: qemuPassed.length,
    wallSeconds,
  };
}

export function formatRow(r: EntryReport, qemu: QemuResult | undefined): string[] {
  return [r.name, r.result, r.summary ?? '', qemu?.result ?? '', r.result === 'SKIP' && r.seconds === 0 ? '' : r.seconds.toFixed(1), r.reason ?? ''];
}

export function formatTable(reports: readonly EntryReport[], qemu: ReadonlyMap<string, QemuResult>, totals: Totals): string {
  const rows = [['entry', 'ours', 'our SUMMARY', 'QEMU', 'seconds', 'note'], ...reports.map((r) => formatRow(r, qemu.get(r.name)))];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const lines = rows.map((row) =>
    row
      .map((cell, c) => (c === 4 ? cell.padStart(widths[c]!) : c === row.length - 1 ? cell : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd(),
  );
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  lines.push('');
  lines.push(`${totals.entries} entries: ${totals.pass} PASS, ${totals.fail} FAIL, ${totals.skip} SKIP; ` + `${totals.qemuPassesKept} of the ${totals.qemuPasses} QEMU passes pass here; wall time ${totals.wallSeconds.toFixed(1)} s`);
  return lines.join('\n');
}

export function toJson(reports: readonly EntryReport[], qemu: ReadonlyMap<string, QemuResult>, totals: Totals, suite: string): object {
  return {
    suite,
    totals,
    entries: reports.map((r) => ({
      name: r.name,
      result: r.result,
      summary: r.summary ?? null,
      status: r.status ?? null,
      reason: r.reason ?? null,
      seconds: Number(r.seconds.toFixed(3)),
      qemu: qemu.get(r.name)?.result ?? null,
      qemuSummary: qemu.get(r.name)?.summary ?? null,
    })),
  };
}
