// Faults at dump time (docs/kvm-pv-api.md §6, §9-§10): a full file system mid-dump (a real 2 MiB
// tmpfs where this process may mount one, a sink failing at the same point otherwise) fails the
// dump, leaves no file and, through the v8.2 cleanup, a runnable VM whose next dump decrypts; a
// dump requested while one is being written is refused (QEMU's message; KVM's -EINVAL for a
// second INIT); and a dump changes nothing the guest can observe: memory and registers of a
// plain guest before and after are identical through the host path and KVM's register ioctls,
// and a protected guest's two dumps decrypt to the same memory and registers, which are the
// guest's own (its pages, imported again as the guest's next touch does, are byte for byte
// what they were before the first dump).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { openDump } from '@pvdump/dump-format';
import { openPvDump } from '@pvdump/dump-decrypt';
import { fixturePath, releaseTinyTmpfs, tempPath, tinyTmpfs } from '@pvdump/test-support';
import { DUMP_IN_PROGRESS_MESSAGE, Errno, HostKernel, Ioctl, VirtualMachine, dumpGuestMemory, hypervisorRegisters } from '../src/index.ts';
import { expectDecryptedMemory, guestMemorySnapshot } from './support/expect-dump.ts';
import { CCK, assemble, protectedImage, smpGuestSource, testHost } from './support/guests.ts';

const MEMORY = 4 * 1024 * 1024;
const PAGE = 4096;

function crashedGuest() {
  const host = testHost();
  const m = new VirtualMachine({ kernel: host.kernel, memorySize: MEMORY, cpus: 2 });
  m.bootSecureImage(protectedImage(assemble(smpGuestSource(2))));
  expect(m.run(5000)).toMatchObject({ kind: 'panic', cpu: 0 });
  return { ...host, m };
}

const mounts: string[] = [];
afterAll(() => mounts.forEach(releaseTinyTmpfs));

/** A folder on a 2 MiB tmpfs, or undefined where this process may not mount one. */
function tinyFileSystem(): string | undefined {
  const dir = tinyTmpfs(2 << 20);
  if (dir !== undefined) mounts.push(dir);
  return dir;
}

/** A sink that fails like a full disk once 2 MiB have been written. */
function fullDiskStream(): Writable {
  let written = 0;
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      written += chunk.length;
      done(written > 2 * 1024 * 1024 ? Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }) : null);
    },
  });
}

describe('dump-time faults', () => {
  it('a full file system mid-dump: the dump fails, no file is left, the VM runs again and the next dump decrypts', async () => {
    const { m } = crashedGuest();
    const memory = guestMemorySnapshot(m);
    const dir = tinyFileSystem();
    const target = dir === undefined ? fullDiskStream() : join(dir, 'dump.elf');
    await expect(dumpGuestMemory(m, target)).rejects.toThrow(/writing the dump failed: no space left on the device/);
    if (dir !== undefined) expect(readdirSync(dir)).toEqual([]);
    // The v8.2 cleanup completed the UV dump: KVM lets the vCPUs in again and a new INIT works.
    expect(m.process.ioctl(m.vcpus[1]!.fd, Ioctl.KVM_RUN)).toBe(0);
    const second = tempPath('after-enospc.elf');
    expect((await dumpGuestMemory(m, second)).pv).toBe(true);
    await expectDecryptedMemory(second, memory);
  });

  it('a dump requested while one is being written is refused; the running one completes and decrypts', async () => {
    const { m } = crashedGuest();
    const memory = guestMemorySnapshot(m);
    const first = tempPath('running.elf');
    const second = tempPath('refused.elf');
    const running = dumpGuestMemory(m, first);
    // The VMM refuses before KVM is asked (QEMU: qemu_system_dump_in_progress)...
    await expect(dumpGuestMemory(m, second)).rejects.toThrow(DUMP_IN_PROGRESS_MESSAGE);
    // ...and KVM itself refuses a second INIT while `dumping` is set, without a UV call.
    const init = m.api.dumpInit(m.vmFd);
    expect(init.ret).toBe(-Errno.EINVAL);
    expect(m.process.ioctl(m.vcpus[1]!.fd, Ioctl.KVM_RUN)).toBe(-Errno.EINVAL);
    const report = await running;
    expect(report.pv).toBe(true);
    expect(existsSync(second)).toBe(false);
    await expectDecryptedMemory(first, memory);
    expect(m.process.ioctl(m.vcpus[1]!.fd, Ioctl.KVM_RUN)).toBe(0);
  });

  it('a plain guest observes nothing: memory (host path) and every register (KVM ioctls) are identical before and after', async () => {
    const kernel = new HostKernel({ protectedVirtualization: false });
    const m = new VirtualMachine({ kernel, memorySize: 16 << 20, cpus: 2 });
    m.loadElf(fixturePath('qemu-7.2-crash/guest.elf'));
    expect(m.run(100)).toMatchObject({ kind: 'panic', cpu: 0 });
    const observe = () => ({
      memory: m.readGuest(0, m.memorySize),
      registers: m.vcpus.map((v) => ({ gprs: m.api.getRegs(v.fd), synced: hypervisorRegisters(m, v) })),
    });
    const before = observe();
    const path = tempPath('plain-unchanged.elf');
    await dumpGuestMemory(m, path);
    const after = observe();
    expect(Buffer.from(after.memory).equals(Buffer.from(before.memory))).toBe(true);
    expect(after.registers).toEqual(before.registers);
    const dump = await openDump(path);
    try {
      expect(Buffer.from(await dump.readMemory(0n, m.memorySize)).equals(Buffer.from(before.memory))).toBe(true);
    } finally {
      await dump.close();
    }
  });

  it("a protected guest observes nothing: two dumps decrypt to the same memory and registers, the guest's own, and its pages import back unchanged", async () => {
    const { m, secureStates } = crashedGuest();
    const memory = guestMemorySnapshot(m);
    const ram = m.process.memory.guestRamAt(m.ramAddress, m.memorySize)!.ram;
    const first = tempPath('observe-1.elf');
    const second = tempPath('observe-2.elf');
    await dumpGuestMemory(m, first);
    await dumpGuestMemory(m, second);
    await expectDecryptedMemory(first, memory);
    await expectDecryptedMemory(second, memory);
    const a = await openPvDump(first, CCK);
    const b = await openPvDump(second, CCK);
    try {
      for (const cpu of [0, 1]) {
        const secure = secureStates.get(cpu)!;
        for (const dump of [a, b]) {
          expect(dump.cpus[cpu]!.psw).toEqual(a.cpus[cpu]!.psw);
          expect(dump.cpus[cpu]!.gprs).toEqual(secure.gprs);
          expect(dump.cpus[cpu]!.crs).toEqual(secure.crs);
          expect(dump.cpus[cpu]!.prefix).toBe(secure.prefix);
        }
      }
    } finally {
      await a.close();
      await b.close();
    }
    // The guest's next touch of each page imports it (integrity checked): the plaintext is back,
    // byte for byte what the guest had before the first dump.
    for (let page = 0; page < MEMORY / PAGE; page++) expect(ram.guestFault(page)).toEqual({ kind: 'retry' });
    expect(Buffer.from(ram.memory.bytes).equals(Buffer.from(memory))).toBe(true);
    expect(ram.stats.failedImports).toBe(0);
  });
});
