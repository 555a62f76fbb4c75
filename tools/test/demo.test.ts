/**
 * The Quick start demo (scripts/demo.mjs) end to end: host key, SE image of the demo guest, a
 * protected boot on 2 vCPUs that crashes and is dumped, the secret absent from the encrypted dump
 * and present after decryption, both CPUs' registers, the gdb view, the real fixtures; every step
 * with its command. Without gdb-multiarch on PATH the gdb step is one line and the rest runs.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, requireTool, runStatusAsync, tempPath } from '@pvdump/test-support';
import { describe, expect, it } from 'vitest';

const DEMO = join(repoRoot(), 'scripts', 'demo.mjs');
const SECRET = 'PVDUMP-DEMO-SECRET: the vault code is 7-3-1-9';

describe('the demo', () => {
  it('boots, crashes, dumps and decrypts the protected demo guest, printing every command', async () => {
    requireTool('gdb-multiarch');
    const r = await runStatusAsync(process.execPath, [DEMO]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = r.stdout;
    // The commands, as a reader would type them in the work folder.
    for (const command of [
      '$ pvdump hostkey -o keys',
      '$ head -c 32 /dev/urandom > cck.bin',
      '$ pvdump image --host-key-document keys/host-key.crt --cck cck.bin --enable-dump -o demo-guest.img $REPO/examples/demo-guest/demo-guest.elf',
      '$ pvdump run --host-key keys/host-key.pem --smp 2 --memory 16M --on-crash dump=dump.elf demo-guest.img',
      '$ pvdump info dump.elf',
      '$ pvdump info --memory 0x10000:48 dump.elf',
      '$ pvdump info -k cck.bin dump.elf',
      '$ pvdump decrypt -k cck.bin dump.elf decrypted.elf',
      '$ pvdump info --memory 0x10000:0x110 decrypted.elf',
      '$ pvdump info decrypted.elf',
      "$ gdb-multiarch -batch -nx -ex 'info threads'",
      '$ pvdump info $REPO/fixtures/qemu-7.2-crash/dump.elf.gz',
    ]) {
      expect(out).toContain(command);
    }
    expect(out).toContain(`alias pvdump="node $REPO/tools/dist/cli.js"`);
    // The guest's console, the panic and the dump.
    expect(out).toContain('demo guest: CPU 0 is running protected; starting CPU 1\ndemo guest: CPU 1 is up; a secret is in memory; CPU 0 now divides by zero\n');
    expect(out).toContain('pvdump: the guest panicked: CPU 0 in a disabled wait, its PSW is hidden from the host (protected guest)');
    expect(out).toMatch(/pvdump: dump written to dump\.elf \(\d+ bytes\)\nexit status 3/);
    // The host's view: a PV dump, ciphertext, no secret; then the owner's.
    expect(out).toContain('dump.elf: QEMU ≥ 7.2 PV dump (protected guest, encrypted)');
    expect(out).toContain("The secret's 45 bytes occur 0 times in dump.elf.");
    const hostMemory = out.slice(out.indexOf('$ pvdump info --memory 0x10000:48 dump.elf'), out.indexOf("The secret's 45 bytes"));
    expect(hostMemory).toMatch(/^0000000000010000 {2}[0-9a-f ]+\|/m);
    expect(hostMemory).not.toContain('PVDUMP');
    expect(out).toMatch(/The secret occurs [1-9]\d* time\(s\) in decrypted\.elf/);
    expect(out).toMatch(/completion data \(pv_compl\): authenticated\n {2}CPU 0 note \(offset 0x[0-9a-f]+\): authenticated\n {2}CPU 1 note \(offset 0x[0-9a-f]+\): authenticated/);
    expect(out).toContain('0000000000010000  50 56 44 55 4d 50 2d 44  45 4d 4f 2d 53 45 43 52  |PVDUMP-DEMO-SECR|');
    expect(out).toContain('0000000000010100  43 50 55 20 31 20 77 61  73 20 68 65 72 65 00 00  |CPU 1 was here..|');
    // Two CPUs with their own registers: CPU 0 crashed at the program-new PSW's 0xdead.
    expect(out).toMatch(/CPU 0 \(pid 1\)\n {2}PSW=mask 0002000180000000 addr 000000000000dead\n {2}R00=\S+ R01=\S+ R02=0000000000010000 R03=000000000000002d\n {2}R04=\S+ R05=\S+ R06=\S+ R07=c0c0c0c0c0c0c0c0/);
    expect(out).toMatch(/CPU 1 \(pid 2\)\n {2}PSW=mask 0102000180000000 addr 0000000000000000\n {2}R00=\S+ R01=\S+ R02=0000000000010100 R03=\S+\n {2}R04=\S+ R05=\S+ R06=\S+ R07=c1c1c1c1c1c1c1c1/);
    // gdb sees the same.
    expect(out).toMatch(/pswa +0xdead/);
    expect(out).toContain(`0x10000:\t"${SECRET}"`);
    expect(out).toContain('0x10100:\t"CPU 1 was here"');
    expect(out).toMatch(/r7 +0xc1c1c1c1c1c1c1c1/);
    // The real dumps.
    expect(out).toContain('QEMU ≥ 7.2 dump, 16780011 bytes');
    expect(out).toMatch(/zgetdump -k on the same dump: \d+ bytes; byte for byte identical/);
    expect(out.trimEnd().endsWith('Done.')).toBe(true);
  }, 300_000);

  it('runs on a machine without gdb-multiarch, with a one-line note for that step', async () => {
    const emptyBin = tempPath('demo-empty-path');
    mkdirSync(emptyBin);
    const r = await runStatusAsync(process.execPath, [DEMO], { env: { ...process.env, PATH: emptyBin } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('gdb-multiarch is not installed: skipping this step (Debian/Ubuntu: apt-get install gdb-multiarch).\n\n== 8.');
    expect(r.stdout).toContain("The secret's 45 bytes occur 0 times in dump.elf.");
    expect(r.stdout.trimEnd().endsWith('Done.')).toBe(true);
  }, 300_000);
});
