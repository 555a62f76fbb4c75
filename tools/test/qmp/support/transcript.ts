/**
 * Runs a scenario against a QMP endpoint (real QEMU or our server) and records every message in
 * arrival order; reduces recordings to their shape (keys, value types, event names, error classes
 * and texts, state names) so that two recordings can be compared where values such as timestamps,
 * thread ids and sizes differ.
 */
import { connect, type Socket } from 'node:net';
import type { Scenario, Step } from './scenarios.ts';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface RecordedStep {
  note: string;
  send?: string;
  messages: Json[];
}

export type Endpoint = { path: string } | { port: number; host: string };

const STEP_TIMEOUT_MS = 30_000;

/** Reads CR LF-separated JSON messages from a socket. */
class MessageReader {
  private buffer = '';
  private readonly messages: Json[] = [];
  private waiter: (() => void) | undefined;
  closed = false;

  constructor(socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, nl).trim();
        this.buffer = this.buffer.slice(nl + 1);
        if (line !== '') this.messages.push(JSON.parse(line) as Json);
      }
      this.waiter?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiter?.();
    });
    socket.on('error', () => undefined);
  }

  /** Waits until `done(messages)` holds; returns and removes the messages. */
  async take(done: (messages: Json[]) => boolean, what: string): Promise<Json[]> {
    const deadline = Date.now() + STEP_TIMEOUT_MS;
    while (!done(this.messages)) {
      if (this.closed) throw new Error(`connection closed while waiting for ${what}; got ${JSON.stringify(this.messages)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.waiter = undefined;
    }
    return this.messages.splice(0);
  }

  async waitClosed(): Promise<void> {
    await this.take(() => this.closed, 'the server to close the connection').catch((e: unknown) => {
      if (!this.closed) throw e;
    });
  }
}

const isAnswer = (m: Json): boolean => typeof m === 'object' && m !== null && !Array.isArray(m) && ('return' in m || 'error' in m || 'QMP' in m);
const eventName = (m: Json): string | undefined => (typeof m === 'object' && m !== null && !Array.isArray(m) && typeof m.event === 'string' ? m.event : undefined);

function stepDone(step: Step, messages: Json[]): boolean {
  if (messages.filter(isAnswer).length < (step.answers ?? 1)) return false;
  const names = messages.map(eventName);
  return (step.events ?? []).every((e) => names.includes(e));
}

export async function connectTo(endpoint: Endpoint): Promise<Socket> {
  // QEMU creates its socket file at bind(), just before listen(): a refusal in between is retried.
  const deadline = Date.now() + 5_000;
  for (;;) {
    try {
      return await new Promise<Socket>((resolve, reject) => {
        const socket = 'path' in endpoint ? connect(endpoint.path) : connect(endpoint.port, endpoint.host);
        socket.once('connect', () => resolve(socket));
        socket.once('error', reject);
      });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ECONNREFUSED' || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** Sends the scenario's steps one by one and records what came back for each. */
export async function runScenario(scenario: Scenario, endpoint: Endpoint, dir: string): Promise<RecordedStep[]> {
  const socket = await connectTo(endpoint);
  const reader = new MessageReader(socket);
  const out: RecordedStep[] = [];
  try {
    for (const step of scenario.steps) {
      if (step.send !== undefined) socket.write(step.send.replaceAll('@DIR@', dir));
      const messages = await reader.take((m) => stepDone(step, m), `'${step.note}'`);
      // Events that a step's answer may precede (e.g. STOP after a panic) are waited for above;
      // a short pause lets stray events show up in the step that caused them.
      await new Promise((r) => setTimeout(r, 50));
      messages.push(...(await reader.take(() => true, 'nothing')));
      // The scratch folder appears in some answers (file errors); it is recorded as @DIR@.
      const recorded = JSON.parse(JSON.stringify(messages).replaceAll(dir, '@DIR@')) as Json[];
      out.push({ note: step.note, ...(step.send === undefined ? {} : { send: step.send }), messages: recorded });
      if (step.closes === true) await reader.waitClosed();
    }
  } finally {
    socket.destroy();
  }
  return out;
}

/** Keys whose values are part of the protocol (names, states, classes, texts, formats), kept as is. */
const LITERAL_KEYS = new Set([
  'event',
  'class',
  'desc',
  'status',
  'running',
  'singlestep',
  'cpu-state',
  'target',
  'reason',
  'action',
  'type',
  'guest',
  'core',
  'psw-addr',
  'psw-mask',
  'id',
  'qom-path',
  'cpu-index',
  'core-id',
  'capabilities',
  'formats',
]);

/** The shape of a message: literal values for LITERAL_KEYS, type names elsewhere. */
export function shapeOf(value: Json, key?: string): Json {
  if (key !== undefined && LITERAL_KEYS.has(key)) return value;
  if (value === null) return 'null';
  // An array's shape is the set of its elements' shapes (a list of formats is a list of strings,
  // however long).
  if (Array.isArray(value)) return [...new Map(value.map((v) => shapeOf(v)).map((s) => [JSON.stringify(s), s])).values()];
  if (typeof value === 'object') {
    const out: Record<string, Json> = {};
    for (const k of Object.keys(value).sort()) out[k] = shapeOf(value[k]!, k);
    return out;
  }
  return typeof value;
}

/** A step's shape: its answer, and its events as a sorted list of shapes (their order races). */
export function stepShape(step: RecordedStep): Json {
  const answers = step.messages.filter((m) => eventName(m) === undefined).map((m) => shapeOf(m));
  const events = step.messages
    .filter((m) => eventName(m) !== undefined)
    .map((m) => shapeOf(m))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return { note: step.note, answers, events };
}
