// Shared vitest settings: tests import sibling packages from their TypeScript sources
// through the "@pvdump/source" export condition, so no package needs a build before testing.
// Each run also writes .vitest-results.json, which scripts/test-summary.mjs adds up.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@pvdump/source'] },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
  },
});
