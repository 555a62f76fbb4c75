/**
 * A small, independent PV dump encryptor for tests, written from the spec (docs/pv-dump-crypto.md
 * §2–§7) with node:crypto only (hkdfSync, aes-256-gcm, aes-256-xts), so it shares no code with
 * the decryptor under test. It builds QEMU-layout PV dumps from known plaintext through the
 * dump-format writer: per CPU the hypervisor's (decoy) notes and the sealed NT_S390_PV_CPU_DATA,
 * the PT_LOAD with ciphertext / plaintext / garbage pages, `pv_mem_meta` and `pv_compl`.
 */
import { createCipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { emptyCpuState, writeDump, type CpuState } from '@pvdump/dump-format';

export type PageState = 'encrypted' | 'zero' | 'zero|mapped' | 'shared' | 'shared|mapped';

export interface CpuPlain {
  gprs: bigint[];
  pswMask: bigint;
  pswAddr: bigint;
  prefix: number;
  fpc: number;
  todpreg: number;
  timer: bigint;
  todcmp: bigint;
  acrs: number[];
  crs: bigint[];
  /** V0–V31, 16 bytes each. */
  vrs: Buffer[];
  gsd: bigint;
  gssm: bigint;
  gsEpl: bigint;
  dumpFlags: number;
}

export interface BuiltDump {
  path: string;
  cck: Buffer;
  /** Expected decrypted memory (zero pages as zeros). */
  plaintext: Buffer;
  cpus: CpuPlain[];
  states: PageState[];
  layout: { memoryOffset: bigint; memMetaOffset: bigint; complOffset: bigint; noteOffset: bigint };
}

export interface BuildOptions {
  cpus: number;
  /** Page states, one per 4 KiB page of the single PT_LOAD. */
  states: PageState[];
  /** Override the storage-state entry bytes 14/15 of some pages (for invalid states). */
  rawSpecial?: Map<number, [number, number]>;
  /** Storage-state entries to write (default: one per page). */
  metaEntries?: number;
  /** Extra memory ranges (make a multi-PT_LOAD dump). */
  extraRanges?: { start: bigint; size: bigint }[];
  /** Completion tweaks. */
  complVersion?: number;
  complLen?: number;
  complSectionSize?: number;
  /** CPU data tweaks. */
  cpuVersion?: number;
  cpuDescSize?: number;
  /** Sets has_osii on these CPUs. */
  osii?: number[];
  seed?: number;
  /** Edits the plaintext of a page before it is encrypted (e.g. to plant lowcore pointers). */
  editPage?: (page: number, plain: Buffer) => void;
  /** Guest address of the single PT_LOAD (default 0). */
  loadStart?: bigint;
  /** Page plaintext: deterministic hashes (default) or random bytes (fast, for large dumps). */
  fill?: 'hash' | 'random';
}

/** Deterministic bytes from a label (SHA-256 in counter mode). */
export function detBytes(label: string, n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let off = 0, i = 0; off < n; off += 32, i++) createHash('sha256').update(`${label}/${i}`).digest().copy(out, off);
  return out;
}

function u64(b: Buffer, off: number, v: bigint): void {
  b.writeBigUInt64BE(v, off);
}

function cpuPlain(i: number, seed: number, osii: boolean): CpuPlain {
  const r = (k: string): bigint => detBytes(`cpu${seed}/${i}/${k}`, 8).readBigUInt64BE(0);
  return {
    gprs: Array.from({ length: 16 }, (_, g) => r(`gpr${g}`)),
    pswMask: 0x0705000180000000n,
    pswAddr: 0x10000n + BigInt(i) * 0x100n,
    prefix: 0x10000 + i * 0x2000,
    fpc: 0x80 + i,
    todpreg: 0x1234 + i,
    timer: r('timer'),
    todcmp: r('todcmp'),
    acrs: Array.from({ length: 16 }, (_, a) => (0xa0000000 + i * 0x100 + a) >>> 0),
    crs: Array.from({ length: 16 }, (_, c) => r(`cr${c}`)),
    vrs: Array.from({ length: 32 }, (_, v) => detBytes(`cpu${seed}/${i}/v${v}`, 16)),
    gsd: r('gsd'),
    gssm: r('gssm'),
    gsEpl: r('gsepl'),
    dumpFlags: osii ? 0x8000 : 0,
  };
}

/** The 1520-byte confidential area of a CPU dump (spec §3). */
function confidential(c: CpuPlain): Buffer {
  const p = Buffer.alloc(1520);
  c.gprs.forEach((g, k) => u64(p, 8 * k, g));
  u64(p, 0x80, c.pswMask);
  u64(p, 0x88, c.pswAddr);
  p.writeUInt32BE(c.prefix, 0x98);
  p.writeUInt32BE(c.fpc, 0x9c);
  p.writeUInt32BE(c.todpreg, 0xa4);
  u64(p, 0xa8, c.timer);
  u64(p, 0xb0, c.todcmp);
  c.acrs.forEach((a, k) => p.writeUInt32BE(a, 0xc0 + 4 * k));
  c.crs.forEach((cr, k) => u64(p, 0x100 + 8 * k, cr));
  c.vrs.forEach((v, k) => v.copy(p, 0x180 + 16 * k));
  // A non-zero first GS word: zgetdump (and we) must write 0 there anyway.
  u64(p, 0x580, 0xdeadn);
  u64(p, 0x588, c.gsd);
  u64(p, 0x590, c.gssm);
  u64(p, 0x598, c.gsEpl);
  p.writeUInt16BE(c.dumpFlags, 0x5e0);
  return p;
}

