/**
 * The tests Stryker runs against each mutant (`npm run test:mutation`, stryker.config.json):
 * core's unit tests of the mutated pure modules only, so a run takes minutes.
 */

import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['textport-source'] },
  ssr: { resolve: { conditions: ['textport-source'] } },
  test: {
    name: 'mutation',
    include: [
      'packages/core/test/lifecycle/*.test.ts',
      'packages/core/test/dispatch/plan.test.ts',
      'packages/core/test/dispatch/pacing.test.ts',
      'packages/core/test/dispatch/pace.test.ts',
      'packages/core/test/domain/windows.test.ts',
      'packages/core/test/domain/segments.test.ts',
      'packages/core/test/crypto/cipher.test.ts',
    ],
  },
});
