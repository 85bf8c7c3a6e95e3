import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Worktrees go to a temp state directory, never the user's ~/.local/state/orchestra.
    globalSetup: ['test/support/state-dir.ts'],
  },
});
