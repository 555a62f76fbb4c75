// The fuzzing watchdog's hang rule: CPU time of the target's thread, not wall time, so a loaded
// machine (a process starved of CPU) is no hang; a process blocked without CPU use is one only
// after six hang bounds of wall time that it did not spend waiting for a CPU, stretched by the
// load per core. Checked on the rule itself and on /proc readings of a spinning and a sleeping process.
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { isHung, processTimes } from '../src/runner.ts';

describe('the hang rule', () => {
  const at = (cpuMs: number, waitMs: number) => ({ cpuMs, waitMs });
  it('counts CPU time of the target, not wall time', () => {
    expect(isHung(11_000, at(0, 0), at(10_500, 0), 10_000, 1)).toBe(true);
    expect(isHung(50_000, at(0, 0), at(9_000, 41_000), 10_000, 1)).toBe(false);
  });
  it('a starved process is no hang however long it waits for a CPU', () => {
    expect(isHung(600_000, at(0, 0), at(2_000, 590_000), 10_000, 1)).toBe(false);
  });
  it('a blocked process (no CPU, no run-queue wait) hangs after six bounds, stretched by the load per core', () => {
    expect(isHung(59_000, at(0, 0), at(10, 0), 10_000, 1)).toBe(false);
    expect(isHung(61_000, at(0, 0), at(10, 0), 10_000, 1)).toBe(true);
    expect(isHung(61_000, at(0, 0), at(10, 0), 10_000, 20)).toBe(false);
    expect(isHung(1_300_000, at(0, 0), at(10, 0), 10_000, 20)).toBe(true);
  });
  it('without /proc readings, wall time alone counts', () => {
    expect(isHung(61_000, undefined, undefined, 10_000, 1)).toBe(true);
    expect(isHung(30_000, undefined, undefined, 10_000, 1)).toBe(false);
  });
});

describe('/proc readings', () => {
  it('a spinning process runs or waits for a CPU all the time, a sleeping one neither', async () => {
    // Each says when it is past Node's start-up (which alone may take seconds on a loaded machine).
    const spin = spawn(process.execPath, ['-e', 'console.log("ready"); for (;;) {}'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const idle = spawn(process.execPath, ['-e', 'console.log("ready"); setTimeout(() => {}, 60000)'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const ready = (p: typeof spin): Promise<unknown> => new Promise((resolve) => p.stdout.once('data', resolve));
    try {
      await Promise.all([ready(spin), ready(idle)]);
      await sleep(200);
      const s0 = processTimes(spin.pid)!;
      const i0 = processTimes(idle.pid)!;
      await sleep(1500);
      const s1 = processTimes(spin.pid)!;
      const i1 = processTimes(idle.pid)!;
      // Always runnable: running or waiting for a CPU for (nearly) all of the 1.5 s, however loaded.
      expect(s1.cpuMs - s0.cpuMs + (s1.waitMs - s0.waitMs)).toBeGreaterThan(750);
      expect(s1.cpuMs).toBeGreaterThan(s0.cpuMs);
      expect(i1.cpuMs - i0.cpuMs + (i1.waitMs - i0.waitMs)).toBeLessThan(100);
      expect(processTimes(2 ** 30)).toBeUndefined();
    } finally {
      spin.kill('SIGKILL');
      idle.kill('SIGKILL');
    }
  });
});
