/**
 * A QMP server speaking QEMU 7.2's wire protocol (docs/interop/qmp-spec in QEMU; behaviour checked
 * against the real QEMU in `tools/test/qmp/qemu-7.2-transcript.json`):
 *
 * - On connect the server greets: `{"QMP": {"version": {...}, "capabilities": ["oob"]}}`.
 * - The client starts in capabilities-negotiation mode: every command but `qmp_capabilities`
 *   fails with CommandNotFound "Expecting capabilities negotiation with 'qmp_capabilities'", and
 *   no events are sent to it. After `qmp_capabilities` it is in command mode.
 * - A request is `{"execute": NAME, "arguments": {...}, "id": ANY}`; the answer is
 *   `{"return": VALUE}` or `{"error": {"class", "desc"}}`, with the request's `id` when it had
 *   one. Requests are executed one at a time, in order.
 * - Events are `{"event": NAME, "data": {...}, "timestamp": {"seconds", "microseconds"}}`, sent to
 *   every client in command mode as they happen.
 * - Transports: a unix socket (`unix:PATH`) or TCP on the loopback address
 *   (`tcp:127.0.0.1:PORT`). As QEMU's chardev socket, one client is served at a time; a client that
 *   connects meanwhile is greeted when the one before it leaves. A client that goes away (even in
 *   the middle of a detached or synchronous dump) ends only its own session.
 */
import { randomBytes } from 'node:crypto';
import { lstatSync, renameSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { argumentsOf, CAPABILITIES_ARGS, checkArguments, COMMANDS } from './commands.js';
import { generic, QmpError, QmpErrors } from './errors.js';
import { formatJson, isJsonObject, JsonStreamSplitter, type JsonObject, type JsonValue } from './json.js';
import type { VmEvent, VmMonitor } from './vm.js';

/** Where the server listens. */
export type QmpAddress = { kind: 'unix'; path: string } | { kind: 'tcp'; host: '127.0.0.1'; port: number };

/** Parses `unix:PATH` or `tcp:127.0.0.1:PORT` (the forms of QEMU's `-qmp`); throws a message. */
export function parseQmpAddress(text: string): QmpAddress {
  if (text.startsWith('unix:')) {
    const path = text.slice(5).split(',')[0]!;
    if (path === '') throw new Error(`'${text}': unix: needs a socket path, e.g. unix:/tmp/qmp.sock`);
    return { kind: 'unix', path };
  }
  const tcp = /^tcp:([^:]*):(\d+)(,.*)?$/.exec(text);
  if (tcp !== null) {
    if (tcp[1] !== '127.0.0.1' && tcp[1] !== 'localhost') {
      throw new Error(`'${text}': the monitor listens on the loopback address only (tcp:127.0.0.1:PORT); it has no authentication`);
    }
    const port = Number(tcp[2]);
    if (port > 65535) throw new Error(`'${text}': port ${port} is out of range (0-65535)`);
    return { kind: 'tcp', host: '127.0.0.1', port };
  }
  throw new Error(`'${text}' is not a QMP address: use unix:PATH or tcp:127.0.0.1:PORT`);
}

export interface QmpServerOptions {
  /** Reported in the greeting; [E] QEMU 7.2.0 (the protocol level implemented), package pvdump. */
  version?: { major: number; minor: number; micro: number; package: string };
  /**
   * Told of a command that failed with something other than a QMP error (a bug: the client still
   * gets a GenericError with its message, as QEMU would answer an unexpected failure).
   */
  onInternalError?: (error: unknown, request: JsonValue) => void;
}

const DEFAULT_VERSION = { major: 7, minor: 2, micro: 0, package: 'pvdump 0.1.0' };

/** Wall-clock time as QMP timestamps carry it. */
function timestamp(): JsonObject {
  const us = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  return { seconds: Math.floor(us / 1e6), microseconds: us % 1e6 };
}

class QmpSession {
  private negotiated = false;
  private readonly splitter = new JsonStreamSplitter();
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  /** Set by `qmp_capabilities` with `enable: ["oob"]`. */
  private oobEnabled = false;

  constructor(
    private readonly socket: Socket,
    private readonly server: QmpServer,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      for (const msg of this.splitter.push(chunk)) {
        this.queue = this.queue.then(() => (msg.ok ? this.handle(msg.value) : this.send({ error: errorBody(QmpErrors.parse(msg.reason)) })));
      }
    });
    socket.on('error', () => undefined);
  }

  get inCommandMode(): boolean {
    return this.negotiated && !this.closed;
  }

  greet(greeting: JsonObject): void {
    this.send(greeting);
  }

  send(message: JsonObject): void {
    if (this.closed || this.socket.destroyed) return;
    this.socket.write(formatJson(message) + '\r\n');
  }

  markClosed(): void {
    this.closed = true;
  }

  /** Ends the session once the requests already received are answered and sent. */
  async end(): Promise<void> {
    await this.queue;
    this.closed = true;
    return new Promise((resolve) => {
      if (this.socket.destroyed) resolve();
      else this.socket.end(() => resolve());
      this.socket.once('close', () => resolve());
    });
  }

  private async handle(request: JsonValue): Promise<void> {
    const id = isJsonObject(request) ? request.id : undefined;
    const reply = (body: JsonObject): void => this.send(id === undefined ? body : { ...body, id });
    try {
      const result = await this.dispatch(request);
      reply({ return: result });
    } catch (e) {
      // A failure that is not a QMP error (a bug, an I/O error of the machine) is still answered,
      // so the client and the VM carry on.
      if (!(e instanceof QmpError)) this.server.onInternalError?.(e, request);
      reply({ error: errorBody(e instanceof QmpError ? e : generic(e instanceof Error ? e.message : String(e))) });
    }
    // Not awaited: closing waits for this request's queue entry, which ends here.
    if (this.server.quitting) void this.server.close();
  }

  private async dispatch(request: JsonValue): Promise<JsonValue> {
    if (!isJsonObject(request)) throw QmpErrors.notObject();
    for (const [key, value] of Object.entries(request)) {
      if (key === 'execute' || key === 'exec-oob') {
        if (typeof value !== 'string') throw QmpErrors.memberNotString(key);
      } else if (key === 'arguments') {
        if (!isJsonObject(value)) throw QmpErrors.memberNotObject(key);
      } else if (key !== 'id') throw QmpErrors.memberUnexpected(key);
    }
    if (request['exec-oob'] !== undefined) {
      if (request.execute !== undefined) throw QmpErrors.bothExecutes();
      if (!this.oobEnabled) throw QmpErrors.oobNotEnabled();
      const name = request['exec-oob'] as string;
      throw Object.hasOwn(COMMANDS, name) ? QmpErrors.noOob(name) : QmpErrors.commandNotFound(name);
    }
    const name = request.execute;
    if (typeof name !== 'string') throw QmpErrors.executeMissing();
    const args = argumentsOf(request);
    if (name === 'qmp_capabilities') {
      if (this.negotiated) throw QmpErrors.alreadyNegotiated();
      const checked = checkArguments(CAPABILITIES_ARGS, args);
      this.oobEnabled = Array.isArray(checked.get('enable')) && (checked.get('enable') as JsonValue[]).includes('oob');
      this.negotiated = true;
      return {};
    }
    if (!this.negotiated) throw QmpErrors.expectingNegotiation();
    const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (command === undefined) throw QmpErrors.commandNotFound(name);
    const result = await command.run(checkArguments(command.args, args), { vm: this.server.vm });
    if (name === 'quit') this.server.quitting = true;
    return result;
  }
}

