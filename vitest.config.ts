import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// Two projects: "unit" (pure logic, literal data, milliseconds) and "integration" (real
// brokers started by test/global-setup.ts, the real CLI binary). `npm test` runs both.
export default defineConfig({
  test: {
    projects: [
      {
        // Its compiled files point at TypeScript sources the package does not ship, and Vite
        // would warn about each one on every run: load them without their source maps.
        plugins: [
          {
            name: 'workflow-parser-without-source-maps',
            load(id: string) {
              if (!/node_modules\/@actions\/workflow-parser\/.*\.js$/.test(id)) return undefined;
              return readFileSync(id, 'utf8').replace(/^\/\/# sourceMappingURL=.*$/m, '');
            },
          },
        ],
        test: {
          name: 'unit',
          include: ['test/checks/**/*.test.ts', 'test/unit/**/*.test.ts', 'test/brokers/{compose,select,endpoints,support}.test.ts'],
          // @actions/workflow-parser (GitHub's own workflow parser, used to validate the CI
          // templates) imports its JSON schema without `with { type: 'json' }`, which Node
          // refuses; let Vite load it instead of Node (actions/languageservices issue #387).
          server: { deps: { inline: ['@actions/workflow-parser'] } },
        },
      },
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
