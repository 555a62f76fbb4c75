/**
 * The reference transcript `qemu-7.2-transcript.json` holds real QEMU 7.2's answers to the QMP
 * scenarios. This test records them again from the installed qemu-system-s390x and checks that
 * the recording still holds: same answers and events by shape (keys, types, event names, error
 * classes and texts, states), values such as timestamps aside. `PVDUMP_RECORD_QMP=1` rewrites the
 * file from this run instead.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireTool, run, tempPath } from '@pvdump/test-support';
import { loadTranscript, TRANSCRIPT, type Transcript } from './support/reference.ts';
import { SCENARIOS } from './support/scenarios.ts';
import { guestPath, IDLE_GUEST, qemuArguments, qemuVersion, startQemu } from './support/qemu.ts';
import { runScenario, stepShape, type RecordedStep } from './support/transcript.ts';

describe('real QEMU 7.2 answers as recorded', () => {
  it('re-recording against the installed qemu-system-s390x gives the same shapes', async () => {
    const recorded: Record<string, RecordedStep[]> = {};
    const commandLines: Record<string, string> = {};
    for (const scenario of SCENARIOS) {
      const dir = tempPath(`qemu-${scenario.name}`);
      mkdirSync(dir);
      const socket = join(dir, 'qmp.sock');
      const qemu = await startQemu(scenario, socket);
      try {
        recorded[scenario.name] = await runScenario(scenario, { path: socket }, dir);
        expect(await qemu.exited).toBe(0);
      } finally {
        qemu.process.kill();
      }
      const guest = scenario.guest === 'idle' ? 'tools/test/qmp/idle-guest/idle-guest.elf' : 'qemu-7.2-crash/guest.elf';
      commandLines[scenario.name] = ['qemu-system-s390x', ...qemuArguments(scenario, 'PATH', guest)].join(' ');
      expect(guestPath(scenario)).toMatch(/\.elf$/);
    }
    if (process.env.PVDUMP_RECORD_QMP === '1') {
      const transcript: Transcript = {
        source: {
          qemu: qemuVersion(),
          recorded: new Date().toISOString().slice(0, 10),
          commandLines,
          note: 'Recorded by tools/test/qmp/qemu-reference.test.ts with PVDUMP_RECORD_QMP=1; @DIR@ stands for a scratch folder.',
        },
        scenarios: recorded,
      };
      writeFileSync(TRANSCRIPT, JSON.stringify(transcript, null, 1) + '\n');
    }
    const reference = loadTranscript();
    expect(qemuVersion()).toContain('7.2');
    for (const scenario of SCENARIOS) {
      expect(recorded[scenario.name]!.map(stepShape)).toEqual(reference.scenarios[scenario.name]!.map(stepShape));
    }
  }, 180_000);
});

describe('the idle guest', () => {
  it('idle-guest.elf is what build.sh makes from idle-guest.S', () => {
    requireTool('s390x-linux-gnu-gcc');
    const out = tempPath('idle-guest.elf');
    run('sh', [join(IDLE_GUEST, '..', 'build.sh'), out]);
    expect(readFileSync(out).equals(readFileSync(IDLE_GUEST))).toBe(true);
  });
});