function errorBody(e: QmpError): JsonObject {
  return { class: e.errorClass, desc: e.desc };
}

export class QmpServer {
  private server: Server | undefined;
  private active: QmpSession | undefined;
  private readonly waiting: Socket[] = [];
  private readonly greeting: JsonObject;
  private unixPath: string | undefined;
  private closing: Promise<void> | undefined;
  /** Set once `quit` has been answered: the server then closes. */
  quitting = false;
  readonly onInternalError: ((error: unknown, request: JsonValue) => void) | undefined;

  constructor(
    readonly vm: VmMonitor,
    options: QmpServerOptions = {},
  ) {
    const v = options.version ?? DEFAULT_VERSION;
    this.onInternalError = options.onInternalError;
    this.greeting = {
      QMP: { version: { qemu: { micro: v.micro, minor: v.minor, major: v.major }, package: v.package }, capabilities: ['oob'] },
    };
    vm.onEvent((e) => this.broadcast(e));
  }

  /** Starts listening; resolves with the address actually bound (the port when 0 was asked). */
  listen(address: QmpAddress): Promise<QmpAddress> {
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      const bound = (): void => {
        server.off('error', reject);
        const a = server.address();
        resolve(address.kind === 'tcp' && a !== null && typeof a === 'object' ? { ...address, port: a.port } : address);
      };
      if (address.kind === 'unix') {
        removeStaleSocket(address.path);
        this.unixPath = address.path;
        // Bound under a hidden name and renamed once listening, so a client that waits for the
        // file to appear never finds it between bind and listen (ECONNREFUSED).
        const hidden = hiddenSocketPath(address.path);
        if (hidden === undefined) server.listen(address.path, bound);
        else
          server.listen(hidden, () => {
            try {
              renameSync(hidden, address.path);
            } catch (e) {
              server.close();
              reject(e instanceof Error ? e : new Error(String(e)));
              return;
            }
            bound();
          });
      } else server.listen(address.port, address.host, bound);
    });
  }

  private accept(socket: Socket): void {
    if (this.quitting) {
      socket.destroy();
      return;
    }
    if (this.active !== undefined) {
      this.waiting.push(socket);
      socket.once('close', () => {
        const i = this.waiting.indexOf(socket);
        if (i >= 0) this.waiting.splice(i, 1);
      });
      return;
    }
    const session = new QmpSession(socket, this);
    this.active = session;
    socket.once('close', () => {
      session.markClosed();
      if (this.active === session) this.active = undefined;
      const next = this.waiting.shift();
      if (next !== undefined && !this.quitting) this.accept(next);
    });
    session.greet(this.greeting);
  }

  private broadcast(e: VmEvent): void {
    const session = this.active;
    if (!session?.inCommandMode) return;
    const message: JsonObject = { timestamp: timestamp(), event: e.event };
    if (e.data !== undefined) message.data = e.data;
    session.send(message);
  }

  /** Stops listening and ends every session (after their pending output). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const server = this.server;
      for (const s of this.waiting.splice(0)) s.destroy();
      if (this.active !== undefined) await this.active.end();
      if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
      if (this.unixPath !== undefined) removeStaleSocket(this.unixPath);
    })();
    return this.closing;
  }
}

/** Longest unix socket path Linux takes (sun_path holds 108 bytes with the terminating NUL). */
const SUN_PATH_MAX = 107;

/** A fresh name beside `path` to bind before the rename; none when it would not fit sun_path. */
function hiddenSocketPath(path: string): string | undefined {
  const hidden = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}`);
  return Buffer.byteLength(hidden) <= SUN_PATH_MAX ? hidden : undefined;
}

/** QEMU replaces a socket file left at the path; anything else there is an error on listen. */
function removeStaleSocket(path: string): void {
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
  } catch {
    // nothing there
  }
}
