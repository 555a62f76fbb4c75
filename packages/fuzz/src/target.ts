/**
 * What a fuzz target is, and the registry that finds them: every module in `targets/` exports
 * one `target`, so a new target (a new parser or interface) is one new file there.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type fc from 'fast-check';

/** An input that reached an outcome the target's contract forbids (a crash, a hang, a leak...). */
export class FuzzFailure extends Error {
  override readonly name = 'FuzzFailure';
}

/** Library targets run in the fuzzing process; CLI targets spawn `pvdump` for every input. */
export type TargetLevel = 'library' | 'cli';

export interface FuzzTarget<Input = unknown, Context = unknown> {
  readonly name: string;
  /** One line: what is fuzzed and which outcomes are allowed. */
  readonly summary: string;
  readonly level: TargetLevel;
  /**
   * Memory bound in MiB. Library targets: peak RSS of the whole fuzzing process. CLI targets:
   * peak RSS of every spawned `pvdump`.
   */
  readonly memoryBoundMiB: number;
  /** One execution taking longer than this is a hang. */
  readonly hangMs: number;
  /**
   * Executions in the CI budget (`--ci`): a count, not a time, so that a CI run tries the same
   * inputs on a fast and on a loaded machine and a failure reproduces from the seed alone.
   */
  readonly ciRuns: number;
  /** Builds what every execution shares (seed bytes, keys, a booted machine...). */
  prepare(): Promise<Context>;
  /** Inputs: plain JSON values, so that a failing one can be saved and replayed. */
  inputs(context: Context): fc.Arbitrary<Input>;
  /** Seed inputs committed with the target, run first (e.g. the real call sequence of a client). */
  examples?(context: Context): Input[];
  /** Runs one input; throws `FuzzFailure` on a forbidden outcome. */
  execute(input: Input, context: Context): Promise<void>;
  /** Frees what `prepare` made (temporary files). */
  dispose?(context: Context): Promise<void>;
}

/** Declares a target with its types checked. */
export function defineTarget<Input, Context>(t: FuzzTarget<Input, Context>): FuzzTarget<Input, Context> {
  return t;
}

const TARGETS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'targets');

/** Every registered target, by name, in file-name order. */
export async function loadTargets(): Promise<Map<string, FuzzTarget>> {
  const files = readdirSync(TARGETS_DIR)
    .filter((f) => /\.(js|ts)$/.test(f) && !f.endsWith('.d.ts'))
    .sort();
  const map = new Map<string, FuzzTarget>();
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(TARGETS_DIR, f)).href)) as { target?: FuzzTarget };
    if (mod.target === undefined) throw new Error(`fuzz target module ${f} exports no 'target'`);
    if (map.has(mod.target.name)) throw new Error(`two fuzz targets are named ${mod.target.name}`);
    map.set(mod.target.name, mod.target);
  }
  return map;
}
