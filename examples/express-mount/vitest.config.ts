import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['textport-source'] },
  ssr: { resolve: { conditions: ['textport-source'] } },
  test: {
    name: 'express-mount',
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    // The app mounts the dashboard: build it when dist/app is missing or stale.
    globalSetup: ['../../packages/dashboard/test/build-app.ts'],
  },
});
