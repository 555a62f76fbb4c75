// The VMM's dump driver (docs/kvm-pv-api.md §9-§10): two dumps in a row with the guest running in
// between; a write error mid-dump leaves the VM runnable (the v8.2 cleanup); a failing INIT gives
// a plain dump with zero-filled PV notes; filters are refused for protected guests; a plain
// guest's dump has the layout of the real QEMU 7.2 dump.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { openDump } from '@pvdump/dump-format';
import { openPvDump } from '@pvdump/dump-decrypt';
import { fixturePath, gunzipFixture, tempPath } from '@pvdump/test-support';
import { HostKernel, Ioctl, MachineError, VirtualMachine, dumpGuestMemory } from '../src/index.ts';
import { expectDecryptedMemory, guestMemorySnapshot } from './support/expect-dump.ts';
import { CCK, assemble, protectedImage, smpGuestSource, testHost } from './support/guests.ts';

const MEMORY = 4 * 1024 * 1024;

function crashedGuest(allowDumping = true) {
  const host = testHost();
  const m = new VirtualMachine({ kernel: host.kernel, memorySize: MEMORY, cpus: 2 });
  m.bootSecureImage(protectedImage(assemble(smpGuestSource(2)), allowDumping));
  expect(m.run(5000)).toMatchObject({ kind: 'panic', cpu: 0 });
  return { ...host, m };
}

describe('the dump driver', () => {
  it('two dumps in a row, the guest running in between: both decrypt to the same memory', async () => {
    const { m } = crashedGuest();
    const memory = guestMemorySnapshot(m);
    const first = tempPath('first.elf');
    await dumpGuestMemory(m, first);
    await expectDecryptedMemory(first, memory);
    // CPU 1 keeps looping on DIAGNOSE: it runs again after the dump, re-importing what it touches.
    const ram = m.process.memory.guestRamAt(m.ramAddress, m.memorySize)!.ram;
    const imports = ram.stats.imports;
    expect(m.run(20)).toMatchObject({ kind: 'rounds' });
    expect(ram.stats.imports).toBeGreaterThan(imports);
    const second = tempPath('second.elf');
    expect((await dumpGuestMemory(m, second)).pv).toBe(true);
    await expectDecryptedMemory(second, memory);
    const a = await openPvDump(first, CCK);
    const b = await openPvDump(second, CCK);
    try {
      expect(b.cpus[1]!.hasOsii).toBe(true);
      expect(b.cpus[0]!.psw).toEqual(a.cpus[0]!.psw);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a write error mid-dump fails the dump, completes the UV dump (v8.2 cleanup) and leaves the VM runnable', async () => {
    const { m } = crashedGuest();
    let written = 0;
    const failing = new Writable({
      write(chunk: Buffer, _enc, done) {
        written += chunk.length;
        done(written > 2 * 1024 * 1024 ? new Error('ENOSPC: no space left on device') : null);
      },
    });
    await expect(dumpGuestMemory(m, failing)).rejects.toThrow(/writing the dump failed/);
    expect(m.process.ioctl(m.vcpus[1]!.fd, Ioctl.KVM_RUN)).toBe(0); // runs (to its next DIAGNOSE)
    const path = tempPath('after-failure.elf');
    expect((await dumpGuestMemory(m, path)).pv).toBe(true);
  });

  it('a failing INIT (dumping not allowed) falls back to a plain dump: no PV sections, zero-filled PV notes, QEMU log lines', async () => {
    const { m } = crashedGuest(false);
    const log: string[] = [];
    const path = tempPath('fallback.elf');
    const report = await dumpGuestMemory(m, path, { log: (l) => log.push(l) });
    expect(report.pv).toBe(false);
    expect(report.fallback).toMatch(/rc 0x101/);
    expect(log).toEqual(['KVM PV command 8 (KVM_PV_DUMP) failed: header rc 101 rrc 0 IOCTL rc: -22', 'KVM DUMP command 0 failed']);
    const dump = await openDump(path);
    try {
      expect(dump.isPv).toBe(false);
      expect(dump.sections.map((s) => s.name)).toEqual(['', '.shstrtab']);
      expect(dump.cpus.map((c) => c.pvCpuData?.every((b) => b === 0) && c.pvCpuData.length)).toEqual([0x1000, 0x1000]);
    } finally {
      await dump.close();
    }
    expect(m.process.ioctl(m.vcpus[1]!.fd, Ioctl.KVM_RUN)).toBe(0);
  });

  it('refuses begin/length filters for a protected guest', async () => {
    const { m } = crashedGuest();
    await expect(dumpGuestMemory(m, tempPath('filtered.elf'), { begin: 0n, length: 0x100000n })).rejects.toThrow(MachineError);
    expect(m.process.ioctl(m.vcpus[1]!.fd, Ioctl.KVM_RUN)).toBe(0);
  });

  it("a plain guest (QEMU -kernel) crashed like the fixture's dumps with the QEMU 7.2 layout: same headers, notes, segments, registers", async () => {
    const kernel = new HostKernel({ protectedVirtualization: false });
    const m = new VirtualMachine({ kernel, memorySize: 16 << 20, cpus: 2 });
    m.loadElf(fixturePath('qemu-7.2-crash/guest.elf'));
    expect(m.run(100)).toMatchObject({ kind: 'panic', cpu: 0, psw: { addr: 0xdeadn } });
    const path = tempPath('plain.elf');
    const report = await dumpGuestMemory(m, path);
    expect(report.pv).toBe(false);
    const ours = await openDump(path);
    const qemu = await openDump(await gunzipFixture('qemu-7.2-crash/dump.elf.gz'));
    try {
      const { ehsize: _a, ...ourHeader } = ours.header;
      const { ehsize: _b, ...qemuHeader } = qemu.header;
      expect(ourHeader).toEqual(qemuHeader);
      expect(ours.programHeaders).toEqual(qemu.programHeaders);
      expect(ours.sections.map((s) => [s.name, s.header.type, s.header.offset, s.header.size])).toEqual(qemu.sections.map((s) => [s.name, s.header.type, s.header.offset, s.header.size]));
      expect(ours.notes.map((n) => [n.owner, n.type, n.desc.length, n.offset])).toEqual(qemu.notes.map((n) => [n.owner, n.type, n.desc.length, n.offset]));
      for (const n of [0, 1]) {
        const a = ours.cpus[n]!;
        const b = qemu.cpus[n]!;
        expect(a.psw).toEqual(b.psw);
        expect(a.gprs).toEqual(b.gprs);
        expect(a.crs).toEqual(b.crs);
        expect(a.fprs).toEqual(b.fprs);
        expect(a.prefix).toBe(b.prefix);
      }
      expect(await ours.readMemory(0x10000n, 64)).toEqual(await qemu.readMemory(0x10000n, 64));
      expect(await ours.readMemory(0n, 0x200)).toEqual(await qemu.readMemory(0n, 0x200));
    } finally {
      await ours.close();
      await qemu.close();
    }
  });
});
