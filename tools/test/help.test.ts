/** `pvdump --help` and each command's `--help`. */
import { describe, expect, it } from 'vitest';
import { pvdump } from './cli.ts';

const COMMANDS = ['info', 'decrypt', 'exec', 'hostkey', 'image'];

describe('help', () => {
  it('lists every command with its summary; no command is a usage error (exit 2, on stderr)', () => {
    const r = pvdump(['--help']);
    expect(r.status).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c} +\\S.{10,}$`, 'm'));
    const bare = pvdump([]);
    expect(bare.status).toBe(2);
    expect(bare.stdout).toBe('');
    expect(bare.stderr).toMatch(/usage: pvdump <command>/);
  });

  it.each(COMMANDS)('pvdump %s --help prints its usage and exits 0', (c) => {
    const r = pvdump([c, '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^usage: pvdump ${c}`));
  });
});
