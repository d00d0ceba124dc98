/**
 * The fault suite (`npm run test:faults`): crashes, a dead cluster node, a
 * webhook receiver that is down, hostile requests (httpSMS, WebSocket, SMSGate).
 * Every test file under faults/ runs. Slow on purpose, so it is not
 * part of `vitest run`; its sizes come from the environment (see faults/README.md).
 */

import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['textport-source'] },
  ssr: { resolve: { conditions: ['textport-source'] } },
  test: {
    name: 'faults',
    include: ['faults/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 900_000,
    hookTimeout: 120_000,
  },
});
