/**
 * `pvdump run` progress on a terminal: under a pseudo-terminal (`script`), stderr shows the status
 * line (run state and time, each draw starting with CR and erase-line) and the dump's progress up to
 * 100%; with --json, or when stderr is not a terminal, none of it.
 */
import { fixturePath, requireTool, runStatusAsync, tempPath } from '@pvdump/test-support';
import { describe, expect, it } from 'vitest';
import { CLI } from './cli.ts';

const CRASH_GUEST = fixturePath('qemu-7.2-crash/guest.elf');
const quote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;

/** Runs `pvdump run ARGS` with stdout and stderr on a pseudo-terminal; returns what it showed. */
async function onTerminal(args: readonly string[]): Promise<{ status: number; screen: string }> {
  requireTool('script');
  const command = [process.execPath, CLI, 'run', ...args].map(quote).join(' ');
  const r = await runStatusAsync('script', ['-qec', command, '/dev/null']);
  return { status: r.status, screen: r.stdout };
}

describe('pvdump run progress', () => {
  it('on a terminal: the status line, then the dump progress to 100%', async () => {
    const dump = tempPath('progress-dump.elf');
    const r = await onTerminal(['--memory', '16M', '--on-crash', `dump=${dump}`, CRASH_GUEST]);
    expect(r.status).toBe(3);
    // eslint-disable-next-line no-control-regex -- the progress line is drawn with ANSI escapes
    expect(r.screen).toMatch(/\r\x1b\[Kpvdump run: guest running, \d+ s/);
    expect(r.screen).toContain('\rdumping: 100.0% (16 of 16 MiB)\r\n');
    expect(r.screen).toContain('pvdump: the guest panicked: CPU 0 in a disabled wait');
    // The status line is erased before the panic is reported and the dump's progress drawn.
    expect(r.screen.indexOf('\r\x1b[K\rdumping:')).toBeGreaterThan(-1);
  }, 120_000);

  it('--json on a terminal, and a run whose stderr is not a terminal: no progress', async () => {
    const json = await onTerminal(['--memory', '16M', '--json', '--on-crash', `dump=${tempPath('progress-json.elf')}`, CRASH_GUEST]);
    expect(json.status).toBe(3);
    expect(json.screen).not.toContain('pvdump run: guest');
    expect(json.screen).not.toContain('dumping:');
    expect(JSON.parse(json.screen.trim())).toMatchObject({ ended: 'guest-panic' });
    const piped = await runStatusAsync(process.execPath, [CLI, 'run', '--memory', '16M', '--on-crash', `dump=${tempPath('progress-piped.elf')}`, CRASH_GUEST]);
    expect(piped.status).toBe(3);
    expect(piped.stderr).toMatch(/^pvdump: the guest panicked: CPU 0 in a disabled wait, PSW 0x0002000180000000 0x000000000000dead\npvdump: dump written to .*progress-piped\.elf \(\d+ bytes\)\n$/);
  }, 120_000);
});
