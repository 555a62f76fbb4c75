/**
 * Side by side with the real thing: the scenarios sent to real QEMU 7.2 (the recorded transcript,
 * re-checked against the installed QEMU by qemu-reference.test.ts) and to our QMP server give
 * answers and events of the same shape, step by step; the guests' registers (`info registers`)
 * and the panic information are the same values; the dumps our server wrote are valid s390x ELF
 * cores of the guest.
 */
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDump } from '@pvdump/dump-format';
import { tempPath } from '@pvdump/test-support';
import { loadTranscript } from './support/reference.ts';
import { SCENARIOS } from './support/scenarios.ts';
import { startOurServer, unixAddress } from './support/our-server.ts';
import { runScenario, stepShape, type Json, type RecordedStep } from './support/transcript.ts';

const answerOf = (step: RecordedStep | undefined): Json | undefined => step?.messages.find((m) => typeof m === 'object' && m !== null && !Array.isArray(m) && 'return' in m);
const eventData = (steps: RecordedStep[], name: string): Json | undefined => {
  for (const s of steps) for (const m of s.messages) if (typeof m === 'object' && m !== null && !Array.isArray(m) && m.event === name) return m.data;
  return undefined;
};

describe('our QMP server side by side with QEMU 7.2', () => {
  const reference = loadTranscript();
  for (const scenario of SCENARIOS) {
    it(`scenario ${scenario.name}: same keys, types, event names, errors and states`, async () => {
      const dir = tempPath(`ours-${scenario.name}`);
      mkdirSync(dir);
      const ours = await startOurServer(scenario, unixAddress(dir));
      const recorded = await runScenario(scenario, { path: (ours.address as { path: string }).path }, dir);
      await ours.ended;
      const qemu = reference.scenarios[scenario.name]!;
      expect(recorded.map(stepShape)).toEqual(qemu.map(stepShape));

      // The same guest on our CPU: the same registers, the same panic.
      for (const note of ['info registers', 'info registers -a', 'info registers -a of the crashed guest']) {
        const q = qemu.find((s) => s.note === note);
        if (q !== undefined) expect(answerOf(recorded.find((s) => s.note === note))).toEqual(answerOf(q));
      }
      expect(eventData(recorded, 'GUEST_PANICKED')).toEqual(eventData(qemu, 'GUEST_PANICKED'));

      for (const name of scenario.name === 'idle' ? ['sync.elf', 'detached.elf'] : ['crash.elf']) {
        const file = join(dir, name);
        expect(statSync(file).mode & 0o777).toBe(0o400);
        const dump = await openDump(file);
        expect(dump.cpus.length).toBe(scenario.smp);
        expect(dump.memory.reduce((n, m) => n + m.size, 0n)).toBe(BigInt(scenario.memoryMiB << 20));
        if (scenario.name === 'crash') expect(dump.cpus[0]!.psw.addr).toBe(0xdeadn);
        await dump.close();
      }
    }, 120_000);
  }
});
