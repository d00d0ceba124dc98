import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['textport-source'] },
  ssr: { resolve: { conditions: ['textport-source'] } },
  test: {
    name: 'server',
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    // The server serves the dashboard: build it when dist/app is missing or stale.
    globalSetup: ['../dashboard/test/build-app.ts'],
  },
});
