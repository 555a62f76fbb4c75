// The real zgetdump ground truth (fixtures/pv-zgetdump): our output must equal
// zgetdump v2.43.0's byte for byte, registers must match expected.json, and every negative case
// of the fixture README must fail (or, for tampered memory, succeed) as zgetdump does.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { openDump } from '@pvdump/dump-format';
import { fprOf } from '@pvdump/s390x-arch';
import { fixturePath, gunzipFixture, tempPath } from '@pvdump/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import { decryptDump, inspectPvDump, openPvDump, PvDecryptError, type PvCpuState } from '../src/index.ts';

interface ExpectedCpu {
  gprs: string[];
  psw: [string, string];
  prefix: number;
  fpc: number;
  todpreg: number;
  timer: string;
  todcmp: string;
  acrs: number[];
  ctrs: string[];
  vr_low: { low: string; high: string }[];
  vr_high: string;
  gsd: string;
  gssm: string;
  gs_epl_a: string;
  dump_flags: number;
}
interface Expected {
  cck: string;
  tweak_nonce: string;
  layout: { memOff: number; metaOff: number; complOff: number };
  first_encrypted_page: number;
  page_counts: Record<string, number>;
  cpus: ExpectedCpu[];
}
const expected = JSON.parse(readFileSync(fixturePath('pv-zgetdump/expected.json'), 'utf8')) as Expected;
const cck = readFileSync(fixturePath('pv-zgetdump/cck.bin'));
const big = (s: string): bigint => BigInt(s);

let input: string;
let reference: Buffer;
beforeAll(async () => {
  input = await gunzipFixture('pv-zgetdump/pv-dump.elf.gz');
  reference = readFileSync(await gunzipFixture('pv-zgetdump/zgetdump-out.elf.gz'));
});

function expectRegisters(cpu: PvCpuState | undefined, e: ExpectedCpu): void {
  expect(cpu).toBeDefined();
  const c = cpu!;
  expect(c.gprs).toEqual(e.gprs.map(big));
  expect([c.psw.mask, c.psw.addr]).toEqual(e.psw.map(big));
  expect(c.prefix).toBe(e.prefix);
  expect(c.fpc).toBe(e.fpc);
  expect(c.todProgrammable).toBe(e.todpreg);
  expect(c.cpuTimer).toBe(big(e.timer));
  expect(c.clockComparator).toBe(big(e.todcmp));
  expect(c.acrs).toEqual(e.acrs);
  expect(c.crs).toEqual(e.ctrs.map(big));
  e.vr_low.forEach((v, i) => {
    const vr = Buffer.from(c.vrs[i]!);
    expect(vr.readBigUInt64BE(0)).toBe(big(v.low));
    expect(vr.readBigUInt64BE(8)).toBe(big(v.high));
    expect(fprOf(c.vrs, i)).toBe(big(v.low));
  });
  expect(Buffer.concat(c.vrs.slice(16)).toString('hex')).toBe(e.vr_high);
  expect(c.gsCb).toEqual({ reserved: 0n, gsd: big(e.gsd), gssm: big(e.gssm), gsepla: big(e.gs_epl_a) });
  expect(c.dumpFlags).toBe(e.dump_flags);
  expect(c.hasOsii).toBe((e.dump_flags & 0x8000) !== 0);
}

/** A copy of the fixture with one bit flipped (XOR 0x01) at `offset`. */
function flipped(offset: number): string {
  const b = readFileSync(input);
  b[offset] = b[offset]! ^ 0x01;
  const p = tempPath(`flip-${offset}.elf`);
  writeFileSync(p, b);
  return p;
}

