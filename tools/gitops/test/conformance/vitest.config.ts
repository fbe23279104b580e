import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The conformance suite runs apart from `npm test`: it needs Go to build the Argo CD harness.
const toolRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export default defineConfig({
  test: {
    root: toolRoot,
    include: ['test/conformance/**/*.conformance.ts'],
    globalSetup: ['test/helpers/build-cli.ts', 'test/conformance/build-harness.ts'],
    // Each case runs Argo CD's repo-server and the CLI over a whole repository.
    testTimeout: 600_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
