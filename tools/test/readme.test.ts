/**
 * The `| jq` examples of tools/README.md work as written (run from the repository root, with the
 * fixture paths pointed at the fixtures): stdout carries only the JSON, so no pnpm banner.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturePath, repoRoot, requireTool } from '@pvdump/test-support';
import { describe, expect, it } from 'vitest';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const PNPM_VERSION = (JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { packageManager: string }).packageManager.replace(/^pnpm@/, '');

/** Every line of the README's `sh` blocks. */
function shellLines(): string[] {
  return [...README.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split('\n')).filter((l) => l.trim() !== '');
}

/** The line with its fixture paths resolved where the fixtures are. */
function withFixtures(line: string): string {
  return line.replace(/(?:\.\.\/shared\/)?fixtures\/(\S+)/g, (_, rel: string) => fixturePath(rel));
}

describe('tools/README.md examples', () => {
  const jqLines = shellLines().filter((l) => l.includes('| jq '));

  it('show `info --json … | jq` with the built CLI and with pnpm --silent, and never pipe plain `pnpm pvdump`', () => {
    expect(jqLines.some((l) => l.startsWith('node tools/dist/cli.js info --json'))).toBe(true);
    expect(jqLines.some((l) => l.startsWith('pnpm --silent pvdump info --json'))).toBe(true);
    expect(shellLines().filter((l) => /pnpm pvdump .*\|/.test(l))).toEqual([]);
  });

  it('print the PSW of CPU 0 through jq, as written', () => {
    requireTool('jq');
    for (const line of jqLines) {
      // `pnpm` is whatever runs the repository's pinned pnpm (npx here; installed, it is the same program).
      const script = `pnpm() { npx --yes pnpm@${PNPM_VERSION} "$@"; }\nset -o pipefail\n${withFixtures(line.replace(/\s+#.*$/, ''))}`;
      const r = spawnSync('bash', ['-c', script], { cwd: repoRoot(), encoding: 'utf8' });
      expect({ line, status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ line, status: 0, stderr: '' });
      expect(JSON.parse(r.stdout)).toEqual({ mask: '0x0002000180000000', addr: '0x000000000000dead' });
    }
  }, 120_000);
});
