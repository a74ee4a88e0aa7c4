import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Most test files wait on timers and child processes, not on the CPU: four at once on CI's two
    // cores take a third of the time of one at a time (the default there), and no test asserts a time.
    maxWorkers: 4,
  },
});
