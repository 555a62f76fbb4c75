/**
 * The committed seed corpus (`corpus/seeds/*.json`): each seed names where its bytes come from
 * (a real fixture, a slice of one, or a deterministic generator), their SHA-256, and the fields
 * and regions that structure-aware mutations aim at. `pnpm --filter @pvdump/fuzz seeds` rebuilds
 * it from the fixtures; loading checks the hash, so a stale corpus fails loudly.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixturePath, gunzipFixture } from '@pvdump/test-support';
import type { SeedField, SeedRegion } from '../mutate.js';
import { GENERATORS } from './generated.js';

export type SeedSource = { fixture: string; slice?: { at: number; size: number }; pemToDer?: boolean } | { generated: string };

export interface Seed {
  name: string;
  /** What the bytes are: `elf-core`, `se-header`, `image`, `der`, `pem`. */
  kind: string;
  source: SeedSource;
  size: number;
  sha256: string;
  fields: SeedField[];
  regions: SeedRegion[];
}

export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CORPUS_DIR = join(PACKAGE_DIR, 'corpus');
export const SEEDS_DIR = join(CORPUS_DIR, 'seeds');

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** PEM text → the DER bytes of its first block. */
export function pemToDer(text: string): Uint8Array {
  const m = /-----BEGIN [^-]+-----([\s\S]*?)-----END [^-]+-----/.exec(text);
  if (m === null) throw new Error('no PEM block');
  return new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
}

/** The bytes a seed source stands for. */
export async function sourceBytes(source: SeedSource): Promise<Uint8Array> {
  if ('generated' in source) {
    const make = GENERATORS[source.generated];
    if (make === undefined) throw new Error(`unknown seed generator ${source.generated}`);
    return make();
  }
  const path = source.fixture.endsWith('.gz') ? await gunzipFixture(source.fixture) : fixturePath(source.fixture);
  let bytes: Uint8Array = new Uint8Array(readFileSync(path));
  if (source.pemToDer) bytes = pemToDer(new TextDecoder().decode(bytes));
  if (source.slice) bytes = bytes.slice(source.slice.at, source.slice.at + source.slice.size);
  return bytes;
}

/** Every committed seed, by name. */
export function readSeeds(): Map<string, Seed> {
  const seeds = new Map<string, Seed>();
  for (const f of readdirSync(SEEDS_DIR)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    const seed = JSON.parse(readFileSync(join(SEEDS_DIR, f), 'utf8')) as Seed;
    seeds.set(seed.name, seed);
  }
  return seeds;
}

export interface LoadedSeed extends Seed {
  bytes: Uint8Array;
}

/** Loads committed seeds with their bytes; throws if a fixture no longer matches its seed. */
export async function loadSeeds(names: readonly string[]): Promise<LoadedSeed[]> {
  const all = readSeeds();
  return Promise.all(
    names.map(async (name) => {
      const seed = all.get(name);
      if (seed === undefined) throw new Error(`no seed named ${name} in ${SEEDS_DIR}`);
      const bytes = await sourceBytes(seed.source);
      const hash = sha256Hex(bytes);
      if (hash !== seed.sha256) throw new Error(`seed ${name}: its source now hashes to ${hash}, not ${seed.sha256}; rebuild the corpus (pnpm --filter @pvdump/fuzz seeds)`);
      return { ...seed, bytes };
    }),
  );
}
