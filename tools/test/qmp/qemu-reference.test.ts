/**
 * The reference transcript `qemu-7.2-transcript.json` holds real QEMU 7.2's answers to the QMP
 * scenarios. This test records them again from the installed qemu-system-s390x and checks that
 * the recording still holds: same answers and events by shape (keys, types, event names, error
 * classes and texts, states), values such as timestamps aside. `PVDUMP_RECORD_QMP=1` rewrites the
 * file from this run instead.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempPath } from '@pvdump/test-support';
import { mkdirSync } from 'node:fs';
import { SCENARIOS } from './support/scenarios.js';
import { guestPath, qemuArguments, qemuVersion, startQemu } from './support/qemu.js';
import { runScenario, stepShape, type RecordedStep } from './support/transcript.js';

export const TRANSCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'qemu-7.2-transcript.json');

export interface Transcript {
  source: { qemu: string; recorded: string; commandLines: Record<string, string>; note: string };
  scenarios: Record<string, RecordedStep[]>;
}

export function loadTranscript(): Transcript {
  return JSON.parse(readFileSync(TRANSCRIPT, 'utf8')) as Transcript;
}

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
    if (process.env['PVDUMP_RECORD_QMP'] === '1') {
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