describe('decrypting pv-dump.elf like zgetdump -k', () => {
  for (const [name, opts] of [
    ['batched node:crypto, calling thread', { backend: 'node', workers: 0 }],
    ['node:crypto XTS per page', { backend: 'node-xts', workers: 0 }],
    ['node:crypto, 2 helper threads, small runs', { backend: 'node', workers: 2, runPages: 7, helpers: 'threads' }],
    ['node:crypto, 2 helper processes, small runs', { backend: 'node', workers: 2, runPages: 7, helpers: 'processes' }],
    ['node:crypto, 2 helper threads alone', { backend: 'node', workers: 2, runPages: 7, helpers: 'threads', callingThread: false }],
    ['node:crypto, 2 helper processes alone', { backend: 'node', workers: 2, runPages: 7, helpers: 'processes', callingThread: false }],
    ['noble', { backend: 'noble', workers: 0 }],
  ] as const) {
    it(`gives zgetdump's output byte for byte (${name})`, async () => {
      const out = tempPath('out.elf');
      const report = await decryptDump(input, cck, out, opts);
      const got = readFileSync(out);
      expect(got.length).toBe(reference.length);
      expect(got.equals(reference)).toBe(true);
      expect(report.pv).toBe(true);
      expect(report.backend).toBe(opts.backend);
      expect(report.helpers).toBe('helpers' in opts ? opts.helpers : 'none');
    });
  }

  it("decrypts the registers of both CPUs to expected.json and to zgetdump's notes; the decoys stay out", async () => {
    const out = tempPath('out.elf');
    const report = await decryptDump(input, cck, out);
    expect(report.cpus).toHaveLength(2);
    expected.cpus.forEach((e, i) => expectRegisters(report.cpus[i] as PvCpuState, e));
    const ours = await openDump(out);
    const theirs = await openDump(await gunzipFixture('pv-zgetdump/zgetdump-out.elf.gz'));
    const hv = await openDump(input);
    try {
      expect(ours.cpus).toEqual(theirs.cpus);
      for (const [i, cpu] of ours.cpus.entries()) {
        expect(cpu.pid).toBe(i + 1);
        // The hypervisor's notes hold decoys that differ from the real state.
        expect(cpu.gprs).not.toEqual(hv.cpus[i]!.gprs);
        expect(report.hypervisorCpus[i]?.gprs).toEqual(hv.cpus[i]!.gprs);
      }
      expect(ours.notes.some((n) => n.type === 0x30e)).toBe(false);
    } finally {
      await Promise.all([ours.close(), theirs.close(), hv.close()]);
    }
  });

  it('warns about the CPU whose dump_flags has partial instruction results, naming it', async () => {
    const warnings: string[] = [];
    const report = await decryptDump(input, cck, tempPath('out.elf'), { onWarning: (w) => warnings.push(w) });
    const osii = expected.cpus.map((c, i) => ((c.dump_flags & 0x8000) !== 0 ? i : -1)).filter((i) => i >= 0);
    expect(osii.length).toBeGreaterThan(0);
    expect(warnings).toEqual(report.warnings);
    expect(warnings).toHaveLength(osii.length);
    for (const [k, cpu] of osii.entries()) expect(warnings[k]).toMatch(new RegExp(`^CPU ${cpu}: .*partial instruction results`));
  });

  it('counts the page states of the README', async () => {
    const report = await decryptDump(input, cck, tempPath('out.elf'));
    const pc = expected.page_counts;
    expect(report.census).toEqual({
      encrypted: pc.encrypted,
      zero: (pc.zero ?? 0) + (pc['zero|mapped'] ?? 0),
      shared: (pc.shared ?? 0) + (pc['shared|mapped'] ?? 0),
      mapped: (pc['zero|mapped'] ?? 0) + (pc['shared|mapped'] ?? 0),
      total: 512,
    });
  });

  it("with auxv adds only an NT_AUXV note to zgetdump's output and keeps memory identical", async () => {
    const out = tempPath('auxv.elf');
    await decryptDump(input, cck, out, { auxv: true });
    const d = await openDump(out);
    try {
      expect(d.globalNotes.map((n) => n.type)).toEqual([3, 6]);
      const refMem = reference.subarray(reference.length - 0x200000);
      const got = readFileSync(out);
      expect(got.subarray(got.length - 0x200000).equals(refMem)).toBe(true);
    } finally {
      await d.close();
    }
  });
});

