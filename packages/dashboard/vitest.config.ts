import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['textport-source'] },
  ssr: { resolve: { conditions: ['textport-source'] } },
  test: {
    name: 'dashboard',
    include: ['test/**/*.test.ts'],
    // Builds the app into dist/app when it is missing (a fresh clone running one project).
    globalSetup: ['test/build-app.ts'],
  },
});
