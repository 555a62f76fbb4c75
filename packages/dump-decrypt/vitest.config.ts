import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// Helpers start from dist/: build it first when it is stale (test/build-dist.ts).
export default mergeConfig(shared, defineConfig({ test: { globalSetup: ['test/build-dist.ts'] } }));
