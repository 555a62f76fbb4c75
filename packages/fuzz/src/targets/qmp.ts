/**
 * The QMP monitor of `pvdump run`, live (`@pvdump/tools/qmp` in front of the kvm-pv machine of
 * `@pvdump/tools/run`, docs of QEMU 7.2's QMP as tools/README.md describes them): a server on a
 * unix socket for a small guest (one that idles in an enabled wait, one that crashes, one that
 * spins, or IBM genprotimg's SE image of a guest that crashes, booted protected), fed by clients one after another with valid commands and random or
 * ill-typed arguments, arbitrary and truncated JSON, huge lines, requests split over writes, and
 * clients that leave mid-command or mid-dump. After the clients a fresh one must be served.
 *
 * Failures: a command that fails with something other than a QMP error (an internal error), the
 * machine failing, a message not of QEMU's shape (greeting; `return` or `error` with a QEMU error
 * class and a description, the request's `id`; an event with a timestamp), a session of
 * well-formed requests not answered once each and in order, a fresh client not served while the
 * VM lives, a dump that does not end; a peak RSS past the bound; the process crashing.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import fc from 'fast-check';
import { fixturePath } from '@pvdump/test-support';
import { decodeHostPrivateKeyPem, deterministicRandom, type HostKeyPair } from '@pvdump/ultravisor';
import { QmpServer, VmMonitor } from '@pvdump/tools/qmp';
import { KvmPvMachine, type GuestImage } from '@pvdump/tools/run';
import { describeError, scratchFolder } from '../outcome.js';
import { defineTarget, FuzzFailure } from '../target.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One write of a client. `@DIR@` in its text is the run's scratch folder. */
type Message =
  | { kind: 'command'; execute: string; arguments?: Json; id?: Json }
  | { kind: 'text'; text: string }
  | { kind: 'truncated'; execute: string; arguments?: Json; keep: number }
  | { kind: 'huge'; bytes: number; form: 'string' | 'nesting' | 'array' | 'garbage' };

interface Session {
  /** Sends `qmp_capabilities` first. */
  negotiate: boolean;
  messages: Message[];
  /** Each message in two writes, the second after a turn of the event loop. */
  split: boolean;
  /** How the client leaves: after its answers, by closing its side at once, or by a reset mid-command. */
  leave: 'answers' | 'end' | 'destroy';
}

interface Input {
  guest: 'idle' | 'crash' | 'spin' | 'protected';
  cpus: number;
  startPaused: boolean;
  panicAction: 'pause' | 'shutdown' | 'none';
  sessions: Session[];
}

interface Context {
  dir: string;
  /** IBM genprotimg 2.35's `se.img` and the host key it was made for. */
  seImage: Uint8Array;
  hostKey: HostKeyPair;
  runs: number;
}

/** Wall time a live server gets to answer (generous: a loaded machine). */
const ANSWER_MS = 20_000;
const MIB = 1 << 20;

/** QEMU 7.2's error classes (qapi/error.json) and the events this monitor sends. */
const ERROR_CLASSES = new Set(['GenericError', 'CommandNotFound', 'DeviceNotActive', 'DeviceNotFound', 'KVMMissingCap']);
const EVENTS = new Set(['STOP', 'RESUME', 'RESET', 'SHUTDOWN', 'GUEST_PANICKED', 'DUMP_COMPLETED']);

const COMMANDS = ['qmp_capabilities', 'query-status', 'stop', 'cont', 'system_reset', 'quit', 'query-cpus-fast', 'query-dump-guest-memory-capability', 'query-dump', 'dump-guest-memory', 'human-monitor-command'] as const;
const ARGUMENT_NAMES = ['paging', 'protocol', 'detach', 'begin', 'length', 'format', 'command-line', 'cpu-index', 'enable'] as const;

/**
 * A raw boot image made here (loaded at 0, started from the short IPL PSW at 0): r2..r4 set, then
 * an enabled wait (`idle`), an invalid instruction (`crash`) or a branch to itself (`spin`); the
 * program-new PSW is a disabled wait at 0xdead, so a program check is a guest panic.
 */
