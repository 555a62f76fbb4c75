// Writes .vitest-results.json for scripts/test-summary.mjs: the tests passed, failed and skipped,
// the test files that failed without a failing test (an import or hook error), and the errors
// vitest caught outside any test. The built-in json reporter calls a run with such errors a success.
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Reporter, TestModule, TestRunEndReason, Vitest } from 'vitest/node';

export const RESULTS_FILE = '.vitest-results.json';

export default class ResultsReporter implements Reporter {
  private root = process.cwd();

  onInit(vitest: Vitest): void {
    this.root = vitest.config.root;
  }

  onTestRunEnd(modules: readonly TestModule[], unhandledErrors: readonly unknown[], reason: TestRunEndReason): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const brokenFiles: string[] = [];
    for (const module of modules) {
      let moduleFailed = 0;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed') moduleFailed += 1;
        else skipped += 1;
      }
      failed += moduleFailed;
      if (module.state() === 'failed' && moduleFailed === 0) brokenFiles.push(relative(this.root, module.moduleId));
    }
    const results = { passed, failed, skipped, brokenFiles, unhandledErrors: unhandledErrors.length, reason };
    writeFileSync(join(this.root, RESULTS_FILE), JSON.stringify(results, null, 2) + '\n');
  }
}
