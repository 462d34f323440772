import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // One throwaway PostgreSQL server for tests/postgres/ (started only when the run includes them).
    globalSetup: ['tests/postgres/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    env: { NO_COLOR: '1', TZ: 'UTC' },
  },
});