function rawGuest(kind: 'idle' | 'crash' | 'spin'): Uint8Array {
  const image = new Uint8Array(0x1000);
  const view = new DataView(image.buffer);
  view.setUint32(0, 0x00080000); // short PSW: bit 12, 31-bit addressing
  view.setUint32(4, 0x80000200);
  view.setBigUint64(0x1d0, 0x0002000180000000n);
  view.setBigUint64(0x1d8, 0xdeadn);
  // lghi %r2,0x222; lghi %r3,0x333; lghi %r4,0x444; then lpswe 0x220, the invalid opcode 0x0000, or j . (brc 15,0)
  const last = { idle: 0xb2b20220, crash: 0x00000000, spin: 0xa7f40000 }[kind];
  const code = [0xa7290222, 0xa7390333, 0xa7490444, last];
  code.forEach((word, i) => view.setUint32(0x200 + 4 * i, word));
  view.setBigUint64(0x220, 0x0102000180000000n); // enabled wait, external interruptions on, 64-bit
  view.setBigUint64(0x228, 0x600n);
  return image;
}

// ------------------------------------------------------------------ inputs

const argumentValue: fc.Arbitrary<Json> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom<Json>(
      'file:@DIR@/dump.elf',
      'file:@DIR@/no/such/dir.elf',
      'file:@DIR@',
      'file:',
      'fd:nosuch',
      'tcp:127.0.0.1:1',
      'elf',
      'kdump-zlib',
      'kdump-lzo',
      'kdump-snappy',
      'win-dmp',
      'info registers',
      'info registers -a',
      'info nosuch',
      'info',
      '',
      'oob',
      'help',
    ),
  },
  { weight: 3, arbitrary: fc.boolean() },
  { weight: 3, arbitrary: fc.constantFrom<Json>(0, 1, 2, -1, 4095, 4096, 0x100000, 0x200000, 0x7fffffff, 2 ** 32, 2 ** 53, -(2 ** 53), 1e300, 0.5, -0) },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json> },
);

/** Arguments: mostly an object of known names with any values, else any JSON. */
const argumentsArbitrary: fc.Arbitrary<Json> = fc.oneof(
  { weight: 6, arbitrary: fc.dictionary(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...ARGUMENT_NAMES) }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) }), argumentValue, { maxKeys: 5 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json> },
);

/** Valid dump requests, often: they reach the dump driver (and the mid-dump disconnects). */
const dumpCommand: fc.Arbitrary<Message> = fc
  .record({ detach: fc.boolean(), filter: fc.option(fc.constantFrom<[number, number]>([0, 4096], [4096, 8192], [0x1ff000, 0x1000], [0x1ff000, 0x2000], [0, 0], [0x10000000, 4096]), { nil: undefined }) })
  .map(({ detach, filter }) => ({
    kind: 'command',
    execute: 'dump-guest-memory',
    arguments: { paging: false, protocol: 'file:@DIR@/dump.elf', detach, ...(filter === undefined ? {} : { begin: filter[0], length: filter[1] }) },
  }));

const commandMessage: fc.Arbitrary<Message> = fc.record(
  {
    kind: fc.constant('command' as const),
    execute: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...COMMANDS) }, { weight: 1, arbitrary: fc.string({ maxLength: 20 }) }),
    arguments: argumentsArbitrary,
    id: fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }) as fc.Arbitrary<Json>),
  },
  { requiredKeys: ['kind', 'execute'] },
);

/** Text that is JSON-like without being a request: fragments, stray brackets, escapes, keywords. */
const textMessage: fc.Arbitrary<Message> = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '{',
        '}',
        '[',
        ']',
        '"',
        ':',
        ',',
        '\\',
        '\\u00',
        '\\ud800',
        'true',
        'nul',
        '"execute"',
        '"arguments"',
        '"id"',
        '"exec-oob"',
        '"query-status"',
        '18446744073709551616',
        '-',
        '1e',
        '\n',
        '\r\n',
        ' ',
        "'",
        '\u0000',
        '\u00ff',
        '\ud83d\ude00',
      ),
      fc.string({ maxLength: 12 }),
    ),
    { minLength: 1, maxLength: 24 },
  )
  .map((parts) => ({ kind: 'text', text: parts.join('') }));

