// Shared vitest settings. The "@pvdump/source" export condition below is for Vite's client-side
// resolver only; under vitest's server-side (SSR) resolver sibling packages load from their built
// dist, so the test line builds before it tests.
// Each run also writes .vitest-results.json (vitest.results-reporter.ts), which
// scripts/test-summary.mjs adds up, and keeps every temporary file in one folder that
// vitest.global-setup.ts removes at the end.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import ResultsReporter from './vitest.results-reporter.ts';

export default defineConfig({
  resolve: { conditions: ['@pvdump/source'] },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Under the test line each finished file prints one line; only tests slower than this get their own.
    slowTestThreshold: 30_000,
    pool: 'forks',
    globalSetup: [fileURLToPath(new URL('./vitest.global-setup.ts', import.meta.url))],
    reporters: ['default', new ResultsReporter()],
  },
});
