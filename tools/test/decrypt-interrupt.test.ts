/** An interrupted `pvdump decrypt` leaves neither its output nor its temporary file behind. */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempPath } from '@pvdump/test-support';
import { beforeAll, expect, it } from 'vitest';
import { buildPvDump, mixedStates, type BuiltDump } from '../../packages/dump-decrypt/test/support/pv-encryptor.ts';
import { CLI } from './cli.ts';

let dump: BuiltDump;
let key: string;
beforeAll(async () => {
  // 64 MiB: the pure-JS backend needs a few seconds for it, time enough to interrupt.
  dump = await buildPvDump(tempPath('big-pv.elf'), { cpus: 2, states: mixedStates(16384), fill: 'random' });
  key = tempPath('cck.bin');
  writeFileSync(key, dump.cck);
});

async function interrupt(signal: 'SIGINT' | 'SIGTERM'): Promise<{ code: number | null; dir: string; out: string; sawPart: boolean }> {
  const dir = tempPath(`interrupt-${signal}`);
  mkdirSync(dir);
  const out = join(dir, 'out.elf');
  const child = spawn(process.execPath, [CLI, 'decrypt', '--noble', '--workers', '0', '-k', key, dump.path, out], { stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let sawPart = false;
  for (let i = 0; i < 1500 && !sawPart; i++) {
    sawPart = readdirSync(dir).some((f) => f.endsWith('.part'));
    if (!sawPart) await new Promise((r) => setTimeout(r, 10));
  }
  child.kill(signal);
  return { code: await exited, dir, out, sawPart };
}

for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  it(`${signal} while writing: exit ${code}, no output file, no temporary file`, async () => {
    const r = await interrupt(signal);
    expect(r.sawPart).toBe(true);
    expect(r.code).toBe(code);
    expect(existsSync(r.out)).toBe(false);
    expect(readdirSync(r.dir)).toEqual([]);
  });
}
