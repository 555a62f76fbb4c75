/** `pvdump info -k`: decrypted registers, census and authentication results for a PV dump. */
import { readFileSync, writeFileSync } from 'node:fs';
import { fixturePath, gunzipFixture, tempPath } from '@pvdump/test-support';
import { describe, expect, it } from 'vitest';
import { pvdump } from './cli.ts';

const KEY = fixturePath('pv-zgetdump/cck.bin');
const DUMP = fixturePath('pv-zgetdump/pv-dump.elf.gz');
const expected = JSON.parse(readFileSync(fixturePath('pv-zgetdump/expected.json'), 'utf8')) as {
  cpus: { gprs: string[]; psw: string[]; ctrs: string[]; prefix: number; dump_flags: number }[];
  page_counts: Record<string, number>;
};

describe('pvdump info -k', () => {
  it('--json: decrypted registers in the same shape as without a key, the hypervisor view beside, census, authentication', () => {
    const withKey = pvdump(['info', '--json', '-k', KEY, DUMP]);
    expect(withKey.status).toBe(0);
    const a = JSON.parse(withKey.stdout);
    const b = JSON.parse(pvdump(['info', '--json', DUMP]).stdout);
    expect(Object.keys(a.cpus[0]).sort()).toEqual(Object.keys(b.cpus[0]).sort());
    expect(a.hypervisorCpus).toEqual(b.cpus);
    expected.cpus.forEach((e, i) => {
      expect(a.cpus[i].gprs).toEqual(e.gprs);
      expect([a.cpus[i].psw.mask, a.cpus[i].psw.addr]).toEqual(e.psw);
      expect(a.cpus[i].crs).toEqual(e.ctrs);
      expect(Number(a.cpus[i].prefix)).toBe(e.prefix);
      expect(a.cpus[i].gprs).not.toEqual(b.cpus[i].gprs);
    });
    const pc = expected.page_counts;
    expect(a.decryption.census).toEqual({
      encrypted: pc.encrypted,
      zero: pc.zero! + pc['zero|mapped']!,
      shared: pc.shared! + pc['shared|mapped']!,
      mapped: pc['zero|mapped']! + pc['shared|mapped']!,
      total: 512,
    });
    expect(a.decryption.completionAuthenticated).toBe(true);
    expect(a.decryption.cpuNotes.map((n: { authenticated: boolean }) => n.authenticated)).toEqual([true, true]);
    expect(a.decryption.warnings).toHaveLength(1);
    expect(a.decryption.warnings[0]).toMatch(/^CPU 1: .*partial instruction results/);
  });

  it('text: authentication lines, census and the decrypted CPUs', () => {
    const r = pvdump(['info', '-k', KEY, DUMP]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/completion data \(pv_compl\): authenticated/);
    expect(r.stdout).toMatch(/CPU 1 note \(offset 0x[0-9a-f]+\): authenticated/);
    expect(r.stdout).toMatch(/pages: 512 = 293 encrypted \+ 92 zero \+ 127 shared \(57 of the zero\/shared ones mapped\)/);
    expect(r.stdout).toMatch(/CPU 0, decrypted \(pid 1\)\n {2}PSW=mask 0705000180000000 addr 0000000000100000/);
    expect(r.stdout).toMatch(/CPU 1, decrypted \(partial instruction results/);
  });

  it('a wrong key: reported, exit 1, no decrypted registers', () => {
    const r = pvdump(['info', '--json', '-k', fixturePath('pv-zgetdump/wrong-cck.bin'), DUMP]);
    expect(r.status).toBe(1);
    const a = JSON.parse(r.stdout);
    expect(a.decryption.completionAuthenticated).toBe(false);
    expect(a.decryption.completionError).toMatch(/Verifying the GCM tag failed/);
    expect(a.cpus).toEqual([null, null]);
    expect(r.stderr).toMatch(/authentication failed/);
  });

  it('a tampered CPU note: that CPU is reported unauthenticated', async () => {
    const b = readFileSync(await gunzipFixture('pv-zgetdump/pv-dump.elf.gz'));
    b[4653] = b[4653]! ^ 1;
    const p = tempPath('tampered.elf');
    writeFileSync(p, b);
    const r = pvdump(['info', '--json', '-k', KEY, p]);
    expect(r.status).toBe(1);
    const a = JSON.parse(r.stdout);
    expect(a.decryption.cpuNotes.map((n: { authenticated: boolean }) => n.authenticated)).toEqual([true, false]);
    expect(a.cpus[0]).not.toBeNull();
    expect(a.cpus[1]).toBeNull();
    expect(r.stderr).toMatch(/CPU 1/);
  });

  it('a key file of the wrong size is an error (exit 1)', () => {
    const k = tempPath('k16.bin');
    writeFileSync(k, Buffer.alloc(16));
    const r = pvdump(['info', '-k', k, DUMP]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Wrong key size: expected 32 != actual 16/);
  });

  it('without -k a PV dump says a key is needed', () => {
    const r = pvdump(['info', DUMP]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/PV dump: yes/);
    expect(r.stdout).toMatch(/needs the customer communication key/);
  });

  it('-k on a non-PV dump says nothing needs decrypting', () => {
    const r = pvdump(['info', '-k', KEY, fixturePath('qemu-7.2-crash/dump.elf.gz')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/not a PV dump: nothing to decrypt/);
  });
});
