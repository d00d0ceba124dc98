import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['textport-source'] },
  ssr: { resolve: { conditions: ['textport-source'] } },
  test: { name: 'http', include: ['test/**/*.test.ts'] },
});
