/** The Quick start demo (scripts/demo.mjs) runs to the end and finds our decryption identical to zgetdump's. */
import { join } from 'node:path';
import { repoRoot, runStatus } from '@pvdump/test-support';
import { expect, it } from 'vitest';

it('the demo inspects, authenticates and decrypts the fixtures', () => {
  const r = runStatus(process.execPath, [join(repoRoot(), 'scripts', 'demo.mjs')]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/QEMU ≥ 7\.2 dump/);
  expect(r.stdout).toMatch(/completion data authenticated: true; CPU notes authenticated: true, true/);
  expect(r.stdout).toMatch(/byte for byte identical/);
});
