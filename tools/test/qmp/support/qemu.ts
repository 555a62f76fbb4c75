/**
 * Starts the real QEMU (Debian's qemu-system-s390x 7.2) with a QMP unix socket, the way the
 * reference transcript was recorded, and guest paths for the scenarios.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixturePath, requireTool, run } from '@pvdump/test-support';
import type { Scenario } from './scenarios.ts';

export const IDLE_GUEST = join(dirname(fileURLToPath(import.meta.url)), '..', 'idle-guest', 'idle-guest.elf');

export function guestPath(scenario: Scenario): string {
  return scenario.guest === 'idle' ? IDLE_GUEST : fixturePath('qemu-7.2-crash/guest.elf');
}

/** QEMU's command line for a scenario (the socket path and guest path as given). */
export function qemuArguments(scenario: Scenario, socket: string, guest: string): string[] {
  return [
    '-machine',
    's390-ccw-virtio,accel=tcg',
    '-nographic',
    '-nodefaults',
    '-m',
    String(scenario.memoryMiB),
    '-smp',
    String(scenario.smp),
    '-action',
    `panic=${scenario.panicAction}`,
    ...(scenario.startPaused ? ['-S'] : []),
    '-qmp',
    `unix:${socket},server=on,wait=off`,
    '-kernel',
    guest,
  ];
}

export function qemuVersion(): string {
  return run(requireTool('qemu-system-s390x'), ['--version']).split('\n')[0]!.trim();
}

export interface RunningQemu {
  process: ChildProcess;
  stderr(): string;
  exited: Promise<number | null>;
}

/** Starts QEMU and waits until its QMP socket exists. */
export async function startQemu(scenario: Scenario, socket: string): Promise<RunningQemu> {
  const qemu = requireTool('qemu-system-s390x');
  const child = spawn(qemu, qemuArguments(scenario, socket, guestPath(scenario)), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 20_000;
  while (!existsSync(socket)) {
    if (child.exitCode !== null) throw new Error(`qemu-system-s390x exited with ${child.exitCode}: ${stderr}`);
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`qemu-system-s390x did not create ${socket}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { process: child, stderr: () => stderr, exited };
}