function gcmSeal(key: Buffer, iv: Buffer, aad: Buffer, plain: Buffer): { ct: Buffer; tag: Buffer } {
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(aad);
  const ct = Buffer.concat([c.update(plain), c.final()]);
  return { ct, tag: c.getAuthTag() };
}

/** Builds a PV dump at `path`. */
export async function buildPvDump(path: string, o: BuildOptions): Promise<BuiltDump> {
  const seed = o.seed ?? 1;
  const cck = detBytes(`cck${seed}`, 32);
  const compSeed = detBytes(`seed${seed}`, 64);
  const dumpKey = Buffer.from(hkdfSync('sha512', cck, compSeed, Buffer.from('IBM Z Ultravisor Dump'), 32));
  const nonce = detBytes(`nonce${seed}`, 16);
  const xtsKey = detBytes(`xts${seed}`, 64);

  // Completion data (spec §2).
  const compl = Buffer.alloc(o.complSectionSize ?? 0x1000);
  const head = Buffer.alloc(96);
  head.writeUInt32BE(o.complVersion ?? 1, 0);
  head.writeUInt32BE(o.complLen ?? 288, 4);
  compSeed.copy(head, 16);
  const complIv = detBytes(`civ${seed}`, 12);
  complIv.copy(head, 80);
  const secret = Buffer.alloc(176);
  nonce.copy(secret, 0);
  xtsKey.copy(secret, 16);
  const sealed = gcmSeal(dumpKey, complIv, head, secret);
  const complFull = Buffer.concat([head, sealed.ct, sealed.tag]);
  complFull.copy(compl, 0, 0, Math.min(compl.length, complFull.length));

  // CPUs: hypervisor decoys in the ordinary notes, the real state sealed in the PV note.
  const cpus: CpuPlain[] = [];
  const states: CpuState[] = [];
  for (let i = 0; i < o.cpus; i++) {
    const c = cpuPlain(i, seed, (o.osii ?? []).includes(i));
    cpus.push(c);
    const desc = Buffer.alloc(o.cpuDescSize ?? 0x1000);
    const aad = Buffer.alloc(32);
    aad.writeUInt32BE(o.cpuVersion ?? 1, 0);
    aad.writeUInt32BE(1568, 4);
    const iv = detBytes(`iv${seed}/${i}`, 12);
    iv.copy(aad, 8);
    const s = gcmSeal(dumpKey, iv, aad, confidential(c));
    Buffer.concat([aad, s.ct, s.tag]).copy(desc, 0, 0, Math.min(desc.length, 1568));
    const hv = emptyCpuState(i + 1);
    hv.psw = { mask: 0x0002000180000000n, addr: 0xdec0de0n + BigInt(i) };
    hv.gprs = Array.from({ length: 16 }, (_, g) => 0xdec0000000000000n + BigInt(g));
    hv.pvCpuData = desc;
    states.push(hv);
  }

  // Memory and storage-state entries (spec §4, §7).
  const pages = o.states.length;
  const plaintext = Buffer.alloc(pages * 4096);
  const file = Buffer.alloc(pages * 4096);
  const meta = Buffer.alloc((o.metaEntries ?? pages) * 16);
  for (let p = 0; p < pages; p++) {
    const plain = o.fill === 'random' ? randomBytes(4096) : detBytes(`page${seed}/${p}`, 4096);
    o.editPage?.(p, plain);
    const st = o.states[p]!;
    const e = Buffer.alloc(16);
    if (st === 'encrypted') {
      const component = detBytes(`tweak${seed}/${p}`, 16);
      component[0] = 0x00; // never the special indicator
      component.copy(e);
      const tweak = Buffer.from(component.map((b, k) => b | nonce[k]!));
      createCipheriv('aes-256-xts', xtsKey, tweak)
        .update(plain)
        .copy(file, p * 4096);
      plain.copy(plaintext, p * 4096);
    } else {
      e.fill(0xff, 0, 4);
      e[15] = { zero: 0x01, 'zero|mapped': 0x05, shared: 0x02, 'shared|mapped': 0x06 }[st];
      if (st.startsWith('zero')) (o.fill === 'random' ? randomBytes(4096) : detBytes(`garbage${seed}/${p}`, 4096)).copy(file, p * 4096);
      else {
        plain.copy(file, p * 4096);
        plain.copy(plaintext, p * 4096);
      }
    }
    const raw = o.rawSpecial?.get(p);
    if (raw !== undefined) {
      e.fill(0xff, 0, 4);
      e[14] = raw[0];
      e[15] = raw[1];
    }
    if (p * 16 < meta.length) e.copy(meta, p * 16);
  }
  const extra = o.extraRanges ?? [];
  const memory = [{ start: o.loadStart ?? 0n, size: BigInt(pages * 4096) }, ...extra];
  const extraBytes = extra.map((r) => Buffer.alloc(Number(r.size)));
  const layout = await writeDump(path, { cpus: states, memory, pv: { memMetaSize: BigInt(meta.length), complSize: BigInt(compl.length) } }, [file, ...extraBytes], { memMeta: meta, compl });
  return {
    path,
    cck,
    plaintext,
    cpus,
    states: o.states,
    layout: { memoryOffset: layout.memoryOffset, memMetaOffset: layout.pvMemMeta!.offset, complOffset: layout.pvCompl!.offset, noteOffset: layout.noteOffset },
  };
}

/** `n` page states cycling through every valid state. */
export function mixedStates(n: number): PageState[] {
  const cycle: PageState[] = ['encrypted', 'encrypted', 'zero', 'encrypted', 'shared', 'zero|mapped', 'encrypted', 'shared|mapped'];
  return Array.from({ length: n }, (_, i) => cycle[i % cycle.length]!);
}