const truncatedMessage: fc.Arbitrary<Message> = fc
  .tuple(fc.constantFrom(...COMMANDS), fc.option(argumentsArbitrary, { nil: undefined }), fc.nat({ max: 200 }))
  .map(([execute, args, keep]) => (args === undefined ? { kind: 'truncated', execute, keep } : { kind: 'truncated', execute, arguments: args, keep }));

const hugeMessage: fc.Arbitrary<Message> = fc.record({
  kind: fc.constant('huge' as const),
  bytes: fc.constantFrom(1023, 1025, MIB - 64, MIB, MIB + 1, 3 * MIB),
  form: fc.constantFrom('string' as const, 'nesting' as const, 'array' as const, 'garbage' as const),
});

const sessionArbitrary: fc.Arbitrary<Session> = fc.record({
  negotiate: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  messages: fc.array(fc.oneof({ weight: 8, arbitrary: commandMessage }, { weight: 3, arbitrary: dumpCommand }, { weight: 2, arbitrary: textMessage }, { weight: 2, arbitrary: truncatedMessage }, { weight: 1, arbitrary: hugeMessage }), {
    maxLength: 8,
  }),
  split: fc.boolean(),
  leave: fc.constantFrom('answers' as const, 'end' as const, 'destroy' as const),
});

// ------------------------------------------------------------------ a client

/** Text of a message as sent (the scratch folder put in; `file:` paths always inside it). */
function messageText(m: Message, dir: string): string {
  let text: string;
  switch (m.kind) {
    case 'command':
      text = JSON.stringify({ execute: m.execute, ...(m.arguments === undefined ? {} : { arguments: m.arguments }), ...(m.id === undefined ? {} : { id: m.id }) });
      break;
    case 'truncated': {
      const whole = JSON.stringify({ execute: m.execute, ...(m.arguments === undefined ? {} : { arguments: m.arguments }) });
      text = whole.slice(0, Math.min(m.keep, whole.length - 1));
      break;
    }
    case 'text':
      text = m.text;
      break;
    case 'huge':
      text =
        m.form === 'string'
          ? `{"execute": "query-status", "arguments": {"x": "${'a'.repeat(m.bytes)}"}}`
          : m.form === 'nesting'
            ? `{"execute": "query-status", "arguments": {"x": ${'['.repeat(m.bytes)}${']'.repeat(m.bytes)}}}`
            : m.form === 'array'
              ? `[${'1,'.repeat(m.bytes >> 1)}1]`
              : 'x'.repeat(m.bytes);
      break;
  }
  // Dumps are written only inside the scratch folder, whatever the text says.
  return text.replace(/file:(?!@DIR@)/g, 'file:@DIR@/f').replaceAll('@DIR@', dir);
}

type Received = Record<string, unknown>;

class Client {
  private buffer = '';
  readonly messages: Received[] = [];
  private wake: (() => void) | undefined;
  closed = false;
  failure: string | undefined;

  constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl: number;
      while ((nl = this.buffer.indexOf('\r\n')) >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 2);
        try {
          const value = JSON.parse(line) as unknown;
          if (typeof value !== 'object' || value === null || Array.isArray(value)) this.failure ??= `the server sent a message that is not a JSON object: ${line.slice(0, 200)}`;
          else this.messages.push(value as Received);
        } catch {
          this.failure ??= `the server sent a line that is not JSON: ${line.slice(0, 200)}`;
        }
      }
      if (this.buffer.length > 4 * MIB) this.failure ??= 'the server sent more than 4 MiB without a line end';
      this.wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
    socket.on('error', () => undefined);
  }

  /** Waits until `done()` holds or the connection closed; false on the deadline. */
  async until(done: () => boolean): Promise<boolean> {
    const deadline = Date.now() + ANSWER_MS;
    while (!done() && !this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 1000));
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = undefined;
    }
    return true;
  }

  answers(): Received[] {
    return this.messages.filter((m) => 'return' in m || 'error' in m);
  }

  write(text: string): Promise<void> {
    return new Promise((resolve) => {
      // The callback also comes (with an error) when the socket is destroyed meanwhile.
      if (this.socket.destroyed || this.socket.writableEnded) resolve();
      else this.socket.write(text, () => resolve());
    });
  }

  /** Waits until no message arrived for 50 ms (at most 2 s): the answers to text of unknown shape. */
  async settle(): Promise<void> {
    const end = Date.now() + 2000;
    let seen = -1;
    while (this.messages.length !== seen && !this.closed && Date.now() < end) {
      seen = this.messages.length;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function openClient(path: string): Promise<Client | undefined> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => resolve(new Client(socket)));
    socket.once('error', () => resolve(undefined));
  });
}

