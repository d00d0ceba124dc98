import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['textport-source'] },
  ssr: { resolve: { conditions: ['textport-source'] } },
  test: { name: 'smsgate', include: ['test/**/*.test.ts'] },
});
