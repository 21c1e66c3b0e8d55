import { defineConfig } from 'vitest/config';

// unit: pure code and in-memory fakes, no servers or subprocesses; integration: one process against real
// PostgreSQL and PGlite, sockets, SMTP and the local platform fakes; e2e: the service as its own process
// (Node, Workers, Deno) and a browser. Both of the latter share one PostgreSQL server for the run.
const postgresServer = ['test/support/postgres-server.ts'];

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: postgresServer,
        },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], globalSetup: postgresServer },
      },
    ],
  },
});
