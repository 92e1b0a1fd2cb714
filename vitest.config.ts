import { defineConfig } from 'vitest/config';

// The heavy tests (tests/stress: crash safety, graceful shutdown, the big hostile-input sweep) run only when
// asked for by name — `npm run test:stress` is `vitest run --project stress` — never in a plain `vitest run`.
const asked = (name: string) => process.argv.some((a, i) => a === `--project=${name}` || (a === '--project' && process.argv[i + 1] === name));
const stressAsked = asked('stress');
// The browser tests (tests/e2e: real Chromium on the real server) likewise: `npm run test:e2e`.
const e2eAsked = asked('e2e');

// Integration tests run twice: on SQLite and on PostgreSQL (TEST_DB picks the database in tests/helpers/db.ts).
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node' } },
      {
        test: {
          name: 'sqlite',
          include: ['tests/integration/**/*.test.ts'],
          env: { TEST_DB: 'sqlite' },
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'pg',
          include: ['tests/integration/**/*.test.ts'],
          env: { TEST_DB: 'pg' },
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      ...(stressAsked
        ? [
            {
              test: {
                name: 'stress',
                include: ['tests/stress/**/*.test.ts'],
                testTimeout: 15 * 60_000,
                hookTimeout: 5 * 60_000,
              },
            },
          ]
        : []),
      ...(e2eAsked
        ? [
            {
              test: {
                name: 'e2e',
                include: ['tests/e2e/**/*.test.ts'],
                testTimeout: 120_000,
                hookTimeout: 240_000,
                fileParallelism: false,
              },
            },
          ]
        : []),
    ],
  },
});
