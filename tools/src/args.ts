/** Command-line parsing on node:util's parseArgs, with every mistake reported as a UsageError (exit 2). */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './cli-support.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseCommandArgs<O extends Options>(argv: string[], options: O, usage: string): { values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>['values']; positionals: string[] } {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${usage}`);
  }
}

/** Exactly `names.length` positionals, or a UsageError naming what is missing or extra. */
export function positionals(values: string[], names: readonly string[], usage: string): string[] {
  if (values.length < names.length) throw new UsageError(`missing ${names.slice(values.length).join(' and ')}\n\n${usage}`);
  if (values.length > names.length) throw new UsageError(`unexpected argument '${values[names.length]}'\n\n${usage}`);
  return values;
}
