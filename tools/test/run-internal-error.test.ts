/**
 * Internal errors of `pvdump run` (a bug, injected with support/inject-fault.mjs): whether thrown
 * in the vCPU loop, in the dump after a crash, in an event handler or as a rejected promise, while a QMP
 * client is connected or not, they end the command at once with `pvdump: internal error:`, the
 * stack and exit status 70 — not the one-line message and status 1 of a user error, not a hang —
 * and leave no partial dump. A failure the VMM reports (MachineError) stays a one-line status 1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixturePath, tempPath } from '@pvdump/test-support';
import { describe, expect, it } from 'vitest';
import { CLI } from './cli.ts';
import { IDLE_GUEST } from './qmp/support/qemu.ts';

const INJECT = fileURLToPath(new URL('./support/inject-fault.mjs', import.meta.url));
const CRASH_GUEST = fixturePath('qemu-7.2-crash/guest.elf');
/** Far longer than any of these runs takes: reaching it means a hang. */
const HANG_MS = 60_000;

interface Ended {
  status: number | null;
  stdout: string;
  stderr: string;
  hung: boolean;
}

function startWithFault(fault: string, args: readonly string[]): { child: ChildProcess; ended: Promise<Ended> } {
  const child = spawn(process.execPath, ['--import', INJECT, CLI, 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PVDUMP_INJECT_FAULT: fault } });
  const ended = new Promise<Ended>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, HANG_MS);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, hung });
    });
  });
  return { child, ended };
}

const runWithFault = (fault: string, args: readonly string[]): Promise<Ended> => startWithFault(fault, args).ended;

/** Connects to the monitor once it listens and resolves when the greeting has come. */
async function greetedClient(path: string, ended: Promise<Ended>): Promise<Socket> {
  let gone = false;
  void ended.then(() => (gone = true));
  while (!existsSync(path)) {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the exit callback sets gone
    if (gone) throw new Error('pvdump run ended before its QMP monitor listened');
    await new Promise((res) => setTimeout(res, 20));
  }
  const client = connect(path);
  client.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    client.once('data', () => resolve());
    client.once('close', () => reject(new Error('the monitor closed the connection before its greeting')));
  });
  return client;
}

function expectInternalError(r: { status: number | null; stderr: string; hung: boolean }, what: RegExp): void {
  expect(r.hung).toBe(false);
  expect(r.stderr).toMatch(/^pvdump: internal error: /);
  expect(r.stderr).toMatch(what);
  expect(r.stderr).toMatch(/\n {4}at /); // the stack, for the bug report
  expect(r.stderr).not.toContain('the VM failed');
  expect(r.status).toBe(70);
}

describe('pvdump run: internal errors', () => {
  it('a bug in the vCPU loop', async () => {
    expectInternalError(await runWithFault('vcpu-bug', ['--memory', '16M', CRASH_GUEST]), /TypeError: injected: a bug in the vCPU loop/);
  });

  it('a bug in the dump after a crash: no dump file, no temporary file', async () => {
    const dir = tempPath('internal-dump');
    mkdirSync(dir);
    const r = await runWithFault('dump-bug', ['--memory', '16M', '--on-crash', `dump=${join(dir, 'crash.elf')}`, CRASH_GUEST]);
    expectInternalError(r, /TypeError: injected: a bug in the dump writer/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it.each([
    ['escaped-throw', /RangeError: injected: thrown in an event handler/],
    ['escaped-rejection', /RangeError: injected: a rejected promise nobody awaits/],
  ])('%s while a QMP client is connected: the command ends, the client sees the connection close', async (fault, what) => {
    const dir = tempPath(`internal-${fault}`);
    mkdirSync(dir);
    const socket = join(dir, 'qmp.sock');
    const { child, ended } = startWithFault(fault, ['--memory', '16M', '--qmp', `unix:${socket}`, IDLE_GUEST]);
    const client = await greetedClient(socket, ended);
    const clientClosed = new Promise<void>((res) => client.once('close', () => res()));
    child.kill('SIGUSR2');
    expectInternalError(await ended, what);
    await clientClosed;
  });

  it('a failure the VMM reports stays a user-facing one-line error with status 1', async () => {
    const r = await runWithFault('machine-error', ['--memory', '16M', CRASH_GUEST]);
    expect(r.hung).toBe(false);
    expect(r.stderr).toBe('pvdump: the VM failed: injected: vCPU 0: a failure the VMM reports\n');
    expect(r.status).toBe(1);
  });
});