const isObject = (v: unknown): v is Received => typeof v === 'object' && v !== null && !Array.isArray(v);
const keysAre = (m: Received, allowed: readonly string[]): boolean => Object.keys(m).every((k) => allowed.includes(k));

/** Why `m` is not a message QEMU's QMP sends, or undefined. */
function shapeProblem(m: Received): string | undefined {
  if ('QMP' in m) {
    const qmp = m.QMP;
    if (!keysAre(m, ['QMP']) || !isObject(qmp) || !isObject(qmp.version) || !Array.isArray(qmp.capabilities)) return "a greeting not of QEMU's shape";
    return undefined;
  }
  if ('event' in m) {
    const ts = m.timestamp;
    if (!keysAre(m, ['event', 'data', 'timestamp']) || typeof m.event !== 'string' || !EVENTS.has(m.event)) return 'an unknown event or event members';
    if (!isObject(ts) || !Number.isInteger(ts.seconds) || !Number.isInteger(ts.microseconds) || (ts.microseconds as number) < 0 || (ts.microseconds as number) > 999_999) return 'an event without a valid timestamp';
    if ('data' in m && !isObject(m.data)) return 'event data that is not an object';
    return undefined;
  }
  if ('error' in m) {
    const e = m.error;
    if (!keysAre(m, ['error', 'id']) || !isObject(e) || !keysAre(e, ['class', 'desc']) || typeof e.class !== 'string' || !ERROR_CLASSES.has(e.class)) return "an error not of QEMU's shape or class";
    if (typeof e.desc !== 'string' || e.desc === '') return 'an error without a description';
    if (/\n\s+at /.test(e.desc)) return 'an error whose description is a stack trace';
    return undefined;
  }
  if ('return' in m) return keysAre(m, ['return', 'id']) ? undefined : 'a return with unexpected members';
  return 'a message that is neither greeting, event, return nor error';
}

// ------------------------------------------------------------------ a run

interface Live {
  dir: string;
  path: string;
  machine: KvmPvMachine;
  vm: VmMonitor;
  server: QmpServer;
  /** The VM ended (quit, power-off, a shutdown): clients may then find no server. */
  ended: boolean;
  problems: string[];
}

function guestImage(ctx: Context, guest: Input['guest']): GuestImage {
  return { kind: 'raw', image: guest === 'protected' ? ctx.seImage : rawGuest(guest) };
}

async function start(ctx: Context, input: Input): Promise<Live> {
  const dir = join(ctx.dir, String(ctx.runs++));
  mkdirSync(dir);
  const machine = new KvmPvMachine({
    kernel: input.guest === 'protected' ? { hostKeys: [ctx.hostKey], random: deterministicRandom('pvdump fuzz qmp uv'), hostStorageSize: 8 * 2 ** 30 } : { protectedVirtualization: false, hostStorageSize: 8 * 2 ** 30 },
    memorySize: 2 * MIB,
    cpus: input.cpus,
    guest: guestImage(ctx, input.guest),
  });
  const vm = new VmMonitor(machine, { startPaused: input.startPaused, panicAction: input.panicAction });
  const problems: string[] = [];
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JSON.stringify returns undefined for undefined
  const server = new QmpServer(vm, { onInternalError: (e, request) => problems.push(`a command failed with an internal error (${JSON.stringify(request)?.slice(0, 300)}):\n${describeError(e)}`) });
  const path = join(dir, 'qmp.sock');
  await server.listen({ kind: 'unix', path });
  const live: Live = { dir, path, machine, vm, server, ended: false, problems };
  // As `pvdump run`: when the VM ends the monitor goes.
  vm.onEnd((end) => {
    live.ended = true;
    if (end.by === 'internal-error') problems.push(`the machine failed: ${end.message}`);
    void server.close();
  });
  return live;
}

