/**
 * Finds the fields and regions of a seed by parsing it with the project's own readers: ELF
 * headers, notes and PV sections of a core (spec elf-core-format.md, pv-dump-crypto.md), the SE
 * header's plaintext fields (ultravisor.md §5), a Secure Execution image in genprotimg's layout
 * (its short PSW, stage3a trailer, PV IPL parameter block and SE header), and DER lengths.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { elf, openDump } from '@pvdump/dump-format';
import { HeaderOffset, HeaderSize } from '@pvdump/ultravisor';
import { PvIplBlockOffset, PvIplComponentOffset, Stage3aTrailerOffset, readGenprotimgImage } from '@pvdump/ultravisor/protected-image';
import type { SeedField, SeedRegion } from '../mutate.js';

export interface Structure {
  fields: SeedField[];
  regions: SeedRegion[];
}

const E = elf;
/** Storage-state entries (16 bytes per 4 KiB page) whose state bits are fields: the first few. */
const MEM_META_ENTRIES = 8;

export async function elfCoreStructure(bytes: Uint8Array): Promise<Structure> {
  const dir = mkdtempSync(join(tmpdir(), 'pvdump-seed-'));
  try {
    const path = join(dir, 'core.elf');
    writeFileSync(path, bytes);
    const d = await openDump(path);
    try {
      const fields: SeedField[] = [];
      const f = (name: string, at: number, width: 1 | 2 | 4 | 8, le = false): void => {
        fields.push(le ? { name, at, width, le } : { name, at, width });
      };
      for (const [name, at, width] of [
        ['e_ident.class', E.Ehdr.class, 1],
        ['e_ident.data', E.Ehdr.data, 1],
        ['e_type', E.Ehdr.type, 2],
        ['e_machine', E.Ehdr.machine, 2],
        ['e_phoff', E.Ehdr.phoff, 8],
        ['e_shoff', E.Ehdr.shoff, 8],
        ['e_ehsize', E.Ehdr.ehsize, 2],
        ['e_phentsize', E.Ehdr.phentsize, 2],
        ['e_phnum', E.Ehdr.phnum, 2],
        ['e_shentsize', E.Ehdr.shentsize, 2],
        ['e_shnum', E.Ehdr.shnum, 2],
        ['e_shstrndx', E.Ehdr.shstrndx, 2],
      ] as const)
        f(name, at, width);
      const phoff = Number(d.header.phoff);
      d.programHeaders.forEach((_, i) => {
        const at = phoff + i * E.PHDR_SIZE;
        f(`phdr[${i}].p_type`, at + E.Phdr.type, 4);
        f(`phdr[${i}].p_offset`, at + E.Phdr.offset, 8);
        f(`phdr[${i}].p_paddr`, at + E.Phdr.paddr, 8);
        f(`phdr[${i}].p_filesz`, at + E.Phdr.filesz, 8);
        f(`phdr[${i}].p_memsz`, at + E.Phdr.memsz, 8);
      });
      const shoff = Number(d.header.shoff);
      const leSections = new Set(d.warnings.filter((w) => w.code === 'section-header-byte-order').map((w) => (w.offset - shoff) / E.SHDR_SIZE));
      d.sections.forEach((s) => {
        const at = shoff + s.index * E.SHDR_SIZE;
        const le = leSections.has(s.index);
        f(`shdr[${s.index}].sh_name`, at + E.Shdr.name, 4, le);
        f(`shdr[${s.index}].sh_type`, at + E.Shdr.type, 4, le);
        f(`shdr[${s.index}].sh_offset`, at + E.Shdr.offset, 8, le);
        f(`shdr[${s.index}].sh_size`, at + E.Shdr.size, 8, le);
        f(`shdr[${s.index}].sh_link`, at + E.Shdr.link, 4);
        f(`shdr[${s.index}].sh_info`, at + E.Shdr.info, 4);
      });
      d.notes.forEach((n, i) => {
        const at = n.offset;
        if (at === undefined) return;
        f(`note[${i}].n_namesz`, at + E.NoteHdr.namesz, 4);
        f(`note[${i}].n_descsz`, at + E.NoteHdr.descsz, 4);
        f(`note[${i}].n_type`, at + E.NoteHdr.type, 4);
        if (n.type === 0x30e) {
          // NT_S390_PV_CPU_DATA: version and length words at the start of the descriptor.
          const desc = at + 12 + ((n.owner.length + 1 + 3) & ~3);
          f(`note[${i}].pv_cpu_data.version`, desc, 4);
          f(`note[${i}].pv_cpu_data.len`, desc + 4, 4);
        }
      });
      const compl = d.pvCompl;
      if (compl) {
        f('pv_compl.version', Number(compl.offset), 4);
        f('pv_compl.len', Number(compl.offset) + 4, 4);
      }
      const meta = d.pvMemMeta;
      if (meta) {
        for (let k = 0; k < MEM_META_ENTRIES; k++) {
          const at = Number(meta.offset) + k * 16;
          f(`pv_mem_meta[${k}].indicator`, at, 4);
          f(`pv_mem_meta[${k}].state`, at + 15, 1);
        }
      }
      const regions: SeedRegion[] = [];
      const headersEnd = Math.max(E.EHDR_SIZE, phoff + d.programHeaders.length * E.PHDR_SIZE, shoff + d.sections.length * E.SHDR_SIZE);
      regions.push({ name: 'elf-headers', at: 0, size: headersEnd });
      d.programHeaders.forEach((ph, i) => {
        if (ph.type === E.PT_NOTE) regions.push({ name: `notes[${i}]`, at: Number(ph.offset), size: Number(ph.filesz) });
      });
      for (const s of d.sections) if (s.header.size > 0n) regions.push({ name: `section:${s.name}`, at: Number(s.header.offset), size: Number(s.header.size) });
      const load = d.memory[0];
      if (load && load.fileSize > 0n) regions.push({ name: 'memory[0].first-pages', at: Number(load.fileOffset), size: Math.min(Number(load.fileSize), 0x4000) });
      return { fields, regions };
    } finally {
      await d.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** SE header plaintext fields (offsets relative to `base`). */
export function seHeaderStructure(bytes: Uint8Array, base = 0): Structure {
  const v = new DataView(bytes.buffer, bytes.byteOffset + base);
  const nks = Number(v.getBigUint64(HeaderOffset.nks));
  const fields: SeedField[] = [
    { name: 'se.version', at: base + HeaderOffset.version, width: 4 },
    { name: 'se.sehs', at: base + HeaderOffset.sehs, width: 4 },
    { name: 'se.nks', at: base + HeaderOffset.nks, width: 8 },
    { name: 'se.sea', at: base + HeaderOffset.sea, width: 8 },
    { name: 'se.nep', at: base + HeaderOffset.nep, width: 8 },
    { name: 'se.pcf', at: base + HeaderOffset.pcf, width: 8 },
    { name: 'se.customer-key.x0', at: base + HeaderOffset.customerPublicKey, width: 8 },
  ];
  const sea = Number(v.getBigUint64(HeaderOffset.sea));
  const encrypted = HeaderOffset.keySlots + nks * HeaderSize.keySlot;
  const regions: SeedRegion[] = [
    { name: 'se.plaintext', at: base, size: HeaderOffset.keySlots },
    { name: 'se.key-slots', at: base + HeaderOffset.keySlots, size: nks * HeaderSize.keySlot },
    { name: 'se.encrypted-area', at: base + encrypted, size: sea + HeaderSize.tag },
  ];
  return { fields, regions };
}

/**
 * A Secure Execution image in genprotimg's layout (read with the project's reader): the short
 * IPL PSW, the stage3a trailer's three offsets, the PV IPL parameter block's lengths, count,
 * SE header address and length and every component's tweak prefix, address and length, the SE
 * header's fields; regions: stage3a's trailer, the block, the header, each component's first page.
 */
export function genprotimgImageStructure(bytes: Uint8Array): Structure {
  const image = readGenprotimgImage(bytes);
  const t = image.trailerAddress;
  const b = image.iplBlockAddress;
  const fields: SeedField[] = [
    { name: 'image.short-psw', at: 0, width: 8 },
    { name: 'stage3a.trailer.header-offset', at: t + Stage3aTrailerOffset.headerOffset, width: 8 },
    { name: 'stage3a.trailer.header-size', at: t + Stage3aTrailerOffset.headerSize, width: 8 },
    { name: 'stage3a.trailer.iplb-offset', at: t + Stage3aTrailerOffset.iplBlockOffset, width: 8 },
    { name: 'iplb.length', at: b + PvIplBlockOffset.length, width: 4 },
    { name: 'iplb.version', at: b + PvIplBlockOffset.version, width: 1 },
    { name: 'iplb.pb0.length', at: b + PvIplBlockOffset.blockLength, width: 4 },
    { name: 'iplb.pb0.type', at: b + PvIplBlockOffset.blockType, width: 1 },
    { name: 'iplb.pv.version', at: b + PvIplBlockOffset.pvVersion, width: 1 },
    { name: 'iplb.pv.component-count', at: b + PvIplBlockOffset.componentCount, width: 4 },
    { name: 'iplb.pv.se-header-address', at: b + PvIplBlockOffset.seHeaderAddress, width: 8 },
    { name: 'iplb.pv.se-header-length', at: b + PvIplBlockOffset.seHeaderLength, width: 8 },
  ];
  image.components.forEach((c, k) => {
    const at = b + PvIplBlockOffset.components + k * PvIplComponentOffset.size;
    fields.push({ name: `iplb.component[${k}].tweak-prefix`, at: at + PvIplComponentOffset.tweakPrefix, width: 8 });
    fields.push({ name: `iplb.component[${k}].address`, at: at + PvIplComponentOffset.address, width: 8 });
    fields.push({ name: `iplb.component[${k}].length`, at: at + PvIplComponentOffset.length, width: 8 });
  });
  const se = seHeaderStructure(bytes, image.seHeaderAddress);
  const regions: SeedRegion[] = [
    { name: 'stage3a.trailer', at: t, size: 24 },
    { name: 'iplb', at: b, size: image.iplBlock.length },
    ...se.regions,
    ...image.components.map((c) => ({ name: `component.${c.name}`, at: Number(c.address), size: 4096 })),
  ];
  return { fields: [...fields, ...se.fields], regions };
}

/** Every tag and length of a DER document (X.509, SEC1), depth first. */
export function derStructure(bytes: Uint8Array): Structure {
  const fields: SeedField[] = [];
  const regions: SeedRegion[] = [];
  const walk = (start: number, end: number, path: string, depth: number): void => {
    let p = start;
    let i = 0;
    while (p + 2 <= end && depth < 12) {
      const tag = bytes[p]!;
      const first = bytes[p + 1]!;
      let len = first;
      let lenAt = p + 1;
      let lenWidth: 1 | 2 | 4 | 8 = 1;
      let header = 2;
      if (first & 0x80) {
        const n = first & 0x7f;
        if (n < 1 || n > 2) return;
        lenAt = p + 2;
        lenWidth = n as 1 | 2;
        len = n === 1 ? bytes[p + 2]! : (bytes[p + 2]! << 8) | bytes[p + 3]!;
        header = 2 + n;
      }
      const name = `${path}/${i}`;
      fields.push({ name: `der${name}.tag`, at: p, width: 1 });
      fields.push({ name: `der${name}.len`, at: lenAt, width: lenWidth });
      if (depth < 3) regions.push({ name: `der${name}`, at: p, size: Math.min(header + len, end - p) });
      if (tag & 0x20) walk(p + header, Math.min(end, p + header + len), name, depth + 1);
      p += header + len;
      i++;
    }
  };
  walk(0, bytes.length, '', 0);
  return { fields, regions };
}

/** Text (PEM): no fields; the base64 body and the armour lines are regions. */
export function pemStructure(bytes: Uint8Array): Structure {
  const text = new TextDecoder().decode(bytes);
  const body = text.indexOf('\n') + 1;
  const end = text.lastIndexOf('-----END');
  return {
    fields: [],
    regions: [
      { name: 'pem.begin', at: 0, size: body },
      { name: 'pem.body', at: body, size: Math.max(1, end - body) },
      { name: 'pem.end', at: end, size: text.length - end },
    ],
  };
}
