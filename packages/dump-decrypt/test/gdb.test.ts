// gdb-multiarch opens a decrypted dump and shows the decrypted registers of every CPU (and, with
// NT_AUXV, the vector registers) and the decrypted memory.
import { readFileSync } from 'node:fs';
import { fixturePath, gunzipFixture, requireTool, run, tempPath } from '@pvdump/test-support';
import { expect, it } from 'vitest';
import { decryptDump } from '../src/index.ts';

interface ExpectedCpu {
  gprs: string[];
  psw: [string, string];
  vr_high: string;
}

it("gdb-multiarch shows every CPU's decrypted registers, vector registers and memory", async () => {
  const gdb = requireTool('gdb-multiarch');
  const expected = JSON.parse(readFileSync(fixturePath('pv-zgetdump/expected.json'), 'utf8')) as { cpus: ExpectedCpu[]; first_encrypted_page: number };
  const input = await gunzipFixture('pv-zgetdump/pv-dump.elf.gz');
  const out = tempPath('gdb.elf');
  await decryptDump(input, readFileSync(fixturePath('pv-zgetdump/cck.bin')), out, { auxv: true });
  const page = expected.first_encrypted_page * 4096;
  const args = ['-nx', '-batch', '-ex', 'set pagination off', '-c', out];
  for (let t = 1; t <= expected.cpus.length; t++) {
    args.push('-ex', `thread ${t}`, '-ex', 'info registers', '-ex', 'p/x $v16.uint128', '-ex', `x/4xg ${page}`);
  }
  const text = run(gdb, args);
  const blocks = text.split(/\[Switching to thread \d+/).slice(1);
  expect(blocks).toHaveLength(expected.cpus.length);
  const mem = readFileSync(await gunzipFixture('pv-zgetdump/zgetdump-out.elf.gz'));
  const memory = mem.subarray(mem.length - 0x200000);
  blocks.forEach((b, i) => {
    const e = expected.cpus[i]!;
    const reg = (name: string): bigint => BigInt(new RegExp(`^${name}\\s+(0x[0-9a-f]+)`, 'm').exec(b)![1]!);
    e.gprs.forEach((g, r) => expect(reg(`r${r}`)).toBe(BigInt(g)));
    expect(reg('pswm')).toBe(BigInt(e.psw[0]));
    expect(reg('pswa')).toBe(BigInt(e.psw[1]));
    expect(BigInt(/^\$\d+ = (0x[0-9a-f]+)/m.exec(b)![1]!)).toBe(BigInt('0x' + e.vr_high.slice(0, 32)));
    const words = [...b.matchAll(/0x[0-9a-f]+:\s+(0x[0-9a-f]{16})\s+(0x[0-9a-f]{16})/g)].flatMap((m) => [m[1]!, m[2]!]).map((w) => BigInt(w));
    expect(words).toEqual([0, 1, 2, 3].map((k) => memory.readBigUInt64BE(page + 8 * k)));
  });
});
