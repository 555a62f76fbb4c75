/** The committed recording of real QEMU 7.2's QMP answers (`../qemu-7.2-transcript.json`). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RecordedStep } from './transcript.ts';

export const TRANSCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'qemu-7.2-transcript.json');

export interface Transcript {
  source: { qemu: string; recorded: string; commandLines: Record<string, string>; note: string };
  scenarios: Record<string, RecordedStep[]>;
}

export function loadTranscript(): Transcript {
  return JSON.parse(readFileSync(TRANSCRIPT, 'utf8')) as Transcript;
}
