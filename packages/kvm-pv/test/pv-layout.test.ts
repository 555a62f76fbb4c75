// The PV dump's file layout (docs/elf-core-format.md §2, §4, §6): a protected guest with 2 vCPUs
// and 2 MiB of RAM dumped by the VMM gives exactly the spec's worked example, and the same
// structure as the PV dump IBM's zgetdump decrypted (fixtures/pv-zgetdump): header fields,
// section names and order, per-CPU note sequence, one PT_LOAD at 0.
import { describe, expect, it } from 'vitest';
import { openDump } from '@pvdump/dump-format';
import { gunzipFixture, tempPath } from '@pvdump/test-support';
import { VirtualMachine, dumpGuestMemory } from '../src/index.ts';
import { assemble, protectedImage, smpGuestSource, testHost } from './support/guests.ts';

describe('the PV dump layout', () => {
  it("2 vCPUs, 2 MiB: the spec's worked example offsets and the zgetdump fixture's structure", async () => {
    const { kernel } = testHost();
    const m = new VirtualMachine({ kernel, memorySize: 2 << 20, cpus: 2 });
    m.bootSecureImage(protectedImage(assemble(smpGuestSource(2, 8, 0x100000))));
    expect(m.run(5000)).toMatchObject({ kind: 'panic' });
    const path = tempPath('layout.elf');
    await dumpGuestMemory(m, path);
    const ours = await openDump(path);
    const fixture = await openDump(await gunzipFixture('pv-zgetdump/pv-dump.elf.gz'));
    try {
      expect(ours.fileSize).toBe(0x205bab);
      expect(ours.header.shoff).toBe(0x40n);
      expect(ours.header.phoff).toBe(0x140n);
      expect(ours.header.ehsize).toBe(64);
      expect(ours.programHeaders.map((p) => [p.type, p.offset, p.paddr, p.vaddr, p.filesz, p.memsz])).toEqual([
        [4, 0x1b0n, 0n, 0n, 0x29d8n, 0x29d8n],
        [1, 0x2b88n, 0n, 0n, 0x200000n, 0x200000n],
      ]);
      expect(ours.sections.map((s) => [s.name, s.header.type, s.header.offset, s.header.size])).toEqual([
        ['', 0, 0n, 0n],
        ['pv_mem_meta', 1, 0x202b88n, 0x2000n],
        ['pv_compl', 1, 0x204b88n, 0x1000n],
        ['.shstrtab', 3, 0x205b88n, 35n],
      ]);
      // Same structure as the PV dump zgetdump decrypts.
      expect(ours.sections.map((s) => s.name)).toEqual(fixture.sections.map((s) => s.name));
      // (The fixture's PV CPU notes are 1568 bytes, ours dump_cpu_buffer_len = 0x1000: only the note size differs.)
      const segments = (d: typeof ours) => d.programHeaders.map((p) => [p.type, p.paddr, p.type === 1 ? p.filesz : undefined]);
      expect(segments(ours)).toEqual(segments(fixture));
      expect(ours.notes.map((n) => [n.owner, n.type])).toEqual(fixture.notes.map((n) => [n.owner, n.type]));
      expect(await ours.readSection('.shstrtab')).toEqual(await fixture.readSection('.shstrtab'));
      expect(ours.isPv && fixture.isPv).toBe(true);
    } finally {
      await ours.close();
      await fixture.close();
    }
  });
});
