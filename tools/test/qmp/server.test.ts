/**
 * The QMP server's own behaviour beyond the side-by-side scenarios, on the kvm-pv machine of
 * `pvdump run`: clients one after another (a client that connects while another is served is
 * greeted when it leaves), a client that goes away in the middle of a dump, an idle guest that
 * costs no host CPU, TCP on the loopback address, garbage and oversized input, a request
 * split over many writes, a unix socket that appears only once it listens, the dump formats as QEMU 7.2 lists and refuses them, begin/length on a
 * protected guest, and the poweroff panic action.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDump } from '@pvdump/dump-format';
import { tempPath } from '@pvdump/test-support';
import { parseQmpAddress } from '../../src/qmp/server.ts';
import { formatJson, JsonStreamSplitter, MAX_MESSAGE_BYTES, parseJson } from '../../src/qmp/json.ts';
import { PROTECTED_FILTER_REFUSED } from '../../src/qmp/vm.ts';
import { startOurServer, unixAddress, type RunningServer } from './support/our-server.ts';
import type { Scenario } from './support/scenarios.ts';
import { connectTo, type Json } from './support/transcript.ts';

const TRANSCRIPT = new URL('./qemu-7.2-transcript.json', import.meta.url);

type MachineScenario = Pick<Scenario, 'guest' | 'startPaused' | 'panicAction' | 'smp' | 'memoryMiB'>;
const IDLE: MachineScenario = { guest: 'idle', startPaused: false, panicAction: 'pause', smp: 2, memoryMiB: 16 };

/** A line-reading client for these tests. */
class Client {
  private buffer = '';
  private readonly lines: Json[] = [];
  private wake: (() => void) | undefined;
  closed = false;
  constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.buffer += d;
      let nl: number;
      while ((nl = this.buffer.indexOf('\r\n')) >= 0) {
        this.lines.push(JSON.parse(this.buffer.slice(0, nl)) as Json);
        this.buffer = this.buffer.slice(nl + 2);
      }
      this.wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
  }
  static async open(server: RunningServer): Promise<Client> {
    const a = server.address;
    return new Client(await connectTo(a.kind === 'unix' ? { path: a.path } : { port: a.port, host: a.host }));
  }
  /** The next message that matches (events are skipped unless asked for). */
  async next(match: (m: Record<string, Json>) => boolean = (m) => !('event' in m), timeoutMs = 30_000): Promise<Record<string, Json>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.lines.findIndex((m) => typeof m === 'object' && m !== null && !Array.isArray(m) && match(m));
      if (i >= 0) return this.lines.splice(i, 1)[0] as Record<string, Json>;
      if (this.closed) throw new Error('connection closed');
      if (Date.now() > deadline) throw new Error(`timed out; have ${JSON.stringify(this.lines)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 100);
        this.wake = () => {
          clearTimeout(t);
          r();
        };
      });
    }
  }
  pending(): Json[] {
    return this.lines.slice();
  }
  async command(execute: string, args?: object): Promise<Record<string, Json>> {
    this.socket.write(JSON.stringify(args === undefined ? { execute } : { execute, arguments: args }));
    return this.next();
  }
  async negotiate(): Promise<void> {
    expect(await this.next((m) => 'QMP' in m)).toHaveProperty('QMP');
    expect(await this.command('qmp_capabilities')).toEqual({ return: {} });
  }
}

let running: RunningServer | undefined;
afterEach(async () => {
  await running?.server.close();
  running?.machine.powerOff();
  running = undefined;
});

async function start(options: Partial<MachineScenario> & { protected?: boolean; tcp?: boolean } = {}): Promise<{ server: RunningServer; dir: string }> {
  const dir = tempPath('server');
  mkdirSync(dir);
  const { protected: protectedGuest, tcp, ...scenario } = options;
  running = await startOurServer({ ...IDLE, ...scenario }, tcp === true ? { kind: 'tcp', host: '127.0.0.1', port: 0 } : unixAddress(dir), { protected: protectedGuest === true });
  return { server: running, dir };
}

describe('QMP server sessions', () => {
  it('serves clients one after another; a second client is greeted when the first leaves', async () => {
    const { server } = await start();
    const first = await Client.open(server);
    await first.negotiate();
    const second = await Client.open(server);
    await new Promise((r) => setTimeout(r, 300));
    expect(second.pending()).toEqual([]);
    expect(await first.command('stop')).toEqual({ return: {} });
    first.socket.end();
    await second.negotiate();
    expect(await second.command('query-status')).toMatchObject({ return: { status: 'paused' } });
    second.socket.destroy();
    const third = await Client.open(server);
    await third.negotiate();
    expect(await third.command('cont')).toEqual({ return: {} });
    expect(await third.command('query-status')).toMatchObject({ return: { status: 'running' } });
  });

  for (const detach of [true, false]) {
    it(`a client that disconnects during a ${detach ? 'detached' : 'synchronous'} dump breaks neither the dump nor the VM`, async () => {
      const { server, dir } = await start({ memoryMiB: 64 });
      const first = await Client.open(server);
      await first.negotiate();
      const file = join(dir, 'dump.elf');
      first.socket.write(JSON.stringify({ execute: 'dump-guest-memory', arguments: { paging: false, protocol: `file:${file}`, detach } }));
      await first.next((m) => m.event === 'STOP');
      first.socket.destroy();
      const second = await Client.open(server);
      await second.negotiate();
      let status: Record<string, Json>;
      do status = (await second.command('query-dump')).return as Record<string, Json>;
      while (status.status === 'active');
      expect(status).toEqual({ total: 64 << 20, status: 'completed', completed: 64 << 20 });
      expect(await second.command('query-status')).toMatchObject({ return: { status: 'running' } });
      const dump = await openDump(file);
      expect(dump.memory.reduce((n, m) => n + m.size, 0n)).toBe(64n << 20n);
      await dump.close();
      expect(await second.command('dump-guest-memory', { paging: false, protocol: `file:${file}` })).toEqual({ return: {} });
    });
  }

  it('an idle guest sleeps: no turns of the run loop while its vCPU waits, commands answered at once', async () => {
    const { server } = await start();
    const client = await Client.open(server);
    await client.negotiate();
    // Until the guest has reached its enabled wait (a loaded machine may take a while).
    for (let last = -1, deadline = Date.now() + 20_000; server.machine.turns !== last && Date.now() < deadline;) {
      last = server.machine.turns;
      await new Promise((r) => setTimeout(r, 100));
    }
    const turns = server.machine.turns;
    const cpuBefore = process.cpuUsage();
    const wallBefore = performance.now();
    await new Promise((r) => setTimeout(r, 300));
    const cpu = process.cpuUsage(cpuBefore);
    expect(server.machine.turns).toBe(turns);
    expect((cpu.user + cpu.system) / 1000).toBeLessThan((performance.now() - wallBefore) * 0.5);
    expect(await client.command('stop')).toEqual({ return: {} });
    expect(await client.command('cont')).toEqual({ return: {} });
    expect(await client.command('query-status')).toMatchObject({ return: { status: 'running' } });
    // cont runs one turn: the vCPU is still asleep, and so is the loop again.
    await new Promise((r) => setTimeout(r, 50));
    expect(server.machine.turns - turns).toBe(1);
  });

  it('listens on TCP 127.0.0.1 and refuses other addresses', async () => {
    const { server } = await start({ tcp: true });
    expect(server.address).toMatchObject({ kind: 'tcp', host: '127.0.0.1' });
    const client = await Client.open(server);
    await client.negotiate();
    expect(await client.command('query-status')).toMatchObject({ return: { running: true } });
    expect(parseQmpAddress('tcp:127.0.0.1:4444')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 4444 });
    expect(parseQmpAddress('unix:/tmp/q.sock,server=on,wait=off')).toEqual({ kind: 'unix', path: '/tmp/q.sock' });
    expect(() => parseQmpAddress('tcp:0.0.0.0:4444')).toThrow(/loopback/);
    expect(() => parseQmpAddress('tcp:127.0.0.1:70000')).toThrow(/out of range/);
    expect(() => parseQmpAddress('stdio')).toThrow(/unix:PATH or tcp:127.0.0.1:PORT/);
  });

  it('a unix socket appears at its path only once it listens, and goes when the server closes', async () => {
    const { server, dir } = await start();
    const path = join(dir, 'qmp.sock');
    expect(server.address).toEqual({ kind: 'unix', path });
    // Bound under a hidden name and renamed: nothing else is left in the directory.
    expect(readdirSync(dir)).toEqual(['qmp.sock']);
    expect(lstatSync(path).isSocket()).toBe(true);
    const client = await Client.open(server);
    await client.negotiate();
    client.socket.destroy();
    await server.server.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('answers garbage and oversized input with parse errors and keeps serving', async () => {
    const { server } = await start();
    const client = await Client.open(server);
    await client.negotiate();
    client.socket.write(']]]');
    for (let i = 0; i < 3; i++) expect(await client.next()).toEqual({ error: { class: 'GenericError', desc: 'JSON parse error, expecting value' } });
    client.socket.write(`{"execute": "query-status", "arguments": {"x": "${'a'.repeat(MAX_MESSAGE_BYTES + 10)}"}}`);
    expect(await client.next()).toMatchObject({ error: { class: 'GenericError', desc: expect.stringMatching(/^JSON parse error, message exceeds/) } });
    client.socket.write('{"execute": "query-status", "arguments": {"x": [{"y": "}]"}]}}');
    expect(await client.next()).toEqual({ error: { class: 'GenericError', desc: "Parameter 'x' is unexpected" } });
    for (const ch of '{"execute": "query-status", "id": "split"}') client.socket.write(ch);
    expect(await client.next()).toMatchObject({ return: { status: 'running' }, id: 'split' });
  });

  it('lists the formats the recorded QEMU 7.2 lists; kdump formats get the answer of a QEMU built without them', async () => {
    const { server, dir } = await start();
    const client = await Client.open(server);
    await client.negotiate();
    const qemu = (JSON.parse(readFileSync(TRANSCRIPT, 'utf8')) as { scenarios: Record<string, { note: string; messages: Json[] }[]> }).scenarios.idle!.find((s) => s.note === 'query-dump-guest-memory-capability')!;
    expect(await client.command('query-dump-guest-memory-capability')).toEqual(qemu.messages[0]);
    expect(qemu.messages[0]).toEqual({ return: { formats: ['elf', 'kdump-zlib'] } });
    const file = join(dir, 'kdump.elf');
    for (const format of ['kdump-zlib', 'kdump-lzo', 'kdump-snappy']) {
      expect(await client.command('dump-guest-memory', { paging: false, protocol: `file:${file}`, format })).toEqual({ error: { class: 'GenericError', desc: `${format} is not available now` } });
    }
    expect(await client.command('dump-guest-memory', { paging: true, protocol: `file:${file}`, format: 'kdump-zlib' })).toEqual({ error: { class: 'GenericError', desc: "kdump-compressed format doesn't support paging or filter" } });
    expect(await client.command('dump-guest-memory', { paging: false, protocol: `file:${file}`, format: 'win-dmp' })).toEqual({ error: { class: 'GenericError', desc: 'Windows dump is only available for x86-64' } });
    expect(existsSync(file)).toBe(false);
    expect(await client.command('query-dump')).toEqual({ return: { status: 'none', completed: 0, total: 0 } });
  });

  it('refuses begin/length for a protected guest', async () => {
    const { server, dir } = await start({ protected: true });
    const client = await Client.open(server);
    await client.negotiate();
    const file = join(dir, 'filtered.elf');
    expect(await client.command('dump-guest-memory', { paging: false, protocol: `file:${file}`, begin: 0, length: 4096 })).toEqual({
      error: { class: 'GenericError', desc: PROTECTED_FILTER_REFUSED },
    });
    expect(await client.command('query-dump')).toMatchObject({ return: { status: 'failed' } });
    expect(await client.command('query-status')).toMatchObject({ return: { status: 'running' } });
    expect(existsSync(file)).toBe(true);
  });

  it('panic action shutdown: GUEST_PANICKED with action poweroff, then SHUTDOWN (guest-panic)', async () => {
    const { server } = await start({ guest: 'crash', startPaused: true, panicAction: 'shutdown' });
    const client = await Client.open(server);
    await client.negotiate();
    client.socket.write('{"execute": "cont"}');
    const panic = await client.next((m) => m.event === 'GUEST_PANICKED');
    expect(panic.data).toEqual({ action: 'poweroff', info: { core: 0, 'psw-addr': 0xdead, reason: 'disabled-wait', 'psw-mask': 0x0002000180000000, type: 's390' } });
    expect((await client.next((m) => m.event === 'SHUTDOWN')).data).toEqual({ guest: true, reason: 'guest-panic' });
    await server.ended;
    expect(server.vm.runState).toBe('shutdown');
    expect(server.vm.lastPanic?.pswAddr).toBe(0xdeadn);
  });
});

describe('QMP JSON', () => {
  it('splits a stream into texts and keeps 64-bit integers', () => {
    const s = new JsonStreamSplitter();
    expect(s.push('{"a": 1}{"b"')).toEqual([{ ok: true, value: { a: 1 } }]);
    expect(s.push(': "}{"} 18446744073709551615 tru')).toEqual([
      { ok: true, value: { b: '}{' } },
      { ok: true, value: 18446744073709551615n },
    ]);
    expect(s.push('e ')).toEqual([{ ok: true, value: true }]);
    expect(parseJson('{"a": [1, 2.5, null, "\\u0041"]}')).toEqual({ ok: true, value: { a: [1, 2.5, null, 'A'] } });
    expect(parseJson('{"a": 1,}')).toEqual({ ok: false, reason: 'key is not a string in object' });
    expect(formatJson({ a: [1, { b: 0xffffffffffffffffn }], c: 'x' })).toBe('{"a": [1, {"b": 18446744073709551615}], "c": "x"}');
  });
});
