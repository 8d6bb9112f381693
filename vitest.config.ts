import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    reporters: ['default'],
    // Sample requisites (reference/, marked synthetic) are allowed in documents only explicitly:
    // the tests use them, and the CLIs they spawn inherit this (pipeline/requisites/).
    env: { PAYOUTS_ALLOW_SAMPLE_REQUISITES: '1' },
  },
});
