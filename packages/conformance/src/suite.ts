// Where the kvm-unit-tests suite is: `--suite DIR`, else `$PVDUMP_KVM_UNIT_TESTS`, else the
// shared folder beside the repository (`../shared/fixtures/kvm-unit-tests`). The suite is
// third-party GPL-2.0 test code and is never part of the repository.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseUnitTestsCfg, type UnitTestEntry } from './unittests-cfg.js';

export const SUITE_ENV = 'PVDUMP_KVM_UNIT_TESTS';

export class SuiteNotFound extends Error {
  override readonly name = 'SuiteNotFound';
  readonly userError = true;
}

/** The suite folder, or an error saying how to name one. `repoRoot` anchors the default. */
export function locateSuite(explicit: string | undefined, repoRoot: string, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[SUITE_ENV];
  const fallback = resolve(repoRoot, '..', 'shared', 'fixtures', 'kvm-unit-tests');
  const dir = explicit ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : existsSync(fallback) ? fallback : undefined);
  if (dir === undefined) {
    throw new SuiteNotFound(`no kvm-unit-tests suite: give its folder with --suite DIR or ${SUITE_ENV}=DIR ` + `(the built s390x test kernels with unittests.cfg; looked for ${fallback} too)`);
  }
  const abs = resolve(dir);
  const how = explicit !== undefined ? '--suite' : dir === fallback ? 'the default' : SUITE_ENV;
  if (!existsSync(join(abs, 'unittests.cfg'))) throw new SuiteNotFound(`${abs} (from ${how}) has no unittests.cfg: is it the s390x kvm-unit-tests folder?`);
  return abs;
}

export function readSuite(dir: string): UnitTestEntry[] {
  const path = join(dir, 'unittests.cfg');
  return parseUnitTestsCfg(readFileSync(path, 'utf8'), path);
}