describe('random access', () => {
  it("reads any range decrypted, equal to zgetdump's memory, page boundaries included", async () => {
    const mem = reference.subarray(reference.length - 0x200000);
    const pv = await openPvDump(input, cck);
    try {
      expect(pv.memoryRange).toEqual({ start: 0n, end: 0x200000n });
      const first = expected.first_encrypted_page * 4096;
      for (const [a, n] of [
        [first, 4096],
        [first - 100, 300],
        [0, 0x200000],
        [0x1ffff0, 16],
        [12345, 1],
      ] as const) {
        expect(Buffer.from(await pv.readMemory(BigInt(a), n)).equals(mem.subarray(a, a + n))).toBe(true);
      }
      await expect(pv.readMemory(0x1ffff0n, 32)).rejects.toThrow(/not inside the dump's memory/);
      expect(pv.cpus).toHaveLength(2);
    } finally {
      await pv.close();
    }
  });
});

describe('inspectPvDump', () => {
  it('reports authentication, registers, hypervisor view and census', async () => {
    const r = await inspectPvDump(input, cck);
    expect(r.completionAuthenticated).toBe(true);
    expect(r.cpuNotes.map((n) => n.authenticated)).toEqual([true, true]);
    expected.cpus.forEach((e, i) => expectRegisters(r.cpus[i], e));
    expect(r.hypervisorCpus[0]?.gprs).not.toEqual(r.cpus[0]?.gprs);
    expect(r.census.encrypted).toBe(expected.page_counts.encrypted);
  });
  it('reports a wrong key as a completion failure without throwing', async () => {
    const r = await inspectPvDump(input, readFileSync(fixturePath('pv-zgetdump/wrong-cck.bin')));
    expect(r.completionAuthenticated).toBe(false);
    expect(r.completionError).toMatch(/Verifying the GCM tag failed/);
    expect(r.cpus).toEqual([undefined, undefined]);
  });
  it('reports the tampered CPU note by CPU', async () => {
    const r = await inspectPvDump(flipped(4653), cck);
    expect(r.cpuNotes.map((n) => n.authenticated)).toEqual([true, false]);
    expect(r.cpuNotes[1]?.error).toMatch(/CPU 1/);
  });
});

describe('the negative cases of the fixture README', () => {
  async function failure(path: string, key: Uint8Array | undefined): Promise<PvDecryptError> {
    const out = tempPath('neg.elf');
    const err = await decryptDump(path, key, out).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PvDecryptError);
    expect(existsSync(out)).toBe(false);
    return err as PvDecryptError;
  }

  it('tampered CPU note: authentication failure naming CPU 1', async () => {
    const e = await failure(flipped(4653), cck);
    expect(e.code).toBe('cpu-auth');
    expect(e.message).toMatch(/Unable to authenticate confidential CPU data of CPU 1\. Dump probably corrupted/);
    expect(e.userError).toBe(true);
  });
  it('tampered completion data: GCM tag failure that cannot be told from a wrong key', async () => {
    const e = await failure(flipped(2111441), cck);
    expect(e.code).toBe('completion-auth');
    expect(e.message).toMatch(/Verifying the GCM tag failed/);
    expect(e.message).toMatch(/cannot be told apart/);
  });
  it('wrong key: the same GCM tag failure', async () => {
    const e = await failure(input, readFileSync(fixturePath('pv-zgetdump/wrong-cck.bin')));
    expect(e.code).toBe('completion-auth');
    expect(e.message).toMatch(/Unable to decrypt completion configuration data: Verifying the GCM tag failed/);
  });
  it('33-byte key: wrong key size', async () => {
    const e = await failure(input, new Uint8Array(33));
    expect(e.code).toBe('bad-key');
    expect(e.message).toMatch(/Wrong key size: expected 32 != actual 33/);
  });
  it('no key for a PV dump', async () => {
    const e = await failure(input, undefined);
    expect(e.code).toBe('no-key');
  });
  it('tampered memory succeeds with exactly one 16-byte block differing', async () => {
    const out = tempPath('mem.elf');
    await decryptDump(flipped(26574), cck, out);
    const got = readFileSync(out);
    expect(got.length).toBe(reference.length);
    const diff: number[] = [];
    for (let i = 0; i < got.length; i++) if (got[i] !== reference[i]) diff.push(i);
    expect(diff.length).toBeGreaterThan(0);
    const block = Math.floor((diff[0]! - (reference.length - 0x200000)) / 16);
    for (const d of diff) expect(Math.floor((d - (reference.length - 0x200000)) / 16)).toBe(block);
    // The flipped byte's block: file offset 26574 is memory offset 26574 - memOff.
    expect(block).toBe(Math.floor((26574 - expected.layout.memOff) / 16));
  });
});
