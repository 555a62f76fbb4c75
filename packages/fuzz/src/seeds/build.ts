#!/usr/bin/env node
/**
 * Rebuilds the committed seed corpus from the real fixtures: `pnpm --filter @pvdump/fuzz seeds`.
 * Run it when a fixture or a seed's structure changes; the corpus test checks it is current.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SEEDS_DIR, sha256Hex, sourceBytes, type Seed, type SeedSource } from './corpus.js';
import { derStructure, elfCoreStructure, genprotimgImageStructure, pemStructure, seHeaderStructure, type Structure } from './structure.js';

interface SeedDefinition {
  name: string;
  kind: 'elf-core' | 'se-header' | 'se-image' | 'der' | 'pem';
  source: SeedSource;
}

/** Where the genprotimg image keeps its SE header (fixture README: the page at 0x14000). */
const GENPROTIMG_SE_HEADER_AT = 0x14000;

export const SEED_DEFINITIONS: readonly SeedDefinition[] = [
  { name: 'qemu-7.2-crash-dump', kind: 'elf-core', source: { fixture: 'qemu-7.2-crash/dump.elf.gz' } },
  { name: 'pv-dump', kind: 'elf-core', source: { fixture: 'pv-zgetdump/pv-dump.elf.gz' } },
  { name: 'zgetdump-decrypted-dump', kind: 'elf-core', source: { fixture: 'pv-zgetdump/zgetdump-out.elf.gz' } },
  { name: 's390-tools-se-header', kind: 'se-header', source: { fixture: 'se-header-s390-tools/secure_guest.hdr' } },
  { name: 'genprotimg-se-header', kind: 'se-header', source: { fixture: 'genprotimg-2.35/se.img', slice: { at: GENPROTIMG_SE_HEADER_AT, size: 0 } } },
  { name: 'openable-se-header', kind: 'se-header', source: { generated: 'se-header-openable' } },
  { name: 'genprotimg-se-image', kind: 'se-image', source: { fixture: 'genprotimg-2.35/se.img' } },
  { name: 'genprotimg-se-nodump-image', kind: 'se-image', source: { fixture: 'genprotimg-2.35/se-nodump.img' } },
  { name: 'pvdump-se-image', kind: 'se-image', source: { generated: 'pvdump-se-image' } },
  { name: 'ibm-host-key-document', kind: 'der', source: { fixture: 'se-header-s390-tools/host.pem.crt', pemToDer: true } },
  { name: 'ibm-host-key-document-pem', kind: 'pem', source: { fixture: 'se-header-s390-tools/host.pem.crt' } },
  { name: 'genprotimg-host-key-document', kind: 'der', source: { fixture: 'genprotimg-2.35/host-key.crt', pemToDer: true } },
  { name: 'genprotimg-host-private-key', kind: 'der', source: { fixture: 'genprotimg-2.35/host-key.pem', pemToDer: true } },
];

async function structureOf(kind: SeedDefinition['kind'], bytes: Uint8Array): Promise<Structure> {
  switch (kind) {
    case 'elf-core':
      return elfCoreStructure(bytes);
    case 'se-header':
      return seHeaderStructure(bytes);
    case 'se-image':
      return genprotimgImageStructure(bytes);
    case 'der':
      return derStructure(bytes);
    case 'pem':
      return pemStructure(bytes);
  }
}

/** A slice of size 0 means "the SE header's own size (sehs) at that offset". */
async function resolveSource(source: SeedSource): Promise<SeedSource> {
  if (!('fixture' in source) || source.slice === undefined || source.slice.size !== 0) return source;
  const whole = await sourceBytes({ fixture: source.fixture });
  const sehs = new DataView(whole.buffer, whole.byteOffset).getUint32(source.slice.at + 12);
  return { ...source, slice: { at: source.slice.at, size: sehs } };
}

export async function buildSeeds(): Promise<Seed[]> {
  const seeds: Seed[] = [];
  for (const def of SEED_DEFINITIONS) {
    const source = await resolveSource(def.source);
    const bytes = await sourceBytes(source);
    const { fields, regions } = await structureOf(def.kind, bytes);
    seeds.push({ name: def.name, kind: def.kind, source, size: bytes.length, sha256: sha256Hex(bytes), fields, regions });
  }
  return seeds;
}

export function seedJson(seed: Seed): string {
  return JSON.stringify(seed, null, 1) + '\n';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  mkdirSync(SEEDS_DIR, { recursive: true });
  for (const seed of await buildSeeds()) {
    writeFileSync(join(SEEDS_DIR, `${seed.name}.json`), seedJson(seed));
    process.stdout.write(`${seed.name}: ${seed.size} bytes, ${seed.fields.length} fields, ${seed.regions.length} regions\n`);
  }
}
