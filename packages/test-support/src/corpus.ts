/**
 * The C corpus of freestanding s390x Linux programs (`corpus/programs`, on the tiny libc of
 * `corpus/libc`), shared by the interpreter's tests and the command line's: each program is linked with the tiny libc as a static,
 * freestanding s390x Linux executable at -O0, -O1 and -O2 (`-march=z13`, Debian's
 * s390x-linux-gnu-gcc 12), once per test process, into the scratch folder. Binaries are never
 * committed: the corpus is the C source. The floating-point programs (`fp-*`) also link
 * `libc/tinyfp.c`; at z13 gcc computes their scalar and loop floating point with the vector
 * facility's floating-point instructions (WFDDB, WFMDB, WFMADB, VFMADB, VFLCDB, …, even at -O0)
 * alongside the binary-floating-point ones.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { requireTool, scratchDir } from './index.js';

const run = promisify(execFile);
/** The corpus folder (`corpus/` beside this package's src/ and dist/). */
export const corpusDir = fileURLToPath(new URL('../corpus/', import.meta.url));

/** Path of a corpus file, e.g. `corpusFile('programs/sha256.c')`. */
export const corpusFile = (relative: string): string => join(corpusDir, relative);

export const OPT_LEVELS = ['-O0', '-O1', '-O2'] as const;
export type OptLevel = (typeof OPT_LEVELS)[number];

/** The corpus flags: static, freestanding, z13, with warnings (the corpus is warning-free). */
export const CORPUS_CFLAGS = ['-static', '-nostdlib', '-ffreestanding', '-march=z13', '-Wall', '-Wextra'] as const;

/** Command-line arguments each program is run with in the tests (argv[1..]). */
export const CORPUS_ARGS: Readonly<Record<string, readonly string[]>> = {
  args: ['12', '-7', 'hello', '300'],
  sha256: ['0'],
};

export interface CorpusBinary {
  readonly program: string;
  readonly opt: OptLevel;
  readonly path: string;
  readonly args: readonly string[];
}

/** Names of the corpus programs (file names without `.c`). */
export function corpusPrograms(): string[] {
  return readdirSync(join(corpusDir, 'programs'))
    .filter((f) => f.endsWith('.c'))
    .map((f) => f.slice(0, -2))
    .sort();
}

/** The floating-point programs, which link `libc/tinyfp.c` too (see above). */
export const isFloatingPointProgram = (program: string): boolean => program.startsWith('fp-');

/** Compiles one C file (or several sources) into a static executable at `out`; `floatingPoint` adds tinyfp. */
export async function compileProgram(sources: readonly string[], opt: string, out: string, floatingPoint = false): Promise<void> {
  const gcc = requireTool('s390x-linux-gnu-gcc');
  const libc = [join(corpusDir, 'libc', 'start.S'), join(corpusDir, 'libc', 'tinylibc.c')];
  if (floatingPoint) libc.push(join(corpusDir, 'libc', 'tinyfp.c'));
  await run(gcc, [...CORPUS_CFLAGS, opt, '-o', out, ...libc, ...sources, '-lgcc'], { maxBuffer: 16 << 20 });
}

let built: Promise<CorpusBinary[]> | undefined;

/** Builds every program at every optimisation level (two compilers at a time); cached per process. */
export function buildCorpus(): Promise<CorpusBinary[]> {
  built ??= buildAll();
  return built;
}

async function buildAll(): Promise<CorpusBinary[]> {
  const jobs: CorpusBinary[] = [];
  for (const program of corpusPrograms()) {
    for (const opt of OPT_LEVELS) {
      jobs.push({ program, opt, path: join(scratchDir(), `corpus-${program}${opt}`), args: CORPUS_ARGS[program] ?? [] });
    }
  }
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const job = jobs[next++];
      if (job === undefined) break;
      await compileProgram([join(corpusDir, 'programs', `${job.program}.c`)], job.opt, job.path, isFloatingPointProgram(job.program));
    }
  };
  await Promise.all([worker(), worker()]);
  return jobs;
}
