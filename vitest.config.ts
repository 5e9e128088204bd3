import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Network tests use 127.0.0.1 only; keep every test bounded in time.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
