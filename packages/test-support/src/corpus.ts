/**
 * The C corpus of freestanding s390x Linux programs (`corpus/programs`, on the tiny libc of
 * `corpus/libc`), shared by the interpreter's tests and the command line's: each program is linked
 * with the tiny libc as a static, freestanding s390x Linux executable (Debian's s390x-linux-gnu-gcc
 * 12) in every variant of `CORPUS_VARIANTS`: -O0, -O2 and -O3 for each of `-march=z13`, `z14` and
 * `z15`, with gcc's auto-vectoriser on (its default at -O2 and -O3). Binaries
 * are never committed: the corpus is the C source. They are built two compilers at a time into
 * the temporary folder, named by a hash of their sources and flags, so the test files of one
 * run (which share that folder) build each binary once.
 *
 * The floating-point programs (`fp-*`) also link `libc/tinyfp.c`; gcc computes their scalar and
 * loop floating point with the vector facility's floating-point instructions (WFDDB, WFMDB,
 * WFMADB, VFMADB, VFLCDB, …, even at -O0) alongside the binary-floating-point ones.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { requireTool } from './index.js';

const run = promisify(execFile);
/** The corpus folder (`corpus/` beside this package's src/ and dist/). */
export const corpusDir = fileURLToPath(new URL('../corpus/', import.meta.url));

/** Path of a corpus file, e.g. `corpusFile('programs/sha256.c')`. */
export const corpusFile = (relative: string): string => join(corpusDir, relative);

export const OPT_LEVELS = ['-O0', '-O1', '-O2', '-O3'] as const;
export type OptLevel = (typeof OPT_LEVELS)[number];
/** The machine generations the corpus is built for (gcc's `-march`). */
export const MARCHES = ['z13', 'z14', 'z15'] as const;
export type March = (typeof MARCHES)[number];

/** One way of building every program: an optimisation level and a machine generation. */
export interface CorpusVariant {
  readonly opt: OptLevel;
  readonly march: March;
}
/** The variants each program is built in: -O0, -O2 and -O3 for every generation. */
export const CORPUS_VARIANTS: readonly CorpusVariant[] = MARCHES.flatMap((march) => (['-O0', '-O2', '-O3'] as const).map((opt) => ({ opt, march })));
/** A variant as the tests name it, e.g. `-O2 -march=z14`. */
export const variantName = (v: CorpusVariant): string => `${v.opt} -march=${v.march}`;

/** The corpus flags: static, freestanding, with warnings (the corpus is warning-free). */
export const CORPUS_CFLAGS = ['-static', '-nostdlib', '-ffreestanding', '-Wall', '-Wextra'] as const;

/** Command-line arguments each program is run with in the tests (argv[1..]). */
export const CORPUS_ARGS: Readonly<Record<string, readonly string[]>> = {
  args: ['12', '-7', 'hello', '300'],
  sha256: ['0'],
};

export interface CorpusBinary extends CorpusVariant {
  readonly program: string;
  /** `program` and the variant, e.g. `sha256 -O2 -march=z14`. */
  readonly name: string;
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

function compileArguments(sources: readonly string[], opt: string, march: March, floatingPoint: boolean): string[] {
  const libc = [join(corpusDir, 'libc', 'start.S'), join(corpusDir, 'libc', 'tinylibc.c')];
  if (floatingPoint) libc.push(join(corpusDir, 'libc', 'tinyfp.c'));
  return [...CORPUS_CFLAGS, `-march=${march}`, opt, ...libc, ...sources, '-lgcc'];
}

/** Compiles one C file (or several sources) into a static executable at `out`; `floatingPoint` adds tinyfp. */
export async function compileProgram(sources: readonly string[], opt: string, out: string, floatingPoint = false, march: March = 'z13'): Promise<void> {
  const gcc = requireTool('s390x-linux-gnu-gcc');
  await run(gcc, ['-o', out, ...compileArguments(sources, opt, march, floatingPoint)], { maxBuffer: 16 << 20 });
}

/** The headers every corpus source may include. */
const HEADERS = ['libc/tinylibc.h', 'libc/tinyfp.h'];

/** Hash of everything a build depends on: the compiler arguments and the contents of the sources and headers. */
function buildKey(args: readonly string[]): string {
  const hash = createHash('sha256');
  for (const a of args) {
    hash.update(a + '\0');
    if (a.startsWith(corpusDir)) hash.update(readFileSync(a));
  }
  for (const h of HEADERS) hash.update(readFileSync(join(corpusDir, h)));
  return hash.digest('hex').slice(0, 32);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Builds `program` in `variant` into the shared cache folder unless a build with the same key is
 * there. A lock file makes concurrent test processes build each key once: the others wait for
 * the binary (renamed into place when complete), or build it themselves when the lock goes
 * without one or after a minute.
 */
async function buildCached(program: string, variant: CorpusVariant): Promise<string> {
  const fp = isFloatingPointProgram(program);
  const source = join(corpusDir, 'programs', `${program}.c`);
  const key = buildKey(compileArguments([source], variant.opt, variant.march, fp));
  const dir = join(tmpdir(), 'pvdump-corpus');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${program}${variant.opt}-${variant.march}-${key}`);
  if (existsSync(path)) return path;
  const lock = `${path}.lock`;
  let fd: number | undefined;
  try {
    fd = openSync(lock, 'wx');
  } catch {
    for (let waited = 0; waited < 60_000 && !existsSync(path) && existsSync(lock); waited += 100) await sleep(100);
    if (existsSync(path)) return path;
  }
  const partial = `${path}.${process.pid}.partial`;
  try {
    await compileProgram([source], variant.opt, partial, fp, variant.march);
    renameSync(partial, path);
  } finally {
    rmSync(partial, { force: true });
    if (fd !== undefined) {
      closeSync(fd);
      rmSync(lock, { force: true });
    }
  }
  return path;
}

let built: Promise<CorpusBinary[]> | undefined;

/** Builds every program in every variant (two compilers at a time); cached per process and by content in the temporary folder. */
export function buildCorpus(): Promise<CorpusBinary[]> {
  built ??= buildAll();
  return built;
}

async function buildAll(): Promise<CorpusBinary[]> {
  const jobs: { program: string; variant: CorpusVariant }[] = [];
  for (const program of corpusPrograms()) for (const variant of CORPUS_VARIANTS) jobs.push({ program, variant });
  const out: CorpusBinary[] = new Array<CorpusBinary>(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const k = next++;
      const { program, variant } = jobs[k]!;
      const path = await buildCached(program, variant);
      out[k] = { program, ...variant, name: `${program} ${variantName(variant)}`, path, args: CORPUS_ARGS[program] ?? [] };
    }
  };
  await Promise.all([worker(), worker()]);
  return out;
}
