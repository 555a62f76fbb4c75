// The run-loop modes the differential and corpus tests run our side in: the compiling tier
// forced on from the first execution ('always', so every instruction of a test goes through the
// block compiler) and off ('off', the plain interpreter). PVDUMP_COMPILED_BLOCKS selects others
// (a comma-separated list of 'always', 'hot', 'off').
import type { CompiledBlocksMode } from '../../src/linux/index.ts';

const MODES: readonly CompiledBlocksMode[] = ['always', 'hot', 'off'];

function parse(list: string): CompiledBlocksMode[] {
  const out = list.split(',').map((s) => s.trim());
  for (const m of out) if (!(MODES as readonly string[]).includes(m)) throw new Error(`PVDUMP_COMPILED_BLOCKS: unknown mode '${m}' (expected ${MODES.join(', ')})`);
  return out as CompiledBlocksMode[];
}

export const TIER_MODES: readonly CompiledBlocksMode[] = parse(process.env.PVDUMP_COMPILED_BLOCKS ?? 'always,off');