async function runSession(live: Live, session: Session, index: number): Promise<void> {
  const where = `client ${index}`;
  const client = await openClient(live.path);
  if (client === undefined) {
    if (!live.ended && !live.server.quitting) throw new FuzzFailure(`${where}: the server refused the connection while the VM lives`);
    return;
  }
  try {
    if (!(await client.until(() => client.messages.length > 0))) throw new FuzzFailure(`${where}: no greeting within ${ANSWER_MS} ms`);
    if (client.messages.length === 0) {
      if (!live.ended && !live.server.quitting) throw new FuzzFailure(`${where}: the server closed the connection without a greeting while the VM lives`);
      return;
    }
    const texts = [...(session.negotiate ? ['{"execute": "qmp_capabilities"}'] : []), ...session.messages.map((m) => messageText(m, live.dir))];
    for (const text of texts) {
      if (session.split && text.length > 1) {
        await client.write(text.slice(0, text.length >> 1));
        await new Promise((r) => setImmediate(r));
        await client.write(text.slice(text.length >> 1));
      } else await client.write(text);
    }
    // Well-formed requests each get one answer, in order, with their id.
    const requests = session.messages.every((m) => m.kind === 'command') ? [...(session.negotiate ? [{ kind: 'command', execute: 'qmp_capabilities' } as Message] : []), ...session.messages] : undefined;
    if (session.leave === 'answers') {
      if (requests === undefined) await client.settle();
      else {
        const answered = await client.until(() => client.answers().length >= requests.length);
        if (!answered) throw new FuzzFailure(`${where}: ${client.answers().length} of ${requests.length} requests answered within ${ANSWER_MS} ms`);
        const answers = client.answers();
        if (answers.length < requests.length && !live.ended && !live.server.quitting) throw new FuzzFailure(`${where}: the server closed the connection after ${answers.length} of ${requests.length} answers while the VM lives`);
        if (answers.length > requests.length) throw new FuzzFailure(`${where}: ${answers.length} answers to ${requests.length} requests`);
        answers.forEach((a, i) => {
          const request = requests[i]!;
          const id = request.kind === 'command' ? request.id : undefined;
          if (JSON.stringify(a.id) !== JSON.stringify(id)) throw new FuzzFailure(`${where}: answer ${i} has id ${JSON.stringify(a.id)}, its request ${JSON.stringify(id)}`);
        });
      }
    }
    if (session.leave === 'destroy') client.socket.destroy();
    else {
      client.socket.end();
      if (!(await client.until(() => false))) throw new FuzzFailure(`${where}: the server kept the connection ${ANSWER_MS} ms after the client closed its side`);
    }
  } finally {
    client.socket.destroy();
    if (client.failure !== undefined) live.problems.push(`${where}: ${client.failure}`);
    for (const m of client.messages) {
      const problem = shapeProblem(m);
      if (problem !== undefined) live.problems.push(`${where}: ${problem}: ${JSON.stringify(m).slice(0, 300)}`);
    }
  }
}

/** A fresh client must be greeted and answered while the VM lives. */
async function probe(live: Live): Promise<void> {
  if (live.ended || live.server.quitting) return;
  const client = await openClient(live.path);
  // A `quit` sent just before a client left may still be on its way: it ends the VM meanwhile.
  if (client === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the VM's and the server's callbacks set these while this awaits
    if (live.ended || live.server.quitting) return;
    throw new FuzzFailure('after the clients the server refuses a new connection while the VM lives');
  }
  try {
    await client.write('{"execute": "qmp_capabilities"}{"execute": "query-status", "id": "probe"}');
    const ok = await client.until(() => client.answers().some((a) => a.id === 'probe'));
    if (!ok || client.closed) await new Promise((r) => setImmediate(r));
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the VM's and the server's callbacks set these while this awaits
    if (live.ended || live.server.quitting) return;
    if (!ok || client.closed) throw new FuzzFailure(`after the clients a new client is not answered (query-status) within ${ANSWER_MS} ms`);
    const answer = client.answers().find((a) => a.id === 'probe')!;
    if (!isObject(answer.return) || typeof answer.return.status !== 'string') throw new FuzzFailure(`query-status answered ${JSON.stringify(answer)}`);
  } finally {
    client.socket.destroy();
  }
}

