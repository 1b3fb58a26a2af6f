import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    // Type tests (*.test-d.ts) run through tsc with the project's strict settings.
    typecheck: { enabled: true, tsconfig: './tsconfig.json', include: ['test/**/*.test-d.ts'] },
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
