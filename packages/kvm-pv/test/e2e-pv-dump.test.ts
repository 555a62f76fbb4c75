// Boot → run → crash → dump → decrypt across all packages (docs/kvm-pv-api.md §9-§10): a
// protected SMP guest built with `pvdump image`'s code, booted through the KVM PV ioctls by the
// VMM, writes known data and panics; its dump decrypts with @pvdump/dump-decrypt to exactly the
// guest's memory and every vCPU's registers (the DIAGNOSE-looping vCPU with has_osii, its
// hypervisor view beside it), and opens in gdb-multiarch.
import { describe, expect, it } from 'vitest';
import { openDump } from '@pvdump/dump-format';
import { decryptDump, openPvDump } from '@pvdump/dump-decrypt';
import { requireTool, run, tempPath } from '@pvdump/test-support';
import { VirtualMachine, dumpGuestMemory } from '../src/index.ts';
import { expectDecryptedMemory, guestMemorySnapshot } from './support/expect-dump.ts';
import { CCK, assemble, protectedImage, smpGuestSource, testHost } from './support/guests.ts';

const MEMORY = 4 * 1024 * 1024;

function bootAndCrash(cpus: number) {
  const host = testHost();
  const m = new VirtualMachine({ kernel: host.kernel, memorySize: MEMORY, cpus });
  m.bootSecureImage(protectedImage(assemble(smpGuestSource(cpus))));
  const stop = m.run(5000);
  return { ...host, m, stop };
}

describe('a protected guest dumped through the KVM PV API', () => {
  for (const cpus of [1, 2, 4]) {
    it(`${cpus} vCPU(s): the dump decrypts to exactly the guest's memory and every vCPU's registers`, async () => {
      const { m, stop, secureStates } = bootAndCrash(cpus);
      expect(stop).toMatchObject({ kind: 'panic', cpu: 0 });
      expect(m.consoleText).toBe('hello from a protected guest\n');
      const memory = guestMemorySnapshot(m);
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
          expect(got.acrs).toEqual(want.acrs);
          expect(got.crs).toEqual(want.crs);
          expect(got.fpc).toBe(want.fpc);
          expect(got.prefix).toBe(want.prefix);
          expect(got.cpuTimer).toBe(want.cpuTimer);
          expect(got.clockComparator).toBe(want.clockComparator);
          expect(got.vrs.map((v) => Buffer.from(v).toString('hex'))).toEqual(want.vrs.map((v) => Buffer.from(v).toString('hex')));
          expect(got.hasOsii).toBe(cpus > 1 && n === cpus - 1);
        }
        expect(dump.cpus[0]!.psw).toEqual({ mask: 0x0002000180000000n, addr: 0xbadn });
        expect(dump.cpus[0]!.gprs[10]).toBe(0xc0ffee0012345678n);
        for (let k = 1; k < cpus; k++) expect(dump.cpus[k]!.gprs[8]).toBe(0x8888000000000000n + BigInt(k));
        const data = await dump.readMemory(0x200000n, 16);
        const v = new DataView(data.buffer, data.byteOffset);
        expect(v.getBigUint64(0)).toBe(0x5a5a5a5a00200000n);
      } finally {
        await dump.close();
      }
      await expectDecryptedMemory(path, memory);

      // The hypervisor's notes: only what interceptions exposed; for the vCPU mid-DIAGNOSE its R1 and R3.
      const plain = await openDump(path);
      try {
        expect(plain.isPv).toBe(true);
        expect(plain.cpus.map((c) => c.pvCpuData?.length)).toEqual(new Array(cpus).fill(0x1000));
        if (cpus > 1) {
          const last = plain.cpus[cpus - 1]!;
          expect(last.gprs[8]).toBe(0x8888000000000000n + BigInt(cpus - 1));
          expect(last.gprs[9]).toBe(0x9999000000000000n);
          expect(last.gprs[10]).toBe(0n); // not exposed
        }
      } finally {
        await plain.close();
      }
    });
  }

  it('the decrypted dump opens in gdb-multiarch with each vCPU as a thread', async () => {
    const gdb = requireTool('gdb-multiarch');
    const { m, secureStates } = bootAndCrash(2);
    const path = tempPath('pv-gdb.elf');
    await dumpGuestMemory(m, path);
    const plain = tempPath('pv-gdb-plain.elf');
    await decryptDump(path, CCK, plain);
    const args = ['-nx', '-batch', '-ex', 'set pagination off', '-c', plain];
    for (const t of [1, 2]) args.push('-ex', `thread ${t}`, '-ex', 'info registers', '-ex', 'x/2xg 0x200000');
    const blocks = run(gdb, args)
      .split(/\[Switching to thread \d+/)
      .slice(1);
    expect(blocks).toHaveLength(2);
    blocks.forEach((b, n) => {
      const reg = (name: string): bigint => BigInt(new RegExp(`^${name}\\s+(0x[0-9a-f]+)`, 'm').exec(b)![1]!);
      const want = secureStates.get(n)!;
      for (let r = 0; r < 16; r++) expect(reg(`r${r}`)).toBe(want.gprs[r]);
      expect(reg('pswm')).toBe(want.psw.mask);
      expect(reg('pswa')).toBe(want.psw.addr);
      expect(b).toMatch(/0x200000:\s+0x5a5a5a5a00200000\s+0x5a5a5a5a00200008/);
    });
  });
});
