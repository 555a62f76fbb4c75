// The kvm-unit-tests list `unittests.cfg` as the suite's runner reads it (scripts/common.bash,
// for_each_unittest): `[name]` opens an entry; `key = value` lines (spaces around `=` optional)
// for file, smp, test_args, qemu_params (or its old name extra_params), groups, arch, machine,
// check, accel, timeout, disabled_if; a qemu_params value opened by `"""` runs to the line that
// ends with `"""`, a backslash before a newline joining the lines; `#` lines and anything else are
// ignored. It is not INI (no INI parser handles the triple quotes), so it is read here line by
// line. Values stay shell text: the runner word-splits test_args and qemu_params when it runs
// QEMU, so `splitShellWords` does that with shell quoting rules.
import { parse as parseShell } from 'shell-quote';

export interface UnitTestEntry {
  name: string;
  /** The kernel file, relative to the suite folder. */
  file: string;
  /** The `smp` value as written (e.g. `2`, `1,maxcpus=8`); default `1`. */
  smp: string;
  /** Shell text given to the kernel with `-append` (absent when the entry has none). */
  testArgs: string | undefined;
  /** Shell text of extra QEMU options. */
  qemuParams: string;
  groups: string[];
  arch: string | undefined;
  machine: string | undefined;
  /** `kvm` or `tcg` when the entry needs that accelerator. */
  accel: string | undefined;
  /** The entry's time limit as written (seconds, or with a unit suffix). */
  timeout: string | undefined;
  disabledIf: string | undefined;
  check: string | undefined;
}

/** An error in the list, naming the line. */
export class UnitTestsCfgError extends Error {
  override readonly name = 'UnitTestsCfgError';
  readonly userError = true;
}

const KEY_LINE = /^([a-z_]+) *= *(.*)$/;

function newEntry(name: string): UnitTestEntry {
  return { name, file: '', smp: '1', testArgs: undefined, qemuParams: '', groups: [], arch: undefined, machine: undefined, accel: undefined, timeout: undefined, disabledIf: undefined, check: undefined };
}

/** Parses the text of a `unittests.cfg`; `source` names it in errors. */
export function parseUnitTestsCfg(text: string, source = 'unittests.cfg'): UnitTestEntry[] {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const entries: UnitTestEntry[] = [];
  let entry: UnitTestEntry | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    const section = /^\[(.*)\]$/.exec(line);
    if (section !== null) {
      entry = newEntry(section[1]!);
      entries.push(entry);
      continue;
    }
    const kv = KEY_LINE.exec(line);
    if (kv === null || entry === undefined) continue;
    const key = kv[1]!;
    const value = kv[2]!;
    switch (key) {
      case 'file':
        entry.file = value;
        break;
      case 'smp':
        entry.smp = value;
        break;
      case 'test_args':
        entry.testArgs = value;
        break;
      case 'qemu_params':
      case 'extra_params':
        if (value.startsWith('"""')) {
          const start = i + 1;
          const parts = [value.slice(3)];
          for (;;) {
            i++;
            if (i >= lines.length) throw new UnitTestsCfgError(`${source}:${start}: the """ value of ${key} in [${entry.name}] is never closed`);
            const close = /^(.*)"""\s*$/.exec(lines[i]!.trim());
            if (close !== null) {
              parts.push(close[1]!);
              break;
            }
            parts.push(lines[i]!.trim());
          }
          // A backslash at a line's end joins it with the next line, as the runner does.
          entry.qemuParams = parts.reduce((acc, part) => (acc.endsWith('\\') ? acc.slice(0, -1) + part : acc === '' ? part : `${acc}\n${part}`), '');
        } else entry.qemuParams = value;
        break;
      case 'groups':
        entry.groups = value.split(/\s+/).filter((g) => g !== '');
        break;
      case 'arch':
        entry.arch = value;
        break;
      case 'machine':
        entry.machine = value;
        break;
      case 'check':
        entry.check = value;
        break;
      case 'disabled_if':
        entry.disabledIf = value;
        break;
      case 'accel':
        entry.accel = value;
        break;
      case 'timeout':
        entry.timeout = value;
        break;
      default:
        break;
    }
  }
  for (const e of entries) if (e.file === '') throw new UnitTestsCfgError(`${source}: entry [${e.name}] has no file`);
  return entries;
}

/** Splits shell text into words as the runner's `eval` does (quotes removed, no expansion). */
export function splitShellWords(text: string): string[] {
  const words: string[] = [];
  for (const token of parseShell(text)) {
    if (typeof token === 'string') words.push(token);
    else if ('comment' in token) break;
    else throw new UnitTestsCfgError(`shell text "${text}" holds an operator (${'op' in token ? token.op : '?'}) the runner would not pass to QEMU`);
  }
  return words;
}
