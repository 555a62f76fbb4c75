// QEMU's results on the suite (the fixture's qemu-tcg-results.tsv): one row per entry with a
// header row naming the columns; `result_run_tests.sh` is the runner's verdict under QEMU 7.2 TCG
// and `summary_line` its SUMMARY line. Read by column name, so added columns do not matter.
import { existsSync, readFileSync } from 'node:fs';

export interface QemuResult {
  result: string;
  summary: string | undefined;
  note: string;
}

/** Entry name → QEMU's result; empty when the file is absent. */
export function readQemuResults(path: string): Map<string, QemuResult> {
  const results = new Map<string, QemuResult>();
  if (!existsSync(path)) return results;
  const [header, ...rows] = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  if (header === undefined) return results;
  const columns = header.split('\t');
  const at = (name: string): number => columns.indexOf(name);
  const [name, result, summary, note] = [at('name'), at('result_run_tests.sh'), at('summary_line'), at('note')];
  if (name < 0 || result < 0) throw new Error(`${path}: the header has no "name" and "result_run_tests.sh" columns`);
  for (const row of rows) {
    const cells = row.split('\t');
    const line = summary < 0 ? '' : (cells[summary] ?? '');
    results.set(cells[name]!, {
      result: cells[result] ?? '',
      summary: line.startsWith('SUMMARY: ') ? line.slice('SUMMARY: '.length) : undefined,
      note: note < 0 ? '' : (cells[note] ?? ''),
    });
  }
  return results;
}