async function stop(live: Live): Promise<void> {
  // A dump in progress ends (completed or failed) by itself.
  const deadline = Date.now() + ANSWER_MS;
  while (live.vm.queryDump().status === 'active') {
    if (Date.now() > deadline) throw new FuzzFailure(`a dump is still active ${ANSWER_MS} ms after the last client`);
    await new Promise((r) => setTimeout(r, 10));
  }
  await live.server.close();
  live.machine.powerOff();
  live.machine.vm.close();
  rmSync(live.dir, { recursive: true, force: true });
}

export const target = defineTarget<Input, Context>({
  name: 'qmp',
  summary: 'a live QMP server on a small guest fed arbitrary, truncated and huge JSON, ill-typed arguments, clients leaving mid-command and mid-dump: QEMU-shaped answers, no internal error, served afterwards',
  level: 'library',
  memoryBoundMiB: 500,
  hangMs: 30_000,
  ciRuns: 30,
  async prepare() {
    return {
      dir: scratchFolder('pvdump-fuzz-qmp-'),
      seImage: new Uint8Array(readFileSync(fixturePath('genprotimg-2.35/se.img'))),
      hostKey: decodeHostPrivateKeyPem(readFileSync(fixturePath('genprotimg-2.35/host-key.pem'), 'utf8')),
      runs: 0,
    };
  },
  inputs: () =>
    fc.record({
      guest: fc.oneof(
        { weight: 4, arbitrary: fc.constant('idle' as const) },
        { weight: 2, arbitrary: fc.constant('crash' as const) },
        { weight: 1, arbitrary: fc.constant('spin' as const) },
        { weight: 1, arbitrary: fc.constant('protected' as const) },
      ),
      cpus: fc.integer({ min: 1, max: 2 }),
      startPaused: fc.boolean(),
      panicAction: fc.constantFrom('pause' as const, 'shutdown' as const, 'none' as const),
      sessions: fc.array(sessionArbitrary, { minLength: 1, maxLength: 4 }),
    }),
  examples: () => {
    const cmd = (execute: string, args?: Json, id?: Json): Message => ({ kind: 'command', execute, ...(args === undefined ? {} : { arguments: args }), ...(id === undefined ? {} : { id }) });
    const dump = (detach: boolean): Message => cmd('dump-guest-memory', { paging: false, protocol: 'file:@DIR@/dump.elf', detach }, 'dump');
    return [
      // A dump tool's flow, then a client that leaves in the middle of a detached and of a synchronous dump.
      {
        guest: 'idle',
        cpus: 2,
        startPaused: false,
        panicAction: 'pause',
        sessions: [
          { negotiate: true, split: false, leave: 'answers', messages: [cmd('stop'), dump(true), cmd('query-dump'), cmd('cont'), cmd('query-status')] },
          { negotiate: true, split: true, leave: 'destroy', messages: [dump(true)] },
          { negotiate: true, split: false, leave: 'destroy', messages: [dump(false)] },
          { negotiate: true, split: false, leave: 'answers', messages: [cmd('query-dump'), cmd('human-monitor-command', { 'command-line': 'info registers -a' })] },
        ],
      },
      // The protected guest panics; its dump, a refused begin/length, a reset, a huge line.
      {
        guest: 'protected',
        cpus: 2,
        startPaused: false,
        panicAction: 'pause',
        sessions: [
          {
            negotiate: true,
            split: false,
            leave: 'answers',
            messages: [cmd('query-status'), dump(false), cmd('dump-guest-memory', { paging: false, protocol: 'file:@DIR@/f.elf', begin: 0, length: 4096 }), cmd('system_reset'), cmd('cont')],
          },
          {
            negotiate: false,
            split: false,
            leave: 'end',
            messages: [
              { kind: 'huge', bytes: MIB + 1, form: 'string' },
              { kind: 'truncated', execute: 'query-status', keep: 10 },
            ],
          },
        ],
      },
    ];
  },
  async execute(input, ctx) {
    const live = await start(ctx, input);
    try {
      for (const [i, session] of input.sessions.entries()) await runSession(live, session, i);
      await probe(live);
    } finally {
      await stop(live);
    }
    if (live.problems.length > 0) throw new FuzzFailure(live.problems.join('\n'));
  },
  async dispose(ctx) {
    rmSync(ctx.dir, { recursive: true, force: true });
  },
});
