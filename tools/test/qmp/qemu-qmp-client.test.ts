/**
 * A QMP client nobody here wrote: the `qemu-qmp` npm package drives our server through the flow a
 * dump tool uses: stop → dump-guest-memory (detached) → query-dump until completed → cont. The
 * client splits answers on newlines, writes requests without any, and reads the greeting from the
 * first chunk it receives, so it also checks those parts of the wire format.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import QMP from 'qemu-qmp';
import { describe, expect, it } from 'vitest';
import { openDump } from '@pvdump/dump-format';
import { tempPath } from '@pvdump/test-support';
import { startOurServer, unixAddress } from './support/our-server.ts';
import { execute } from '../support/qmp-client.ts';

describe('the qemu-qmp client against our server', () => {
  it('stop, detached dump-guest-memory, query-dump until completed, cont', async () => {
    const dir = tempPath('qemu-qmp');
    mkdirSync(dir);
    const ours = await startOurServer({ guest: 'idle', startPaused: false, panicAction: 'pause', smp: 2, memoryMiB: 64 }, unixAddress(dir));

    const qmp = new QMP();
    const events: string[] = [];
    // 'resume' is also the socket's own stream event (emitted when the client starts reading), so
    // the QMP RESUME is listened for only from `cont` on.
    for (const name of ['stop', 'dump_completed']) qmp.on(name, () => events.push(name));
    await new Promise<void>((resolve, reject) => qmp.connect((ours.address as { path: string }).path, (err) => (err ? reject(err) : resolve())));
    expect(qmp.version.qemu.major).toBe(7);
    expect(qmp.capabilities).toEqual(['oob']);

    expect(await execute(qmp, 'query-status')).toEqual({ status: 'running', singlestep: false, running: true });
    await execute(qmp, 'stop');
    const file = join(dir, 'dump.elf');
    expect(await execute(qmp, 'dump-guest-memory', { paging: false, protocol: `file:${file}`, detach: true })).toEqual({});
    const seen: string[] = [];
    for (;;) {
      const d = (await execute(qmp, 'query-dump')) as { status: string; completed: number; total: number };
      expect(d.total).toBe(64 << 20);
      expect(d.completed).toBeLessThanOrEqual(d.total);
      seen.push(d.status);
      if (d.status === 'completed') {
        expect(d.completed).toBe(d.total);
        break;
      }
      expect(d.status).toBe('active');
    }
    expect(seen).toContain('active');
    expect(await execute(qmp, 'query-status')).toEqual({ status: 'paused', singlestep: false, running: false });
    qmp.on('resume', () => events.push('resume'));
    await execute(qmp, 'cont');
    expect(await execute(qmp, 'query-status')).toEqual({ status: 'running', singlestep: false, running: true });
    await expect(execute(qmp, 'no-such-command')).rejects.toThrow('The command no-such-command has not been found');
    expect(events).toEqual(['stop', 'dump_completed', 'resume']);
    qmp.end();

    const dump = await openDump(file);
    expect(dump.cpus).toHaveLength(2);
    expect(dump.cpus[0]!.gprs[2]).toBe(0x222n);
    expect(dump.memory.reduce((n, m) => n + m.size, 0n)).toBe(64n << 20n);
    await dump.close();
    await ours.server.close();
  }, 60_000);
});
