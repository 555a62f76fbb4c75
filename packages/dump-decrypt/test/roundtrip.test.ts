// Round trips with independently built inputs: PV dumps made from known plaintext by the
// test-side encryptor (@pvdump/test-pv-dumps, node:crypto only, from the spec) decrypt
// back to that plaintext; every error case of the spec's zgetdump table gives its error and
// leaves no output file.
import { existsSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { openDump } from '@pvdump/dump-format';
import { tempPath } from '@pvdump/test-support';
import { describe, expect, it } from 'vitest';
import { decryptDump, openPvDump, PvDecryptError, type PvCpuState } from '../src/index.ts';
import { buildPvDump, mixedStates, type BuildOptions, type BuiltDump, type CpuPlain } from '@pvdump/test-pv-dumps';

function expectCpu(got: PvCpuState, want: CpuPlain): void {
  expect(got.gprs).toEqual(want.gprs);
  expect(got.psw).toEqual({ mask: want.pswMask, addr: want.pswAddr });
  expect(got.prefix).toBe(want.prefix);
  expect(got.fpc).toBe(want.fpc);
  expect(got.todProgrammable).toBe(want.todpreg);
  expect(got.cpuTimer).toBe(want.timer);
  expect(got.clockComparator).toBe(want.todcmp);
  expect(got.acrs).toEqual(want.acrs);
  expect(got.crs).toEqual(want.crs);
  expect(got.vrs.map((v) => Buffer.from(v).toString('hex'))).toEqual(want.vrs.map((v) => v.toString('hex')));
  expect(got.gsCb).toEqual({ reserved: 0n, gsd: want.gsd, gssm: want.gssm, gsepla: want.gsEpl });
  expect(got.dumpFlags).toBe(want.dumpFlags);
}

async function build(o: Partial<BuildOptions> = {}): Promise<BuiltDump> {
  return buildPvDump(tempPath('pv.elf'), { cpus: 3, states: mixedStates(640), ...o });
}

describe('round trip through an independent encryptor', () => {
  it('decrypts 2.5 MiB with every page state and 3 CPUs to the known plaintext (every backend, with and without helpers)', async () => {
    const d = await build({ osii: [2] });
    expect(new Set(d.states)).toEqual(new Set(['encrypted', 'zero', 'zero|mapped', 'shared', 'shared|mapped']));
    for (const opts of [
      { backend: 'node', workers: 0 },
      { backend: 'node', workers: 2, runPages: 33, helpers: 'threads' },
      { backend: 'node', workers: 2, runPages: 33, helpers: 'processes' },
      { backend: 'node', workers: 2, runPages: 33, helpers: 'threads', callingThread: false },
      { backend: 'node', workers: 2, runPages: 33, helpers: 'processes', callingThread: false },
      { backend: 'node-xts', workers: 0 },
      { backend: 'noble' },
    ] as const) {
      const out = tempPath('dec.elf');
      const r = await decryptDump(d.path, d.cck, out, opts);
      const dump = await openDump(out);
      try {
        expect(dump.memory).toHaveLength(1);
        const mem = await dump.readMemory(0n, d.plaintext.length);
        expect(Buffer.from(mem).equals(d.plaintext)).toBe(true);
        expect(dump.cpus).toHaveLength(3);
        d.cpus.forEach((c, i) => expectCpu(r.cpus[i] as PvCpuState, c));
        // The written notes carry the decrypted state, not the hypervisor's decoys.
        dump.cpus.forEach((c, i) => {
          expect(c.gprs).toEqual(d.cpus[i]!.gprs);
          expect(c.pid).toBe(i + 1);
        });
      } finally {
        await dump.close();
      }
      expect(r.census).toEqual({ encrypted: 320, zero: 160, shared: 160, mapped: 160, total: 640 });
      expect(r.warnings).toHaveLength(1);
      expect(r.warnings[0]).toMatch(/^CPU 2: /);
      expect(r.hypervisorCpus[2]?.gprs[0]).toBe(0xdec0000000000000n);
    }
  });

  it('random access reads decrypted ranges across page states', async () => {
    const d = await build();
    const pv = await openPvDump(d.path, d.cck);
    try {
      for (const [a, n] of [
        [0, 4096],
        [4000, 10000],
        [640 * 4096 - 5, 5],
        [0, 640 * 4096],
      ] as const) {
        expect(Buffer.from(await pv.readMemory(BigInt(a), n)).equals(d.plaintext.subarray(a, a + n))).toBe(true);
      }
      expect(await pv.pageCensus()).toEqual({ encrypted: 320, zero: 160, shared: 160, mapped: 160, total: 640 });
    } finally {
      await pv.close();
    }
  });

  it('indexes pv_mem_meta relative to a PT_LOAD that does not start at 0 (spec §8)', async () => {
    const start = 0x4000000n;
    const d = await build({ loadStart: start, cpus: 1, states: mixedStates(300) });
    const out = tempPath('offset.elf');
    await decryptDump(d.path, d.cck, out);
    const dump = await openDump(out);
    try {
      expect(dump.memory.map((m) => m.start)).toEqual([start]);
      expect(Buffer.from(await dump.readMemory(start, d.plaintext.length)).equals(d.plaintext)).toBe(true);
    } finally {
      await dump.close();
    }
    const pv = await openPvDump(d.path, d.cck);
    try {
      expect(pv.memoryRange).toEqual({ start, end: start + 300n * 4096n });
      expect(Buffer.from(await pv.readMemory(start + 5000n, 9000)).equals(d.plaintext.subarray(5000, 14000))).toBe(true);
    } finally {
      await pv.close();
    }
  });

  it('copies the VMCOREINFO note the guest published behind absolute 0xE0C, as zgetdump does', async () => {
    const text = 'OSRELEASE=6.0.0-pvdump\nPAGESIZE=4096\nSYMBOL(swapper_pg_dir)=1000\n';
    const notePage = 3;
    const d = await build({
      cpus: 2,
      states: mixedStates(64),
      editPage: (page, plain) => {
        if (page === 0) plain.writeBigUInt64BE(BigInt(notePage * 4096 + 0x100), 0xe0c);
        if (page === notePage) {
          // An ELF note as the kernel keeps it: namesz, descsz, type 0, "VMCOREINFO\0" padded to 12, the text.
          plain.writeUInt32BE(11, 0x100);
          plain.writeUInt32BE(text.length, 0x104);
          plain.writeUInt32BE(0, 0x108);
          plain.write('VMCOREINFO\0\0', 0x10c, 'latin1');
          plain.write(text, 0x118, 'latin1');
        }
      },
    });
    expect(d.states[0]).toBe('encrypted');
    expect(d.states[notePage]).toBe('encrypted');
    const out = tempPath('vmcoreinfo.elf');
    const r = await decryptDump(d.path, d.cck, out);
    expect(r.vmcoreinfo).toBe(true);
    const dump = await openDump(out);
    try {
      const note = dump.notes[dump.notes.length - 1]!;
      expect(note.owner).toBe('VMCOREINFO');
      expect(note.type).toBe(0);
      expect(Buffer.from(note.desc).toString('latin1')).toBe(text);
    } finally {
      await dump.close();
    }
    // Without the pointer there is no such note.
    const plain = await build({ cpus: 1, states: mixedStates(8), editPage: (page, p) => (page === 0 ? p.fill(0, 0xe0c, 0xe14) : undefined) });
    const r2 = await decryptDump(plain.path, plain.cck, tempPath('none.elf'));
    expect(r2.vmcoreinfo).toBe(false);
  });

  it('prefers the os_info VMCOREINFO entry behind 0xE18 and falls back to 0xE0C when its checksum is wrong', async () => {
    const viaOsInfo = 'OSRELEASE=6.1-osinfo\n';
    const viaNote = 'OSRELEASE=6.1-note\n';
    /** CKSM written out independently: 32-bit big-endian words, end-around carry. */
    const checksum = (b: Buffer): number => {
      let sum = 0;
      for (let i = 0; i < b.length; i += 4) {
        sum += b.readUInt32BE(i);
        if (sum > 0xffffffff) sum = sum - 0x100000000 + 1;
      }
      return sum;
    };
    const make = (corrupt: boolean): Promise<BuiltDump> =>
      build({
        cpus: 1,
        states: mixedStates(16),
        editPage: (page, plain) => {
          if (page === 0) {
            plain.writeBigUInt64BE(0x4000n, 0xe18); // os_info in page 4
            plain.writeBigUInt64BE(0x3100n, 0xe0c); // the ELF note in page 3
          }
          if (page === 3) {
            plain.writeUInt32BE(11, 0x100);
            plain.writeUInt32BE(viaNote.length, 0x104);
            plain.writeUInt32BE(0, 0x108);
            plain.write('VMCOREINFO\0\0' + viaNote, 0x10c, 'latin1');
          }
          if (page === 4) {
            plain.fill(0);
            plain.writeBigUInt64BE(0x4f53494e464f535an, 0);
            plain.writeUInt16BE(1, 12);
            plain.writeBigUInt64BE(0x6000n + 0x20n, 32); // text in page 6
            plain.writeBigUInt64BE(BigInt(viaOsInfo.length + 1), 40); // with its NUL
            plain.writeUInt32BE((checksum(plain.subarray(12)) + (corrupt ? 1 : 0)) >>> 0, 8);
          }
          if (page === 6) plain.write(viaOsInfo + '\0', 0x20, 'latin1');
        },
      });
    for (const [corrupt, want] of [
      [false, viaOsInfo],
      [true, viaNote],
    ] as const) {
      const d = await make(corrupt);
      expect([d.states[3], d.states[4], d.states[6]]).toEqual(['encrypted', 'shared', 'encrypted']);
      const out = tempPath('osinfo.elf');
      await decryptDump(d.path, d.cck, out);
      const dump = await openDump(out);
      try {
        const note = dump.notes.find((n) => n.owner === 'VMCOREINFO');
        expect(Buffer.from(note!.desc).toString('latin1')).toBe(want);
      } finally {
        await dump.close();
      }
    }
  });

  it('a non-PV dump passes through unchanged in content', async () => {
    const { writeDump, emptyCpuState } = await import('@pvdump/dump-format');
    const src = tempPath('plain.elf');
    const cpu = emptyCpuState(1);
    cpu.gprs[3] = 0x1234n;
    const mem = Buffer.alloc(3 * 4096, 0xab);
    await writeDump(src, { cpus: [cpu], memory: [{ start: 0n, size: BigInt(mem.length) }] }, [mem]);
    const out = tempPath('copy.elf');
    const r = await decryptDump(src, undefined, out);
    expect(r.pv).toBe(false);
    expect(readFileSync(out).equals(readFileSync(src))).toBe(true);
  });
});

describe('error cases (spec pv-dump-crypto.md §10)', () => {
  async function fails(d: BuiltDump | string, key?: Uint8Array): Promise<PvDecryptError> {
    const path = typeof d === 'string' ? d : d.path;
    const out = tempPath('neg.elf');
    const err = await decryptDump(path, key ?? (typeof d === 'string' ? undefined : d.cck), out).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(existsSync(out)).toBe(false);
    expect(err).toBeInstanceOf(PvDecryptError);
    return err as PvDecryptError;
  }

  for (const [name, raw, state] of [
    ['no flag', [0, 0x00], '0'],
    ['mapped only', [0, 0x04], '0'],
    ['zero + shared', [0, 0x03], '0x6'],
    ['zero + shared + mapped', [0, 0x07], '0x6'],
    ['a reserved bit of byte 15', [0, 0x09], '0x4'],
    ['reserved byte 14', [0x01, 0x01], '0x4'],
  ] as const) {
    it(`invalid page state (${name}) names the page`, async () => {
      const d = await build({ rawSpecial: new Map([[77, [raw[0], raw[1]]]]) });
      const e = await fails(d);
      expect(e.code).toBe('invalid-page-state');
      expect(e.message).toContain(`Invalid page state. page-idx: 0x4d, state: ${state} `);
      expect(e.message).toContain('guest page 0x4d000');
    });
  }

  it('a page without a storage-state entry', async () => {
    const e = await fails(await build({ metaEntries: 600 }));
    expect(e.code).toBe('missing-page-tweak');
    expect(e.message).toMatch(/Page tweaks were not found idx 600 num 600/);
  });
  it('unsupported completion version', async () => {
    const e = await fails(await build({ complVersion: 2 }));
    expect(e.code).toBe('unsupported-completion-version');
    expect(e.message).toMatch(/Unsupported dump completion version \(0x2\)/);
  });
  it('wrong completion length field', async () => {
    const e = await fails(await build({ complLen: 0x100 }));
    expect(e.message).toMatch(/Incorrect completion configuration data length/);
  });
  it('pv_compl smaller than 288 bytes', async () => {
    const e = await fails(await build({ complSectionSize: 200 }));
    expect(e.message).toMatch(/Corrupted completion configuration data/);
  });
  it('pv_compl smaller than 4 bytes', async () => {
    const e = await fails(await build({ complSectionSize: 3 }));
    expect(e.message).toMatch(/Unsupported pv_compl section size \(0x3\)/);
  });
  it('pv_compl larger than 4096 bytes', async () => {
    const e = await fails(await build({ complSectionSize: 0x1010 }));
    expect(e.message).toMatch(/Unsupported section size: 0x1010 > 0x1000/);
  });
  it('unsupported CPU-data version', async () => {
    const e = await fails(await build({ cpuVersion: 2 }));
    expect(e.code).toBe('unsupported-cpu-version');
    expect(e.message).toMatch(/Wrong NT_S390_PV_CPU_DATA version \(2\)/);
  });
  it('CPU note smaller than 1568 bytes', async () => {
    const e = await fails(await build({ cpuDescSize: 1500 }));
    expect(e.message).toMatch(/Confidential CPU data has incorrect size/);
  });
  it('tampered CPU note names the CPU', async () => {
    const d = await build();
    const dump = await openDump(d.path);
    const pvNotes = dump.notes.filter((n) => n.type === 0x30e);
    await dump.close();
    const b = readFileSync(d.path);
    b[pvNotes[2]!.offset! + 20 + 600]! ^= 0x40;
    writeFileSync(d.path, b);
    const e = await fails(d);
    expect(e.code).toBe('cpu-auth');
    expect(e.message).toMatch(/CPU 2\. Dump probably corrupted/);
  });
  it('more than one PT_LOAD', async () => {
    const e = await fails(await build({ extraRanges: [{ start: 0x1000000n, size: 0x1000n }] }));
    expect(e.code).toBe('multiple-pt-load');
    expect(e.message).toMatch(/Multiple PT_LOAD segments are not supported/);
  });
  it('missing pv_mem_meta', async () => {
    const d = await build();
    const b = readFileSync(d.path);
    const at = b.lastIndexOf(Buffer.from('pv_mem_meta'));
    b.write('pv_mem_metX', at);
    writeFileSync(d.path, b);
    const e = await fails(d);
    expect(e.code).toBe('bad-mem-meta');
    expect(e.message).toMatch(/no pv_mem_meta section/);
  });
  it('pv_mem_meta not a multiple of 16 bytes', async () => {
    const d = await build({ metaEntries: 640 });
    // Shrink sh_size of section 1 (pv_mem_meta) by one byte.
    const b = readFileSync(d.path);
    const shdr1 = 64 + 64;
    b.writeBigUInt64BE(b.readBigUInt64BE(shdr1 + 32) - 1n, shdr1 + 32);
    writeFileSync(d.path, b);
    const e = await fails(d);
    expect(e.message).toMatch(/StorageState MMAP: size {2}\(0x27ff\) not a multiple of \(0x10\)/);
  });
  it('a section name table larger than 4096 bytes', async () => {
    const d = await build();
    const b = readFileSync(d.path);
    // Section 3 is .shstrtab: point it at the file start with 0x1001 bytes.
    const shdr3 = 64 + 3 * 64;
    b.writeBigUInt64BE(0n, shdr3 + 24);
    b.writeBigUInt64BE(0x1001n, shdr3 + 32);
    writeFileSync(d.path, b);
    const e = await fails(d);
    expect(e.code).toBe('bad-shstrtab');
    expect(e.message).toMatch(/Unsupported shstrtab size: 0x1001 > 0x1000/);
  });
  it('no key for a PV dump', async () => {
    const d = await build();
    const e = await fails(d.path);
    expect(e.code).toBe('no-key');
    expect(e.message).toMatch(/No key for dump decryption provided/);
  });
  it('a key that is not 32 bytes', async () => {
    const e = await fails(await build(), new Uint8Array(31));
    expect(e.message).toMatch(/Wrong key size: expected 32 != actual 31/);
  });
  // With helpers, only the helpers decrypt, so it is their read that finds the dump cut short.
  for (const [workers, helpers] of [
    [0, 'auto'],
    [2, 'threads'],
    [2, 'processes'],
  ] as const) {
    it(`a dump that shrinks while it is decrypted (${workers} helpers, ${helpers}): an io error, no output file`, async () => {
      const d = await build();
      const out = tempPath('shrunk.elf');
      let cut = false;
      const err = await decryptDump(d.path, d.cck, out, {
        workers,
        helpers,
        callingThread: workers === 0,
        runPages: 33,
        onProgress: () => {
          // After the first run: keep the headers and the first 100 pages of memory only.
          if (!cut) truncateSync(d.path, Number(d.layout.memoryOffset) + 100 * 4096);
          cut = true;
        },
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(cut).toBe(true);
      expect(err).toBeInstanceOf(PvDecryptError);
      expect((err as PvDecryptError).code).toBe('io');
      expect((err as PvDecryptError).message).toMatch(/ended early at file offset \d+/);
      expect(existsSync(out)).toBe(false);
    });
  }

  it('a wrong key', async () => {
    const e = await fails(await build(), new Uint8Array(32).fill(7));
    expect(e.code).toBe('completion-auth');
  });
});
