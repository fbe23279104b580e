import { defineConfig } from 'vitest/config';

// GITOPS_TEST_REPORT=<file> also writes vitest's JSON report there (CI reads the totals).
const report = process.env.GITOPS_TEST_REPORT;

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/helpers/build-cli.ts'],
    // End-to-end tests run real git and helm processes.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: report ? ['default', ['json', { outputFile: report }]] : ['default'],
  },
});
