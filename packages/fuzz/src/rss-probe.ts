/**
 * Preloaded (`node --import`) into every `pvdump` the fuzzer spawns: writes the process's peak
 * resident set size (KiB, from getrusage) to `$PVDUMP_RSS_FILE.<pid>` when it exits (helper
 * processes that inherit the preload write their own).
 */
import { writeFileSync } from 'node:fs';

const out = process.env.PVDUMP_RSS_FILE;
if (out !== undefined && out !== '') {
  process.on('exit', () => writeFileSync(`${out}.${process.pid}`, String(process.resourceUsage().maxRSS)));
}
