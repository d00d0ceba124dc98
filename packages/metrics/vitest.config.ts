import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['textport-source'] },
  ssr: { resolve: { conditions: ['textport-source'] } },
  test: { name: 'metrics', include: ['test/**/*.test.ts'] },
});
