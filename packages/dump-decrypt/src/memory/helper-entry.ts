/**
 * Where the helpers' entry modules are: a worker thread or a child process starts from a compiled
 * module file, `page-worker.js` or `page-process.js`, beside this module in `dist/memory/`.
 * When this module runs from its TypeScript source (the "@pvdump/source" export condition, as
 * the tests use it), Node cannot start a `.ts` file, so the helpers start from the compiled
 * files in the package's `dist/` (the tests build it first: `test/build-dist.ts`).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PvDecryptError } from '../errors.js';

export type HelperEntry = 'page-worker' | 'page-process';

export function helperEntry(name: HelperEntry): URL {
  const here = new URL(import.meta.url);
  const url = here.pathname.endsWith('.ts') ? new URL(`../../dist/memory/${name}.js`, here) : new URL(`./${name}.js`, here);
  if (!existsSync(url)) throw new PvDecryptError('io', `the helper module ${fileURLToPath(url)} is missing; build the package (pnpm build) or decrypt without helpers (workers: 0; pvdump: --workers 0)`);
  return url;
}
