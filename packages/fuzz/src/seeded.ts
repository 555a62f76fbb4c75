/**
 * Inputs made from the seed corpus: `{seed, ops}` — which seed, and the mutation recipe applied
 * to it. Shared by every target whose input is a file. Big seeds (dumps) are mutated in place in
 * a working copy and restored afterwards, since copying megabytes per execution would dominate.
 */
import fc from 'fast-check';
import { closeSync, ftruncateSync, openSync, readSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { applyOps, opsArbitrary, readField, resolveValue, writeField, type Op } from './mutate.js';
import { loadSeeds, type LoadedSeed } from './seeds/corpus.js';

export interface SeededInput {
  seed: string;
  ops: Op[];
}

export interface SeededContext {
  seeds: Map<string, LoadedSeed>;
}

export async function loadSeededContext(names: readonly string[]): Promise<SeededContext> {
  return { seeds: new Map((await loadSeeds(names)).map((s) => [s.name, s])) };
}

/** Recipes over the context's seeds (an unmutated seed now and then, too). */
export function seededInputs(ctx: SeededContext, maxOps = 5): fc.Arbitrary<SeededInput> {
  const perSeed = [...ctx.seeds.values()].map((s) => fc.record({ seed: fc.constant(s.name), ops: fc.oneof({ weight: 20, arbitrary: opsArbitrary(s.size, s.fields, s.regions, maxOps) }, { weight: 1, arbitrary: fc.constant([] as Op[]) }) }));
  return fc.oneof(...perSeed);
}

function seedOf(ctx: SeededContext, input: SeededInput): LoadedSeed {
  const seed = ctx.seeds.get(input.seed);
  if (seed === undefined) throw new Error(`input names an unknown seed ${input.seed}`);
  return seed;
}

/** The bytes of an input. */
export function materialize(ctx: SeededContext, input: SeededInput): Uint8Array {
  const seed = seedOf(ctx, input);
  return applyOps(seed.bytes, seed.fields, input.ops);
}

/**
 * Working copies of seeds in `dir`, mutated in place: `write(input)` returns the path of a file
 * holding exactly `materialize(input)`, restoring what the previous input changed first.
 */
export class SeedFiles {
  private readonly dirty = new Map<string, { ranges: [number, number][]; size: number }>();
  constructor(
    private readonly ctx: SeededContext,
    private readonly dir: string,
  ) {}

  write(input: SeededInput): string {
    const seed = seedOf(this.ctx, input);
    const path = join(this.dir, `${seed.name}.bin`);
    const state = this.dirty.get(seed.name);
    if (state === undefined) writeFileSync(path, seed.bytes);
    const fd = openSync(path, 'r+');
    try {
      if (state !== undefined) this.restore(fd, seed, state);
      this.dirty.set(seed.name, this.apply(fd, seed, input.ops));
    } finally {
      closeSync(fd);
    }
    return path;
  }

  private restore(fd: number, seed: LoadedSeed, state: { ranges: [number, number][]; size: number }): void {
    ftruncateSync(fd, seed.size);
    for (const [from, to] of state.ranges) {
      const end = Math.min(to, seed.size);
      if (end > from) writeSync(fd, seed.bytes, from, end - from, from);
    }
  }

  private apply(fd: number, seed: LoadedSeed, ops: readonly Op[]): { ranges: [number, number][]; size: number } {
    const ranges: [number, number][] = [];
    let size = seed.size;
    const byName = new Map(seed.fields.map((f) => [f.name, f]));
    const put = (at: number, bytes: Uint8Array): void => {
      const n = Math.min(bytes.length, size - at);
      if (at >= size || n <= 0) return;
      writeSync(fd, bytes, 0, n, at);
      ranges.push([at, at + n]);
    };
    const get = (at: number, n: number): Uint8Array => {
      const b = new Uint8Array(n);
      if (at < size) readSync(fd, b, 0, Math.min(n, size - at), at);
      return b;
    };
    for (const o of ops) {
      switch (o.op) {
        case 'set': {
          const f = byName.get(o.field);
          if (f === undefined) throw new Error(`recipe names an unknown field ${o.field}`);
          const cur = get(f.at, f.width);
          const local = { ...f, at: 0 };
          writeField(cur, local, resolveValue(o.value, readField(cur, local), size));
          put(f.at, cur);
          break;
        }
        case 'flip':
          put(o.at, Uint8Array.of(get(o.at, 1)[0]! ^ (1 << o.bit)));
          break;
        case 'byte':
          put(o.at, Uint8Array.of(o.value));
          break;
        case 'truncate':
          if (o.length < size) {
            ftruncateSync(fd, o.length);
            ranges.push([o.length, size]);
            size = o.length;
          }
          break;
        case 'extend': {
          const at = size;
          size += o.count;
          ftruncateSync(fd, size);
          put(at, new Uint8Array(o.count).fill(o.fill));
          break;
        }
        case 'copy': {
          const len = Math.max(0, Math.min(o.length, size - o.from, size - o.to));
          if (len > 0) put(o.to, get(o.from, len));
          break;
        }
      }
    }
    return { ranges, size };
  }
}
