import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['textport-source'] },
  ssr: { resolve: { conditions: ['textport-source'] } },
  test: {
    projects: ['packages/*', 'examples/*'],
  },
});
