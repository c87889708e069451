import { defineConfig } from 'vitest/config';

// Two projects: "unit" (pure logic, literal data, milliseconds) and "integration" (real
// brokers started by test/global-setup.ts, the real CLI binary). `npm test` runs both.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/checks/**/*.test.ts', 'test/unit/**/*.test.ts', 'test/brokers/{compose,select,endpoints,support}.test.ts'] } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/brokers/native.test.ts'],
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 600_000,
          hookTimeout: 300_000,
          // Brokers are shared, ports are fixed: one file at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
