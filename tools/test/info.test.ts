/** `pvdump info`: text and JSON views of a dump, and the exit-code contract. */
import { readFileSync, writeFileSync } from 'node:fs';
import { fixturePath, gunzipFixture, tempPath } from '@pvdump/test-support';
import { describe, expect, it } from 'vitest';
import { pvdump } from './cli.ts';

/** QEMU's own `info registers -a` for the fixture, as { psw, gprs, vrs, crs } per CPU (hex strings). */
function qemuRegisters(): { psw: string[]; gprs: string[]; vrs: string[]; crs: string[] }[] {
  const text = readFileSync(fixturePath('qemu-7.2-crash/qemu-info-registers.txt'), 'utf8');
  return text
    .split(/^CPU#\d+$/m)
    .slice(1)
    .map((b) => {
      const all = (re: RegExp): string[] => [...b.matchAll(re)].map((m) => '0x' + m[1]!);
      const psw = /PSW=mask ([0-9a-f]+) addr ([0-9a-f]+)/.exec(b)!;
      return { psw: ['0x' + psw[1]!, '0x' + psw[2]!], gprs: all(/R\d\d=([0-9a-f]{16})/g), vrs: all(/V\d\d=([0-9a-f]{32})/g), crs: all(/C\d\d=([0-9a-f]{16})/g) };
    });
}

describe('pvdump info', () => {
  it('--json on the gzipped QEMU fixture gives every register QEMU reported', () => {
    const r = pvdump(['info', '--json', fixturePath('qemu-7.2-crash/dump.elf.gz')]);
    expect(r.status).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info.pv).toBe(false);
    expect(info.memory).toEqual([{ start: '0x0000000000000000', size: '0x0000000001000000' }]);
    expect(info.warnings.map((w: { code: string }) => w.code).sort()).toEqual(['ehsize', 'pid-byte-order', 'pid-byte-order', 'section-header-byte-order']);
    const want = qemuRegisters();
    expect(info.cpus).toHaveLength(2);
    for (const [i, cpu] of info.cpus.entries()) {
      expect([cpu.psw.mask, cpu.psw.addr]).toEqual(want[i]!.psw);
      expect(cpu.gprs).toEqual(want[i]!.gprs);
      expect(cpu.crs).toEqual(want[i]!.crs);
      expect(cpu.vrs).toEqual(want[i]!.vrs);
      expect(cpu.acrs).toHaveLength(16);
      expect(cpu.acrs[0]).toMatch(/^0x[0-9a-f]{8}$/);
      expect(cpu.fprs).toHaveLength(16);
      for (const k of ['fpc', 'prefix', 'todpreg']) expect(cpu[k]).toMatch(/^0x[0-9a-f]{8}$/);
      for (const k of ['timer', 'todcmp']) expect(cpu[k]).toMatch(/^0x[0-9a-f]{16}$/);
    }
  });

  it('says a PV dump is one, with the sizes of its PV parts, and that a key is needed', async () => {
    const pv = await gunzipFixture('pv-zgetdump/pv-dump.elf.gz');
    const json = JSON.parse(pvdump(['info', '--json', pv]).stdout);
    expect(json.pv).toBe(true);
    expect(json.pvSections).toEqual({ memMeta: { offset: '0x00000000002017c8', size: '0x0000000000002000' }, compl: { offset: '0x00000000002037c8', size: '0x0000000000000120' }, cpuDataSizes: [1568, 1568] });
    const text = pvdump(['info', pv]);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/PV dump: yes/);
    expect(text.stdout).toMatch(/customer communication key/);
  });

  it('exits 2 on bad usage and 1 on a bad dump, with a message and no stack trace', () => {
    const usage = pvdump(['info']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/missing DUMP/);
    expect(pvdump(['info', '--frobnicate', 'x']).status).toBe(2);
    expect(pvdump(['no-such-command']).status).toBe(2);

    const missing = pvdump(['info', '/nonexistent/dump.elf']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/no such file/);

    const notDump = pvdump(['info', fixturePath('qemu-7.2-crash/guest.elf')]);
    expect(notDump.status).toBe(1);
    expect(notDump.stderr).toMatch(/executable, not a dump/);
    expect(notDump.stderr).not.toMatch(/\n\s+at /);

    const junk = tempPath('junk.bin');
    writeFileSync(junk, 'hello, world');
    const j = pvdump(['info', '--json', junk]);
    expect(j.status).toBe(1);
    expect(j.stdout).toBe('');
    expect(j.stderr).toMatch(/not an ELF file/);
  });
});
