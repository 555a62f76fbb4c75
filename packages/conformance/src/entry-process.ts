// The process one entry runs in (forked by the runner, so entries run in parallel and a run past
// its time limit can be killed): receives the RunSpec over IPC, writes the guest's console text
// to stdout, and sends back how the machine run ended.
import { runEntry } from './run-entry.js';
import type { RunSpec } from './plan.js';
import type { MachineEnd } from './outcome.js';
import type { RunHostKey } from './secure-image.js';

export interface EntryRequest {
  spec: RunSpec;
  timeoutSeconds: number;
  /** The run's host key (secure entries). */
  hostKey?: RunHostKey;
}

export interface EntryReply {
  end: MachineEnd;
}

process.once('message', (message: EntryRequest) => {
  let end: MachineEnd;
  try {
    end = runEntry(message.spec, { console: (text) => process.stdout.write(text), timeoutSeconds: message.timeoutSeconds, ...(message.hostKey === undefined ? {} : { hostKey: message.hostKey }) });
  } catch (e) {
    end = { kind: 'machine-error', message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
  const reply: EntryReply = { end };
  // stdout drains before the reply, so the parent has all console text when it reads the end.
  process.stdout.write('', () => process.send?.(reply, () => process.disconnect()));
});
